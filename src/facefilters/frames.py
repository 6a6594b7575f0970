"""A frame as it travels through the pipeline: the picture, its time and its number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    """One frame from a source (a video file, a camera, a photo).

    Attributes:
        index: position in the source, counting from 0 (a live source may skip numbers
            when frames are dropped).
        time_s: seconds: from the first frame for a file, on the ``time.monotonic()``
            clock for a live source.
        image: ndarray of shape (H, W, 3), uint8, BGR.
        cut: the picture does not follow on from the frame before (a looping video
            starting again), so tracking starts afresh: face ids from 0, no smoothing
            or fading across the cut.
    """

    index: int
    time_s: float
    image: np.ndarray
    cut: bool = False


def letterbox_xywh(
    picture_wh: tuple[int, int], frame_wh: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Where a picture goes, scaled whole into a frame of another shape (letterbox).

    Its aspect ratio is kept, so a face is never stretched; bars fill the rest.

    Returns:
        ``x, y, w, h``: the scaled picture's top-left corner in the frame and its size.
    """
    pw, ph = picture_wh
    fw, fh = frame_wh
    scale = min(fw / pw, fh / ph)
    w = min(fw, max(1, round(pw * scale)))
    h = min(fh, max(1, round(ph * scale)))
    return (fw - w) // 2, (fh - h) // 2, w, h
