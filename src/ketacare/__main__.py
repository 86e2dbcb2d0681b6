"""`python -m ketacare` runs the `ketacare` command."""

import sys

from ketacare.cli import main

sys.exit(main())
