"""`python -m xuncha.api.cli …` is `xuncha …`."""

import sys

from xuncha.api.cli.main import main

sys.exit(main())
