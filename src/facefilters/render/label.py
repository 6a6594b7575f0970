"""The visible "this is a deepfake" label every face-swap picture carries.

A red badge with white capitals in the bottom-left corner, on an opaque panel with a
white rim, so it reads on a white wall, a red shirt or a dark room alike; the live
window's status bar sits at the top-left, so the two never meet. The badge is sized from
the frame's short side, about 1/14 of it: 17 px letters on a 320x240 thumbnail, 77 px on
1080p, large enough to read from the back of a classroom.

The badge is rendered once per (text, size) and cached as a premultiplied patch, so
drawing it on each frame is one blend of a small region.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .text import WHITE, draw_panel, draw_text, text_size

__all__ = ["draw_deepfake_label", "label_size_px"]

LABEL_RED = (30, 30, 200)
"""BGR of the badge: white on it has a contrast ratio of about 6 to 1."""

_SHARE = 1 / 14  # letter size as a share of the frame's short side
_MIN_PX = 12
_MARGIN = 0.4  # gap to the frame's edges, in letter sizes
_PAD_X, _PAD_Y = 0.45, 0.3  # panel padding around the letters' ink, in letter sizes


def label_size_px(frame_hw: tuple[int, int], text: str) -> int:
    """The letter size in pixels of the label on a frame of this height and width.

    About 1/14 of the short side (at least 12 px), made smaller only when the badge
    would not fit across the frame.
    """
    h, w = frame_hw
    size = max(_MIN_PX, round(min(h, w) * _SHARE))
    width = text_size(text, size, bold=True)[0] + 2 * round(_PAD_X * size)
    room = w - 2 * round(_MARGIN * size)
    if width > room > 0:
        size = max(_MIN_PX, int(size * room / width))
    return size


def draw_deepfake_label(frame: np.ndarray, text: str) -> np.ndarray:
    """Draw the deepfake label in the bottom-left corner, in place.

    No option turns it off or makes it smaller than the frame calls for: a picture that
    shows a swapped face must say so.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        text: the word to show, e.g. ``Messages()("deepfake.label")`` ("DEEPFAKE", "NEP").

    Returns:
        ``frame``, drawn on.

    Raises:
        ValueError: ``text`` is blank (a label that says nothing hides the swap).
    """
    if not text.strip():
        raise ValueError("the deepfake label needs a text")
    fh, fw = frame.shape[:2]
    size = label_size_px((fh, fw), text)
    premultiplied, inverse_alpha = _badge(text, size)
    bh, bw = inverse_alpha.shape[:2]
    margin = round(_MARGIN * size)
    x0, y0 = margin, fh - margin - bh
    # Clip to the frame: on a frame smaller than the badge, as much as fits is drawn.
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x0 + bw, fw), min(y0 + bh, fh)
    if cx1 <= cx0 or cy1 <= cy0:
        return frame
    region = frame[cy0:cy1, cx0:cx1]
    patch = np.s_[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    under = cv2.multiply(region, inverse_alpha[patch], scale=1.0 / 255.0)
    region[...] = cv2.add(under, premultiplied[patch])
    return frame


@lru_cache(maxsize=16)
def _badge(text: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The badge as ``(premultiplied BGR, 255 - alpha as BGR)``, both (h, w, 3) uint8."""
    text_w, text_h = text_size(text, size, bold=True)
    scratch = np.zeros((text_h, text_w, 3), np.uint8)
    draw_text(scratch, text, (0, 0), size, bold=True)
    rows = np.flatnonzero(scratch[..., 0].any(axis=1))
    # Centre the ink, not the line box: capitals have no descenders, and a line box
    # centred would leave the word sitting high in the badge.
    ink_top, ink_h = (int(rows[0]), int(rows[-1]) + 1 - int(rows[0])) if rows.size else (0, text_h)
    pad_x, pad_y = round(_PAD_X * size), round(_PAD_Y * size)
    w, h = text_w + 2 * pad_x, ink_h + 2 * pad_y
    radius = h // 4
    rim = max(1, size // 14)

    # Drawn over black, every pixel is already its colour times its coverage.
    premultiplied = np.zeros((h, w, 3), np.uint8)
    draw_panel(premultiplied, (0, 0, w, h), color=WHITE, opacity=1.0, radius=radius)
    alpha = premultiplied.copy()
    draw_panel(
        premultiplied,
        (rim, rim, w - rim, h - rim),
        color=LABEL_RED,
        opacity=1.0,
        radius=max(0, radius - rim),
    )
    draw_text(premultiplied, text, (pad_x, pad_y - ink_top), size, bold=True, color=WHITE)
    inverse_alpha = 255 - alpha
    premultiplied.setflags(write=False)
    inverse_alpha.setflags(write=False)
    return premultiplied, inverse_alpha
