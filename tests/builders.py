"""Synthetic landmarks for fast unit tests: no model, no photos.

A small "face template" puts every anchor the package reads (see the index constants in
:mod:`facefilters.geometry`) at a sensible place, and scatters the remaining landmarks
inside the face oval on a deterministic sunflower spiral. Template coordinates are in
**eye distances** in the face's own frame, like filter offsets: origin midway between the
irises, ``+x`` from the person's right eye to their left eye, ``+y`` down towards the chin.

:func:`place` turns template points into pixels; :func:`make_faces` builds whole
:class:`~facefilters.faces.Faces`. Tests use :func:`place` to know where a landmark
should be without re-deriving the builder's maths.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np
import pytest

from facefilters import geometry as g
from facefilters.faces import N_LANDMARKS, Faces

MOUTH_Y = 0.95
"""Height of the mouth centre below the eyes, in eye distances."""

FACE_BOX = (-1.0, -0.95, 1.0, 1.55)
"""``x1, y1, x2, y2`` of an upright face in template units: cheeks, forehead, chin."""

# Anchors and features, template units. The lips are filled in by ``template`` since
# they depend on how far the mouth is open.
ANCHOR_TEMPLATE: dict[int, tuple[float, float]] = {
    g.RIGHT_IRIS: (-0.5, 0.0),
    g.LEFT_IRIS: (0.5, 0.0),
    g.NOSE_TIP: (0.0, 0.55),
    g.FOREHEAD: (0.0, FACE_BOX[1]),
    g.CHIN: (0.0, FACE_BOX[3]),
    g.MOUTH_RIGHT: (-0.38, MOUTH_Y),
    g.MOUTH_LEFT: (0.38, MOUTH_Y),
    g.RIGHT_EYE_OUTER: (-0.75, 0.0),
    g.RIGHT_EYE_INNER: (-0.25, 0.0),
    g.RIGHT_EYE_TOP: (-0.5, -0.06),
    g.RIGHT_EYE_BOTTOM: (-0.5, 0.06),
    g.LEFT_EYE_OUTER: (0.75, 0.0),
    g.LEFT_EYE_INNER: (0.25, 0.0),
    g.LEFT_EYE_TOP: (0.5, -0.06),
    g.LEFT_EYE_BOTTOM: (0.5, 0.06),
    g.RIGHT_BROW: (-0.5, -0.35),
    g.LEFT_BROW: (0.5, -0.35),
    g.RIGHT_CHEEK: (FACE_BOX[0], 0.4),
    g.LEFT_CHEEK: (FACE_BOX[2], 0.4),
}

EYE_HALF_WIDTH, EYE_HALF_HEIGHT = 0.25, 0.06
"""The eyelid ellipse round each iris, in eye distances (corners and lids as above)."""

IRIS_RADIUS = 0.1
"""Radius of the four ring points around each iris centre, in eye distances."""

ScalarOrSeq = Union[float, Sequence[float], np.ndarray]


def template(mouth_open: float = 0.0) -> np.ndarray:
    """The face template, in eye distances.

    Args:
        mouth_open: gap between the inner lips, in eye distances (what
            ``measures["mouth_open"]`` should read).

    Returns:
        ndarray of shape (478, 3), float64: ``x, y`` in the face frame and ``z`` depth
        (negative towards the camera), all in eye distances.
    """
    pts = np.zeros((N_LANDMARKS, 3), np.float64)
    # Sunflower spiral: evenly spread, deterministic, and strictly inside the oval, so
    # the anchors above define the face box.
    k = np.arange(N_LANDMARKS)
    r = np.sqrt((k + 0.5) / N_LANDMARKS)
    theta = k * np.pi * (3.0 - np.sqrt(5.0))
    pts[:, 0] = 0.9 * r * np.cos(theta)
    pts[:, 1] = 0.3 + 1.15 * r * np.sin(theta)

    # The rigid points the pose fit reads sit where the canonical face has them, so a
    # template face is an upright, frontal head whose size is exactly its eye distance.
    canonical = canonical_template()
    pts[list(g.RIGID)] = canonical[list(g.RIGID)]
    # Eyelids: an ellipse round each iris, from the outer corner along the lower lid.
    steps = np.arange(16) * np.pi / 8
    for contour, iris, angles in (
        (g.RIGHT_EYE_CONTOUR, g.RIGHT_IRIS, np.pi - steps),
        (g.LEFT_EYE_CONTOUR, g.LEFT_IRIS, steps),
    ):
        centre = ANCHOR_TEMPLATE[iris]
        pts[list(contour), 0] = centre[0] + EYE_HALF_WIDTH * np.cos(angles)
        pts[list(contour), 1] = centre[1] + EYE_HALF_HEIGHT * np.sin(angles)

    fixed = dict(ANCHOR_TEMPLATE)
    fixed[g.UPPER_LIP] = (0.0, MOUTH_Y - mouth_open / 2)
    fixed[g.LOWER_LIP] = (0.0, MOUTH_Y + mouth_open / 2)
    for index, xy in fixed.items():
        pts[index, :2] = xy
    for iris in (g.RIGHT_IRIS, g.LEFT_IRIS):
        angles = np.arange(4) * np.pi / 2
        ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * IRIS_RADIUS
        pts[iris + 1 : iris + 5, :2] = pts[iris, :2] + ring

    # A dome: the middle of the face is closest to the camera, the cheeks are level, so
    # a frontal face has no yaw.
    d2 = pts[:, 0] ** 2 + ((pts[:, 1] - 0.3) / 1.25) ** 2
    pts[:, 2] = -0.3 * np.clip(1.0 - d2, 0.0, None)
    pts[[g.RIGHT_CHEEK, g.LEFT_CHEEK], 2] = 0.0
    pts[list(g.RIGID), 2] = canonical[list(g.RIGID), 2]
    return pts


def canonical_template() -> np.ndarray:
    """MediaPipe's canonical face in template units: ndarray of shape (468, 3), float64,
    origin midway between the eye socket centres, ``x`` towards the person's left, ``y``
    down, ``z`` away from the camera, one unit the socket distance."""
    from facefilters.render.meshmap import canonical_face

    xyz = canonical_face().canonical_xyz.astype(np.float64) * (1.0, -1.0, -1.0)
    right = xyz[list(g.RIGHT_EYE_CONTOUR)].mean(axis=0)
    left = xyz[list(g.LEFT_EYE_CONTOUR)].mean(axis=0)
    return (xyz - (left + right) / 2) / float(np.hypot(*(left - right)[:2]))


def turn(points: np.ndarray, *, yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    """Template points (..., 3) turned in 3-D about the template origin: first a nod
    (``pitch_deg``, positive looking up), then a turn (``yaw_deg``, positive towards the
    person's own left), as ``geometry.measure`` reads them."""
    p = np.asarray(points, np.float64).copy()
    a, b = np.radians(pitch_deg), np.radians(yaw_deg)
    y, z = p[..., 1].copy(), p[..., 2].copy()
    p[..., 1], p[..., 2] = y * np.cos(a) + z * np.sin(a), -y * np.sin(a) + z * np.cos(a)
    x, z = p[..., 0].copy(), p[..., 2].copy()
    p[..., 0], p[..., 2] = x * np.cos(b) - z * np.sin(b), x * np.sin(b) + z * np.cos(b)
    return p


def rotation(roll_deg: float) -> np.ndarray:
    """2x2 matrix turning image vectors clockwise on screen (y down) by ``roll_deg``."""
    a = np.radians(roll_deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s], [s, c]])


def place(
    points: np.ndarray | Sequence[float],
    *,
    center_xy: Sequence[float] = (320.0, 240.0),
    eye_distance: float = 60.0,
    roll_deg: float = 0.0,
    mirrored: bool = False,
) -> np.ndarray:
    """Template points (eye distances, face frame) to frame pixels.

    Args:
        points: ndarray of shape (..., 2): template ``xy``.
        center_xy: pixel position of the template origin (midway between the irises).
        eye_distance: pixels per template unit.
        roll_deg: head tilt, positive clockwise on screen.
        mirrored: the face as seen in a left-right flipped picture.

    Returns:
        ndarray of shape (..., 2), float64: pixel ``xy``.
    """
    p = np.asarray(points, np.float64)[..., :2].copy()
    if mirrored:
        # The picture is flipped, the anatomy is not: the person's left eye moves to
        # the left-hand side of the image.
        p[..., 0] = -p[..., 0]
    return np.asarray(center_xy, np.float64) + eye_distance * p @ rotation(roll_deg).T


def make_landmarks(
    *,
    center_xy: Sequence[float] = (320.0, 240.0),
    eye_distance: float = 60.0,
    roll_deg: float = 0.0,
    mouth_open: float = 0.0,
    mirrored: bool = False,
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
) -> np.ndarray:
    """One face's landmarks.

    Args are those of :func:`place`, plus ``mouth_open`` (see :func:`template`) and the
    head's turn and nod (see :func:`turn`), both about the point between the eyes.

    Returns:
        ndarray of shape (478, 3), float32, pixels.
    """
    pts = turn(template(mouth_open), yaw_deg=yaw_deg, pitch_deg=pitch_deg)
    out = np.empty_like(pts)
    out[:, :2] = place(
        pts,
        center_xy=center_xy,
        eye_distance=eye_distance,
        roll_deg=roll_deg,
        mirrored=mirrored,
    )
    out[:, 2] = pts[:, 2] * eye_distance
    return out.astype(np.float32)


def _per_face(value: ScalarOrSeq, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value, np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number or have shape ({n},), got {arr.shape}")
    return arr


def make_faces(
    n: int = 1,
    *,
    center_xy: Sequence[float] | np.ndarray = (320.0, 240.0),
    eye_distance: ScalarOrSeq = 60.0,
    roll_deg: ScalarOrSeq = 0.0,
    mouth_open: ScalarOrSeq = 0.0,
    mirrored: bool = False,
    yaw_deg: ScalarOrSeq = 0.0,
    pitch_deg: ScalarOrSeq = 0.0,
    spacing: float = 3.5,
    ids: Sequence[int] | None = None,
) -> Faces:
    """Synthetic faces, as a detector would report them for one frame.

    Args:
        n: number of faces.
        center_xy: pixel position midway between the irises, either one pair (with
            ``n > 1`` the faces stand in a row along x, centred on it) or ndarray of
            shape (n, 2), one per face.
        eye_distance: pixels between the iris centres; one number or one per face.
        roll_deg: head tilt, positive clockwise on screen; one number or one per face.
        mouth_open: gap between the inner lips in eye distances; one or one per face.
        mirrored: the picture is flipped left-right (selfie view); sets
            ``Faces.mirrored``.
        yaw_deg, pitch_deg: the head's turn and nod (see :func:`turn`); one number or
            one per face.
        spacing: distance between neighbouring faces in a row, in eye distances.
        ids: track ids; default ``-1`` (untracked), like a detector's output.

    Returns:
        ``n`` faces, landmarks of shape (n, 478, 3), float32.
    """
    eye = _per_face(eye_distance, n, "eye_distance")
    roll = _per_face(roll_deg, n, "roll_deg")
    mouth = _per_face(mouth_open, n, "mouth_open")
    yaw = _per_face(yaw_deg, n, "yaw_deg")
    pitch = _per_face(pitch_deg, n, "pitch_deg")
    centers = np.asarray(center_xy, np.float64)
    if centers.shape == (2,):
        step = np.arange(n) - (n - 1) / 2
        centers = centers + np.outer(step * spacing * eye, (1.0, 0.0))
    if centers.shape != (n, 2):
        raise ValueError(f"center_xy must have shape (2,) or ({n}, 2), got {centers.shape}")
    landmarks = (
        np.stack(
            [
                make_landmarks(
                    center_xy=centers[k],
                    eye_distance=eye[k],
                    roll_deg=roll[k],
                    mouth_open=mouth[k],
                    mirrored=mirrored,
                    yaw_deg=yaw[k],
                    pitch_deg=pitch[k],
                )
                for k in range(n)
            ]
        )
        if n
        else np.zeros((0, N_LANDMARKS, 3), np.float32)
    )
    return Faces(landmarks, None if ids is None else np.asarray(ids), mirrored)


def tear_lives(face_id: int, t: float, style) -> np.ndarray:
    """Each tear stream's life (0..1) at time ``t``: ndarray of shape (2 * streams,).

    Mirrors ``draw_tears``: each stream's phase comes from a hash of (face, eye, stream).
    """
    from facefilters.render import tears

    phases = np.array(
        [tears._rand(face_id, eye, s) for eye in range(2) for s in range(style.streams)]
    )
    return (t * style.rate + phases) % 1.0


def tear_time(style, ok) -> tuple[int, float]:
    """A face id and a time at which every stream's life satisfies ``ok``."""
    for face_id in range(50):
        for t in np.arange(0.0, 1.0 / style.rate, 0.005):
            if ok(tear_lives(face_id, float(t), style)):
                return face_id, float(t)
    raise AssertionError("no such time found")


def turned_face(degrees: float) -> np.ndarray:
    """MediaPipe's canonical face turned about its vertical axis, so the nose covers the
    far cheek and the mesh folds: (478, 3) float32 pixels, eye distance about 58."""
    from facefilters.render.meshmap import canonical_face

    model = canonical_face()
    a = np.radians(degrees)
    x, y, z = model.canonical_xyz.T
    xr, zr = x * np.cos(a) + z * np.sin(a), -x * np.sin(a) + z * np.cos(a)
    xyz = np.zeros((478, 3), np.float32)
    xyz[:468, 0] = 200 + xr * 9
    xyz[:468, 1] = 150 - y * 9
    xyz[:468, 2] = -zr * 9
    xyz[468:473] = xyz[[33, 133]].mean(axis=0)
    xyz[473:478] = xyz[[263, 362]].mean(axis=0)
    return xyz


# Synthetic face poses (``make_faces`` keywords) that drawing tests run through.
POSES = [
    pytest.param({}, id="upright"),
    pytest.param({"roll_deg": 30.0}, id="roll"),
    pytest.param({"mirrored": True}, id="mirrored"),
    pytest.param({"mirrored": True, "roll_deg": -25.0, "eye_distance": 45.0}, id="mirrored-roll"),
    pytest.param({"eye_distance": 90.0, "center_xy": (300.0, 200.0)}, id="big"),
]
