"""Ctrl+C, a stop signal or an error half-way through a video leaves nothing half-written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from facefilters.apps.files import apply_file
from facefilters.catalog import Catalog
from facefilters.io.video import VideoWriter

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_video_leaves_no_output(
    tmp_path: Path, demo_clip: Path, error: type, existing: bool
) -> None:
    out = tmp_path / "out.mp4"
    if existing:
        out.write_bytes(b"an older result")

    def progress(done: int, total: int | None) -> None:
        if done == 20:
            raise error()

    with pytest.raises(error):
        apply_file(demo_clip, out, Catalog().load("dog"), force=True, progress=progress)
    assert [p.name for p in tmp_path.iterdir()] == (["out.mp4"] if existing else [])
    if existing:
        assert out.read_bytes() == b"an older result"


# -- stop signals, as a `timeout`, `docker stop` or a closed terminal sends them -------


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minute of small frames: long enough that a run is still going when signalled."""
    path = tmp_path_factory.mktemp("clips") / "long.mp4"
    rng = np.random.default_rng(1)
    with VideoWriter(path, (160, 120), 30) as writer:
        for i in range(1800):
            frame = np.full((120, 160, 3), 60 + i % 120, np.uint8)
            frame[40:80, (i % 120) : (i % 120) + 40] = rng.integers(0, 256, 3, dtype=np.uint8)
            writer.write(frame)
    return path


def _ctrl_c_as_in_a_terminal() -> None:
    # A job a shell starts in the background (CI's runner may be one) inherits SIGINT
    # ignored, and Python then keeps it ignored, as it should: Ctrl+C in a terminal is
    # not for background jobs. The command under test gets the terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".tmp-" in p.name]


@pytest.mark.parametrize(
    ("sig", "existing"),
    [(signal.SIGTERM, True), (signal.SIGHUP, False), (signal.SIGINT, True)],
    ids=["SIGTERM-existing", "SIGHUP-new", "SIGINT-existing"],
)
def test_stop_signal_mid_run_leaves_nothing_half_written(
    tmp_path: Path, long_clip: Path, sig: int, existing: bool
) -> None:
    out = tmp_path / "out.mp4"
    if existing:
        out.write_bytes(b"an older result")
    command = [
        sys.executable,
        "-m",
        "facefilters",
        "apply",
        str(long_clip),
        "-o",
        str(out),
        "--filter",
        "mesh",
        "--force",
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 120
        # Signal once frames are being written into the temporary file.
        while not any(p.stat().st_size > 4096 for p in _temporaries(tmp_path)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, stderr
    assert f"interrupted ({signal.Signals(sig).name})" in stderr
    assert "Traceback" not in stderr
    assert _temporaries(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == (["out.mp4"] if existing else [])
    if existing:
        assert out.read_bytes() == b"an older result"
