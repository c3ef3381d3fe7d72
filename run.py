"""Brickboard's command line: `python run.py --help`."""

import sys

from board.cli import main

if __name__ == "__main__":
    sys.exit(main())
