"""Frames from a live source for as long as a window stays open and the keys allow.

The live window and the lesson feed the pipeline from this generator: between frames it
polls the window's keys and hands them to the app, which may quit, or change what the
pipeline draws for the next frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable

from ..frames import Frame
from ..io.sources import FrameSource
from ..io.window import Window


def window_frames(
    source: FrameSource, window: Window, on_key: Callable[[str], bool]
) -> Iterator[Frame]:
    """Yield the newest frame of ``source`` until ``on_key`` returns False or the window closes.

    Args:
        source: frames; stale ones are dropped by the source itself.
        window: where keys come from.
        on_key: acts on a key name; False quits.
    """
    while window.is_open():
        captured = source.read(timeout_s=0.05)
        if captured is not None:
            yield captured
        key = window.poll_key(1)
        if key is not None and not on_key(key):
            return
