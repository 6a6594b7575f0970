"""The detector contract: what every backend gives the pipeline.

A backend is any object with ``detect(frame, t_s) -> Faces``; the pipeline and the apps
know nothing else about it, so they run in tests with fakes and without MediaPipe.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from ..errors import BackendError
from ..faces import Faces


class Detector(Protocol):
    """Finds faces and their 478 landmarks."""

    def detect(self, frame: np.ndarray, t_s: float) -> Faces:
        """Untracked faces of a frame.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            t_s: the frame's time in seconds, increasing within one stream (video
                backends use it to track; photo backends ignore it).
        """


DetectorFactory = Callable[..., Detector]
"""Makes a detector: ``factory(static_image_mode=..., max_faces=...)``, and for the live
window also ``background_scan=True``."""


@dataclass(frozen=True)
class FaceBoxes:
    """Face detector output: where the faces are and how sure the detector is.

    Attributes:
        xyxy: ndarray of shape (n, 4), float32: boxes ``x1, y1, x2, y2`` in pixels.
        confidence: ndarray of shape (n,), float32 in [0, 1].
    """

    xyxy: np.ndarray
    confidence: np.ndarray

    def __len__(self) -> int:
        return len(self.confidence)


class BoxDetector(Protocol):
    """Finds face boxes with the detector's confidence (the lesson's step 2)."""

    def detect(self, frame: np.ndarray, t_s: float) -> FaceBoxes:
        """Boxes of the faces in a BGR uint8 frame of shape (H, W, 3)."""


class OwnedBoxDetector(BoxDetector, Protocol):
    """A box detector its caller owns: closed when done, or used in a ``with`` block."""

    def close(self) -> None:
        """Release the model."""

    def __enter__(self) -> OwnedBoxDetector: ...

    def __exit__(self, *exc: object) -> None: ...


BACKENDS = ("facemesh", "tasks")
"""The backends, fastest first: ``facemesh`` (legacy MediaPipe 0.10.21, Python 3.9 to
3.12, models inside its wheel) and ``tasks`` (MediaPipe's Tasks ``FaceLandmarker``, any
Python that MediaPipe supports, with the model bundled in facefilters and blendshapes)."""
BACKEND_ENV = "FACEFILTERS_BACKEND"
"""The environment variable that sets the backend when no ``--backend`` is given."""

_chosen: list[str] = []


def installed_backends() -> tuple[str, ...]:
    """The backends the installed MediaPipe offers, fastest first; MediaPipe is looked
    for, not imported (importing it takes a second)."""
    spec = importlib.util.find_spec("mediapipe")
    roots = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    marks = {
        "facemesh": "python/solutions/face_mesh.py",
        "tasks": "tasks/python/vision/face_landmarker.py",
    }
    return tuple(name for name in BACKENDS if any((root / marks[name]).is_file() for root in roots))


def resolve_backend(name: str = "auto") -> str:
    """The backend ``name`` means here: ``auto`` is FaceMesh where it is installed, else
    Tasks.

    Raises:
        BackendError: the name is unknown, or that backend is not installed.
    """
    installed = installed_backends()
    if name == "auto":
        if not installed:
            raise BackendError.said("error.no_mediapipe")
        return installed[0]
    if name not in BACKENDS:
        raise BackendError(f"unknown backend '{name}'; choose auto, {', '.join(BACKENDS)}")
    if name not in installed:
        need = (
            "mediapipe 0.10.21 (Python 3.9 to 3.12)"
            if name == "facemesh"
            else "mediapipe with the Tasks API"
        )
        raise BackendError(
            f"the {name} backend needs {need}; installed here: "
            f"{mediapipe_version() or 'no mediapipe'}; try --backend auto"
        )
    return name


def use_backend(name: str | None) -> str:
    """Make ``name`` (``auto``, ``facemesh`` or ``tasks``; None: the environment's
    :data:`BACKEND_ENV`, else ``auto``) the backend of every detector made from now on.

    Returns:
        The backend now in use.
    """
    resolved = resolve_backend(name or os.environ.get(BACKEND_ENV) or "auto")
    _chosen[:] = [resolved]
    return resolved


def current_backend() -> str:
    """The backend in use (chosen once, on first need, if nobody chose)."""
    return _chosen[0] if _chosen else use_backend(None)


def mediapipe_version() -> str | None:
    """The installed MediaPipe's version, without importing it; None if not installed."""
    try:
        return importlib.metadata.version("mediapipe")
    except importlib.metadata.PackageNotFoundError:
        return None


def landmark_detector(*, static_image_mode: bool, max_faces: int = 4) -> Detector:
    """One landmark model of the backend in use, on the whole picture (no small-face
    search): FaceMesh, or the Tasks landmarker.

    Args:
        static_image_mode: True for unrelated photos; False for the frames of a video.
        max_faces: the most faces to report per frame.
    """
    if current_backend() == "tasks":
        from .tasks import TasksLandmarker

        return TasksLandmarker(static_image_mode=static_image_mode, max_faces=max_faces)
    from .facemesh import FaceMeshDetector

    return FaceMeshDetector(static_image_mode=static_image_mode, max_faces=max_faces)


def box_detector(*, full_range: bool = False) -> OwnedBoxDetector:
    """The face box detector of the backend in use (the lesson's step 2).

    Args:
        full_range: faces up to 5 m away; the Tasks backend has only its bundle's
            short-range detector, so there it also looks at half-size tiles.
    """
    if current_backend() == "tasks":
        from .scan import TASKS_FAR_TILES, TiledBoxDetector
        from .tasks import TasksFaceBoxDetector

        boxes = TasksFaceBoxDetector()
        # The bundle has no full-range detector: far faces are looked for on tiles.
        return TiledBoxDetector(boxes, TASKS_FAR_TILES) if full_range else boxes
    from .facemesh import FaceBoxDetector

    return FaceBoxDetector(full_range=full_range)


def default_detector(
    *, static_image_mode: bool, max_faces: int | None = None, background_scan: bool = False
) -> Detector:
    """The default detector: the two stages (:mod:`.twostage`) on the backend in use.

    Args:
        static_image_mode: True for unrelated photos; False for the frames of a video.
        max_faces: the most faces per picture (the largest first); None for all.
        background_scan: in video, look for new faces on a worker thread, so the
            caller never waits for a scan (the live window).
    """
    # Imported here so that importing the pipeline (and testing it with fakes) does not
    # load MediaPipe.
    from .twostage import facemesh_two_stage, tasks_two_stage

    make = tasks_two_stage if current_backend() == "tasks" else facemesh_two_stage
    return make(
        static_image_mode=static_image_mode, max_faces=max_faces, background_scan=background_scan
    )


def close_detector(detector: object) -> None:
    """Close a detector if it has a ``close`` method (fakes need not)."""
    close = getattr(detector, "close", None)
    if close:
        close()
