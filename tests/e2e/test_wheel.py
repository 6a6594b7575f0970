"""The built wheel carries the filters: install it outside the source tree and use one."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_filters_and_runs_outside_the_tree(
    tmp_path: Path, grace_hopper_path: Path
) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("facefilters-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "facefilters/filters/dog/filter.toml",
        "facefilters/filters/dog/ear_left.png",
        "facefilters/filters/face-paint/paint.png",
        "facefilters/filters/swap/astronaut.jpg",
        "facefilters/filters/mesh/filter.toml",
        "facefilters/data/topology.npz",
        "facefilters/samples/demo.mp4",
        "facefilters/models/face_landmarker.task",
        "facefilters/models/LICENSE",
        "facefilters/models/NOTICE",
        "facefilters/fonts/DejaVuSans.ttf",
        "facefilters/fonts/DejaVuSans-Bold.ttf",
        "facefilters/fonts/LICENSE_DEJAVU",
    ):
        assert expected in names

    # A fresh venv with the wheel installed. Its dependencies come from this test run's
    # environment through a .pth file (a plain path entry: the source tree's editable
    # hook in that environment is not loaded), so no download is needed and the package
    # itself can only come from the wheel.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True
    )
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(py), "-c", "import facefilters; print(facefilters.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(ROOT) not in where.stdout and str(env_dir) in where.stdout
    out = work / "glasses.png"
    run = subprocess.run(
        [
            str(env_dir / "bin" / "facefilters"),
            "apply",
            str(grace_hopper_path),
            "-o",
            str(out),
            "--filter",
            "glasses",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert out.stat().st_size > 10_000
