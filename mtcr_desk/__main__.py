"""Allow ``python -m mtcr_desk``; everything is handled by :func:`mtcr_desk.cli.main`."""

import sys

from mtcr_desk.cli import main

sys.exit(main())
