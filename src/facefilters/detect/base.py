"""The detector contract: what every backend gives the pipeline.

A backend is any object with ``detect(frame, t_s) -> Faces``; the pipeline and the apps
know nothing else about it, so they run in tests with fakes and without MediaPipe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

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


def default_detector(*, static_image_mode: bool, max_faces: int | None = None,
                     background_scan: bool = False) -> Detector:
    """The default detector: the two stages (:mod:`.twostage`) on legacy MediaPipe.

    Args:
        static_image_mode: True for unrelated photos; False for the frames of a video.
        max_faces: the most faces per picture (the largest first); None for all.
        background_scan: in video, look for new faces on a worker thread, so the
            caller never waits for a scan (the live window).
    """
    # Imported here so that importing the pipeline (and testing it with fakes) does not
    # load MediaPipe.
    from .twostage import facemesh_two_stage

    return facemesh_two_stage(static_image_mode=static_image_mode, max_faces=max_faces,
                              background_scan=background_scan)


def close_detector(detector: object) -> None:
    """Close a detector if it has a ``close`` method (fakes need not)."""
    close = getattr(detector, "close", None)
    if close:
        close()
