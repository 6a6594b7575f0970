"""The parts of the benchmark that ``bench/run.py`` puts together (see bench/README.md).

Importing this package makes ``facefilters`` importable from a plain checkout too: when
the package is not installed, ``src/`` goes on ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
"""The repository root."""

try:
    import facefilters  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))
