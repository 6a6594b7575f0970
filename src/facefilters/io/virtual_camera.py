"""The live picture as a webcam for Zoom, Teams or Meet, through pyvirtualcam (optional).

pyvirtualcam writes to a virtual camera the operating system already has: a v4l2loopback
device on Linux, OBS Studio's virtual camera on Windows and macOS. When the extra or that
device is missing, the error says what to install, in one line::

    pip install 'facefilters[virtual-camera]'
    sudo apt install v4l2loopback-dkms && sudo modprobe v4l2loopback ...

pyvirtualcam reports a missing device as a ``RuntimeError`` whose lines read
``'<backend>' backend: <reason>``, one per backend it tried; :func:`camera_error` reads
the reasons its backends give (the texts of pyvirtualcam 0.15) and picks the advice.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..errors import OutputError
from .sources import letterbox

__all__ = ["VirtualCameraSink", "camera_error"]

# pyvirtualcam's own words for a missing device, per backend.
_NO_V4L2LOOPBACK = re.compile(r"No v4l2 loopback device found")
_NO_ACCESS = re.compile(r"Could not access (\S+) due to missing permissions")
_NO_OBS = re.compile(r"OBS Virtual Camera (device not found|is not installed)")
_BACKEND_PREFIX = re.compile(r"^'[^']*' backend: ")


def camera_error(message: str) -> OutputError:
    """The one-line error, with what to do, for pyvirtualcam's ``RuntimeError`` text.

    Args:
        message: ``str()`` of the error ``pyvirtualcam.Camera`` raised.
    """
    if _NO_V4L2LOOPBACK.search(message):
        return OutputError.said("error.virtual_camera_linux")
    if access := _NO_ACCESS.search(message):
        return OutputError.said("error.virtual_camera_access", device=access.group(1))
    if _NO_OBS.search(message):
        return OutputError.said("error.virtual_camera_obs")
    reasons = [_BACKEND_PREFIX.sub("", line).strip() for line in message.splitlines()]
    # No reason at all: pyvirtualcam has no backend for this operating system.
    reason = next((r for r in reasons if r), "no virtual camera driver for this system")
    return OutputError.said("error.virtual_camera_failed", reason=reason.rstrip("."))


def _pyvirtualcam() -> Any:
    try:
        import pyvirtualcam
    except ImportError:
        raise OutputError.said("error.virtual_camera_extra") from None
    return pyvirtualcam


class VirtualCameraSink:
    """A sink that sends each picture to the system's virtual camera.

    The device is opened here, so a missing one is reported before the window opens.
    Pictures go out as BGR, as the pipeline makes them (the backends convert to their
    own format in one pass); one of another size is fitted into ``size_wh`` with black
    bars, since a virtual camera's size is fixed once opened. ``write`` never sleeps:
    the live loop is already paced by its source, and waiting here would hold up the
    window too.

    Args:
        size_wh: the pictures' width and height.
        fps: the source's frame rate, the rate the device announces to the apps.

    Attributes:
        device: the device's name as the apps list it (``/dev/video2``, ``OBS Virtual
            Camera``).

    Raises:
        OutputError: pyvirtualcam is not installed, or there is no virtual camera device
            (the message says how to get one).
    """

    def __init__(self, size_wh: tuple[int, int], fps: float) -> None:
        pyvirtualcam = _pyvirtualcam()
        self.size_wh = size_wh
        try:
            self._camera = pyvirtualcam.Camera(
                size_wh[0], size_wh[1], fps, fmt=pyvirtualcam.PixelFormat.BGR
            )
        except RuntimeError as e:
            raise camera_error(str(e)) from None
        self.device: str = self._camera.device
        self._closed = False

    def write(self, frame: np.ndarray, t_s: float) -> None:
        if self._closed:
            return
        self._camera.send(np.ascontiguousarray(letterbox(frame, self.size_wh)))

    def close(self) -> None:
        """Release the device (the apps watching it see it stop); harmless twice."""
        if not self._closed:
            self._closed = True
            self._camera.close()
