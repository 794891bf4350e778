"""Sentence and document embeddings from static models (extra ``[sentences]``).

* :class:`StaticModel` -- a tokenizer, a table of token vectors, an average: ``encode(texts)``;
  ``save``/``load`` (also Model2Vec folders), :meth:`StaticModel.from_wordllama`,
  :meth:`StaticModel.to_sentence_transformers`.
* :func:`distill` -- a static model from a sentence transformer (Model2Vec's recipe);
  :func:`load_teacher` reads one from a local folder.
* :func:`fine_tune` -- regress a static model onto the teacher's embeddings of your corpus.
* :class:`SentenceIndex` -- semantic search: ``add(texts, ids)``, ``search(query, k)``.
"""

from .distill import distill, load_teacher, zipf_weights
from .model import StaticModel, TruncationWarning
from .search import SentenceIndex
from .tune import fine_tune

__all__ = ["SentenceIndex", "StaticModel", "TruncationWarning", "distill", "fine_tune", "load_teacher",
           "zipf_weights"]
