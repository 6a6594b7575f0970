"""Shared fixtures for the fast unit tests. Builders live in ``builders.py``."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.faces import Faces

from builders import make_faces

FRAME_HW = (480, 640)


@pytest.fixture
def face() -> Faces:
    """One upright, unmirrored face, eyes centred at (320, 240), 60 px apart."""
    return make_faces()


@pytest.fixture
def frame() -> np.ndarray:
    """A mid-grey 640x480 BGR frame: drawing darker or lighter both show up."""
    return np.full((*FRAME_HW, 3), 128, np.uint8)


class FakeVirtualCamera:
    """A pyvirtualcam backend that keeps every picture it is sent, as (H, W, 3) arrays.

    Registered with ``pyvirtualcam.register_backend`` by the ``virtual_cameras`` fixture.
    ``fail_with`` makes opening raise ``RuntimeError`` with that text, as pyvirtualcam's
    own backends do when their device is missing.
    """

    opened: list[FakeVirtualCamera] = []
    fail_with: str | None = None

    def __init__(
        self, *, width: int, height: int, fps: float, fourcc: int, device: str | None, **kw
    ) -> None:
        from pyvirtualcam.util import decode_fourcc

        if self.fail_with is not None:
            raise RuntimeError(self.fail_with)
        self.size_wh = (width, height)
        self.fps = fps
        self.pixel_format = decode_fourcc(fourcc)
        self.frames: list[np.ndarray] = []
        self.closed = False
        self.opened.append(self)

    def send(self, frame: np.ndarray) -> None:
        assert not self.closed
        w, h = self.size_wh
        self.frames.append(frame.reshape(h, w, 3).copy())

    def close(self) -> None:
        self.closed = True

    def device(self) -> str:
        return "/dev/video-fake"

    def native_fourcc(self) -> None:
        return None


@pytest.fixture
def virtual_cameras(monkeypatch: pytest.MonkeyPatch) -> list[FakeVirtualCamera]:
    """The fake as pyvirtualcam's only backend; the list of the cameras opened."""
    pyvirtualcam = pytest.importorskip(
        "pyvirtualcam", reason="pyvirtualcam does not install here (the virtual-camera extra)"
    )
    # The machine's own virtual cameras (a real v4l2loopback device) must not be used.
    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", {})
    pyvirtualcam.register_backend("fake", FakeVirtualCamera)
    opened: list[FakeVirtualCamera] = []
    monkeypatch.setattr(FakeVirtualCamera, "opened", opened)
    monkeypatch.setattr(FakeVirtualCamera, "fail_with", None)
    return opened
