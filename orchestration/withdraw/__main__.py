"""`python -m orchestration.withdraw`: the former name of `python -m siyu.withdraw`, kept
working."""

import sys

from siyu.withdraw.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
