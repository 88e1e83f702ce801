"""``python -m amplify_py`` is ``ampy``."""

import sys

from amplify_py.cli.app import main

sys.exit(main())
