"""Shared fixtures for the fast unit tests. Builders live in ``builders.py``."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.faces import Faces

from builders import make_faces

FRAME_HW = (480, 640)


@pytest.fixture
def face() -> Faces:
    """One upright, unmirrored face, eyes centred at (320, 240), 60 px apart."""
    return make_faces()


@pytest.fixture
def frame() -> np.ndarray:
    """A mid-grey 640x480 BGR frame: drawing darker or lighter both show up."""
    return np.full((*FRAME_HW, 3), 128, np.uint8)
