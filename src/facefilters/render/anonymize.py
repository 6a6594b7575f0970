"""Hiding a face beyond recognition (pixelated or blurred), so a video can be published.

The hidden area is the landmark hull grown by a margin: the mesh stops at mid-forehead
and at the cheeks, so it is grown all round and more upwards, over the forehead and
into the hair, down past the chin and out over the ears. Its edge is feathered inwards,
so nothing outside the grown hull changes.

Both modes scale with the face (its eye distance), so a near and a far face are hidden
alike: the pixel blocks are about a quarter of an eye distance (some eight blocks across
the face) and the blur a similar radius, at ``strength`` 1. That is well past what a face
detector needs to fail; the end-to-end tests measure the margin.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..geometry import face_size
from .draw import blend_layer

MODES = ("pixelate", "blur")

BLUR_SIGMA = 0.5
"""Blur sigma at strength 1, in eye distances (both modes blur)."""
BLOCK = 0.25
"""Pixel block size at strength 1, in eye distances: some eight blocks across a face."""

N_MESH = 468
RIGHT_IRIS, LEFT_IRIS = 468, 473
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
_IRIS_PER_CORNER = 0.7  # iris distance over outer-corner distance, for 468-point faces


def eye_distance(face_xy: np.ndarray) -> float:
    """Pixels between the iris centres (estimated from the eye corners without irises).

    Args:
        face_xy: ndarray of shape (478, 2+) or (468, 2+): landmarks in pixels.
    """
    if len(face_xy) > LEFT_IRIS:
        d = face_xy[LEFT_IRIS, :2] - face_xy[RIGHT_IRIS, :2]
        scale = 1.0
    else:
        d = face_xy[LEFT_EYE_OUTER, :2] - face_xy[RIGHT_EYE_OUTER, :2]
        scale = _IRIS_PER_CORNER
    return float(np.hypot(d[0], d[1])) * scale


def _size(face_xy: np.ndarray) -> float:
    # With depth, the turn-proof size, so a turned face is hidden as coarsely as a frontal
    # one; from 2-D landmarks, the eye distance as seen.
    return face_size(face_xy) if face_xy.shape[-1] >= 3 else eye_distance(face_xy)


def cover_polygon(face_xy: np.ndarray, margin: float = 0.3, forehead: float = 0.6) -> np.ndarray:
    """The area to hide: the landmark hull, grown.

    Args:
        face_xy: ndarray of shape (478, 2+) or (468, 2+): landmarks in pixels.
        margin: growth all round, in eye distances.
        forehead: extra growth upwards (along the face's own up), in eye distances, for
            the forehead above the mesh and the hairline.

    Returns:
        ndarray of shape (N, 2), float32: a convex polygon, pixel ``xy``.
    """
    xy = np.ascontiguousarray(np.asarray(face_xy, np.float32)[:N_MESH, :2])
    eye = _size(face_xy)
    hull = cv2.convexHull(xy)[:, 0].astype(np.float64)
    centre = hull.mean(axis=0)
    across = xy[LEFT_EYE_OUTER].astype(np.float64) - xy[RIGHT_EYE_OUTER]
    across /= max(float(np.hypot(*across)), 1e-6)
    # The face's down, perpendicular to the eye line; its sign does not depend on a
    # mirrored picture, since it points from the eyes towards the mouth.
    down = np.array([-across[1], across[0]])
    if np.dot(xy[152] - xy[10], down) < 0:
        down = -down
    out = hull - centre
    out /= np.maximum(np.hypot(out[:, 0], out[:, 1]), 1e-6)[:, None]
    rise = -((hull - centre) @ down)  # how far up the face each hull point is
    upper = np.clip(rise / max(float(rise.max()), 1e-6), 0, 1)
    grown = hull + out * margin * eye - down * (forehead * eye * upper)[:, None]
    return cv2.convexHull(grown.astype(np.float32))[:, 0]


def _fill(polygon: np.ndarray, size_wh: tuple[int, int], line_type: int) -> np.ndarray:
    """A uint8 mask of shape (h, w), 255 inside the polygon (pixel ``xy``), else 0."""
    mask = np.zeros(size_wh[::-1], np.uint8)
    shift = 4
    pts = np.round(polygon * (1 << shift)).astype(np.int32)
    cv2.fillPoly(mask, [pts], 255, line_type, shift)
    return mask


def _pixelate(patch: np.ndarray, block: int, offset_xy: tuple[int, int]) -> np.ndarray:
    """Blocks on the frame's own grid, so still parts of a video do not shimmer."""
    h, w = patch.shape[:2]
    ox, oy = offset_xy
    # Extend the patch to whole blocks of the global grid, by edge replication.
    left, top = ox % block, oy % block
    right = (-(left + w)) % block
    bottom = (-(top + h)) % block
    padded = cv2.copyMakeBorder(patch, top, bottom, left, right, cv2.BORDER_REPLICATE)
    ph, pw = padded.shape[:2]
    small = cv2.resize(padded, (pw // block, ph // block), interpolation=cv2.INTER_AREA)
    big = cv2.resize(small, (pw, ph), interpolation=cv2.INTER_NEAREST)
    return big[top : top + h, left : left + w]


def _blur(patch: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` pixels, done small: shrink, blur, grow back."""
    h, w = patch.shape[:2]
    # Shrinking by sigma / 2 leaves a blur of 2 small pixels, cheap at any face size.
    factor = max(1.0, sigma / 2.0)
    sw, sh = max(1, round(w / factor)), max(1, round(h / factor))
    small = cv2.resize(patch, (sw, sh), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def anonymize_face(
    frame: np.ndarray,
    face_xy: np.ndarray,
    mode: str = "pixelate",
    strength: float = 1.0,
    margin: float = 0.3,
    feather: float = 0.15,
) -> np.ndarray:
    """Hide one face, in place: pixelate or blur it inside its grown hull.

    Faces partly (or wholly) outside the frame are handled; only what is inside changes.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        face_xy: ndarray of shape (478, 2+) or (468, 2+): landmarks in pixels; with a
            ``z`` column, blocks and margins follow the turn-proof face size
            (``geometry.face_size``) rather than the eye distance as seen.
        mode: ``"pixelate"`` or ``"blur"``.
        strength: 1 for blocks of a quarter eye distance (pixelate) or a blur of that
            sigma (blur); larger hides more.
        margin: how far the hidden area reaches beyond the landmarks, in eye distances
            (see :func:`cover_polygon`).
        feather: width of the soft inner edge, in eye distances.

    Returns:
        The same ``frame``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if strength <= 0:
        return frame
    eye = _size(face_xy)
    if not np.isfinite(eye) or eye < 1:
        return frame
    polygon = cover_polygon(face_xy, margin)
    sigma = feather * eye / 2
    # The mask is drawn over the whole polygon plus the blur's reach, even where that is
    # outside the frame: blurring a mask cut at the frame's edge would fade the face
    # out there and leave it visible. The blur runs k times smaller (a smooth outline
    # loses nothing), on a box of whole k-pixel cells.
    k = max(1, int(sigma / 2))
    pad = int(np.ceil(3 * sigma)) + 1
    bx0, by0 = (np.floor(polygon.min(axis=0)).astype(int) - pad).tolist()
    bx1, by1 = (np.ceil(polygon.max(axis=0)).astype(int) + pad + 1).tolist()
    bx1, by1 = bx0 + -(-(bx1 - bx0) // k) * k, by0 + -(-(by1 - by0) // k) * k
    h, w = frame.shape[:2]
    # Only the polygon's own box changes; the pad is there for the blur.
    x0, y0 = max(bx0 + pad, 0), max(by0 + pad, 0)
    x1, y1 = min(bx1 - pad, w), min(by1 - pad, h)
    if x1 <= x0 or y1 <= y0:
        return frame
    local: np.ndarray = polygon - np.array((bx0, by0), np.float32)
    mask = _fill(local, (bx1 - bx0, by1 - by0), cv2.LINE_8)
    if sigma >= 0.5:
        # Pixel centres: x in the box is (x + 0.5) / k - 0.5 in the small one.
        small = _fill((local + 0.5) / k - 0.5, ((bx1 - bx0) // k, (by1 - by0) // k), cv2.LINE_AA)
        soft = cv2.GaussianBlur(small, (0, 0), sigma / k, borderType=cv2.BORDER_CONSTANT)
        if k > 1:
            soft = cv2.resize(soft, mask.shape[::-1], interpolation=cv2.INTER_LINEAR)
        # The inner half of the blurred edge: 0 on the polygon's outline, so the feather
        # never reaches outside it.
        mask = cv2.min(cv2.addWeighted(soft, 2.0, soft, 0.0, -255.0), mask)
    mask = mask[y0 - by0 : y1 - by0, x0 - bx0 : x1 - bx0]
    region = frame[y0:y1, x0:x1]
    # Blurring first takes away what a face detector keys on (dark eyes and brows over
    # lighter cheeks), which blocks alone keep: a face detector still finds a face in
    # a mosaic eight blocks across. The blocks then show that the face was hidden.
    hidden = _blur(region, max(eye * strength * BLUR_SIGMA, 1.0))
    if mode == "pixelate":
        hidden = _pixelate(hidden, max(2, round(eye * strength * BLOCK)), (x0, y0))
    blend_layer(region, hidden, mask, 1.0)
    return frame
