"""`python -m orchestration.audiences`: the former name of `python -m siyu.audiences`, kept
working."""

import sys

from siyu.audiences.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
