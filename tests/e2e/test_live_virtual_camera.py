"""``facefilters live --virtual-camera`` end to end: the real detector, a fake camera device.

The command runs in-process on the public-domain Grace Hopper portrait (``--source``, a
photo played as a camera) with pyvirtualcam's only backend a fake that keeps what it is
sent, and with a stand-in for the OpenCV window that keeps what it is shown and closes
once the filter is on her face. What reaches the virtual camera must be what the window
shows, filter and face-swap label included, without the window's status line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.io.sources import letterbox
from facefilters.render.label import draw_deepfake_label

from .conftest import read, run
from conftest import FakeVirtualCamera

pytestmark = pytest.mark.e2e

W, H = 640, 480
STATUS_ROWS = np.s_[:45]
NO_V4L2LOOPBACK = (
    "No v4l2 loopback device found at /dev/video[0-99]. Did you run 'modprobe v4l2loopback'? "
    "See also pyvirtualcam's documentation."
)


class Window:
    """The live window's stand-in: keeps what it shows, closes when ``done`` says so."""

    opened: list[Window] = []
    done = staticmethod(lambda shown: len(shown) >= 30)

    def __init__(self, title: str, fullscreen: bool = False) -> None:
        self.shown: list[np.ndarray] = []
        self.closed = False
        self.opened.append(self)

    def show(self, frame: np.ndarray) -> None:
        self.shown.append(frame.copy())

    def poll_key(self, wait_ms: int = 1) -> str | None:
        return None

    def is_open(self) -> bool:
        # Never more than 15 s of frames, whatever the detector does.
        return not self.closed and not (self.done(self.shown) or len(self.shown) > 450)

    def set_fullscreen(self, on: bool) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def window(monkeypatch: pytest.MonkeyPatch) -> type[Window]:
    import facefilters.io.window

    monkeypatch.setattr(facefilters.io.window, "check_display", lambda: None)
    monkeypatch.setattr(facefilters.io.window, "CvWindow", Window)
    monkeypatch.setattr(Window, "opened", [])
    return Window


@pytest.fixture(scope="module")
def portrait(grace_hopper_path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The portrait as the live window gets it (640x480, bars), and her mirrored anchors."""
    from facefilters.detect import landmark_detector
    from facefilters.geometry import measure

    picture = letterbox(read(grace_hopper_path), (W, H))
    with landmark_detector(static_image_mode=True) as detector:
        faces = detector.detect(picture)
    assert len(faces) == 1
    g = measure(faces.mirror(W))
    found = {name: xy[0] for name, xy in g.anchors.items()}
    found["eye"] = np.array(float(g.eye_distance[0]))
    return picture, found


def brightness(frame: np.ndarray, xy: np.ndarray, r: float) -> float:
    x, y, r = int(round(xy[0])), int(round(xy[1])), max(2, int(round(r)))
    patch = frame[y - r : y + r + 1, x - r : x + r + 1]
    return float(cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY).mean())


def live(photo: Path, tmp_path: Path, *args: str):
    return run(
        "live", "--source", photo, "--size", f"{W}x{H}", "--out", tmp_path / "out",
        "--virtual-camera", *args,
    )  # fmt: skip


def test_the_virtual_camera_gets_the_filtered_picture(
    window, virtual_cameras, portrait, grace_hopper_path: Path, tmp_path: Path
) -> None:
    picture, anchors = portrait
    nose, eye = anchors["nose_tip"], float(anchors["eye"])
    # The dog's dark nose on her nose, which is skin-coloured in the photo itself.
    window.done = staticmethod(
        lambda shown: len(shown) >= 10 and brightness(shown[-1], nose, 0.1 * eye) < 60
    )
    result = live(grace_hopper_path, tmp_path, "--filter", "dog", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "virtual camera /dev/video-fake" in " ".join(result.output.split())
    [camera] = virtual_cameras
    [shown_in] = window.opened
    assert camera.closed
    assert camera.size_wh == (W, H) and camera.fps == pytest.approx(30.0)
    frames = camera.frames
    assert len(frames) == len(shown_in.shown) >= 10
    for sent, shown in zip(frames, shown_in.shown):
        assert sent.shape == (H, W, 3) and sent.dtype == np.uint8
        assert np.array_equal(sent[STATUS_ROWS.stop :], shown[STATUS_ROWS.stop :])
    flipped = cv2.flip(picture, 1)
    assert brightness(flipped, nose, 0.1 * eye) > 100
    assert brightness(frames[-1], nose, 0.1 * eye) < 60, "no dog nose on the virtual camera"
    # The status line is the window's alone: there the camera gets the picture itself.
    assert np.abs(frames[-1][STATUS_ROWS].astype(int) - flipped[STATUS_ROWS]).mean() < 3


def test_a_face_swap_reaches_the_virtual_camera_labelled(
    window, virtual_cameras, portrait, grace_hopper_path: Path, tmp_path: Path
) -> None:
    picture, anchors = portrait
    flipped = cv2.flip(picture, 1)
    nose, eye = anchors["nose_tip"], float(anchors["eye"])
    face = np.s_[
        int(nose[1] - eye) : int(nose[1] + 0.5 * eye), int(nose[0] - eye) : int(nose[0] + eye)
    ]

    def swapped(frame: np.ndarray) -> bool:
        return float(np.abs(frame[face].astype(int) - flipped[face]).mean()) > 12

    window.done = staticmethod(lambda shown: len(shown) >= 10 and swapped(shown[-1]))
    result = live(grace_hopper_path, tmp_path, "--filter", "swap", "--lang", "en")
    assert result.exit_code == 0, result.output
    frames = virtual_cameras[0].frames
    assert len(frames) >= 10
    assert swapped(frames[-1]), "her face was not swapped on the virtual camera"
    # Where the badge is opaque it looks the same drawn on black and on white.
    on_black = draw_deepfake_label(np.zeros((H, W, 3), np.uint8), "DEEPFAKE")
    on_white = draw_deepfake_label(np.full((H, W, 3), 255, np.uint8), "DEEPFAKE")
    badge = (on_black == on_white).all(axis=2) & (on_black.max(axis=2) > 0)
    assert badge.sum() > 1000
    for sent in frames:
        assert np.array_equal(sent[badge], on_black[badge]), "a swapped frame without its label"


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_without_the_extra_one_line_says_how_to_install_it(
    window, monkeypatch: pytest.MonkeyPatch, grace_hopper_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyvirtualcam", None)  # import pyvirtualcam fails
    result = live(grace_hopper_path, tmp_path, "--lang", "nl")
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output)
    assert line.startswith("fout:") and "virtuele camera" in line, line
    assert "pip install 'facefilters[virtual-camera]'" in line
    assert window.opened == [], "said before the window opens"


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "no virtual camera device"), ("fr", "aucune caméra virtuelle")]
)
def test_without_a_device_one_line_says_how_to_make_one(
    window,
    virtual_cameras,
    monkeypatch: pytest.MonkeyPatch,
    grace_hopper_path: Path,
    tmp_path: Path,
    lang: str,
    words: str,
) -> None:
    monkeypatch.setattr(FakeVirtualCamera, "fail_with", NO_V4L2LOOPBACK)
    result = live(grace_hopper_path, tmp_path, "--lang", lang)
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output)
    assert words in line
    assert "sudo modprobe v4l2loopback devices=1 exclusive_caps=1" in line
    assert window.opened == []
