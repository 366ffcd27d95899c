"""Allow ``python -m mlstudy``."""

import multiprocessing

if __name__ == "__main__":
    # A worker process (the Anki export renders cards on every CPU) runs its task here
    # and exits; in a frozen build it is this same program started again.
    multiprocessing.freeze_support()
    from mlstudy.cli import main

    raise SystemExit(main())
