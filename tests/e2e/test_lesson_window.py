"""The live lesson on a virtual X server, driven with real key presses.

The lesson plays a still clip of the Grace Hopper portrait as if it were a camera. The
test jumps to the face swap (8), walks to "real or fake?" (13), asks for the answer (r)
and quits (q), looking at screenshots the way a class would: the swap beside the
original, labelled; two pictures that both ask; then one labelled as the swap.
Screenshots are kept in the test's tmp_path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.render.label import LABEL_RED

from .test_live_window import _wait_for, portrait_clip, xdisplay, xdotool  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

W, H = 1280, 720  # the lesson's canvas


def red_share(picture: np.ndarray) -> float:
    """Share of a picture's bottom-left quarter in the deepfake badge's flat red."""
    h, w = picture.shape[:2]
    corner = picture[h * 3 // 4 :, : w // 2].astype(int)
    return float((np.abs(corner - np.array(LABEL_RED)).max(axis=2) < 20).mean())


def test_lesson_window(tmp_path: Path, xdisplay: str, portrait_clip) -> None:  # noqa: F811
    from PIL import ImageGrab

    clip, _ = portrait_clip
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env["DISPLAY"] = xdisplay
    stderr_path = tmp_path / "app.err"
    with (tmp_path / "app.out").open("w") as stdout, stderr_path.open("w") as stderr:
        app = subprocess.Popen(
            [sys.executable, "-m", "facefilters", "lesson", "--source", str(clip), "--lang", "nl"],
            env=env,
            stdout=stdout,
            stderr=stderr,
        )

    def log() -> str:
        return stderr_path.read_text(errors="replace")

    def find_window() -> str:
        assert app.poll() is None, f"the lesson quit early:\n{log()}"
        return xdotool(xdisplay, "search", "--onlyvisible", "--name", "^facefilters")

    try:
        found = _wait_for(find_window, 20.0, 0.2)
        assert found, f"no lesson window appeared:\n{log()}"
        wid = str(found).split()[0]

        def geometry() -> dict[str, int]:
            lines = xdotool(xdisplay, "getwindowgeometry", "--shell", wid).splitlines()
            return {k: int(v) for k, v in (line.split("=") for line in lines)}

        _wait_for(lambda: (geometry()["WIDTH"], geometry()["HEIGHT"]) == (W, H), 10.0, 0.1)
        where = geometry()
        x0, y0 = where["X"], where["Y"]
        assert (where["WIDTH"], where["HEIGHT"]) == (W, H)

        def grab(name: str) -> np.ndarray:
            shot = np.asarray(ImageGrab.grab(xdisplay=xdisplay))[y0 : y0 + H, x0 : x0 + W]
            bgr = cv2.cvtColor(shot, cv2.COLOR_RGB2BGR)
            cv2.imwrite(str(tmp_path / f"{name}.png"), bgr)
            return bgr

        def press(key: str) -> None:
            xdotool(xdisplay, "key", "--window", wid, "--delay", "150", key)
            time.sleep(0.5)

        if not _wait_for(lambda: grab("0-first").max() > 0, 5.0, 0.2):
            xdotool(xdisplay, "windowunmap", "--sync", wid)
            xdotool(xdisplay, "windowmap", "--sync", wid)

        def halves(shot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            above = shot[: int(H * 0.68)]
            return above[:, : W // 2], above[:, W // 2 :]

        # Step 8: the original left, the swap right, labelled NEP; nothing on the left.
        press("8")

        def swap_shown(shot: np.ndarray) -> bool:
            left, right = halves(shot)
            return red_share(right) > 0.01 and red_share(left) < 0.001

        assert _wait_for(lambda: swap_shown(grab("8-swap")), 15.0, 0.3), (
            f"no labelled swap beside the original:\n{log()}"
        )

        # Step 13: both pictures carry the question; r gives the answer, one labelled.
        press("9")
        for _ in range(4):
            press("Right")

        def both_ask(shot: np.ndarray) -> bool:
            return all(red_share(half) > 0.005 for half in halves(shot))

        assert _wait_for(lambda: both_ask(grab("13-guess")), 10.0, 0.3)
        press("r")

        def one_answer(shot: np.ndarray) -> bool:
            shares = sorted(red_share(half) for half in halves(shot))
            return shares[0] < 0.001 < shares[1]

        assert _wait_for(lambda: one_answer(grab("14-reveal")), 10.0, 0.3)

        press("q")
        assert app.wait(15) == 0, log()
        # The keys are said on the console, in the lesson's language.
        assert "r: onthullen" in log()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
