"""Keras 3 interop (extra ``[keras]``): embedlab's vectors as a Keras ``Embedding`` layer.

>>> import os; os.environ.setdefault("KERAS_BACKEND", "torch")  # doctest: +SKIP
>>> from embedlab import keras as ek  # doctest: +SKIP
>>> layer = ek.embedding(glove, vocab)  # doctest: +SKIP

The way back, from a trained model to vectors you can query and plot, is
:meth:`embedlab.Vectors.from_keras`; vocabularies convert with :meth:`embedlab.Vocab.from_keras`
and :meth:`embedlab.Vocab.to_keras`. Keras picks its backend when first imported: set
``KERAS_BACKEND`` (``torch``, ``jax`` or ``tensorflow``) before importing this module.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ._align import OOV, aligned_matrix, check_inputs
from .errors import EmbedlabError, MissingExtraError, check_param
from .vectors import Vectors
from .vocab import Vocab

__all__ = ["KerasBackendError", "embedding"]


class KerasBackendError(MissingExtraError):
    """Keras is installed but the backend it was told to use (TensorFlow by default) is not."""

    def __init__(self, cause: ImportError) -> None:
        # MissingExtraError's sentence names an extra; here the extra is installed, so say
        # what is really missing instead.
        EmbedlabError.__init__(
            self,
            f"keras is installed but cannot load its backend ({cause}): set the KERAS_BACKEND "
            "environment variable to 'torch' (or 'jax') before keras is first imported, or "
            "install tensorflow-cpu",
        )


def _import_keras() -> Any:
    if importlib.util.find_spec("keras") is None:
        raise MissingExtraError("keras", "keras")
    try:
        return importlib.import_module("keras")
    except ImportError as exc:
        raise KerasBackendError(exc) from exc


keras = _import_keras()


def embedding(
    vectors: Vectors,
    vocab: Vocab,
    trainable: bool = False,
    mask_zero: bool = True,
    oov: OOV = "random",
    seed: int = 0,
    name: str | None = None,
) -> Any:
    """A ``keras.layers.Embedding`` whose row ``i`` is the pretrained vector of token ``i``.

    The rows are those of :meth:`embedlab.nn.Embedding.from_vectors` for the same arguments:
    tokens are looked up as they are, then lower-cased; missing ones start by ``oov``
    (``"random"``, ``"zero"`` or ``"mean"``); the padding row is zero. The layer's
    ``coverage`` attribute says how many vocabulary words had a vector.

    Args:
        vectors: The pretrained vectors (``embedlab.load(...)``, ``datasets.load(...)``).
        vocab: The vocabulary the model's ids come from (``Vocab.build``, ``Vocab.from_keras``).
        trainable: Let training change the vectors (Keras's ``trainable``); frozen by default.
        mask_zero: Id 0 is padding, masked in the layers that follow (Keras's ``mask_zero``);
            the vocabulary's pad token must then be id 0.
        oov: How words without a pretrained vector start.
        seed: Seed of the random rows for ``oov="random"``.
        name: The layer's name in the model (Keras picks one when None).

    Returns:
        The ``keras.layers.Embedding`` (``len(vocab)`` x ``vectors.dim``), built, with the
        :class:`~embedlab.nn.Coverage` of the vocabulary as its ``coverage`` attribute.

    Raises:
        InvalidParameterError: ``vectors`` or ``vocab`` of the wrong type, an unknown ``oov``,
            or ``mask_zero`` with a vocabulary whose padding is not id 0.
    """
    owner = "embedlab.keras.embedding"
    check_inputs(owner, vectors, vocab, oov)
    check_param(isinstance(trainable, bool), "trainable", owner, "a bool", trainable)
    check_param(isinstance(mask_zero, bool), "mask_zero", owner, "a bool", mask_zero)
    check_param(
        not mask_zero or vocab.pad_id == 0, "mask_zero", owner,
        "False for a vocabulary whose pad token is not id 0 (Keras masks id 0)", mask_zero,
    )
    weight, coverage = aligned_matrix(
        vectors, vocab, oov=oov, pad=vocab.pad_id, seed=seed, owner=owner
    )
    layer = keras.layers.Embedding(
        len(vocab), vectors.dim, mask_zero=mask_zero, trainable=trainable, weights=weight,
        name=name,
    )
    layer.coverage = coverage
    return layer
