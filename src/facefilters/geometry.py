"""Where a face's features are, how it is turned, and what expression it makes.

Pure numpy: :func:`measure` takes :class:`~facefilters.faces.Faces` and returns a
:class:`FaceGeometry` of parallel arrays, one row per face. Everything a filter anchors
to or reacts to comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .faces import Faces

# MediaPipe FaceMesh landmark indices. "left"/"right" are the person's own.
RIGHT_IRIS = 468
LEFT_IRIS = 473
NOSE_TIP = 1
FOREHEAD = 10
CHIN = 152
UPPER_LIP = 13
LOWER_LIP = 14
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM = 33, 133, 159, 145
LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_EYE_TOP, LEFT_EYE_BOTTOM = 263, 362, 386, 374
RIGHT_BROW, LEFT_BROW = 105, 334
RIGHT_CHEEK, LEFT_CHEEK = 234, 454

ANCHOR_NAMES = (
    "left_eye",
    "right_eye",
    "eyes_center",
    "nose_tip",
    "mouth_center",
    "upper_lip",
    "lower_lip",
    "forehead",
    "chin",
)
"""Every anchor a filter can hold on to (see docs/FILTERS.md)."""

MEASURE_NAMES = ("mouth_open", "left_eye_open", "right_eye_open", "eyes_open", "brow_raise")
"""Expression measures, each normalised by face size."""


@dataclass(frozen=True)
class FaceGeometry:
    """Anchors, pose and expression of n faces, as parallel arrays.

    Attributes:
        anchors: name -> ndarray of shape (n, 2), float32, pixel ``xy``.
        eye_distance: ndarray of shape (n,), float32: pixels between the iris centres,
            the unit of face size.
        axis_x: ndarray of shape (n, 2), float32: unit vector of the face's own +x, from the
            person's right eye to their left eye.
        axis_y: ndarray of shape (n, 2), float32: unit vector of the face's own +y, down the
            face towards the chin. With ``axis_x`` it spans the face frame; the pair is a
            reflection of the image axes when the picture is mirrored.
        roll_deg: ndarray of shape (n,), float32: in-plane head tilt, 0 when upright,
            positive when the head is turned clockwise on screen.
        yaw_deg: ndarray of shape (n,), float32: estimate of the head turn around the
            vertical axis, 0 facing the camera, positive when the person turns towards
            their own left.
        measures: name -> ndarray of shape (n,), float32 (see ``MEASURE_NAMES``).
    """

    anchors: dict[str, np.ndarray]
    eye_distance: np.ndarray
    axis_x: np.ndarray
    axis_y: np.ndarray
    roll_deg: np.ndarray
    yaw_deg: np.ndarray
    measures: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.eye_distance)

    def face_to_image(self, i: int, anchor: str, offset_xy: tuple[float, float]) -> np.ndarray:
        """Pixel ``xy`` of a point given relative to an anchor of face ``i``.

        Args:
            i: which face.
            anchor: one of ``ANCHOR_NAMES``.
            offset_xy: offset in eye distances, in the face frame.

        Returns:
            ndarray of shape (2,), float32.
        """
        dx, dy = offset_xy
        step = (dx * self.axis_x[i] + dy * self.axis_y[i]) * self.eye_distance[i]
        return (self.anchors[anchor][i] + step).astype(np.float32)


def _norm(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def measure(faces: Faces) -> FaceGeometry:
    """Anchors, pose and expression measures of every face.

    Args:
        faces: the faces of one frame.

    Returns:
        One row per face, in the order of ``faces``.
    """
    lm = faces.landmarks
    xy = lm[..., :2]
    right_eye, left_eye = xy[:, RIGHT_IRIS], xy[:, LEFT_IRIS]
    eye_vec = left_eye - right_eye
    # A tiny floor keeps degenerate input (all points equal) from dividing by zero.
    eye_distance = np.maximum(_norm(eye_vec), 1e-3).astype(np.float32)
    axis_x = eye_vec / eye_distance[:, None]
    # Rotating +x by +90 degrees points down the face in an unmirrored picture (y is
    # down); in a mirrored one it points up, so follow the chin to pick the sign.
    axis_y = np.stack([-axis_x[:, 1], axis_x[:, 0]], axis=1)
    eyes_center = (left_eye + right_eye) / 2
    down = xy[:, CHIN] - eyes_center
    sign = np.where(np.sum(axis_y * down, axis=1) < 0, -1.0, 1.0).astype(np.float32)
    axis_y = axis_y * sign[:, None]
    roll_deg = np.degrees(np.arctan2(-axis_y[:, 0], axis_y[:, 1]))

    # Yaw from depth: the cheek-to-cheek line leans away from the camera as the head
    # turns. Measured along the face's own x axis so roll does not leak into it.
    cheek = lm[:, LEFT_CHEEK] - lm[:, RIGHT_CHEEK]
    across = np.sum(cheek[:, :2] * axis_x, axis=1)
    yaw_deg = np.degrees(np.arctan2(cheek[:, 2], np.maximum(across, 1e-3)))
    # Mirroring flips which way "towards their left" goes on screen but not in depth.
    yaw_deg = yaw_deg * sign

    anchors = {
        "left_eye": left_eye,
        "right_eye": right_eye,
        "eyes_center": eyes_center,
        "nose_tip": xy[:, NOSE_TIP],
        "mouth_center": (xy[:, UPPER_LIP] + xy[:, LOWER_LIP]) / 2,
        "upper_lip": xy[:, UPPER_LIP],
        "lower_lip": xy[:, LOWER_LIP],
        "forehead": xy[:, FOREHEAD],
        "chin": xy[:, CHIN],
    }

    def eye_open(top: int, bottom: int, outer: int, inner: int) -> np.ndarray:
        gap = _norm(xy[:, top] - xy[:, bottom])
        return gap / np.maximum(_norm(xy[:, outer] - xy[:, inner]), 1e-3)

    brows = (_norm(xy[:, RIGHT_BROW] - right_eye) + _norm(xy[:, LEFT_BROW] - left_eye)) / 2
    left_open = eye_open(LEFT_EYE_TOP, LEFT_EYE_BOTTOM, LEFT_EYE_OUTER, LEFT_EYE_INNER)
    right_open = eye_open(RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM, RIGHT_EYE_OUTER, RIGHT_EYE_INNER)
    measures = {
        "mouth_open": _norm(xy[:, UPPER_LIP] - xy[:, LOWER_LIP]) / eye_distance,
        "left_eye_open": left_open,
        "right_eye_open": right_open,
        # A blink closes both eyes; a wink only one, so the mean tells them apart.
        "eyes_open": (left_open + right_open) / 2,
        "brow_raise": brows / eye_distance,
    }
    f32 = np.float32
    return FaceGeometry(
        anchors={k: v.astype(f32) for k, v in anchors.items()},
        eye_distance=eye_distance,
        axis_x=axis_x.astype(f32),
        axis_y=axis_y.astype(f32),
        roll_deg=roll_deg.astype(f32),
        yaw_deg=yaw_deg.astype(f32),
        measures={k: v.astype(f32) for k, v in measures.items()},
    )
