"""Only facefilters' own lines reach the terminal: none of MediaPipe's glog/absl lines
("W0000 ..."), LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate", OpenCV's
"[ WARN:0@...]" or libpng's, at start-up or mid-run.

These lines are written by native code straight to file descriptor 2, so only a real
process shows them: each test runs the installed ``facefilters`` command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from scenes import background, paste_face

import pictures

pytestmark = pytest.mark.e2e

FACEFILTERS = [sys.executable, "-m", "facefilters"]
NATIVE_MARKS = (
    "W0000",
    "I0000",
    "E0000",
    "INFO:",
    "WARNING:",
    "[ WARN",
    "[ERROR",
    "libpng",
    "Corrupt JPEG",
    "XNNPACK",
    "TensorFlow",
    "absl",
    "gl_context",
)


def quiet_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("FACEFILTERS_DEBUG", "GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL", "OPENCV_LOG_LEVEL")
    }
    env["COLUMNS"] = "200"
    return env


def facefilters(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FACEFILTERS, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=timeout,
    )


def assert_only(stderr: str, expected: list[str]) -> None:
    """Each line of stderr is the expected one (a trailing "..." matches any ending)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert not [line for line in lines if any(m in line for m in NATIVE_MARKS)], stderr
    assert len(lines) == len(expected), stderr
    for line, want in zip(lines, expected):
        assert line.startswith(want[:-3]) if want.endswith("...") else line == want, stderr


@pytest.fixture(scope="module")
def late_face_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s at 15 fps, 480x360: an empty room for a second, then a face walks in, so a
    landmark model starts mid-run."""
    from facefilters.io.video import VideoWriter

    path = tmp_path_factory.mktemp("clips") / "late-face.mp4"
    rng = np.random.default_rng(5)
    room = background((480, 360), rng)
    with VideoWriter(path, (480, 360), Fraction(15)) as writer:
        for k in range(30):
            frame = room.copy()
            if k >= 15:
                paste_face(frame, "grace_hopper", (240.0, 170.0), 60.0, 0.0)
            writer.write(frame)
    return path


def test_apply_on_a_photo_says_one_line(grace_hopper_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "dog.jpg"
    run = facefilters("apply", grace_hopper_path, "-o", out, "--filter", "dog")
    assert run.returncode == 0, run.stderr
    assert_only(run.stderr, [f"wrote {out}"])


def test_apply_on_a_video_where_a_face_arrives_late(late_face_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "tears.mp4"
    run = facefilters("apply", late_face_clip, "-o", out, "--filter", "tears")
    assert run.returncode == 0, run.stderr
    # The face is shown once seen in two frames in a row: 14 or 15 frames with it.
    assert_only(run.stderr, [f"wrote {out} (30 frames, a face in 1..."])


def test_inspect_writes_json_and_nothing_else(grace_hopper_path: Path) -> None:
    run = facefilters("inspect", grace_hopper_path, "--json")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('{"width":')
    assert_only(run.stderr, [])


@pytest.mark.parametrize(
    "make", [pictures.truncated_png, pictures.fake_png], ids=["truncated", "fake"]
)
def test_a_damaged_photo_is_one_line(tmp_path: Path, make) -> None:
    photo = pictures.write(tmp_path / "odd.png", make())
    run = facefilters("apply", photo, "-o", tmp_path / "out.jpg")
    assert run.returncode == 1
    assert_only(
        run.stderr, [f"error: cannot read '{photo}': not an image, or the image is damaged"]
    )


@pytest.mark.skipif(
    not (shutil.which("xvfb-run") and shutil.which("xdotool")), reason="needs xvfb-run and xdotool"
)
def test_live_window_says_only_its_own_lines(late_face_clip: Path, tmp_path: Path) -> None:
    # Every filter is shown in turn (n), with the mesh (m) and a snapshot (space), then q.
    keys = " ".join(["n"] * 16 + ["m", "space", "q"])
    script = (
        f"{' '.join(FACEFILTERS)} live --source {late_face_clip} --out {tmp_path} "
        "--lang en & pid=$!; "
        "win=$(xdotool search --sync --onlyvisible --name 'facefilters: ' 2>/dev/null "
        "| head -1); "
        f"for k in {keys}; do sleep 0.4; xdotool key --window $win $k 2>/dev/null; done; "
        "wait $pid"
    )
    run = subprocess.run(
        ["xvfb-run", "-a", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    (snapshot,) = tmp_path.glob("*.png")
    assert_only(run.stderr, [f"Saving snapshots and recordings to {tmp_path}", f"saved {snapshot}"])
