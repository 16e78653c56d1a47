"""Placeholder until the demo lands (see the demo issue)."""

import sys

print("make demo: the end-to-end demo is not built yet; run `make test` for the test suite.")
sys.exit(0)
