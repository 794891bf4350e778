"""``embedlab crossmodal``: train a text+image dual encoder, search images with words."""

from __future__ import annotations

from pathlib import Path

import typer

crossmodal_app = typer.Typer(
    help="Text and images in one space (a small CLIP trained on real images).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``crossmodal`` group to ``app``."""
    app.add_typer(crossmodal_app, name="crossmodal")


@crossmodal_app.command("train")
def train(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to save the model in."),
    dataset: str = typer.Option("auto", help="fashion-mnist, digits, or auto."),
    dim: int = typer.Option(64, help="Dimension of the joint space."),
    epochs: int = typer.Option(4, help="Training epochs."),
    limit: int = typer.Option(0, help="Train on at most this many images (0: all)."),
    seed: int = typer.Option(0, help="Seed for every random choice."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train a dual encoder on captioned images, print the evaluation report, save the model.

    Example: embedlab crossmodal train -o fashion-clip --epochs 4
    """
    from ..crossmodal import DualEncoder, evaluate, load_images, make_captions

    train_set = load_images(dataset, "train")
    if limit:
        train_set = train_set.take(limit, seed=seed)
    test_set = load_images(train_set.name, "test")
    captions = make_captions(train_set.labels, train_set.class_names, seed=seed)
    model = DualEncoder(vector_size=dim, epochs=epochs, seed=seed, progress=not quiet, dataset=train_set.name)
    model.fit(train_set.images, captions, labels=train_set.labels)
    typer.echo(str(evaluate(model, test_set, train_set, seed=seed)))
    model.save(out)
    typer.echo(f"model saved to {out}")


@crossmodal_app.command("search")
def search(
    model_dir: Path = typer.Argument(..., help="A folder written by `crossmodal train`."),
    text: str = typer.Argument(..., help="What to look for, in words."),
    k: int = typer.Option(5, "-k", help="How many images."),
) -> None:
    """Find the test images that best match TEXT; prints index, class and cosine.

    Example: embedlab crossmodal search fashion-clip "a photo of a sneaker" -k 5
    """
    from ..crossmodal import DualEncoder, load_images

    model = DualEncoder.load(model_dir)
    test_set = load_images(model.dataset or "auto", "test")
    for index, score in model.search(text, test_set.images, k=k):
        typer.echo(f"{index}\t{test_set.class_names[test_set.labels[index]]}\t{score:.3f}")
