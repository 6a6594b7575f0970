"""The live window's overlay: status line, help panel, toasts and the recording dot."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

from .sprite import composite_premultiplied
from .text import draw_panel, draw_text, text_size

RED = (40, 40, 230)


def ui_size(frame: np.ndarray, share: float = 1 / 30) -> int:
    """A font size in pixels that scales with the frame (about 24 px at 720p)."""
    return max(12, int(round(frame.shape[0] * share)))


def draw_status(frame: np.ndarray, items: Sequence[str]) -> None:
    """A pill at the top-left listing ``items`` (filter name, fps, faces, hint), in place."""
    size = ui_size(frame)
    layer = _status_layer(tuple(items), size)
    pad = size // 2
    h, w = layer.shape[:2]
    fh, fw = frame.shape[:2]
    x1, y1 = min(pad + w, fw), min(pad + h, fh)
    if x1 > pad and y1 > pad:
        composite_premultiplied(frame[pad:y1, pad:x1], layer[: y1 - pad, : x1 - pad])


@lru_cache(maxsize=64)
def _status_layer(items: tuple[str, ...], size: int) -> np.ndarray:
    """The status pill, drawn once per wording: ndarray of shape (h, w, 4), uint8,
    premultiplied BGRA (drawn every frame, it would cost the live loop a millisecond)."""
    pad, gap = size // 2, size
    widths = [text_size(s, size, bold=(i == 0))[0] for i, s in enumerate(items)]
    h = text_size("Ag", size)[1]
    w = sum(widths) + gap * (len(items) - 1) + 2 * pad
    # Drawn on black and on white: what the white shows through is 1 - alpha, and the
    # black result is the premultiplied colour.
    on = [np.full((h + pad, w, 3), v, np.uint8) for v in (0, 255)]
    for canvas in on:
        draw_panel(canvas, (0, 0, w, h + pad), opacity=0.55, radius=h // 2 + pad // 2)
        cx = pad
        for i, (s, sw) in enumerate(zip(items, widths)):
            draw_text(
                canvas,
                s,
                (cx, pad // 2),
                size,
                bold=(i == 0),
                color=(255, 255, 255) if i == 0 else (210, 210, 210),
            )
            cx += sw + gap
    black, white = on
    through = cv2.subtract(white, black).max(axis=2)
    layer = np.dstack([black, 255 - through])
    layer.setflags(write=False)
    return layer


def draw_help(
    frame: np.ndarray, title: str, lines: Sequence[str], filters: Sequence[str], current: int
) -> None:
    """The help panel: keys on the left, numbered filters on the right, in place."""
    size = ui_size(frame, 1 / 32)
    line_h = int(size * 1.45)
    keys_w = max(text_size(s, size)[0] for s in lines)
    names = [f"{i + 1}  {name}" for i, name in enumerate(filters)]
    names_w = max(text_size(s, size, bold=True)[0] for s in names) if names else 0
    pad = size
    inner_w = keys_w + 2 * pad + names_w
    rows = max(len(lines), len(names))
    w, h = inner_w + 2 * pad, (rows + 1) * line_h + 2 * pad
    fh, fw = frame.shape[:2]
    x0, y0 = (fw - w) // 2, max((fh - h) // 2, 0)
    draw_panel(frame, (x0, y0, x0 + w, y0 + h), opacity=0.78, radius=size)
    draw_text(frame, title, (x0 + pad, y0 + pad), int(size * 1.1), bold=True)
    for i, s in enumerate(lines):
        draw_text(frame, s, (x0 + pad, y0 + pad + (i + 1) * line_h), size)
    nx = x0 + pad + keys_w + 2 * pad
    for i, s in enumerate(names):
        color = (90, 220, 255) if i == current else (230, 230, 230)
        draw_text(frame, s, (nx, y0 + pad + (i + 1) * line_h), size, bold=True, color=color)


def draw_toast(frame: np.ndarray, message: str, opacity: float = 1.0) -> None:
    """A short message at the bottom centre, in place."""
    if opacity <= 0:
        return
    size = ui_size(frame)
    w, h = text_size(message, size)
    fh, fw = frame.shape[:2]
    pad = size // 2
    x0, y0 = (fw - w) // 2 - pad, fh - h - 3 * pad
    draw_panel(
        frame,
        (x0, y0, x0 + w + 2 * pad, y0 + h + pad),
        opacity=0.7 * opacity,
        radius=(h + pad) // 2,
    )
    draw_text(frame, message, (x0 + pad, y0 + pad // 2), size)


def draw_recording(frame: np.ndarray, seconds: float) -> None:
    """A red dot and the recording time at the top-right, in place."""
    size = ui_size(frame)
    fh, fw = frame.shape[:2]
    label = f"REC {int(seconds) // 60}:{int(seconds) % 60:02d}"
    w, h = text_size(label, size, bold=True)
    pad = size // 2
    r = h // 3
    x1 = fw - pad
    x0 = x1 - (w + 2 * r + 3 * pad)
    draw_panel(frame, (x0, pad, x1, pad + h + pad), opacity=0.55, radius=(h + pad) // 2)
    # The dot blinks once a second, as on a camera.
    if seconds % 1.0 < 0.6:
        center = (x0 + pad + r, pad + (h + pad) // 2)
        cv2.circle(frame, center, r, RED, -1, cv2.LINE_AA)
    draw_text(frame, label, (x0 + 2 * pad + 2 * r, pad + pad // 2), size, bold=True)
