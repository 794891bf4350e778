"""``embedlab graph``: node vectors from an edge list, and how good they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

graph_app = typer.Typer(
    help="Node embeddings: DeepWalk / node2vec walks, node classification, link prediction.",
    no_args_is_help=True,
)

_EDGES_HELP = (
    "An edge-list file ('u v [weight]' per line, # comments, gz/bz2/xz fine) or a named graph: "
    "karate, les-miserables, drosophila-left."
)


def register(app: typer.Typer) -> None:
    """Add the ``graph`` group to ``app``."""
    app.add_typer(graph_app, name="graph")


def _graph(source: str, directed: bool, drop_self_loops: bool) -> Any:
    from .. import datasets
    from ..graph import Graph, load_graph

    found = datasets.resolve(source, kind="graphs")
    if isinstance(found, datasets.Dataset):
        return load_graph(found.name)
    return Graph.from_edgelist(found, directed=directed,
                               self_loops="drop" if drop_self_loops else "error")


def _model(p: float, q: float, walk_length: int, walks_per_node: int, vector_size: int,
           window: int, epochs: int, workers: int, seed: int) -> Any:
    from ..graph import Node2Vec

    return Node2Vec(p=p, q=q, walk_length=walk_length, walks_per_node=walks_per_node,
                    vector_size=vector_size, window=window, epochs=epochs, workers=workers,
                    seed=seed)


def _output_format(path: Path, format: str) -> str:
    from ..formats import format_for

    return format_for(path) if format == "auto" else format


_P = typer.Option(1.0, "--p", help="Return parameter p (> 0); p = q = 1 is DeepWalk.")
_Q = typer.Option(1.0, "--q", help="In-out parameter q (> 0): < 1 explores outward, > 1 stays near.")
_LEN = typer.Option(80, "--walk-length", help="Nodes per walk.")
_WALKS = typer.Option(10, "--walks-per-node", help="Walks started from every node.")
_DIM = typer.Option(128, "--vector-size", "--dim", help="Dimensions of the node vectors.")
_WINDOW = typer.Option(10, "--window", help="Skip-gram context window.")
_EPOCHS = typer.Option(1, "--epochs", help="Passes of skip-gram over the walks.")
_WORKERS = typer.Option(2, "--workers", help="Threads for the walks (results do not change).")
_SEED = typer.Option(0, "--seed", help="Seed: the same seed gives the same vectors.")
_DIRECTED = typer.Option(False, "--directed", help="Read the edge list as directed.")
_DROP = typer.Option(False, "--drop-self-loops", help="Drop 'u u' lines instead of failing.")


@graph_app.command("embed")
def embed(
    edges: str = typer.Argument(..., help=_EDGES_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the node vectors."),
    format: str = typer.Option(
        "auto", "--format", "-f",
        help="Output format; auto: .txt/.vec word2vec text, .bin word2vec binary, else native.",
    ),
    p: float = _P, q: float = _Q, walk_length: int = _LEN, walks_per_node: int = _WALKS,
    vector_size: int = _DIM, window: int = _WINDOW, epochs: int = _EPOCHS,
    workers: int = _WORKERS, seed: int = _SEED, directed: bool = _DIRECTED,
    drop_self_loops: bool = _DROP,
) -> None:
    """Learn one vector per node with node2vec (DeepWalk when p = q = 1) and save them.

    Example: embedlab graph embed edges.txt -o nodes.vec --p 1 --q 0.5 --seed 0
    """
    from .. import save

    graph = _graph(edges, directed, drop_self_loops)
    model = _model(p, q, walk_length, walks_per_node, vector_size, window, epochs, workers, seed)
    vectors = model.fit(graph)
    save(vectors, output, format=_output_format(output, format))
    walks = model.walks_
    steps = walks.n_steps if walks is not None else 0
    typer.echo(
        f"{graph}: {steps:,} walk steps in {model.timings['walks']:.2f} s, skip-gram in "
        f"{model.timings['train']:.2f} s; wrote {len(vectors)} x {vectors.dim} vectors to {output}"
    )


@graph_app.command("evaluate")
def evaluate(
    vectors_path: str = typer.Argument(..., metavar="VECTORS", help="Node vectors, any format."),
    labels: Path | None = typer.Option(
        None, "--labels", help="File of 'node label' lines (tab or space separated)."),
    graph: str | None = typer.Option(
        None, "--graph", help="Take the labels of a named graph (karate, drosophila-left)."),
    folds: int = typer.Option(5, "--folds", help="Stratified folds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the fold shuffle."),
) -> None:
    """Node classification: one-vs-rest logistic regression, micro and macro F1 over folds.

    Example: embedlab graph evaluate nodes.vec --labels labels.txt
    """
    from .. import load
    from ..errors import InvalidParameterError
    from ..graph import load_graph, node_classification, read_labels

    if (labels is None) == (graph is None):
        raise InvalidParameterError("give exactly one of --labels FILE or --graph NAME")
    vectors = load(vectors_path)
    truth: Any = read_labels(labels) if labels is not None else load_graph(str(graph))
    typer.echo(str(node_classification(vectors, truth, folds=folds, seed=seed)))


@graph_app.command("link-prediction")
def link_prediction(
    edges: str = typer.Argument(..., help=_EDGES_HELP),
    test_fraction: float = typer.Option(0.1, "--test-fraction", help="Share of edges held out."),
    p: float = _P, q: float = _Q, walk_length: int = _LEN, walks_per_node: int = _WALKS,
    vector_size: int = _DIM, window: int = _WINDOW, epochs: int = _EPOCHS,
    workers: int = _WORKERS, seed: int = _SEED, directed: bool = _DIRECTED,
    drop_self_loops: bool = _DROP,
) -> None:
    """Hold out edges, embed the rest, and score held-out edges against non-edges (ROC AUC).

    Example: embedlab graph link-prediction les-miserables --q 0.5
    """
    from ..graph import link_prediction as run

    graph = _graph(edges, directed, drop_self_loops)
    model = _model(p, q, walk_length, walks_per_node, vector_size, window, epochs, workers, seed)
    typer.echo(str(run(model, graph, test_fraction=test_fraction, seed=seed)))
