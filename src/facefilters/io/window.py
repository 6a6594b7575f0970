"""The on-screen window (OpenCV HighGUI), and keys turned into names.

The live loop talks to a window through the small :class:`Window` protocol, so it runs
in tests with a fake that replays key presses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from ..errors import SourceError

# waitKeyEx codes differ per platform and GUI toolkit: X11 keysyms (Linux, Qt or GTK),
# Qt's own codes, Windows virtual keys shifted left by 16, and macOS function keys.
_SPECIAL = {
    65361: "left",
    65363: "right",
    65362: "up",
    65364: "down",
    0x1000012: "left",
    0x1000014: "right",
    0x1000013: "up",
    0x1000015: "down",
    0x250000: "left",
    0x270000: "right",
    0x260000: "up",
    0x280000: "down",
    63234: "left",
    63235: "right",
    63232: "up",
    63233: "down",
    27: "esc",
    32: "space",
    13: "enter",
    10: "enter",
    65293: "enter",
    65307: "esc",
    8: "backspace",
    65288: "backspace",
}


def key_name(code: int) -> str | None:
    """A waitKeyEx code as a name: "left", "space", "esc", "q", "3", ...; None for none."""
    if code < 0:
        return None
    if code in _SPECIAL:
        return _SPECIAL[code]
    low = code & 0xFFFF
    if 32 < low < 127:
        return chr(low).lower()
    return None


class Window(Protocol):
    """What the live loop needs from a window."""

    def show(self, frame: np.ndarray) -> None:
        """Show a BGR uint8 frame of shape (H, W, 3)."""

    def poll_key(self, wait_ms: int = 1) -> str | None:
        """The next key pressed, by name, waiting up to ``wait_ms``; None if none."""

    def is_open(self) -> bool:
        """False once the user closed the window."""

    def set_fullscreen(self, on: bool) -> None:
        """Switch between fullscreen and a normal window."""

    def close(self) -> None:
        """Close the window; closing it again does nothing."""


def check_display() -> None:
    """Raise SourceError unless a window can be opened (Linux and other X11/Wayland)."""
    if sys.platform in ("win32", "darwin"):
        return
    wayland = os.environ.get("WAYLAND_DISPLAY")
    display = os.environ.get("DISPLAY", "")
    if wayland:
        return
    # Qt aborts the whole process when it cannot reach the display, so look first.
    local = display.startswith(":") and display[1:].split(".")[0].isdigit()
    if not display or (local and not Path(f"/tmp/.X11-unix/X{display[1:].split('.')[0]}").exists()):
        raise SourceError(
            "no display to open a window on (over SSH?); "
            "use 'facefilters apply' to filter a photo or video file instead",
            "error.no_display",
        )


class CvWindow:
    """An OpenCV window.

    Args:
        title: the window title.
        fullscreen: start fullscreen.
    """

    def __init__(self, title: str = "facefilters", *, fullscreen: bool = False) -> None:
        check_display()
        self.title = title
        try:
            # GUI_NORMAL: no Qt toolbar or status bar, just the picture.
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as e:  # pragma: no cover - depends on the platform's GUI
            raise SourceError.said("error.no_window", reason=e.msg.strip()) from None
        self._shown = False
        self._closed = False
        self._fullscreen = False
        self._sized = False
        if fullscreen:
            self.set_fullscreen(True)

    def show(self, frame: np.ndarray) -> None:
        if not self._sized and not self._fullscreen:
            cv2.resizeWindow(self.title, frame.shape[1], frame.shape[0])
            self._sized = True
        cv2.imshow(self.title, frame)
        self._shown = True

    def poll_key(self, wait_ms: int = 1) -> str | None:
        return key_name(cv2.waitKeyEx(max(1, wait_ms)))

    def is_open(self) -> bool:
        if not self._shown:
            return True
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1
        except cv2.error:
            return False

    def set_fullscreen(self, on: bool) -> None:
        self._fullscreen = on
        cv2.setWindowProperty(
            self.title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN if on else cv2.WINDOW_NORMAL
        )

    @property
    def fullscreen(self) -> bool:
        return self._fullscreen

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
