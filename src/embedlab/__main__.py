"""``python -m embedlab``: the ``embedlab`` command, also for ``torchrun -m embedlab ...``."""

from .cli import main

if __name__ == "__main__":
    main()
