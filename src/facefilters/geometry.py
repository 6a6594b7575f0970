"""Where a face's features are, how it is turned, and what expression it makes.

Pure numpy: :func:`measure` takes :class:`~facefilters.faces.Faces` and returns a
:class:`FaceGeometry` of parallel arrays, one row per face. Everything a filter anchors
to or reacts to comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .expressions import EXPRESSION_NAMES, expressions
from .faces import N_LANDMARKS, Faces
from .topology import canonical_face

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

# Eyelid contours, 16 points each: from the outer corner along the lower lid to the
# inner corner, then back along the upper lid. Their centre is the eye socket's, which
# stays put when the eyes look sideways, as the irises do not.
RIGHT_EYE_CONTOUR = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)

RIGID = (
    168,
    6,
    197,
    195,
    5,
    4,
    151,
    9,
    8,  # nose bridge and the middle of the forehead
    108,
    337,
    67,
    297,
    109,
    338,
    69,
    299,
    104,
    333,
    54,
    284,  # the rest of the forehead
    130,
    359,
    243,
    463,
    226,
    446,  # beside the eye corners
    117,
    346,
    118,
    347,
    111,
    340,
    35,
    265,
    124,
    353,  # cheekbones, below the eyes
    188,
    412,
    114,
    343,  # the sides of the nose bridge
)
"""Landmarks fitted to the canonical face for the head's pose and size: bone under thin
skin, which holds still whatever the expression. Not the mouth, jaw, brows or lids, and
not the face's outline, which on a turned head slides along the silhouette."""

HEAD_HALF_WIDTH = 1.3
"""Half the head's width for :meth:`FaceGeometry.facing`, in ``size_px``: the canonical
face's outline at the cheekbones is 1.21 from the middle."""

HEAD_HALF_SIZE = (1.3, 1.85, 1.55)
"""Half the head's width, height (chin to crown) and depth (face to back), in
``size_px``, for :meth:`FaceGeometry.head_to_image`: a real head is about 2.5 wide, 3.7
high and 3.1 deep."""
HEAD_CENTRE = (0.0, -0.25)
"""The middle of the head seen from the front, from the eye sockets' midpoint, in
``size_px`` (+y down)."""

MAX_SIDE_DEG = 60.0
"""The most a point beside the face (an ear, a sticker off the cheek) faces sideways in
:meth:`FaceGeometry.facing`: stickers there stand out from the head, so it hides them
only once turned well away."""

FACING_HIDDEN, FACING_SHOWN = -0.1, 0.25
"""Fade band of :meth:`FaceGeometry.visibility`: the camera-ward component of the face's
surface normal at which a thing on it is gone, and fully shown. Slightly past edge-on
(below 0) for gone, since stickers stand off the skin."""

SIDE_HIDDEN, SIDE_SHOWN = 0.05, 0.35
"""Fade band of :meth:`FaceGeometry.side_visibility`: the camera-ward component of a side
of the head's outward normal (the sine of the turn) at which a thing along that side is
gone, and fully shown: gone within 3 degrees of frontal, shown from 20."""

_POLAR_STEPS = 10

ANCHOR_NAMES = (
    "left_eye",
    "right_eye",
    "left_iris",
    "right_iris",
    "eyes_center",
    "nose_tip",
    "mouth_center",
    "upper_lip",
    "lower_lip",
    "forehead",
    "chin",
)
"""Every anchor a filter can hold on to (see docs/FILTERS.md)."""

MEASURE_NAMES = (
    "mouth_open",
    "left_eye_open",
    "right_eye_open",
    "eyes_open",
    "brow_raise",
    "mouth_corners",
    *EXPRESSION_NAMES,
)
"""Expression measures: geometric ones normalised by face size, then the expression
scores from 0 to 1 (:mod:`.expressions`: blendshapes on Tasks, these measures on
FaceMesh)."""


@dataclass(frozen=True)
class FaceGeometry:
    """Anchors, pose and expression of n faces, as parallel arrays.

    The face's unit of size, ``size_px``, and its pose come from fitting MediaPipe's
    canonical face to the rigid landmarks (:func:`fit_canonical`), so neither changes when
    the head turns or the eyes look sideways.

    Attributes:
        anchors: name -> ndarray of shape (n, 2), float32, pixel ``xy``.
        size_px: ndarray of shape (n,), float32: the face's unit of size, the distance
            between the eye socket centres as seen from the front, whichever way the head
            turns. Filter sizes and offsets are in this unit.
        eye_distance: ndarray of shape (n,), float32: pixels between the eye socket
            centres in the picture; shorter than ``size_px`` on a turned head.
        axis_x: ndarray of shape (n, 2), float32: unit vector of the face's own +x in the
            picture, towards the person's left (the head's ear-to-ear axis as seen).
        axis_y: ndarray of shape (n, 2), float32: unit vector of the face's own +y, down the
            face towards the chin, at right angles to ``axis_x``. With ``axis_x`` it spans
            the face frame; the pair is a reflection of the image axes when the picture is
            mirrored.
        plane_x, plane_y: ndarray of shape (n, 2), float32: where one unit (``size_px``)
            along the face's +x and +y lands in the picture, as projected: the face's
            frontal plane turned with the head, so shorter than ``size_px`` (and no longer
            at right angles) when the head turns. Equal to ``axis_x``, ``axis_y`` times
            ``size_px`` on a face seen from the front.
        rotation: ndarray of shape (n, 3, 3), float32: turns the canonical face's axes (x
            towards the person's left, y up, z out of the face) into the camera's (x
            right, y up, z towards the camera); a reflection when the picture is mirrored.
        roll_deg: ndarray of shape (n,), float32: in-plane head tilt, 0 when upright,
            positive when the head is turned clockwise on screen.
        yaw_deg: ndarray of shape (n,), float32: head turn around the vertical axis, 0
            facing the camera, positive when the person turns towards their own left (in
            a mirrored picture too).
        pitch_deg: ndarray of shape (n,), float32: head nod, 0 facing the camera, positive
            when the person looks up.
        measures: name -> ndarray of shape (n,), float32 (see ``MEASURE_NAMES``).
    """

    anchors: dict[str, np.ndarray]
    size_px: np.ndarray
    eye_distance: np.ndarray
    axis_x: np.ndarray
    axis_y: np.ndarray
    plane_x: np.ndarray
    plane_y: np.ndarray
    rotation: np.ndarray
    roll_deg: np.ndarray
    yaw_deg: np.ndarray
    pitch_deg: np.ndarray
    measures: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.size_px)

    def face_to_image(self, i: int, anchor: str, offset_xy: tuple[float, float]) -> np.ndarray:
        """Pixel ``xy`` of a point given relative to an anchor of face ``i``.

        The offset lies in the face's frontal plane through the anchor and turns with the
        head, so a point beside the face stays beside it on a turned head.

        Args:
            i: which face.
            anchor: one of ``ANCHOR_NAMES``.
            offset_xy: offset in units of ``size_px``, in the face frame.

        Returns:
            ndarray of shape (2,), float32.
        """
        dx, dy = offset_xy
        return (self.anchors[anchor][i] + dx * self.plane_x[i] + dy * self.plane_y[i]).astype(
            np.float32
        )

    def head_to_image(self, i: int, anchor: str, offset_xy: tuple[float, float]) -> np.ndarray:
        """Pixel ``xy`` of a point on the head's surface, given relative to an anchor of
        face ``i``: as :meth:`face_to_image`, but the point lies on the head (an ellipsoid, see
        ``HEAD_HALF_SIZE``), so a point out beside the face (a dog's ear on the crown) is
        set back by how far the head curves away there. On a face seen from the front
        both are the same; on a turned head the far ear stays on the head instead of
        floating off beside it, the near one moves out, and on a head nodded down the
        crown shows. Arguments and result as for :meth:`face_to_image`.
        """
        back = _set_back(anchor, (float(offset_xy[0]), float(offset_xy[1])))
        return (self.face_to_image(i, anchor, offset_xy) + back * self.plane_back(i)).astype(
            np.float32
        )

    def facing(self, i: int, anchor: str, offset_xy: tuple[float, float] = (0.0, 0.0)) -> float:
        """How squarely the head's surface at a point faces the camera.

        The head is taken as an upright cylinder ``HEAD_HALF_WIDTH`` wide either side of
        the nose, turned with the head: a point halfway out faces 30 degrees sideways, a
        point beside the face (an ear) up to ``MAX_SIDE_DEG``. A point is placed as
        :meth:`face_to_image` places it, on the canonical face.

        Args:
            i: which face.
            anchor: one of ``ANCHOR_NAMES``.
            offset_xy: offset in units of ``size_px``, in the face frame.

        Returns:
            The camera-ward component of the turned surface normal, -1 .. 1: 1 where the
            surface faces the camera, 0 edge-on, below 0 on the far side of the head.
        """
        angle = _head_angle(_canonical_anchor_xy()[anchor][0] + offset_xy[0])
        normal = np.array([np.sin(angle), 0.0, np.cos(angle)])
        return float(self.rotation[i, 2] @ normal)

    def visibility(self, i: int, anchor: str, offset_xy: tuple[float, float] = (0.0, 0.0)) -> float:
        """0 .. 1: how much of a thing at this point shows; 0 once the head hides it.

        :meth:`facing`, faded across the band ``FACING_HIDDEN`` .. ``FACING_SHOWN``.
        """
        t = (self.facing(i, anchor, offset_xy) - FACING_HIDDEN) / (FACING_SHOWN - FACING_HIDDEN)
        t = min(max(t, 0.0), 1.0)
        return t * t * (3.0 - 2.0 * t)

    def plane_back(self, i: int) -> np.ndarray:
        """Where one unit (``size_px``) towards the back of the head lands in the picture,
        as projected: ndarray (2,), float32; nearly nothing on a face seen from the
        front, ``size_px`` long seen from the side."""
        r = self.rotation[i]
        return (np.array([-r[0, 2], r[1, 2]], np.float32) * self.size_px[i]).astype(np.float32)

    def side_visibility(self, i: int, side: int) -> float:
        """0 .. 1: how much of a thing lying along one side of the head shows (a glasses
        arm): none from the front, where it is edge-on, nor once that side turns away;
        all once it faces the camera by ``SIDE_SHOWN``.

        Args:
            i: which face.
            side: 1 for the person's left side, -1 for their right.
        """
        facing = side * float(self.rotation[i, 2, 0])
        t = min(max((facing - SIDE_HIDDEN) / (SIDE_SHOWN - SIDE_HIDDEN), 0.0), 1.0)
        return t * t * (3.0 - 2.0 * t)


def _head_angle(across: float) -> float:
    """How far sideways, in radians, the head that :meth:`FaceGeometry.facing` takes faces
    at a point ``across`` size units from the face's middle (negative to the person's
    right): an upright cylinder ``HEAD_HALF_WIDTH`` wide either side, up to
    ``MAX_SIDE_DEG`` beside the face."""
    side = np.radians(MAX_SIDE_DEG)
    return float(np.arcsin(np.clip(across / HEAD_HALF_WIDTH, -np.sin(side), np.sin(side))))


def _head_depth(xy: np.ndarray) -> float:
    """How far the head's surface lies behind the face's front at a point, in size units.

    The head is the ellipsoid ``HEAD_HALF_SIZE`` around ``HEAD_CENTRE``; a point outside its
    outline as seen from the front (a dog's ear out over the temple) is taken at the
    outline, halfway back.

    Args:
        xy: ndarray (2,), the point in the face frame (+y down), in size units from the
            eye sockets' midpoint.
    """
    half_w, half_h, half_d = HEAD_HALF_SIZE
    u, v = (xy[0] - HEAD_CENTRE[0]) / half_w, (xy[1] - HEAD_CENTRE[1]) / half_h
    return half_d * (1.0 - float(np.sqrt(max(1.0 - u * u - v * v, 0.0))))


@lru_cache(maxsize=256)
def _set_back(anchor: str, offset_xy: tuple[float, float]) -> float:
    """How much further back the head's surface lies at ``offset_xy`` from ``anchor`` than
    at the anchor, in size units: fixed by the face's shape, so worked out once per
    sticker, not per frame."""
    at = _canonical_anchor_xy()[anchor]
    return _head_depth(at + np.asarray(offset_xy)) - _head_depth(at)


def _norm(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def _anchors(xy: np.ndarray) -> dict[str, np.ndarray]:
    """Every anchor of n faces: name -> ndarray (n, 2), from landmarks (n, 478, 2)."""
    right_eye = xy[:, list(RIGHT_EYE_CONTOUR)].mean(axis=1)
    left_eye = xy[:, list(LEFT_EYE_CONTOUR)].mean(axis=1)
    return {
        "left_eye": left_eye,
        "right_eye": right_eye,
        "left_iris": xy[:, LEFT_IRIS],
        "right_iris": xy[:, RIGHT_IRIS],
        "eyes_center": (left_eye + right_eye) / 2,
        "nose_tip": xy[:, NOSE_TIP],
        "mouth_center": (xy[:, UPPER_LIP] + xy[:, LOWER_LIP]) / 2,
        "upper_lip": xy[:, UPPER_LIP],
        "lower_lip": xy[:, LOWER_LIP],
        "forehead": xy[:, FOREHEAD],
        "chin": xy[:, CHIN],
    }


@lru_cache(maxsize=1)
def _canonical() -> tuple[np.ndarray, float]:
    """The canonical face as landmarks: ndarray (478, 3), float64, in centimetres with
    the landmarks' axes (x right, y down, z away from the camera), irises at the eye
    socket centres; and its eye socket distance in centimetres."""
    model = canonical_face().canonical_xyz.astype(np.float64)
    xyz = np.zeros((N_LANDMARKS, 3))
    xyz[:468] = model * (1.0, -1.0, -1.0)
    xyz[RIGHT_IRIS : RIGHT_IRIS + 5] = xyz[list(RIGHT_EYE_CONTOUR)].mean(axis=0)
    xyz[LEFT_IRIS : LEFT_IRIS + 5] = xyz[list(LEFT_EYE_CONTOUR)].mean(axis=0)
    eye_cm = float(np.hypot(*(xyz[LEFT_IRIS, :2] - xyz[RIGHT_IRIS, :2])))
    return xyz, eye_cm


@lru_cache(maxsize=1)
def _canonical_anchor_xy() -> dict[str, np.ndarray]:
    """Each anchor on the canonical face seen from the front: name -> ndarray (2,),
    float64, in the face frame (+y down), in eye socket distances from the eyes' centre."""
    xyz, eye_cm = _canonical()
    centre = xyz[[RIGHT_IRIS, LEFT_IRIS], :2].mean(axis=0)
    return {k: (v[0] - centre) / eye_cm for k, v in _anchors(xyz[None, :, :2]).items()}


@lru_cache(maxsize=1)
def _rigid_model() -> np.ndarray:
    """The canonical face's rigid points, centred, in camera-like axes (x right, y up,
    z towards the camera): ndarray (len(RIGID), 3), float64, centimetres."""
    xyz, _ = _canonical()
    model = xyz[list(RIGID)] * (1.0, -1.0, -1.0)
    return model - model.mean(axis=0)


@lru_cache(maxsize=1)
def _rigid_gram() -> np.ndarray:
    """``model.T @ model`` of :func:`_rigid_model`: ndarray (3, 3), float64."""
    model = _rigid_model()
    return model.T @ model


@lru_cache(maxsize=1)
def _rigid_solver() -> np.ndarray:
    """Turns the rigid points' picture positions into the linear map from the canonical
    face onto them: ``points.T @ solver`` is that (least-squares) map; ndarray
    (len(RIGID), 3), float64. Made once: the model's own 3x3 inverse, not per frame."""
    return _rigid_model() @ np.linalg.inv(_rigid_gram())


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross products of two (n, 3) arrays; ``np.cross`` spends ten times as
    long on checking and moving axes for such small arrays."""
    a0, a1, a2 = a[:, 0], a[:, 1], a[:, 2]
    b0, b1, b2 = b[:, 0], b[:, 1], b[:, 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=1)


def _polar(m: np.ndarray) -> np.ndarray:
    """The nearest rotation to each 3x3 matrix (the orthogonal factor of its polar
    decomposition), by Newton's iteration with determinant scaling.

    Closed-form 3x3 algebra instead of ``np.linalg.svd``: LAPACK would wake OpenBLAS's
    threads every frame (see docs/ARCHITECTURE.md).

    Args:
        m: ndarray of shape (n, 3, 3), float64, with positive determinants.

    Returns:
        ndarray of shape (n, 3, 3), float64: rotations; the identity where ``m`` is
        singular.
    """
    x = m.copy()
    ok = np.ones(len(m), bool)
    for _ in range(_POLAR_STEPS):
        # Rows of the cofactor matrix; x^-T = cofactor / det.
        cof = np.stack(
            [_cross(x[:, 1], x[:, 2]), _cross(x[:, 2], x[:, 0]), _cross(x[:, 0], x[:, 1])], axis=1
        )
        det = np.sum(x[:, 0] * cof[:, 0], axis=1)
        ok &= det > 1e-300
        det = np.where(ok, det, 1.0)
        gamma = det ** (-1.0 / 3.0)
        new = 0.5 * (gamma[:, None, None] * x + cof / (gamma * det)[:, None, None])
        # Newton converges quadratically: a fitted face's matrix is there in 3 to 5 steps.
        done = np.abs(new - x).max() < 1e-12 if len(x) else True
        x = new
        if done:
            break
    return np.where(ok[:, None, None], x, np.eye(3))


def _pitch_rad(rotation: np.ndarray) -> np.ndarray:
    """The nod of each rotation (n, 3, 3) in camera axes, radians, up positive, with
    :class:`FaceGeometry`'s order of angles: ndarray (n,), float64."""
    return -np.arctan2(rotation[:, 2, 1], rotation[:, 2, 2])


def fit_canonical(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit MediaPipe's canonical face to each face's rigid landmarks: its rotation from
    where the points lie in the picture, its scale by similarity Procrustes.

    The turn sideways (yaw) and about the view axis (roll) come from the points' ``x, y``
    alone, by a least-squares linear map from the canonical face onto them (a
    weak-perspective camera), turned into the nearest rotation. The nod (pitch) comes
    from a fit through FaceMesh's depth as well. Each reading is where that source is
    sound, on real turned heads (tests/e2e/test_pose_real.py):

    - turned sideways, FaceMesh flattens ``z`` (its spread falls to about 0.7 of the
      true one at 45 degrees of yaw while ``x, y`` stay within a tenth of ``size_px``),
      and a fit through that depth reads about two thirds of the turn;
    - nodded, it is the other way round: FaceMesh draws the points' ``x, y`` as if the
      head were nodded less (0.6 of the nod, on a face with a fringe over the forehead),
      while its depth follows the nod.

    Args:
        landmarks: ndarray of shape (n, 478, 3) (or (n, 468, 3)): ``x, y`` pixels, ``z``
            depth in the same scale, smaller nearer the camera, as FaceMesh gives them.

    Returns:
        ``(rotation, size_px)``: ndarray of shape (n, 3, 3), float64, turning the
        canonical face's axes into the camera's (x right, y up, z towards the camera; a
        reflection for a mirrored face), and ndarray of shape (n,), float64, the fitted
        scale times the canonical face's eye socket distance: pixels between the eye
        socket centres as seen from the front.
    """
    model = _rigid_model()
    p = landmarks[:, list(RIGID)].astype(np.float64) * (1.0, -1.0, -1.0)
    p -= p.mean(axis=1, keepdims=True)
    cov = np.sum(p[:, :, :, None] * model[None, :, None, :], axis=1)
    # A mirrored face is the model reflected: flip it back, fit a rotation, reflect that.
    # Which way round shows in the picture plane, where even a half-profile face keeps
    # its left eye on its own side.
    handed = np.where(cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] * cov[:, 1, 0] < 0, -1.0, 1.0)
    cov[:, 0] *= handed[:, None]
    # The picture's x and y rows of the map from the model; the third, towards the
    # camera, is at right angles to both, as long as their mean.
    solver = _rigid_solver()
    rows_x = np.sum(p[:, :, 0, None] * solver[None], axis=1) * handed[:, None]
    rows_y = np.sum(p[:, :, 1, None] * solver[None], axis=1)
    rows_z = _cross(rows_x, rows_y)
    rows_z /= np.maximum(np.sqrt(_norm(rows_z)), 1e-12)[:, None]
    linear = np.stack([rows_x, rows_y, rows_z], axis=1)
    # A whisker of identity keeps landmarks without spread (a point) solvable.
    spread = np.sqrt(np.sum(linear * linear, axis=(1, 2)))
    whisker = 1e-9 * spread[:, None, None] * np.eye(3)
    rotation = _polar(linear + whisker)
    # The nod of the fit through the depth too (similarity Procrustes), given to the x, y
    # fit by turning it about the head's own left-right axis: its yaw and roll stay.
    # (Turning by theta about that axis lowers the pitch by theta.)
    theta = _pitch_rad(rotation) - _pitch_rad(_polar(cov + whisker))
    cos, sin = np.cos(theta)[:, None], np.sin(theta)[:, None]
    down, back = rotation[:, :, 1].copy(), rotation[:, :, 2].copy()
    rotation[:, :, 1] = cos * down + sin * back
    rotation[:, :, 2] = cos * back - sin * down
    # The scale that best lays the turned model's picture over the points' x, y: not
    # their depth either, or the head would shrink as it turns.
    seen = np.sum(rotation[:, :2] * cov[:, :2], axis=(1, 2))
    spread_seen = np.einsum("nij,jk,nik->n", rotation[:, :2], _rigid_gram(), rotation[:, :2])
    scale = seen / np.maximum(spread_seen, 1e-12)
    rotation[:, 0] *= handed[:, None]
    return rotation, np.maximum(scale, 0.0) * _canonical()[1]


def face_size(face_xyz: np.ndarray) -> float:
    """One face's ``size_px`` (see :class:`FaceGeometry`).

    Args:
        face_xyz: ndarray of shape (478, 3) or (468, 3): one face's landmarks.
    """
    return float(fit_canonical(np.asarray(face_xyz)[None])[1][0])


def measure(faces: Faces) -> FaceGeometry:
    """Anchors, pose and expression measures of every face.

    Args:
        faces: the faces of one frame.

    Returns:
        One row per face, in the order of ``faces``.
    """
    lm = faces.landmarks
    xy = lm[..., :2]
    anchors = _anchors(xy)
    rotation, size = fit_canonical(lm)
    # A tiny floor keeps degenerate input (all points equal) from dividing by zero.
    size = np.maximum(size, 1e-3)
    eye_distance = np.maximum(_norm(anchors["left_eye"] - anchors["right_eye"]), 1e-3)

    # Image vectors (y down) of the head's own axes, one size unit long, as projected.
    plane_x = np.stack([rotation[:, 0, 0], -rotation[:, 1, 0]], axis=1) * size[:, None]
    plane_y = np.stack([-rotation[:, 0, 1], rotation[:, 1, 1]], axis=1) * size[:, None]
    axis_x = plane_x / np.maximum(_norm(plane_x), 1e-9)[:, None]
    # Rotating +x by +90 degrees points down the face in an unmirrored picture (y is
    # down); in a mirrored one it points up, so follow the head's own down.
    axis_y = np.stack([-axis_x[:, 1], axis_x[:, 0]], axis=1)
    sign = np.where(np.sum(axis_y * plane_y, axis=1) < 0, -1.0, 1.0)
    axis_y = axis_y * sign[:, None]
    roll_deg = np.degrees(np.arctan2(-axis_y[:, 0], axis_y[:, 1]))
    # Rotation = roll (about the view axis) after yaw after pitch; the bottom row does not
    # depend on roll or on mirroring, which only flips x.
    bottom = rotation[:, 2]
    yaw_deg = np.degrees(np.arctan2(-bottom[:, 0], np.hypot(bottom[:, 1], bottom[:, 2])))
    pitch_deg = -np.degrees(np.arctan2(bottom[:, 1], bottom[:, 2]))

    def eye_open(top: int, bottom: int, outer: int, inner: int) -> np.ndarray:
        # Both lengths lie in the same eye, so the ratio holds on a turned head.
        gap = _norm(xy[:, top] - xy[:, bottom])
        return gap / np.maximum(_norm(xy[:, outer] - xy[:, inner]), 1e-3)

    brows = (
        _norm(xy[:, RIGHT_BROW] - anchors["right_eye"])
        + _norm(xy[:, LEFT_BROW] - anchors["left_eye"])
    ) / 2
    left_open = eye_open(LEFT_EYE_TOP, LEFT_EYE_BOTTOM, LEFT_EYE_OUTER, LEFT_EYE_INNER)
    right_open = eye_open(RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM, RIGHT_EYE_OUTER, RIGHT_EYE_INNER)
    measures = {
        # Up-down gaps over the turn-proof size: turning the head leaves them alone.
        "mouth_open": _norm(xy[:, UPPER_LIP] - xy[:, LOWER_LIP]) / size,
        "left_eye_open": left_open,
        "right_eye_open": right_open,
        # A blink closes both eyes; a wink only one, so the mean tells them apart.
        "eyes_open": (left_open + right_open) / 2,
        "brow_raise": brows / size,
        # How far the mouth corners sit above the upper lip's middle: up in a smile,
        # down in a frown, and left alone by the jaw opening.
        "mouth_corners": np.sum(
            (xy[:, UPPER_LIP] - (xy[:, MOUTH_RIGHT] + xy[:, MOUTH_LEFT]) / 2) * axis_y, axis=1
        )
        / size,
    }
    measures.update(expressions(measures, faces.extras.get("blendshapes")))
    f32 = np.float32
    return FaceGeometry(
        anchors={k: v.astype(f32) for k, v in anchors.items()},
        size_px=size.astype(f32),
        eye_distance=eye_distance.astype(f32),
        axis_x=axis_x.astype(f32),
        axis_y=axis_y.astype(f32),
        plane_x=plane_x.astype(f32),
        plane_y=plane_y.astype(f32),
        rotation=rotation.astype(f32),
        roll_deg=roll_deg.astype(f32),
        yaw_deg=yaw_deg.astype(f32),
        pitch_deg=pitch_deg.astype(f32),
        measures={k: v.astype(f32) for k, v in measures.items()},
    )
