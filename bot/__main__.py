"""`python -m bot` is the `sitrep` command (for environments without the console script)."""

import sys

from bot.cli.main import main

sys.exit(main())
