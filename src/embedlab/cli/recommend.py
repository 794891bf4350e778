"""``embedlab recommend fit`` and ``embedlab recommend for-user``: train a recommender, ask it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

# the command's short names for the classes of ``recsys.models()``
MODELS = {"mf": "MatrixFactorization", "bpmf": "BayesianMatrixFactorization", "als": "ImplicitALS"}

recommend_app = typer.Typer(
    help="Recommendation: learn user and item vectors from ratings, then recommend.",
    no_args_is_help=True,
)


@recommend_app.command("fit")
def fit(
    ratings: str = typer.Argument(
        ..., help="Ratings file (CSV/TSV with a header, or a RecBole .inter file / folder), "
        "or a dataset name such as movielens-100k."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write the model to."),
    model: str = typer.Option("mf", "--model", "-m", help="mf (matrix factorisation, torch), "
                              "bpmf (Bayesian MF, most accurate) or als (implicit feedback)."),
    dim: int = typer.Option(0, help="Vector size (0: the model's default)."),
    epochs: int = typer.Option(30, help="mf: most epochs (early stopping may stop sooner)."),
    implicit: bool = typer.Option(False, help="Read the value column as counts, not ratings."),
    seed: int = typer.Option(0, help="Random seed."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Train a recommender on RATINGS and save it to a folder (written atomically).

    Example: embedlab recommend fit movielens-100k -o ml100k-model --model bpmf
    """
    from ..errors import InvalidParameterError
    from ..recsys import models

    if model not in MODELS:
        raise InvalidParameterError(
            f"The 'model' parameter of recommend fit must be one of {', '.join(MODELS)}. "
            f"Got {model!r} instead."
        )
    data = _interactions(ratings, "implicit" if implicit else None)
    options: dict[str, object] = {"seed": seed, "progress": progress}
    if dim:
        options["vector_size"] = dim
    if model == "mf":  # the only one trained by epochs (with early stopping)
        options["epochs"] = epochs
    model_class: Any = models()[MODELS[model]]
    fitted = model_class(**options).fit(data)
    fitted.save(output)
    typer.echo(f"{data}")
    typer.echo(f"wrote {type(fitted).__name__} with {fitted.item_vectors.dim}-dimensional vectors to {output}")


@recommend_app.command("for-user")
def for_user(
    model_dir: Path = typer.Argument(..., help="A folder written by `recommend fit`."),
    user: str = typer.Argument(..., help="The user's id as in the ratings file."),
    k: int = typer.Option(10, "-k", help="How many items."),
    include_seen: bool = typer.Option(False, help="Also list items the user already rated."),
) -> None:
    """Print the K best items for USER, with scores.

    Example: embedlab recommend for-user ml100k-model 196 -k 5
    """
    from ..recsys import load_model

    fitted = load_model(model_dir)
    for rank, (item, score) in enumerate(fitted.recommend(user, k, exclude_seen=not include_seen), 1):
        typer.echo(f"{rank:3d}. {score:7.3f}  {item}")


@recommend_app.command("similar")
def similar(
    model_dir: Path = typer.Argument(..., help="A folder written by `recommend fit`."),
    item: str = typer.Argument(..., help="An item title or id."),
    k: int = typer.Option(10, "-k", help="How many items."),
) -> None:
    """Print the K items whose vectors are closest to ITEM.

    Example: embedlab recommend similar ml100k-model "Star Wars (1977)" -k 5
    """
    from ..recsys import load_model

    for name, score in load_model(model_dir).similar_items(item, k):
        typer.echo(f"{score:7.3f}  {name}")


def _interactions(source: str, kind: str | None):  # type: ignore[no-untyped-def]
    from .. import datasets
    from ..recsys import Interactions

    found = datasets.resolve(source, kind="ratings")
    if isinstance(found, datasets.Dataset):
        return Interactions.from_dataset(found.name)
    return Interactions.from_file(found, kind=kind)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add the ``recommend`` command group to ``app``."""
    app.add_typer(recommend_app, name="recommend")
