"""Face detection backends behind one contract (:mod:`.base`).

Importing this package does not load MediaPipe; the backends import it when built.
"""

from .base import (
    BoxDetector,
    Detector,
    DetectorFactory,
    FaceBoxes,
    close_detector,
    default_detector,
)
from .facemesh import FaceBoxDetector, FaceMeshDetector

__all__ = [
    "BoxDetector",
    "Detector",
    "DetectorFactory",
    "FaceBoxDetector",
    "FaceBoxes",
    "FaceMeshDetector",
    "close_detector",
    "default_detector",
]
