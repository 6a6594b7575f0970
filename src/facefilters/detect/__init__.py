"""Face detection backends behind one contract (:mod:`.base`): the legacy FaceMesh
(:mod:`.facemesh`) and MediaPipe Tasks (:mod:`.tasks`), chosen by :func:`use_backend`.

Importing this package does not load MediaPipe; the backends import it when built.
"""

from .base import (
    BACKENDS,
    BoxDetector,
    Detector,
    DetectorFactory,
    FaceBoxes,
    box_detector,
    close_detector,
    current_backend,
    default_detector,
    installed_backends,
    landmark_detector,
    use_backend,
)
from .facemesh import FaceBoxDetector, FaceMeshDetector
from .tasks import TasksFaceBoxDetector, TasksLandmarker

__all__ = [
    "BACKENDS",
    "BoxDetector",
    "Detector",
    "DetectorFactory",
    "FaceBoxDetector",
    "FaceBoxes",
    "FaceMeshDetector",
    "TasksFaceBoxDetector",
    "TasksLandmarker",
    "box_detector",
    "close_detector",
    "current_backend",
    "default_detector",
    "installed_backends",
    "landmark_detector",
    "use_backend",
]
