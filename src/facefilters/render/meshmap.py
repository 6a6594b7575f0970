"""Piecewise-affine mapping of a triangle mesh, as the maps of one ``cv2.remap``.

Every triangle of the mesh is an affine map from where it sits in the frame to where it
sits in a source picture (a texture in UV space, or another face). :func:`mesh_maps`
rasterises which triangle covers each pixel of a box, then applies that triangle's affine
map to the pixel's coordinates, all in numpy; one ``cv2.remap`` with those maps then
draws the whole mesh. Neighbouring triangles share their vertices, so the maps are
continuous across triangle edges and need no blending between triangles.

Coordinates are pixel ``xy`` with integers at pixel centres, as ``cv2.remap`` samples.
"""

from __future__ import annotations

from collections import deque
from itertools import repeat

import cv2
import numpy as np

from ..topology import CanonicalFace as CanonicalFace
from ..topology import canonical_face as canonical_face

N_MESH = 468
"""Landmarks that belong to the triangle mesh; the 10 iris points after them do not."""

OUTSIDE = -16.0
"""Map value for pixels no triangle covers: far enough outside any source that bilinear
sampling reads only the constant border."""

_SHIFT = 4  # fraction bits of the fixed-point vertices given to cv2.fillConvexPoly


def covering_box(
    xy: np.ndarray, size_wh: tuple[int, int], pad: int = 2
) -> tuple[int, int, int, int] | None:
    """Integer box ``x0, y0, x1, y1`` (end exclusive) around points, clipped to the frame.

    Args:
        xy: ndarray of shape (V, 2): pixel ``xy``.
        size_wh: the frame's width and height.
        pad: pixels added on every side.

    Returns:
        The box, or None when it is empty (all points outside the frame).
    """
    w, h = size_wh
    lo = np.floor(xy.min(axis=0)) - pad
    hi = np.ceil(xy.max(axis=0)) + pad + 1
    x0, y0 = max(int(lo[0]), 0), max(int(lo[1]), 0)
    x1, y1 = min(int(hi[0]), w), min(int(hi[1]), h)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def affine_coefficients(
    dst_xy: np.ndarray, src_xy: np.ndarray, triangles: np.ndarray
) -> np.ndarray:
    """Per triangle, the affine map from destination to source pixels, in closed form.

    Args:
        dst_xy: ndarray of shape (V, 2), float: vertices in the destination.
        src_xy: ndarray of shape (V, 2), float: the same vertices in the source.
        triangles: ndarray of shape (T, 3), int: vertex indices.

    Returns:
        ndarray of shape (T, 6), float32: ``a, b, c, d, e, f`` with
        ``src_x = a x + b y + c`` and ``src_y = d x + e y + f``. A triangle of (nearly)
        zero area maps every point to its source centroid, so its pixels stay finite.
    """
    # float64 here: 898 rows cost nothing, and the subtraction of nearly equal vertices
    # is where float32 would lose the digits.
    p = np.asarray(dst_xy, np.float64)[triangles]
    q = np.asarray(src_xy, np.float64)[triangles]
    p1, p2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    q1, q2 = q[:, 1] - q[:, 0], q[:, 2] - q[:, 0]
    det = p1[:, 0] * p2[:, 1] - p2[:, 0] * p1[:, 1]
    ok = np.abs(det) > 1e-6
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    # M = [q1 q2] @ inverse([p1 p2]), the 2x2 inverse written out by hand.
    i00, i01 = p2[:, 1] * inv, -p2[:, 0] * inv
    i10, i11 = -p1[:, 1] * inv, p1[:, 0] * inv
    a = q1[:, 0] * i00 + q2[:, 0] * i10
    b = q1[:, 0] * i01 + q2[:, 0] * i11
    d = q1[:, 1] * i00 + q2[:, 1] * i10
    e = q1[:, 1] * i01 + q2[:, 1] * i11
    c = q[:, 0, 0] - a * p[:, 0, 0] - b * p[:, 0, 1]
    f = q[:, 0, 1] - d * p[:, 0, 0] - e * p[:, 0, 1]
    centroid = q.mean(axis=1)
    c = np.where(ok, c, centroid[:, 0])
    f = np.where(ok, f, centroid[:, 1])
    return np.stack([a, b, c, d, e, f], axis=1).astype(np.float32)


FOLD_SHARE = 0.003
"""Share of the mesh's area facing the other way above which it counts as folded. A
frontal face has a few tiny flipped triangles at the lips and the outline (0.02 to
0.2 % of its area); a head turned 20 degrees has some 1.5 %."""


def folds(corners: np.ndarray) -> bool:
    """Whether a projected mesh folds over itself: part of it faces the other way.

    A mesh that is one sheet (the face) can only overlap itself in the picture where
    part of it turns away, which flips those triangles' winding; without that, no
    triangle hides another and the fill order does not matter.

    Args:
        corners: ndarray of shape (T, 3, 2): each triangle's corners, pixels (any scale).
    """
    a, b, c = (corners[:, k].astype(np.float64) for k in range(3))
    u, v = b - a, c - a
    signed: np.ndarray = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    total = float(np.abs(signed).sum())
    # The minority winding, whichever way the picture is mirrored.
    flipped = min(float(signed[signed > 0].sum()), float(-signed[signed < 0].sum()))
    return total > 0 and flipped > FOLD_SHARE * total


def triangle_index_map(
    dst_xy: np.ndarray,
    triangles: np.ndarray,
    roi_xyxy: tuple[int, int, int, int],
    depth: np.ndarray | None = None,
    only: np.ndarray | None = None,
) -> np.ndarray:
    """Which triangle covers each pixel of a box.

    Args:
        dst_xy: ndarray of shape (V, 2), float: vertex pixels in the frame.
        triangles: ndarray of shape (T, 3), int, T < 65535.
        roi_xyxy: the box ``x0, y0, x1, y1`` (end exclusive), integers.
        depth: ndarray of shape (V,), float, smaller is nearer; where triangles overlap the
            nearest one (by mean vertex depth) wins. None: later triangles win.
        only: ndarray of shape (T,), bool, or None for all: the triangles wanted. Where
            the mesh folds over itself (a turned head), every triangle is filled, so the
            others still hide what lies behind them; where it does not, only these are.

    Returns:
        ndarray of shape (y1 - y0, x1 - x0), uint16: triangle index + 1, 0 where none.
    """
    x0, y0, x1, y1 = roi_xyxy
    index = np.zeros((y1 - y0, x1 - x0), np.uint16)
    local = (np.asarray(dst_xy, np.float32) - np.array((x0, y0), np.float32)) * (1 << _SHIFT)
    corners = np.round(local).astype(np.int32)[triangles]
    # Triangles wholly outside the box cost a call each and fill nothing.
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    box_hi = np.array(((x1 - x0) << _SHIFT, (y1 - y0) << _SHIFT), np.int32)
    wanted = ((hi >= 0) & (lo < box_hi)).all(axis=1)
    if only is not None and not folds(corners):
        wanted &= only
    inside = np.flatnonzero(wanted)
    order = inside
    if depth is not None:
        # Painter's order: far triangles first, so nearer ones overwrite them.
        far = -np.asarray(depth, np.float32)[triangles[inside]].sum(axis=1)
        order = inside[np.argsort(far, kind="stable")]
    # One call per triangle: fillPoly with many polygons takes one colour, and each
    # triangle needs its own. A call costs about a microsecond; 898 fit the budget.
    # map() drives the calls from C: a Python for loop would add half as much again.
    n = len(order)
    deque(
        map(
            cv2.fillConvexPoly,
            repeat(index, n),
            list(corners[order]),
            (order + 1).tolist(),
            repeat(cv2.LINE_8, n),
            repeat(_SHIFT, n),
        ),
        maxlen=0,
    )
    return index


def mesh_maps(
    dst_xy: np.ndarray,
    src_xy: np.ndarray,
    triangles: np.ndarray,
    roi_xyxy: tuple[int, int, int, int],
    depth: np.ndarray | None = None,
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every pixel of a box in the destination, where to sample the source.

    Args:
        dst_xy: ndarray of shape (V, 2), float32: vertex pixels in the frame.
        src_xy: ndarray of shape (V, 2), float32: the same vertices in the source
            picture's pixels.
        triangles: ndarray of shape (T, 3), int: vertex indices.
        roi_xyxy: the box ``x0, y0, x1, y1`` (end exclusive) in frame pixels, integers;
            it may reach outside the frame.
        depth: ndarray of shape (V,), float32, smaller is nearer the camera (landmark
            ``z``). Where a turned head makes triangles overlap, the nearer one wins.
        only: ndarray of shape (T,), bool, or None for all: the triangles to map. The
            others still hide what they cover (and count in ``coverage``), but map to
            ``OUTSIDE``.

    Returns:
        ``map_x, map_y``: ndarrays of shape (h, w), float32, the source ``xy`` for each
        pixel of the box, for ``cv2.remap``; ``OUTSIDE`` where no triangle covers it.
        ``coverage``: ndarray of shape (h, w), uint8: 255 where a triangle covers, else 0.
    """
    x0, y0, x1, y1 = (int(v) for v in roi_xyxy)
    h, w = y1 - y0, x1 - x0
    if h <= 0 or w <= 0:
        empty = np.zeros((max(h, 0), max(w, 0)), np.float32)
        return empty, empty.copy(), empty.astype(np.uint8)
    local = np.asarray(dst_xy, np.float32) - np.array((x0, y0), np.float32)
    index = triangle_index_map(local, triangles, (0, 0, w, h), depth, only)
    coef = np.empty((len(triangles) + 1, 6), np.float32)
    # Row 0 is "no triangle": a constant map to OUTSIDE.
    coef[0] = (0.0, 0.0, OUTSIDE, 0.0, 0.0, OUTSIDE)
    coef[1:] = affine_coefficients(local, src_xy, triangles)
    if only is not None:
        coef[1:][~only] = coef[0]
    # The gather that replaces a loop over triangles: each pixel's six coefficients.
    per_pixel = np.take(coef, index.ravel().astype(np.intp), axis=0).reshape(h, w, 6)
    xs = np.arange(w, dtype=np.float32)
    ys = np.arange(h, dtype=np.float32)[:, None]
    map_x = per_pixel[..., 0] * xs
    map_x += per_pixel[..., 1] * ys
    map_x += per_pixel[..., 2]
    map_y = per_pixel[..., 3] * xs
    map_y += per_pixel[..., 4] * ys
    map_y += per_pixel[..., 5]
    coverage = cv2.compare(index, 0, cv2.CMP_GT)
    return map_x, map_y, coverage
