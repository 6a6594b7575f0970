"""The legacy MediaPipe backend: FaceMesh (landmarks) and BlazeFace (boxes).

MediaPipe is imported here and in the other backends of this package only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..faces import N_LANDMARKS, Faces
from .base import FaceBoxes
from .native import QuietModel, rgb_of


class _Solution(QuietModel):
    """What both legacy detectors share: a MediaPipe solution, started quietly."""

    def _process(self, frame: np.ndarray) -> Any:
        """Run the solution on a BGR uint8 frame."""
        result = self._model.process(rgb_of(frame))
        self._ran()
        return result


class FaceMeshDetector(_Solution):
    """Finds faces and their 478 landmarks (with irises) with MediaPipe FaceMesh.

    Args:
        static_image_mode: True for unrelated photos (detect every time); False for video
            frames, where FaceMesh tracks the face from the previous frame.
        max_faces: the most faces to report per frame.
        min_detection_confidence: MediaPipe's face detector threshold.
        min_tracking_confidence: below this, tracking falls back to detection.
    """

    def __init__(
        self,
        *,
        static_image_mode: bool,
        max_faces: int = 4,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        from absl import logging as absl_logging
        from mediapipe.python.solutions import face_mesh

        absl_logging.set_verbosity(absl_logging.ERROR)
        self._start(
            lambda: face_mesh.FaceMesh(
                static_image_mode=static_image_mode,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        )

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> Faces:
        """Landmarks of every face in a frame.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            t_s: the frame's time in seconds. The legacy graph keeps its own clock, so
                it is not needed here; the contract carries it for the Tasks backend.

        Returns:
            Faces in pixel coordinates, untracked (ids are -1). The legacy graph reports
            no per-face score, so every score is 1.
        """
        h, w = frame.shape[:2]
        result = self._process(frame)
        found = result.multi_face_landmarks or []
        if not found:
            return Faces.empty()
        landmarks = np.array(
            [[(p.x, p.y, p.z) for p in face.landmark] for face in found], np.float32
        )
        if landmarks.shape[1] != N_LANDMARKS:  # pragma: no cover - refine_landmarks is on
            raise RuntimeError(f"FaceMesh returned {landmarks.shape[1]} landmarks")
        # MediaPipe's z uses the same scale as x (normalised by image width).
        landmarks *= np.array([w, h, w], np.float32)
        return Faces(landmarks)


class FaceBoxDetector(_Solution):
    """MediaPipe's face detector (BlazeFace): boxes and confidences, the step before landmarks.

    Args:
        full_range: the model for faces up to 5 m away, instead of 2 m.
        min_confidence: faces below this are not reported.
    """

    def __init__(self, *, full_range: bool = False, min_confidence: float = 0.5) -> None:
        from mediapipe.python.solutions import face_detection

        self._start(
            lambda: face_detection.FaceDetection(
                model_selection=1 if full_range else 0, min_detection_confidence=min_confidence
            )
        )

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> FaceBoxes:
        """Boxes of the faces in a BGR uint8 frame of shape (H, W, 3) at time ``t_s``."""
        h, w = frame.shape[:2]
        found = self._process(frame).detections or []
        boxes = np.zeros((len(found), 4), np.float32)
        scores = np.zeros(len(found), np.float32)
        for i, det in enumerate(found):
            box = det.location_data.relative_bounding_box
            boxes[i] = (
                box.xmin * w,
                box.ymin * h,
                (box.xmin + box.width) * w,
                (box.ymin + box.height) * h,
            )
            scores[i] = det.score[0] if det.score else 0.0
        return FaceBoxes(boxes, scores)
