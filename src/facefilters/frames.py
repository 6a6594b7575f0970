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
