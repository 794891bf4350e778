"""Torch modules: the Embedding layer and the article's classifier (being written)."""
