"""quiet.py: native libraries get their quietest log level before they load, and what
still writes to file descriptor 2 can be muted around a call."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from facefilters.quiet import native_stderr_muted

PROBE = (
    "import cv2, facefilters, os; "
    # OpenCV 5 keeps the level in cv2.utils.logging, OpenCV 4 at the top.
    "where = getattr(getattr(cv2, 'utils', None), 'logging', None); "
    "where = where if hasattr(where, 'getLogLevel') else cv2; "
    "print(where.getLogLevel(), os.environ.get('GLOG_minloglevel'), "
    "os.environ.get('TF_CPP_MIN_LOG_LEVEL'), os.environ.get('OPENCV_LOG_LEVEL'))"
)


def probe(**env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("FACEFILTERS_DEBUG", "GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL", "OPENCV_LOG_LEVEL")
    }
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env={**clean, **env},
        check=True,
    )
    return run.stdout.strip()


def test_log_levels_are_quiet_even_when_cv2_loaded_first() -> None:
    # 0 is OpenCV's LOG_LEVEL_SILENT; glog 2 keeps errors only; TF 3 keeps nothing.
    assert probe() == "0 2 3 SILENT"


def test_facefilters_debug_leaves_the_logs_alone() -> None:
    assert probe(FACEFILTERS_DEBUG="1") == "3 None None None"


def test_native_writes_to_fd_2_are_muted_and_stderr_comes_back(capfd, monkeypatch) -> None:
    monkeypatch.delenv("FACEFILTERS_DEBUG", raising=False)
    with native_stderr_muted():
        os.write(2, b"libpng error: Read Error\n")  # as a C library writes
    os.write(2, b"ours\n")
    assert capfd.readouterr().err == "ours\n"


def test_the_mute_is_released_when_the_call_fails(capfd, monkeypatch) -> None:
    monkeypatch.delenv("FACEFILTERS_DEBUG", raising=False)
    with pytest.raises(ValueError), native_stderr_muted():
        raise ValueError
    os.write(2, b"back\n")
    assert capfd.readouterr().err == "back\n"


OFF = (
    "import os, sys\n"
    "from facefilters.quiet import native_stderr_off\n"
    "native_stderr_off()\n"
    "os.write(2, b'W0000 native chatter from a worker thread\\n')\n"
    "print('error: our own line', file=sys.stderr)\n"
    "raise RuntimeError('a bug shows its traceback')\n"
)


@pytest.mark.parametrize("debug", [False, True])
def test_native_stderr_off_keeps_pythons_stderr(debug: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FACEFILTERS_DEBUG"}
    if debug:
        env["FACEFILTERS_DEBUG"] = "1"
    run = subprocess.run([sys.executable, "-c", OFF], capture_output=True, text=True, env=env)
    assert ("W0000 native chatter" in run.stderr) == debug
    assert "error: our own line" in run.stderr
    assert "RuntimeError: a bug shows its traceback" in run.stderr
