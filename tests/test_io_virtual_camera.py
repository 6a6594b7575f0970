"""The virtual camera sink, through a fake pyvirtualcam backend (the live app feeding it
is tested in ``test_live_app``).

pyvirtualcam's missing-device errors are raised by the fake with the texts pyvirtualcam's
own backends use (0.15), so they pass through ``pyvirtualcam.Camera`` exactly as on a
machine without v4l2loopback or OBS.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from facefilters.errors import OutputError
from facefilters.i18n import Messages
from facefilters.io.virtual_camera import VirtualCameraSink, camera_error

from conftest import FakeVirtualCamera

W, H = 640, 480

# pyvirtualcam 0.15's own words, per backend, for a device that is not there.
NO_V4L2LOOPBACK = (
    "No v4l2 loopback device found at /dev/video[0-99]. Did you run 'modprobe v4l2loopback'? "
    "See also pyvirtualcam's documentation."
)
NO_ACCESS = (
    "Could not access /dev/video0 due to missing permissions. Did you add your user to the "
    "'video' group? Run 'usermod -a -G video myusername' and log out and in again."
)
NO_OBS_WINDOWS = "OBS Virtual Camera device not found! Did you install OBS?"
NO_OBS_MACOS = (
    "OBS Virtual Camera is not installed in your system. Use the Virtual Camera function in "
    "OBS to trigger installation."
)
NO_OBS_MACOS_13 = (
    "OBS Virtual Camera is not installed in your system. Use the Virtual Camera function in "
    "OBS 30.0 or later to trigger the installation and activate the System Extension in "
    "System Settings. You may need to restart your machine after that. [Device not found]"
)
LINUX_FIX = (
    "sudo apt install v4l2loopback-dkms && sudo modprobe v4l2loopback devices=1 "
    "exclusive_caps=1 card_label=facefilters"
)


def scene() -> np.ndarray:
    """A picture whose colour channels differ, so a swap of red and blue shows."""
    picture = np.zeros((H, W, 3), np.uint8)
    picture[..., 0] = np.linspace(0, 255, W, dtype=np.uint8)[None, :]
    picture[..., 2] = np.linspace(255, 0, H, dtype=np.uint8)[:, None]
    return picture


def test_pictures_go_out_as_they_are_bgr(virtual_cameras: list[FakeVirtualCamera]) -> None:
    sink = VirtualCameraSink((W, H), 29.97)
    assert sink.device == "/dev/video-fake"
    [camera] = virtual_cameras
    assert camera.size_wh == (W, H) and camera.fps == pytest.approx(29.97)
    assert camera.pixel_format == "24BG"  # pyvirtualcam's BGR: no conversion on our side
    picture = scene()
    sink.write(picture, 0.0)
    sink.close()
    assert camera.closed
    np.testing.assert_array_equal(camera.frames[0], picture)


def test_a_picture_of_another_size_is_fitted_not_stretched(
    virtual_cameras: list[FakeVirtualCamera],
) -> None:
    sink = VirtualCameraSink((W, H), 30)
    sink.write(np.full((480, 480, 3), 200, np.uint8), 0.0)  # square: black bars left and right
    [sent] = virtual_cameras[0].frames
    assert sent.shape == (H, W, 3)
    assert sent[:, :70].max() == 0 and sent[:, -70:].max() == 0
    assert (sent[:, 90:-90] == 200).all()


def test_closing_twice_is_harmless(virtual_cameras: list[FakeVirtualCamera]) -> None:
    sink = VirtualCameraSink((W, H), 30)
    sink.close()
    sink.close()
    sink.write(scene(), 1.0)  # after the end: dropped, not an error
    assert virtual_cameras[0].frames == []


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (NO_V4L2LOOPBACK, ["v4l2loopback", LINUX_FIX]),
        (NO_ACCESS, ["/dev/video0", "sudo usermod -a -G video $USER", "log out"]),
        (NO_OBS_WINDOWS, ["OBS Studio", "start its virtual camera once"]),
        (NO_OBS_MACOS, ["OBS Studio", "start its virtual camera once"]),
        (NO_OBS_MACOS_13, ["OBS Studio", "start its virtual camera once"]),
        ("Device /dev/video3 is busy", ["could not be started: Device /dev/video3 is busy"]),
    ],
)
def test_a_missing_device_says_how_to_get_one(
    virtual_cameras: list[FakeVirtualCamera],
    monkeypatch: pytest.MonkeyPatch,
    reason: str,
    words: list[str],
) -> None:
    monkeypatch.setattr(FakeVirtualCamera, "fail_with", reason)
    with pytest.raises(OutputError) as caught:
        VirtualCameraSink((W, H), 30)
    message = str(caught.value)
    assert "\n" not in message and "'fake' backend" not in message
    for word in words:
        assert word in message


def test_windows_lists_every_backend_and_obs_is_the_advice() -> None:
    # On Windows pyvirtualcam tries OBS, then Unity Capture, and says both.
    both = (
        f"'obs' backend: {NO_OBS_WINDOWS}\n"
        "'unitycapture' backend: No camera registered. Did you install any camera?"
    )
    assert "OBS Studio" in str(camera_error(both))


def test_no_backend_for_the_system_is_still_one_line() -> None:
    message = str(camera_error(""))  # pyvirtualcam has no backend at all on this system
    assert message == (
        "the virtual camera could not be started: no virtual camera driver for this system"
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", ["geen virtuele camera", LINUX_FIX]), ("fr", ["aucune caméra virtuelle", LINUX_FIX])],
)
def test_the_error_in_the_users_language(lang: str, words: list[str]) -> None:
    message = str(camera_error(NO_V4L2LOOPBACK).translated(Messages(lang)))
    for word in words:
        assert word in message


def test_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyvirtualcam", None)  # import pyvirtualcam fails
    with pytest.raises(OutputError, match=r"pip install 'facefilters\[virtual-camera\]'"):
        VirtualCameraSink((W, H), 30)
