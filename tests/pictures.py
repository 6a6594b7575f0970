"""Odd picture files made in code: a decompression bomb, a truncated PNG, a fake one."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(size_wh: tuple[int, int]) -> bytes:
    """A valid grey PNG of ``size_wh`` pixels, all black: tens of KB that unpack to
    width x height bytes (x 3 as a BGR frame)."""
    w, h = size_wh
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)  # 8-bit grey
    squeeze = zlib.compressobj(9)
    row = bytes(w + 1)  # filter byte 0, then the row
    pixels = b"".join(squeeze.compress(row) for _ in range(h)) + squeeze.flush()
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def png_claiming(size_wh: tuple[int, int]) -> bytes:
    """A PNG whose header claims ``size_wh`` pixels, with one empty row of data."""
    w, h = size_wh
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0"))
        + _chunk(b"IEND", b"")
    )


def png_of(bgra: np.ndarray) -> bytes:
    """A real PNG of a picture (ndarray of shape (h, w, 3 or 4), uint8)."""
    ok, data = cv2.imencode(".png", bgra)
    assert ok
    return data.tobytes()


def truncated_png() -> bytes:
    """The first half of a real 64 x 64 noisy PNG: the header is fine, the pixels stop."""
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 4), np.uint8)
    data = png_of(noise)
    return data[: len(data) // 2]


def fake_png() -> bytes:
    """A PNG signature followed by text, as a renamed file would have."""
    return PNG_SIGNATURE + b"this is not a picture\n" * 20


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
