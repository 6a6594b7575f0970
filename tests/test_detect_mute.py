"""MediaPipe's start-up chatter is muted on fd 2, and stderr always comes back."""

from __future__ import annotations

import os

import pytest

from facefilters.detect.native import NativeStderrMute


@pytest.mark.parametrize("order", ["first-in-first-out", "last-in-first-out"])
def test_overlapping_mutes_always_give_stderr_back(
    monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    # Two detectors (the lesson has a landmark and a box detector) warm up in any order.
    monkeypatch.delenv("FACEFILTERS_DEBUG", raising=False)
    real = os.fstat(2)
    a = NativeStderrMute()
    b = NativeStderrMute()
    assert not os.path.samestat(os.fstat(2), real)  # muted
    first, second = (a, b) if order == "first-in-first-out" else (b, a)
    first.release()
    assert not os.path.samestat(os.fstat(2), real)  # still held by the other
    second.release()
    second.release()  # releasing twice is harmless
    assert os.path.samestat(os.fstat(2), real)
