"""Small drawing helpers shared by the renderers: alpha-blended shapes and labels."""

from __future__ import annotations

import cv2
import numpy as np

AA = cv2.LINE_AA


def clip_box(xyxy: np.ndarray, size_wh: tuple[int, int], pad: int = 0) -> tuple[int, int, int, int]:
    """Integer box ``x0, y0, x1, y1`` around ``xyxy`` grown by ``pad``, clipped to the frame."""
    w, h = size_wh
    x0, y0 = np.floor(np.asarray(xyxy[:2]) - pad).astype(int)
    x1, y1 = np.ceil(np.asarray(xyxy[2:]) + pad).astype(int)
    return max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)


def blend_layer(region: np.ndarray, layer: np.ndarray, mask: np.ndarray, opacity: float) -> None:
    """Blend ``layer`` over ``region`` where ``mask`` is set, in place.

    Args:
        region: ndarray of shape (h, w, 3), uint8, BGR; a view into the frame.
        layer: ndarray of shape (h, w, 3), uint8, BGR: what was drawn.
        mask: ndarray of shape (h, w), uint8: 255 where drawn (anti-aliased edges between).
        opacity: 0..1.
    """
    if opacity < 1:
        mask = cv2.convertScaleAbs(mask, alpha=opacity)
    alpha = cv2.cvtColor(mask, cv2.COLOR_GRAY2BGR)
    # OpenCV's rounded, saturating integer arithmetic: no float temporaries.
    under = cv2.multiply(region, 255 - alpha, scale=1.0 / 255.0)
    over = cv2.multiply(np.ascontiguousarray(layer), alpha, scale=1.0 / 255.0)
    region[...] = cv2.add(under, over)


def label(
    frame: np.ndarray,
    text: str,
    org_xy: tuple[int, int],
    *,
    scale: float = 0.5,
    color: tuple[int, int, int] = (255, 255, 255),
    background: tuple[int, int, int] = (40, 40, 40),
    align: str = "left",
) -> None:
    """Draw ASCII text on a filled tag, kept inside the frame.

    ``org_xy`` is the tag's left-middle point, or its right-middle with ``align="right"``.
    """
    thickness = max(1, round(scale * 2))
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(2, round(4 * scale))
    x, y = int(org_xy[0]), int(org_xy[1] - th / 2 - pad)
    if align == "right":
        x -= tw + 2 * pad
    h, w = frame.shape[:2]
    x = min(max(x, 0), max(w - tw - 2 * pad, 0))
    y = min(max(y, 0), max(h - th - base - 2 * pad, 0))
    x1, y1 = x + tw + 2 * pad, y + th + base + 2 * pad
    region = frame[y:y1, x:x1]
    if region.size:
        tag = np.empty_like(region)
        tag[...] = background
        cv2.addWeighted(tag, 0.75, region, 0.25, 0, dst=region)
    cv2.putText(
        frame, text, (x + pad, y + pad + th), cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness, AA
    )
