"""Anti-aliased TrueType text and panels on BGR frames.

OpenCV's own text drawing knows only ASCII, so "scène" or "geïnteresseerd" would come
out wrong. Text is rendered with Pillow in the DejaVu fonts that ship inside the package
(``facefilters/fonts``, with their licence), then blended into the frame; rendered
strings are cached, so a HUD redrawn every frame costs little.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .draw import blend_layer

WHITE = (255, 255, 255)
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
"""DejaVu Sans and Sans Mono, regular and bold, with ``LICENSE_DEJAVU`` (Bitstream Vera
licence: free to use and to redistribute)."""


def font_path(bold: bool = False, mono: bool = False) -> Path:
    """The DejaVu font file shipped inside the package."""
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    return FONTS_DIR / (f"{name}-Bold.ttf" if bold else f"{name}.ttf")


@lru_cache(maxsize=32)
def _font(size_px: int, bold: bool, mono: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold, mono)), size_px)


def has_glyphs(text: str, bold: bool = False) -> bool:
    """True when the font draws every character of ``text`` (no placeholder boxes)."""
    cmap = _cmap(bold)
    return all(ch.isspace() or ord(ch) in cmap for ch in text)


@lru_cache(maxsize=2)
def _cmap(bold: bool) -> frozenset[int]:
    return frozenset(character_map(font_path(bold).read_bytes()))


def character_map(font: bytes) -> set[int]:
    """The code points a TrueType font draws (not with its .notdef box).

    Reads the font's ``cmap`` table: the Unicode subtable in format 12 (all of Unicode)
    when there is one, else format 4 (the Basic Multilingual Plane).
    """
    (count,) = struct.unpack_from(">H", font, 4)
    tables = {
        font[12 + 16 * k : 16 + 16 * k]: struct.unpack_from(">I", font, 20 + 16 * k)[0]
        for k in range(count)
    }
    cmap = tables[b"cmap"]
    (n,) = struct.unpack_from(">H", font, cmap + 2)
    subtables = {}
    for k in range(n):
        platform, encoding, offset = struct.unpack_from(">HHI", font, cmap + 4 + 8 * k)
        (fmt,) = struct.unpack_from(">H", font, cmap + offset)
        if (platform, encoding) in ((3, 10), (0, 4), (3, 1), (0, 3)):
            subtables[fmt] = cmap + offset
    if 12 in subtables:
        at = subtables[12]
        (groups,) = struct.unpack_from(">I", font, at + 12)
        points: set[int] = set()
        for g in range(groups):
            first, last, glyph = struct.unpack_from(">III", font, at + 16 + 12 * g)
            points.update(range(first + (glyph == 0), last + 1))
        return points
    at = subtables[4]
    (segments,) = struct.unpack_from(">H", font, at + 6)
    segments //= 2
    ends = struct.unpack_from(f">{segments}H", font, at + 14)
    starts = struct.unpack_from(f">{segments}H", font, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", font, at + 16 + 4 * segments)
    range_at = at + 16 + 6 * segments
    offsets = struct.unpack_from(f">{segments}H", font, range_at)
    points = set()
    for k, (first, last) in enumerate(zip(starts, ends)):
        for c in range(first, last + 1):
            if c == 0xFFFF:
                continue
            if offsets[k] == 0:
                glyph = (c + deltas[k]) & 0xFFFF
            else:
                where = range_at + 2 * k + offsets[k] + 2 * (c - first)
                (glyph,) = struct.unpack_from(">H", font, where)
                glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
            if glyph:
                points.add(c)
    return points


@lru_cache(maxsize=512)
def _render(text: str, size_px: int, bold: bool, mono: bool) -> np.ndarray:
    """Coverage mask of one line: ndarray of shape (h, w), uint8, 255 = ink."""
    font = _font(size_px, bold, mono)
    ascent, descent = font.getmetrics()
    left, _, right, _ = font.getbbox(text)
    width = max(1, int(np.ceil(right - min(left, 0))) + 2)
    image = Image.new("L", (width, ascent + descent), 0)
    ImageDraw.Draw(image).text((-min(left, 0) + 1, 0), text, font=font, fill=255)
    mask = np.asarray(image, np.uint8)
    mask.setflags(write=False)
    return mask


def text_size(
    text: str,
    size_px: int,
    *,
    bold: bool = False,
    mono: bool = False,
) -> tuple[int, int]:
    """Width and height in pixels of one line of text."""
    h, w = _render(text, size_px, bold, mono).shape
    return w, h


def draw_text(
    frame: np.ndarray,
    text: str,
    org_xy: tuple[float, float],
    size_px: int,
    *,
    color: tuple[int, int, int] = WHITE,
    bold: bool = False,
    mono: bool = False,
    align: str = "left",
    shadow: bool = False,
) -> tuple[int, int, int, int]:
    """Draw one line of text, in place.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        text: the line (any Unicode the font has).
        org_xy: top-left of the line, or top-centre / top-right with ``align``.
        size_px: font size in pixels.
        color: BGR.
        bold, mono: font face.
        align: "left", "center" or "right".
        shadow: a soft dark shadow, for text straight on a picture.

    Returns:
        The line's box ``x0, y0, x1, y1`` in frame pixels (before clipping).
    """
    mask = _render(text, size_px, bold, mono)
    h, w = mask.shape
    x = int(round(org_xy[0] - {"left": 0, "center": w / 2, "right": w}[align]))
    y = int(round(org_xy[1]))
    if shadow:
        off = max(1, size_px // 14)
        soft = cv2.GaussianBlur(mask, (0, 0), max(1.0, size_px / 12))
        _blend_mask(frame, soft, x + off, y + off, (0, 0, 0), 0.8)
    _blend_mask(frame, mask, x, y, color, 1.0)
    return x, y, x + w, y + h


def _blend_mask(
    frame: np.ndarray, mask: np.ndarray, x: int, y: int, color: tuple[int, int, int], opacity: float
) -> None:
    fh, fw = frame.shape[:2]
    h, w = mask.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, fw), min(y + h, fh)
    if x1 <= x0 or y1 <= y0:
        return
    region = frame[y0:y1, x0:x1]
    ink = np.empty_like(region)
    ink[...] = color
    blend_layer(region, ink, mask[y0 - y : y1 - y, x0 - x : x1 - x], opacity)


def draw_panel(
    frame: np.ndarray,
    xyxy: tuple[int, int, int, int],
    *,
    color: tuple[int, int, int] = (20, 20, 20),
    opacity: float = 0.7,
    radius: int = 12,
) -> None:
    """A translucent rounded rectangle, in place, clipped to the frame."""
    fh, fw = frame.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in xyxy)
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, fw), min(y1, fh)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    r = max(0, min(radius, (x1 - x0) // 2, (y1 - y0) // 2))
    cv2.rectangle(mask, (r, 0), (x1 - x0 - 1 - r, y1 - y0 - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (x1 - x0 - 1, y1 - y0 - 1 - r), 255, -1)
    for cx, cy in (
        (r, r),
        (x1 - x0 - 1 - r, r),
        (r, y1 - y0 - 1 - r),
        (x1 - x0 - 1 - r, y1 - y0 - 1 - r),
    ):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    region = frame[cy0:cy1, cx0:cx1]
    fill = np.empty_like(region)
    fill[...] = color
    blend_layer(region, fill, mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0], opacity)


def wrap_text(text: str, size_px: int, max_width: int, *, bold: bool = False) -> list[str]:
    """Break text into lines no wider than ``max_width`` pixels (at word boundaries).

    A ``\\n`` in the text always starts a new line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and text_size(candidate, size_px, bold=bold)[0] > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def draw_caption(
    frame: np.ndarray, title: str, body: str, corner: str = "", *, min_height: int = 0
) -> int:
    """A large, high-contrast caption band across the bottom, scaled to the frame.

    Sized to be read from the back of a classroom: the title is about 1/16 and the body
    about 1/22 of the frame height.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; drawn on in place.
        title: the first line, bold.
        body: one or two sentences, wrapped to the frame width.
        corner: a short label at the band's right end (e.g. "3 / 8").
        min_height: the band is at least this tall (a lesson keeps it the same height
            on every slide, so the picture above it never moves).

    Returns:
        The y coordinate where the band starts.
    """
    fh, fw = frame.shape[:2]
    title_px = max(14, fh // 16)
    body_px = max(12, fh // 22)
    pad = body_px
    corner_w = text_size(corner, body_px, bold=True)[0] + pad if corner else 0
    width = fw - 2 * pad - corner_w
    title_lines = wrap_text(title, title_px, width, bold=True)
    body_lines = wrap_text(body, body_px, width) if body else []
    title_h, body_h = int(title_px * 1.25), int(body_px * 1.3)
    height = 2 * pad + len(title_lines) * title_h + len(body_lines) * body_h + pad // 3
    y0 = fh - max(height, min_height)
    draw_panel(frame, (-pad, y0, fw + pad, fh + pad), color=(15, 15, 15), opacity=0.85, radius=0)
    y = y0 + pad
    for line in title_lines:
        draw_text(frame, line, (pad, y), title_px, bold=True, color=(80, 220, 255))
        y += title_h
    y += pad // 3
    for line in body_lines:
        draw_text(frame, line, (pad, y), body_px, color=(255, 255, 255))
        y += body_h
    if corner:
        draw_text(
            frame,
            corner,
            (fw - pad, y0 + pad),
            body_px,
            bold=True,
            color=(200, 200, 200),
            align="right",
        )
    return y0
