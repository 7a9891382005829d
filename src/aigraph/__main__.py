"""``python -m aigraph`` is the ``aigraph`` command."""

import sys

from .cli import main

sys.exit(main())
