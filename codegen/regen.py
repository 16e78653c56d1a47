"""Placeholder for `make regen` / `make check-generated` until the generator lands."""

import sys

print("regen: nothing to generate yet")
sys.exit(0)
