"""``python -m rustssl``: the demo and other command-line tools (see ``_cli.py``)."""

from __future__ import annotations

import sys

from rustssl._cli import demo, main

__all__ = ["demo", "main"]

if __name__ == "__main__":
    sys.exit(main())
