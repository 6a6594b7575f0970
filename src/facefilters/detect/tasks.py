"""The MediaPipe Tasks backend: ``FaceLandmarker`` (landmarks and blendshapes) and the
face detector inside its model bundle (boxes).

The only MediaPipe API on Python 3.13 and later (MediaPipe 1.x). Its model, the
``face_landmarker.task`` bundle, ships inside facefilters (``models/``, Apache-2.0) and is
checked against :data:`MODEL_SHA256` when loaded: nothing is ever downloaded.

What it adds over FaceMesh: each face carries MediaPipe's 52 blendshape scores
(``faces.extras["blendshapes"]``, ndarray (n, 52), float32 in [0, 1], in the order of
:data:`~facefilters.expressions.BLENDSHAPE_NAMES`), which expression triggers read
(:mod:`facefilters.expressions`).

MediaPipe is imported here and in the other backends of this package only, when a
detector is built.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BackendError
from ..expressions import BLENDSHAPE_NAMES
from ..faces import N_LANDMARKS, Faces
from .base import FaceBoxes
from .native import QuietModel, rgb_of

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "face_landmarker.task"
"""The bundled model: face detector, 478-point landmarker and blendshape model."""
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
"""SHA-256 of MediaPipe's face_landmarker.task, float16, version 1."""


def load_model(path: Path = MODEL_PATH) -> bytes:
    """The model bundle's bytes, checked against :data:`MODEL_SHA256`.

    Raises:
        BackendError: the file is missing or is not the bundle facefilters ships.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise BackendError(
            f"cannot read the face model '{path}': {e.strerror or e}; reinstall facefilters"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise BackendError(
            f"the face model '{path}' is damaged or replaced (SHA-256 "
            f"{digest[:16]}..., expected {MODEL_SHA256[:16]}...); "
            "reinstall facefilters"
        )
    return data


@functools.lru_cache(maxsize=1)
def _model() -> bytes:
    return load_model()


def _detector_model() -> bytes:
    """The bundle's own face detector (BlazeFace short-range), from the checked bytes."""
    with zipfile.ZipFile(io.BytesIO(_model())) as bundle:
        return bundle.read("face_detector.tflite")


def _image(frame: np.ndarray) -> Any:
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb_of(frame))


class TasksLandmarker(QuietModel):
    """Finds faces, their 478 landmarks and 52 blendshape scores with MediaPipe's Tasks
    ``FaceLandmarker``.

    Args:
        static_image_mode: True for unrelated photos (Tasks' IMAGE mode: detect every
            time); False for video frames (VIDEO mode: the face is tracked from the
            previous frame, which needs the frames' times).
        max_faces: the most faces to report per frame.
        min_detection_confidence: the face detector's threshold.
        min_tracking_confidence: below this, tracking falls back to detection.
        blendshapes: compute the 52 expression scores. They can cost as much as the
            landmarks (the sample portrait in video mode, MediaPipe 0.10.21, a quiet
            machine: 38 ms a frame with them, 17 without); bench section ``backends``
            measures it on video.
    """

    def __init__(
        self,
        *,
        static_image_mode: bool,
        max_faces: int = 4,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        blendshapes: bool = True,
    ) -> None:
        model = _model()
        from mediapipe.tasks.python import BaseOptions, vision

        self.video = not static_image_mode
        self._last_ms = -1
        mode = vision.RunningMode.VIDEO if self.video else vision.RunningMode.IMAGE
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            running_mode=mode,
            num_faces=max_faces,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=blendshapes,
        )
        self._start(lambda: vision.FaceLandmarker.create_from_options(options))

    def timestamp_ms(self, t_s: float) -> int:
        """The VIDEO mode's timestamp for a frame at ``t_s``: its time in milliseconds,
        moved on by at least one from the last (Tasks refuses a timestamp that does not
        grow: two frames of a file at one time, or a clock read twice)."""
        ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> Faces:
        """Landmarks and blendshapes of every face in a frame.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            t_s: the frame's time in seconds, from the pipeline (video mode only).

        Returns:
            Faces in pixel coordinates, untracked (ids -1), with
            ``extras["blendshapes"]`` of shape (n, 52), float32. Tasks reports no
            per-face score, so every score is 1.
        """
        h, w = frame.shape[:2]
        image = _image(frame)
        if self.video:
            result = self._model.detect_for_video(image, self.timestamp_ms(t_s))
        else:
            result = self._model.detect(image)
        self._ran()
        found = result.face_landmarks or []
        if not found:
            return Faces(
                np.zeros((0, N_LANDMARKS, 3), np.float32),
                extras={"blendshapes": np.zeros((0, len(BLENDSHAPE_NAMES)), np.float32)},
            )
        landmarks = np.array([[(p.x, p.y, p.z) for p in face] for face in found], np.float32)
        if landmarks.shape[1] != N_LANDMARKS:  # pragma: no cover - the bundled model
            raise RuntimeError(f"FaceLandmarker returned {landmarks.shape[1]} landmarks")
        # As in FaceMesh, z is on the same scale as x (normalised by the image's width).
        landmarks *= np.array([w, h, w], np.float32)
        if not result.face_blendshapes:
            return Faces(landmarks)
        shapes = np.zeros((len(found), len(BLENDSHAPE_NAMES)), np.float32)
        for i, scores in enumerate(result.face_blendshapes):
            for k, category in enumerate(scores[: len(BLENDSHAPE_NAMES)]):
                shapes[i, k] = category.score
        return Faces(landmarks, extras={"blendshapes": shapes})


class TasksFaceBoxDetector(QuietModel):
    """The face detector inside the landmarker's bundle (BlazeFace short-range, 128 px):
    boxes and confidences.

    The Tasks API has no model of its own for far faces offline (the full-range detector
    is a separate download), so the two-stage finder runs this one on tiles instead.

    Args:
        min_confidence: faces below this are not reported.
    """

    def __init__(self, *, min_confidence: float = 0.5) -> None:
        model = _detector_model()
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            running_mode=vision.RunningMode.IMAGE,
            min_detection_confidence=min_confidence,
        )
        self._start(lambda: vision.FaceDetector.create_from_options(options))

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> FaceBoxes:
        """Boxes of the faces in a BGR uint8 frame of shape (H, W, 3) at time ``t_s``."""
        found = self._model.detect(_image(frame)).detections or []
        self._ran()
        boxes = np.zeros((len(found), 4), np.float32)
        scores = np.zeros(len(found), np.float32)
        for i, det in enumerate(found):
            box = det.bounding_box
            boxes[i] = (
                box.origin_x,
                box.origin_y,
                box.origin_x + box.width,
                box.origin_y + box.height,
            )
            scores[i] = det.categories[0].score if det.categories else 0.0
        return FaceBoxes(boxes, scores)
