"""`python -m bot` is the `veille` command."""

import sys

from bot.cli import main

sys.exit(main())
