"""Reading and writing vector files (being written: see issue 3)."""
