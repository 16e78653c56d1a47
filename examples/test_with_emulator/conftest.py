"""Makes the example's generated package importable. In your project, `twenty_crm` is installed
or on the path already; the `twenty_emulator` fixture comes from the twenty-gql pytest plugin,
registered on install: nothing to import.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "generated"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
