"""Landmark-driven face warps: big eyes, the crying face, a slimmer or chubbier face.

A preset turns one face's landmarks into control points: where a bit of the face is in
the untouched frame (``from_xy``) and where it should appear in the output (``to_xy``),
plus fixed points (``from_xy == to_xy``) around it so the change stays local. Offsets are
in face sizes in the face's own plane (turned with the head, so foreshortened on a
turned head like the face itself; see ``FaceGeometry.plane_x``), so a preset looks the
same on a near and a far face and turns with the head, also in a mirrored picture.

:func:`warp_maps` turns control points into a smooth field by moving least squares
(similarity MLS, Schaefer et al. 2006), evaluated on a coarse grid over the face's region
and upsampled with ``cv2.resize``; :func:`apply_warp` samples the frame through it with
one ``cv2.remap``. The field is tapered to exactly zero at the region's border, so the
warped patch meets the rest of the frame without a seam.

Pure numpy and OpenCV: arrays in, arrays out. The per-frame maths uses broadcasting and
closed-form 2x2 algebra (complex numbers written out), never ``np.linalg`` or BLAS
matrix products, whose worker threads take CPU from decoding and detection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ..faces import Faces
from ..geometry import LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR, measure

PRESETS: tuple[str, ...] = ("big_eyes", "crying", "slim", "chubby")
"""Every preset :func:`preset_controls` knows."""

MAX_STRENGTH = 2.0
"""The strongest setting that still looks like a face and never folds (tested)."""

# Preset parameters at strength 1, in eye distances unless said otherwise.
BULGE_RADIUS = 0.55
"""big_eyes: radius of the magnifier around each eye socket's centre."""
BULGE_GAIN = 0.5
"""big_eyes: magnification at the iris centre is ``1 + BULGE_GAIN * strength``."""
CORNER_DROP = 0.12
"""crying: how far the mouth corners drop, once any smile is undone."""
MAX_SMILE_UNDONE = 0.15
"""crying: the most smile lift (corners above the middle) undone before the drop."""
CORNER_IN = 0.03
"""crying: how far the mouth corners move in, narrowing the mouth."""
LIP_POUT = 0.04
"""crying: how far the middle of the lips rises."""
BROW_INNER_UP = 0.13
"""crying: how far the inner brow ends rise."""
BROW_OUTER_DOWN = 0.035
"""crying: how far the outer brow ends sink."""
CHEEK_SHIFT = 0.13
"""slim / chubby: how far the cheek and jaw line moves in / out."""

FOLD_MARGIN = 0.1
"""Smallest Jacobian determinant a warp may have at a node; below it the whole field is
scaled back (1 would be no local shrinking or stretching of the sampled area, 0 a fold)."""

MIN_NODES = 48
"""Nodes across the longer side of a warp region, at least: small faces get finer ones."""

RING_GAP = 0.5
"""How far outside the face oval the presets' outermost fixed points lie, in eye
distances: the background within it may move with the face's edge."""

DEFAULT_PAD = 0.6
"""Margin of the warp region around the landmarks, in eye distances; more than
``RING_GAP``, so the field has room to fade out."""

# MediaPipe FaceMesh indices; "left"/"right" are the person's own.
_CHIN = 152
_MOUTH_RIGHT, _MOUTH_LEFT = 61, 291
_UPPER_LIP, _LOWER_LIP = 13, 14  # inner edges, where the lips meet
_UPPER_LIP_TOP, _LOWER_LIP_BOTTOM = 0, 17

# Landmark numbers read better packed than one per line.
# fmt: off
_FACE_OVAL = np.array([
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
    377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67,
    109,
])
# The cheek and jaw part of the face oval, from the temples down to the chin; the rest.
_JAW = np.array([
    162, 127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 389, 356, 454, 323, 361,
    288, 397, 365, 379, 378, 400, 377,
])
_OVAL_TOP = np.setdiff1d(_FACE_OVAL, _JAW)
_CHEEKS = np.array([50, 280, 205, 425, 187, 411, 147, 376, 123, 352, 213, 433, 192, 416])
_JAW_AND_CHEEKS = np.concatenate([_JAW, _CHEEKS])

# Eye corners, lower lids and iris centres; then the upper lids.
_EYES_LOW = np.array([33, 133, 145, 144, 153, 468, 263, 362, 374, 373, 380, 473])
_EYES_UPPER = np.array([159, 160, 158, 386, 387, 385])
_NOSE = np.array([168, 6, 197, 195, 5, 4, 1, 2, 98, 327, 64, 294])
_FOREHEAD = np.array([151])

# Both lips, outer and inner edges, each run from one mouth corner to the other.
_LIPS = np.array([
    61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 78, 191, 80, 81, 82, 13, 312, 311,
    310, 415, 308, 146, 91, 181, 84, 17, 314, 405, 321, 375, 95, 88, 178, 87, 14, 317,
    402, 318, 324,
])
# Skin around the mouth that holds still while the lips frown.
_MOUTH_FRAME = np.array([164, 167, 393, 205, 425, 199, 175, 32, 262])

# Both brows: the upper edges, then the lower edges (outer end first). The inner ends
# are 107 and 336 above, 55 and 285 below.
_BROWS = np.array([
    70, 63, 105, 66, 107, 300, 293, 334, 296, 336, 46, 53, 52, 65, 55, 276, 283, 282,
    295, 285,
])
# fmt: on


@lru_cache(maxsize=8)
def _turned_frame(face_bytes: bytes) -> _FaceFrame:
    """The frame of a face from its landmarks' bytes (float32, (478, 3)). Cached: one
    warp asks for the same face's frame more than once per picture, and the pose fit
    behind it is the costliest part of :func:`~facefilters.geometry.measure`."""
    face = np.frombuffer(face_bytes, np.float32).reshape(-1, 3)
    g = measure(Faces(face[None]))
    return _FaceFrame(g.anchors["eyes_center"][0], g.plane_x[0], g.plane_y[0], float(g.size_px[0]))


@dataclass(frozen=True)
class _FaceFrame:
    """One face's own plane: origin between the eye sockets, and where one face size
    along the face's +x and +y lands in the picture (``plane_x``, ``plane_y``).

    ``plane_y`` follows the chin, so in a mirrored picture the axes form a reflection and
    offsets given in the face frame still land on the person's own side.
    """

    origin: np.ndarray
    plane_x: np.ndarray
    plane_y: np.ndarray
    eye: float
    """The face's size in pixels: ``FaceGeometry.size_px`` given depth, else the 2-D
    distance between the eye socket centres."""

    @classmethod
    def of(cls, face: np.ndarray) -> _FaceFrame:
        """The frame of landmarks of shape (478, 3) (turned with the head, from the pose
        fit) or (478, 2) (in the picture plane: a face seen from the front)."""
        if face.shape[1] >= 3:
            return _turned_frame(np.ascontiguousarray(face[:, :3], np.float32).tobytes())
        face_xy = face[:, :2]
        right = face_xy[list(RIGHT_EYE_CONTOUR)].mean(axis=0)
        left = face_xy[list(LEFT_EYE_CONTOUR)].mean(axis=0)
        origin = (right + left) / 2
        eye_vec = left - right
        # A floor keeps degenerate input (all points equal) from dividing by zero.
        eye = max(math.hypot(float(eye_vec[0]), float(eye_vec[1])), 1e-3)
        axis_x = (eye_vec / eye).astype(np.float32)
        axis_y = np.array([-axis_x[1], axis_x[0]], np.float32)
        down = face_xy[_CHIN] - origin
        if float(down[0] * axis_y[0] + down[1] * axis_y[1]) < 0:
            axis_y = -axis_y
        return cls(origin.astype(np.float32), axis_x * eye, axis_y * eye, eye)

    def uv(self, xy: np.ndarray) -> np.ndarray:
        """Pixels, ndarray (m, 2), to face-plane coordinates in face sizes, ndarray (m, 2)."""
        # The 2x2 inverse by hand: np.linalg would wake OpenBLAS's threads.
        (a, c), (b, d) = self.plane_x, self.plane_y
        det = float(a * d - b * c)
        det = det if abs(det) > 1e-9 else 1e-9
        rel = xy - self.origin
        u = (d * rel[:, 0] - b * rel[:, 1]) / det
        v = (a * rel[:, 1] - c * rel[:, 0]) / det
        return np.stack([u, v], axis=1)

    def offset(self, duv: np.ndarray) -> np.ndarray:
        """Face-plane offsets in face sizes, ndarray (m, 2), to pixel offsets."""
        return duv[:, :1] * self.plane_x + duv[:, 1:2] * self.plane_y

    def xy(self, uv: np.ndarray) -> np.ndarray:
        """Face-frame points in eye distances, ndarray (m, 2), to pixels."""
        return self.origin + self.offset(uv)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


# A preset's parts: (moving from, moving to, fixed), lists of ndarrays (m, 2) of pixels.
_Parts = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]


def _big_eyes(face_xy: np.ndarray, frame: _FaceFrame, strength: float) -> _Parts:
    """Each eye magnified around its socket's centre; nothing else moves.

    A radial magnifier of radius ``BULGE_RADIUS``: the output radius ``r`` (a fraction
    of that radius) shows the source radius ``r * (1 - a * (1 - r**2)**2)``, a
    magnification of ``1 / (1 - a)`` at the centre easing to none at the rim. Its radial
    derivative stays above ``1 - a``, so it never folds for ``a < 1``. Four rings of
    eight points sample it; a fixed rim just outside holds the rest of the face.
    """
    a = 1.0 - 1.0 / (1.0 + BULGE_GAIN * strength)
    radii = np.array([0.2, 0.4, 0.6, 0.8], np.float32)
    angles = np.arange(8) * (np.pi / 4)
    unit = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    dst = np.concatenate(
        [np.zeros((1, 2), np.float32), (radii[:, None, None] * unit).reshape(-1, 2)]
    )
    shrink = np.concatenate([[1.0], np.repeat(1.0 - a * (1.0 - radii**2) ** 2, 8)])
    src = dst * shrink[:, None].astype(np.float32)
    rim_angles = np.arange(12) * (np.pi / 6)
    rim = 1.05 * np.stack([np.cos(rim_angles), np.sin(rim_angles)], axis=1)

    # Round the eye sockets, not the irises: the magnifier stays put when the eyes look
    # sideways.
    sockets = [face_xy[list(c)].mean(axis=0) for c in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR)]
    moving_from, moving_to = [], []
    fixed = [
        face_xy[_FACE_OVAL[::2]],
        _outer_ring(face_xy, frame.eye),
        face_xy[_NOSE],
        face_xy[[_MOUTH_RIGHT, _UPPER_LIP_TOP, _MOUTH_LEFT]],
    ]
    for centre in sockets:
        moving_from.append(centre + frame.offset(src * BULGE_RADIUS))
        moving_to.append(centre + frame.offset(dst * BULGE_RADIUS))
        fixed.append(centre + frame.offset(rim * BULGE_RADIUS))
    # Nothing may hold still inside either bulge, the other eye's rim included.
    still = np.concatenate(fixed)
    reach = (BULGE_RADIUS * frame.eye) ** 2
    for centre in sockets:
        still = still[((still - centre) ** 2).sum(axis=1) > reach]
    return moving_from, moving_to, [still]


def _crying(face_xy: np.ndarray, frame: _FaceFrame, strength: float) -> _Parts:
    """Mouth corners down, the middle of the lips up, inner brows up: a sad face."""
    s = strength
    uv = frame.uv(face_xy[_LIPS])
    right, left, upper, lower = frame.uv(
        face_xy[[_MOUTH_RIGHT, _MOUTH_LEFT, _UPPER_LIP, _LOWER_LIP]]
    )
    mid = (upper + lower) / 2
    half = max(abs(left[0] - right[0]) / 2, 1e-3)
    across = np.clip((uv[:, 0] - mid[0]) / half, -1.0, 1.0)
    # A smile lifts the corners above the middle of the lips; undo that first (fully by
    # strength 1), so a smiling face frowns as deeply as a still one.
    lift = float(np.clip(mid[1] - (right[1] + left[1]) / 2, 0.0, MAX_SMILE_UNDONE))
    drop = CORNER_DROP * s + lift * min(s, 1.0)
    duv = np.zeros_like(uv)
    # An arch over both lips: the corners drop, the middle rises into a pout. Moving the
    # lips together keeps a closed mouth closed (no lip slides over the other).
    duv[:, 1] = drop * across**2 - LIP_POUT * s * (1.0 - across**2)
    duv[:, 0] = -CORNER_IN * s * across * np.abs(across)
    moving_from = [face_xy[_LIPS]]
    moving_to = [face_xy[_LIPS] + frame.offset(duv)]

    uv = frame.uv(face_xy[_BROWS])
    # 0 at the outer end of each brow, 1 at the inner end.
    inner = np.clip((0.95 - np.abs(uv[:, 0])) / 0.75, 0.0, 1.0)
    duv = np.zeros_like(uv)
    duv[:, 1] = -BROW_INNER_UP * inner**2 + BROW_OUTER_DOWN * (1.0 - inner) ** 2
    duv[:, 0] = -0.02 * inner * np.sign(uv[:, 0])
    duv *= s
    moving_from.append(face_xy[_BROWS])
    moving_to.append(face_xy[_BROWS] + frame.offset(duv))
    # The skin between a brow and its eye stretches evenly: points part of the way down
    # to the eye line move that much less. Left to MLS alone, the stretch bunches up
    # next to the brow and folds at high strength.
    lower_edge = slice(len(_BROWS) // 2, None)
    for part in (2 / 3, 1 / 3):
        ramp = uv[lower_edge] * (1.0, part)
        moving_from.append(frame.xy(ramp))
        moving_to.append(frame.xy(ramp + duv[lower_edge] * part))
    # The upper lids are left free: a raised brow over a pinned lid folds the skin.
    fixed = [
        face_xy[_FACE_OVAL],
        _outer_ring(face_xy, frame.eye),
        face_xy[_EYES_LOW],
        face_xy[_NOSE],
        face_xy[_FOREHEAD],
        face_xy[_MOUTH_FRAME],
    ]
    return moving_from, moving_to, fixed


def _cheeks(face_xy: np.ndarray, frame: _FaceFrame, amount: float) -> _Parts:
    """Cheeks and jaw moved towards the face's midline (``amount > 0``) or away."""
    uv = frame.uv(face_xy[_JAW_AND_CHEEKS])
    u, v = np.abs(uv[:, 0]), uv[:, 1]
    # A smooth function of the position alone, so neighbouring points move alike: most
    # at the cheeks and the jaw line, none at the temples, little at the chin, and
    # fading towards the midline.
    profile = (
        _smoothstep((v + 0.1) / 0.55)
        * (1.0 - 0.7 * _smoothstep((v - 1.1) / 0.6))
        * _smoothstep((u - 0.2) / 0.7)
    )
    duv = np.zeros_like(uv)
    duv[:, 0] = -amount * profile * np.sign(uv[:, 0])
    moving_from = [face_xy[_JAW_AND_CHEEKS]]
    moving_to = [face_xy[_JAW_AND_CHEEKS] + frame.offset(duv)]
    fixed = [
        face_xy[_OVAL_TOP],
        _outer_ring(face_xy, frame.eye),
        face_xy[_EYES_LOW],
        face_xy[_EYES_UPPER],
        face_xy[_NOSE],
        face_xy[[_MOUTH_RIGHT, _UPPER_LIP_TOP, _MOUTH_LEFT, _LOWER_LIP_BOTTOM]],
    ]
    return moving_from, moving_to, fixed


def _outer_ring(face_xy: np.ndarray, eye: float) -> np.ndarray:
    """Fixed points outside the face: every other oval point, ``RING_GAP`` further out."""
    oval = face_xy[_FACE_OVAL[::2]]
    rel = oval - oval.mean(axis=0)
    length = np.maximum(np.hypot(rel[:, 0], rel[:, 1]), 1e-3)[:, None]
    return oval + rel * (RING_GAP * eye / length)


def preset_controls(
    preset: str, face_xy: np.ndarray, strength: float
) -> tuple[np.ndarray, np.ndarray]:
    """Control points of a preset for one face.

    Args:
        preset: one of ``PRESETS``.
        face_xy: ndarray of shape (478, 3) (or (478, 2)), float32: landmark pixels
            (MediaPipe FaceMesh indices, the person's own sides) and depth. With depth,
            offsets turn with the head and scale with its turn-proof size; without, they
            lie in the picture plane, scaled by the eye sockets' distance. The picture
            may be mirrored; directions come from the landmarks.
        strength: 1.0 is the preset as designed, 0 changes nothing; up to
            ``MAX_STRENGTH`` it stays a face and never folds (callers validate).

    Returns:
        ``(from_xy, to_xy)``, ndarrays of shape (k, 2), float32: a bit of the face at
        ``from_xy`` in the untouched frame appears at ``to_xy`` in the output. Fixed
        anchors (``from_xy == to_xy``) around the region keep the change local.

    Raises:
        ValueError: ``preset`` is not one of ``PRESETS``.
    """
    frame = _FaceFrame.of(np.asarray(face_xy, np.float32))
    face_xy = np.asarray(face_xy, np.float32)[:, :2]
    s = float(strength)
    if preset == "big_eyes":
        parts = _big_eyes(face_xy, frame, s)
    elif preset == "crying":
        parts = _crying(face_xy, frame, s)
    elif preset == "slim":
        parts = _cheeks(face_xy, frame, CHEEK_SHIFT * s)
    elif preset == "chubby":
        parts = _cheeks(face_xy, frame, -CHEEK_SHIFT * s)
    else:
        raise ValueError(f"unknown warp preset {preset!r}; expected one of {PRESETS}")
    return _combine(*parts, min_gap=0.12 * frame.eye)


def _combine(
    moving_from: list[np.ndarray],
    moving_to: list[np.ndarray],
    fixed: list[np.ndarray],
    min_gap: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Moving and fixed points as one ``(from_xy, to_xy)`` pair.

    A fixed point right next to a moving one would pin it and fold the skin between
    them, so fixed points closer than ``min_gap`` pixels to any moving one are dropped.
    """
    src = np.concatenate(moving_from).astype(np.float32)
    dst = np.concatenate(moving_to).astype(np.float32)
    still = np.concatenate(fixed).astype(np.float32)
    moving = np.concatenate([src, dst])
    gap2 = ((still[:, None, :] - moving[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    still = still[gap2 >= min_gap**2]
    return np.concatenate([src, still]), np.concatenate([dst, still])


def warp_roi(
    face_xy: np.ndarray, frame_wh: tuple[int, int], pad: float = DEFAULT_PAD
) -> tuple[int, int, int, int]:
    """The box a face's warp can change.

    Args:
        face_xy: ndarray of shape (478, 3) (or (478, 2)), float32: landmark pixels and
            depth, as for :func:`preset_controls`.
        frame_wh: frame width and height in pixels.
        pad: margin around the landmarks, in eye distances. The presets' outermost fixed
            points lie ``RING_GAP`` outside the face oval, so keep it above that.

    Returns:
        ``x0, y0, x1, y1`` in pixels, clipped to the frame, with ``x1, y1`` exclusive:
        ``frame[y0:y1, x0:x1]`` is the region. Empty (``x1 <= x0`` or ``y1 <= y0``) when
        the face is outside the frame.
    """
    eye = _FaceFrame.of(np.asarray(face_xy, np.float32)).eye
    face_xy = np.asarray(face_xy, np.float32)[:, :2]
    lo = face_xy.min(axis=0) - pad * eye
    hi = face_xy.max(axis=0) + pad * eye
    w, h = frame_wh
    x0 = int(min(max(math.floor(lo[0]), 0), w))
    y0 = int(min(max(math.floor(lo[1]), 0), h))
    x1 = int(min(max(math.ceil(hi[0]) + 1, 0), w))
    y1 = int(min(max(math.ceil(hi[1]) + 1, 0), h))
    return x0, y0, x1, y1


def _taper(
    nodes: np.ndarray,
    first: float,
    last: float,
    inner: tuple[float, float],
    open_ends: tuple[bool, bool],
) -> np.ndarray:
    """1-D weight along a grid axis: 0 at the outer nodes, 1 over the controls.

    Args:
        nodes: ndarray of shape (n,), float32: node positions in pixels.
        first, last: positions of the outermost nodes.
        inner: span ``(lo, hi)`` of the control points along this axis.
        open_ends: whether each end lies on the frame edge, where nothing unwarped
            borders the region and the field needs no taper.
    """
    weight = np.ones_like(nodes)
    min_band = 2.0 * float(nodes[1] - nodes[0]) if len(nodes) > 1 else 1.0
    if not open_ends[0]:
        band = max(inner[0] - first, min_band)
        weight *= _smoothstep((nodes - first) / band)
    if not open_ends[1]:
        band = max(last - inner[1], min_band)
        weight *= _smoothstep((last - nodes) / band)
    return weight


def _mls_shift(
    xs: np.ndarray, ys: np.ndarray, to_xy: np.ndarray, delta_xy: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Similarity moving least squares on a grid of nodes, as a shift of each node.

    Each node ``v`` takes the similarity transform (rotation, uniform scale, shift) that
    best carries the control points ``to_xy`` near it onto ``to_xy + delta_xy``, with
    weights ``1 / (|v - to_xy|**2 + eps)**2``. In complex numbers, with ``p`` the control
    points, ``p*`` their weighted mean and ``^`` the offset from it::

        shift(v) = delta* + (v - p*) * sum(w conj(p^) delta) / sum(w |p^|**2)

    Args:
        xs: ndarray of shape (nx,), float32: node columns in pixels.
        ys: ndarray of shape (ny,), float32: node rows in pixels.
        to_xy: ndarray of shape (k, 2), float32: control points in the output.
        delta_xy: ndarray of shape (k, 2), float32: where each samples, relative to it.
        step: node spacing in pixels.

    Returns:
        ``(shift_x, shift_y)``, ndarrays of shape (ny, nx), float32, in pixels.
    """
    nx, ny = len(xs), len(ys)
    # Units of the controls' spread around their centre keep float32 sums well scaled.
    centre = to_xy.mean(axis=0)
    scale = max(float(np.abs(to_xy - centre).max()), 1.0)
    p = (to_xy - centre) / scale
    delta = delta_xy / scale
    gx = (xs - centre[0]) / scale
    gy = (ys - centre[1]) / scale

    # Weights of every control point for every node: (k, ny, nx), summed over k below.
    # The nodes form a grid, so squared distances split into an x and a y part and the
    # whole table costs one broadcast add. The sums below are taken around the origin,
    # so their differences lose float32 digits as a weight grows: eps (half a node
    # spacing, squared) caps the weights where that would show.
    eps = np.array((0.5 * step / scale) ** 2, np.float32)
    px, py, dx, dy = p[:, 0], p[:, 1], delta[:, 0], delta[:, 1]
    dist_x = (gx[None, :] - px[:, None]) ** 2
    dist_y = (gy[None, :] - py[:, None]) ** 2 + eps
    weight = np.add(dist_y[:, :, None], dist_x[:, None, :])
    np.divide(np.float32(1.0), weight, out=weight)
    # Squared, the weights fall off as 1 / d**4: each node follows its nearest controls,
    # so a bulge keeps its full magnification instead of averaging over its rings.
    np.multiply(weight, weight, out=weight)
    weight = weight.reshape(len(p), -1)

    # Weighted sums of 1, p, |p|^2, delta and conj(p) * delta, one row each. einsum
    # keeps this off BLAS; with k leading in both operands its loops are contiguous.
    features = np.stack(
        [np.ones_like(px), px, py, px * px + py * py, dx, dy, px * dx + py * dy, px * dy - py * dx],
        axis=1,
    )
    sums = np.einsum("kg,kf->fg", weight, features)
    s0 = sums[0]
    p_x, p_y = sums[1] / s0, sums[2] / s0
    # sum w |p^|^2 and sum w conj(p^) delta, expanded around the origin.
    a = np.maximum(sums[3] - s0 * (p_x * p_x + p_y * p_y), np.float32(1e-12))
    c_re = (sums[6] - (p_x * sums[4] + p_y * sums[5])) / a
    c_im = (sums[7] - (p_x * sums[5] - p_y * sums[4])) / a
    ex = np.repeat(gx[None, :], ny, axis=0).ravel() - p_x
    ey = np.repeat(gy[:, None], nx, axis=1).ravel() - p_y
    shift_x = (sums[4] / s0 + (ex * c_re - ey * c_im)) * scale
    shift_y = (sums[5] / s0 + (ex * c_im + ey * c_re)) * scale
    return shift_x.reshape(ny, nx), shift_y.reshape(ny, nx)


def _unfolding_factor(
    shift_x: np.ndarray, shift_y: np.ndarray, step_x: float, step_y: float
) -> float:
    """The largest factor in [0, 1] for a shift field that keeps the map one-to-one.

    The sampling map ``v -> v + k * shift(v)`` folds where its Jacobian determinant
    ``det(I + k * grad shift)`` drops to zero. Presets keep well clear of that on real
    faces; landmarks no face has (a mesh seen edge-on, a corrupt frame) get a weaker
    warp instead of torn skin. Between nodes the map is bilinear, so its determinant is
    affine in each cell and lowest at a corner: checking every cell's four corners, with
    that cell's own edge differences, checks every pixel.

    Args:
        shift_x, shift_y: ndarrays of shape (ny, nx), float32: the field on the nodes.
        step_x, step_y: node spacing in pixels.
    """
    corners = []
    for rows, cols in (
        (slice(None, -1), slice(None, -1)),
        (slice(None, -1), slice(1, None)),
        (slice(1, None), slice(None, -1)),
        (slice(1, None), slice(1, None)),
    ):
        # x differences along the cell's top or bottom edge, y along its left or right.
        corners.append(
            (
                np.diff(shift_x, axis=1)[rows, :] / step_x,
                np.diff(shift_x, axis=0)[:, cols] / step_y,
                np.diff(shift_y, axis=1)[rows, :] / step_x,
                np.diff(shift_y, axis=0)[:, cols] / step_y,
            )
        )
    a, b, c, d = (np.stack(part) for part in zip(*corners))

    def lowest_det(k: float) -> float:
        return float(((1.0 + k * a) * (1.0 + k * d) - (k * k) * b * c).min())

    if lowest_det(1.0) >= FOLD_MARGIN:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(12):
        mid = (low + high) / 2
        low, high = (mid, high) if lowest_det(mid) >= FOLD_MARGIN else (low, mid)
    return low


def warp_maps(
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    roi_xyxy: tuple[int, int, int, int],
    frame_wh: tuple[int, int],
    grid_step: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel sampling maps of a warp over one region, for ``cv2.remap``.

    Similarity moving least squares with weights ``1 / (d**2 + eps)**2``: each output
    point takes the similarity transform (rotation, uniform scale, shift) that best
    carries the nearby ``to_xy`` onto their ``from_xy``. Evaluated on nodes about
    ``grid_step`` pixels apart, tapered to zero at the region's border (except on sides
    that lie on the frame edge), and bilinearly upsampled.

    Args:
        from_xy, to_xy: ndarrays of shape (k, 2), float32, as :func:`preset_controls`
            returns them.
        roi_xyxy: the region, as :func:`warp_roi` returns it; must not be empty.
        frame_wh: frame width and height in pixels.
        grid_step: the widest node spacing in pixels; a region narrower than
            ``MIN_NODES * grid_step`` gets finer nodes.

    Returns:
        ``(map_x, map_y)``, ndarrays of shape (y1 - y0, x1 - x0), float32: the frame
        pixel each output pixel of the region samples.
    """
    x0, y0, x1, y1 = roi_xyxy
    w, h = x1 - x0, y1 - y0
    # A small face gets finer nodes, so the field keeps its shape in eye distances.
    step = min(float(grid_step), max(w, h) / MIN_NODES)
    nx, ny = max(2, math.ceil(w / step)), max(2, math.ceil(h / step))
    # cv2.resize puts node j at pixel (j + 0.5) * size / n - 0.5: the field is evaluated
    # exactly there, so upsampling does not shift it.
    xs = (x0 + (np.arange(nx, dtype=np.float32) + 0.5) * (w / nx) - 0.5).astype(np.float32)
    ys = (y0 + (np.arange(ny, dtype=np.float32) + 0.5) * (h / ny) - 0.5).astype(np.float32)

    src = np.asarray(from_xy, np.float32)
    dst = np.asarray(to_xy, np.float32)
    shift_x, shift_y = _mls_shift(xs, ys, dst, src - dst, step)

    frame_w, frame_h = frame_wh
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    lo, hi = np.minimum(lo, src.min(axis=0)), np.maximum(hi, src.max(axis=0))
    tx = _taper(
        xs, float(xs[0]), float(xs[-1]), (float(lo[0]), float(hi[0])), (x0 <= 0, x1 >= frame_w)
    )
    ty = _taper(
        ys, float(ys[0]), float(ys[-1]), (float(lo[1]), float(hi[1])), (y0 <= 0, y1 >= frame_h)
    )
    fade = ty[:, None] * tx[None, :]
    shift_x *= fade
    shift_y *= fade
    keep = _unfolding_factor(shift_x, shift_y, w / nx, h / ny)
    if keep < 1.0:
        shift_x *= keep
        shift_y *= keep

    map_x = cv2.resize(shift_x, (w, h), interpolation=cv2.INTER_LINEAR)
    map_y = cv2.resize(shift_y, (w, h), interpolation=cv2.INTER_LINEAR)
    map_x += np.arange(x0, x1, dtype=np.float32)[None, :]
    map_y += np.arange(y0, y1, dtype=np.float32)[:, None]
    return map_x, map_y


def apply_warp(
    src: np.ndarray,
    dst: np.ndarray,
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    roi_xyxy: tuple[int, int, int, int],
    grid_step: int = 8,
) -> None:
    """Warp one region of the untouched frame into the same region of ``dst``, in place.

    Outside the region nothing changes, and at its border the displacement is zero, so
    there is no seam. With several faces, warp each from the same untouched ``src``;
    where two regions overlap, the later face wins.

    Args:
        src: ndarray of shape (H, W, 3), uint8, BGR: the untouched frame.
        dst: ndarray of shape (H, W, 3), uint8, BGR: written inside ``roi_xyxy`` only.
            May be ``src`` itself.
        from_xy, to_xy: ndarrays of shape (k, 2), float32, as :func:`preset_controls`
            returns them.
        roi_xyxy: the region, as :func:`warp_roi` returns it; nothing happens if empty.
        grid_step: the widest spacing in pixels of the nodes the field is evaluated on
            (see :func:`warp_maps`).
    """
    x0, y0, x1, y1 = roi_xyxy
    if x1 <= x0 or y1 <= y0 or len(from_xy) == 0:
        return
    if np.array_equal(from_xy, to_xy):
        if dst is not src:
            dst[y0:y1, x0:x1] = src[y0:y1, x0:x1]
        return
    frame_wh = (src.shape[1], src.shape[0])
    map_x, map_y = warp_maps(from_xy, to_xy, roi_xyxy, frame_wh, grid_step)
    dst[y0:y1, x0:x1] = cv2.remap(
        src, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
