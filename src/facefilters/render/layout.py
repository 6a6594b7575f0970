"""Where to put a panel or a label so that it stays inside its area and off the faces."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["is_free", "place_box"]

_STEP_PX = 8  # candidate positions are this far apart


def place_box(
    size_wh: tuple[int, int],
    area_xyxy: tuple[int, int, int, int],
    avoid_xyxy: np.ndarray | Sequence[Sequence[float]],
    near_xy: tuple[float, float],
) -> tuple[int, int]:
    """The top-left corner for a box of ``size_wh`` inside ``area_xyxy``.

    Of the positions inside the area, the ones that cover least of the boxes to avoid
    (faces, panels already placed) win; among those, the one whose centre is nearest
    ``near_xy``. A box larger than the area is put at the area's top-left corner.

    Args:
        size_wh: the box's width and height in pixels.
        area_xyxy: where the box must stay (``x1, y1, x2, y2``, exclusive ends).
        avoid_xyxy: ndarray of shape (n, 4): boxes ``x1, y1, x2, y2`` to keep off.
        near_xy: where the box's centre would best be (beside what it labels).

    Returns:
        The box's top-left ``(x, y)``.
    """
    w, h = size_wh
    ax1, ay1, ax2, ay2 = area_xyxy
    if w > ax2 - ax1 or h > ay2 - ay1:
        return ax1, ay1
    xs = np.append(np.arange(ax1, ax2 - w, _STEP_PX), ax2 - w)
    ys = np.append(np.arange(ay1, ay2 - h, _STEP_PX), ay2 - h)
    x, y = (v.astype(np.float32) for v in np.meshgrid(xs, ys))
    covered = np.zeros_like(x)
    for bx1, by1, bx2, by2 in np.asarray(avoid_xyxy, np.float32).reshape(-1, 4):
        ox = np.clip(np.minimum(x + w, bx2) - np.maximum(x, bx1), 0, None)
        oy = np.clip(np.minimum(y + h, by2) - np.maximum(y, by1), 0, None)
        covered += ox * oy
    distance = np.hypot(x + w / 2 - near_xy[0], y + h / 2 - near_xy[1])
    # Covering matters first: a pixel of face weighs more than any distance.
    score = covered * 1e4 + distance
    k = int(np.argmin(score))
    return int(x.flat[k]), int(y.flat[k])


def is_free(xyxy: Sequence[float], avoid_xyxy: np.ndarray | Sequence[Sequence[float]]) -> bool:
    """Whether the box ``xyxy`` overlaps none of the boxes to avoid (ndarray (n, 4))."""
    x1, y1, x2, y2 = xyxy
    for bx1, by1, bx2, by2 in np.asarray(avoid_xyxy, np.float32).reshape(-1, 4):
        if min(x2, bx2) > max(x1, bx1) and min(y2, by2) > max(y1, by1):
            return False
    return True
