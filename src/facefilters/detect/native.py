"""What every MediaPipe model of the backends shares: a quiet start, RGB input, closing.

No MediaPipe import here: the backends pass in what builds their models. The mute of
native stderr itself lives in :mod:`facefilters.quiet`, which also quiets the decoders.
"""

from __future__ import annotations

from typing import Any, Callable

import cv2
import numpy as np

from ..quiet import NativeStderrMute

__all__ = ["NativeStderrMute", "QuietModel", "rgb_of"]


def rgb_of(frame: np.ndarray) -> np.ndarray:
    """The RGB copy MediaPipe wants of a BGR uint8 frame of shape (H, W, 3), read-only."""
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    rgb.flags.writeable = False
    return rgb


class QuietModel:
    """A MediaPipe model started with native stderr muted until its second frame.

    Subclasses build their model with ``_start`` and call ``_ran`` after each frame.
    """

    _model: Any

    def _start(self, make: Callable[[], Any]) -> None:
        """Build the model with native stderr muted (until the second frame)."""
        self._mute: NativeStderrMute | None = NativeStderrMute()
        self._frames = 0
        try:
            self._model = make()
        except BaseException:
            self._unmute()
            raise

    def _ran(self) -> None:
        """Count a frame; the chatter is over after the second."""
        self._frames += 1
        if self._frames >= 2:
            self._unmute()

    def _unmute(self) -> None:
        mute = getattr(self, "_mute", None)
        if mute is not None:
            mute.release()
            self._mute = None

    def close(self) -> None:
        model = getattr(self, "_model", None)
        self._model = None
        # LiteRT says goodbye on fd 2 too ("DestroyAccelerator").
        mute = NativeStderrMute()
        try:
            if model is not None:
                model.close()
        finally:
            mute.release()
            self._unmute()

    def __enter__(self):  # noqa: ANN204 - returns the subclass
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self._unmute()
