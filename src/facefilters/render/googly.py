"""Googly eyes: a glossy white plastic dome with a loose black pupil inside.

Only the picture is drawn here; where the pupil sits (rolling with gravity and head
motion) is the caller's business. Everything is drawn with OpenCV's anti-aliased circles
and ellipses at sub-pixel precision, inside the eye's own box, so one eye costs a few
small drawing calls whatever the frame size.
"""

from __future__ import annotations

import cv2
import numpy as np

from .draw import AA

PUPIL_RATIO = 0.45
"""Pupil radius as a share of the dome's radius."""

_SHIFT = 4  # fractional bits of the fixed-point coordinates given to OpenCV
_ONE = 1 << _SHIFT

_OUTLINE_BGR = (38, 38, 42)
_PUPIL_BGR = (14, 14, 16)
# The dome's white, from the greyer rim inward; each disc is a little smaller and sits a
# little towards the light, so the rim on the far side stays greyest: a rounded dome.
_DOME_STEPS = (
    (1.0, 192),
    (0.96, 202),
    (0.91, 211),
    (0.85, 220),
    (0.78, 228),
    (0.7, 235),
    (0.61, 241),
    (0.51, 246),
    (0.4, 250),
)


def clamp_pupil(pupil_offset_xy, radius: float) -> np.ndarray:
    """The pupil offset pulled back so the whole pupil stays inside the dome.

    Args:
        pupil_offset_xy: the wanted offset from the dome's centre, pixels ``(x, y)``.
        radius: the dome's radius in pixels.

    Returns:
        ndarray of shape (2,), float64: the offset, at most ``radius * (1 - PUPIL_RATIO)``
        minus the outline long, in the same direction.
    """
    offset = np.asarray(pupil_offset_xy, np.float64).reshape(2)
    if not np.all(np.isfinite(offset)):
        return np.zeros(2)
    reach = max(_inner_radius(radius) - PUPIL_RATIO * radius, 0.0)
    length = float(np.hypot(*offset))
    return offset * (reach / length) if length > reach else offset


def _outline_width(radius: float) -> float:
    return max(1.0, 0.07 * radius)


def _inner_radius(radius: float) -> float:
    return radius - _outline_width(radius)


def draw_googly_eye(
    frame: np.ndarray,
    center_xy,
    radius: float,
    pupil_offset_xy,
    *,
    axis_x=(1.0, 0.0),
    opacity: float = 1.0,
) -> None:
    """Draw one googly eye on a frame, in place.

    Parts outside the frame are clipped; an eye wholly outside draws nothing.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        center_xy: the dome's centre, pixels ``(x, y)``.
        radius: the dome's radius in pixels.
        pupil_offset_xy: where the pupil's centre is, pixels ``(x, y)`` from the dome's
            centre; clamped so the pupil stays inside (see :func:`clamp_pupil`).
        axis_x: the face's +x direction in the picture (a unit vector; any length is
            accepted). The moulded shading and the highlight turn with it, as sprites
            do, so the eye looks the same on a tilted head.
        opacity: 0..1; 0 draws nothing.
    """
    center = np.asarray(center_xy, np.float64).reshape(2)
    radius = float(radius)
    if opacity <= 0 or not radius > 0 or not np.all(np.isfinite(center)):
        return
    h, w = frame.shape[:2]
    pad = 0.12 * radius + 2  # the shadow peeks out below the dome
    x0, y0 = np.floor(center - radius - pad).astype(int)
    x1, y1 = np.ceil(center + radius + pad).astype(int) + 1
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)
    if x1 <= x0 or y1 <= y0:
        return
    region = frame[y0:y1, x0:x1]
    patch = region.copy()
    c = center - (x0, y0)

    ax = np.asarray(axis_x, np.float64).reshape(2)
    norm = float(np.hypot(*ax))
    ax = ax / norm if norm > 1e-9 and np.isfinite(norm) else np.array([1.0, 0.0])
    ay = np.array([-ax[1], ax[0]])
    towards_light = -0.55 * ax - 0.85 * ay  # upper left, in the face's frame

    def disc(img: np.ndarray, xy: np.ndarray, r: float, color) -> None:
        fixed = tuple(int(round(v * _ONE)) for v in xy)
        cv2.circle(img, fixed, max(int(round(r * _ONE)), 1), color, -1, AA, _SHIFT)

    def blend(layer: np.ndarray, alpha: float) -> None:
        cv2.addWeighted(layer, alpha, patch, 1.0 - alpha, 0.0, dst=patch)

    # A soft contact shadow where the dome sits on the skin, away from the light.
    shade = patch.copy()
    disc(shade, c - towards_light * 0.08 * radius, radius * 1.02, (0, 0, 0))
    blend(shade, 0.3)

    disc(patch, c, radius, _OUTLINE_BGR)
    inner = _inner_radius(radius)
    for scale, grey in _DOME_STEPS:
        r = inner * scale
        disc(patch, c + towards_light * (inner - r) * 0.55, r, (grey, grey, grey + 2))

    pupil = c + clamp_pupil(pupil_offset_xy, radius)
    disc(patch, pupil, PUPIL_RATIO * radius, _PUPIL_BGR)

    # The clear plastic over everything: a broad soft sheen and a crisp glint.
    gloss = patch.copy()
    angle = float(np.degrees(np.arctan2(ax[1], ax[0])))
    spot = c + towards_light * 0.48 * radius
    axes = (int(round(0.3 * radius * _ONE)), max(int(round(0.16 * radius * _ONE)), 1))
    cv2.ellipse(
        gloss,
        tuple(int(round(v * _ONE)) for v in spot),
        axes,
        angle - 40,
        0,
        360,
        (255, 255, 255),
        -1,
        AA,
        _SHIFT,
    )
    blend(gloss, 0.55)
    disc(patch, c + towards_light * 0.5 * radius, max(0.09 * radius, 0.6), (255, 255, 255))
    disc(patch, c - towards_light * 0.42 * radius, max(0.05 * radius, 0.5), (236, 236, 236))

    if opacity >= 1:
        region[...] = patch
    else:
        cv2.addWeighted(patch, float(opacity), region, 1.0 - float(opacity), 0.0, dst=region)
