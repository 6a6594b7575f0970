"""What goes in comes out, on the command line: photos in any container, names that do
not fit, damaged videos and ``--keep-going``, output that appears mid-run."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from facefilters.io.video import VideoReader

from .conftest import changed, read, run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from media import damage_packets, write_video  # noqa: E402

pytestmark = pytest.mark.e2e


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


@pytest.mark.parametrize("container", ["avif", "heic", "gif", "webp"])
def test_a_photo_in_any_container_comes_out_as_a_filtered_jpeg(
    tmp_path: Path, grace_hopper_path: Path, container: str
) -> None:
    if container == "heic":
        pytest.importorskip("pillow_heif")
        from facefilters.io.image import _pillow

        _pillow()  # registers the HEIC writer too
    source = tmp_path / f"hopper.{container}"
    Image.open(grace_hopper_path).convert("RGB").save(source)
    out = tmp_path / "out.jpg"
    result = run("apply", source, "-o", out, "--filter", "mesh")
    assert result.exit_code == 0, result.output
    before, after = read(grace_hopper_path), read(out)
    assert after.shape == before.shape
    # The mesh is drawn on the face: a clear change there, none elsewhere.
    mask = changed(cv2.GaussianBlur(before, (5, 5), 0), cv2.GaussianBlur(after, (5, 5), 0))
    assert 0.01 < mask.mean() < 0.2


@pytest.mark.parametrize(
    ("input_kind", "output", "message"),
    [
        ("photo", "out.mp4", "is a photo, so the result is a photo"),
        ("video", "out.jpg", "is a video, so the result is a video"),
        ("photo", "out", "has no extension"),
    ],
)
def test_an_output_name_that_does_not_fit_is_one_line(
    tmp_path: Path,
    grace_hopper_path: Path,
    demo_clip: Path,
    input_kind: str,
    output: str,
    message: str,
) -> None:
    source = grace_hopper_path if input_kind == "photo" else demo_clip
    result = run("apply", source, "-o", tmp_path / output)
    assert result.exit_code == 1
    assert message in one_line_error(result)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    clean = write_video(folder / "clean.mp4", [i / 30 for i in range(40)], tones_hz=[440])
    return damage_packets(clean, folder / "damaged.mp4", 10, 18)


def test_a_damaged_video_is_refused_with_the_count(tmp_path: Path, damaged: Path) -> None:
    out = tmp_path / "out.mp4"
    result = run("apply", damaged, "-o", out)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert " of 40 frames of " in line and "could not be read" in line
    assert "nothing was written" in line and "--keep-going" in line
    assert list(tmp_path.iterdir()) == []


def test_keep_going_writes_the_rest_and_warns(tmp_path: Path, damaged: Path) -> None:
    out = tmp_path / "out.mp4"
    result = run("apply", damaged, "-o", out, "--keep-going")
    assert result.exit_code == 0, result.output
    assert "of 40 frames could not be read" in result.output
    with VideoReader(out) as reader:
        # The gap holds the last good picture, so the sound stays in step.
        assert len(list(reader)) == 40


def test_a_variable_frame_rate_is_noted(tmp_path: Path) -> None:
    times = [i / 10 for i in range(10)] + [1 + i / 30 for i in range(20)]
    source = write_video(tmp_path / "vfr.mp4", times, tones_hz=[440])
    result = run("apply", source, "-o", tmp_path / "out.mp4")
    assert result.exit_code == 0, result.output
    assert "the frame rate varies; written at a steady 30 fps" in result.output


def test_without_force_an_output_that_appears_mid_run_is_kept(
    tmp_path: Path, demo_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.mp4"
    from facefilters.apps import files

    real = files.VideoReader

    class SecondRun(real):  # another program writes OUTPUT while this run reads
        def close(self) -> None:
            out.write_bytes(b"the other program's")
            super().close()

    monkeypatch.setattr(files, "VideoReader", SecondRun)
    result = run("apply", demo_clip, "-o", out, "--filter", "mesh")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert f"'{out}' appeared while this ran" in line and "--force" in line
    assert ".tmp-" not in line
    assert out.read_bytes() == b"the other program's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_errors_name_the_output_not_the_temporary_file(
    tmp_path: Path, demo_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facefilters.io.video import writer

    def disk_full(self, frame: np.ndarray) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.av.VideoStream, "encode", disk_full, raising=False)
    out = tmp_path / "out.mp4"
    result = run("apply", demo_clip, "-o", out, "--filter", "mesh")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert f"cannot write '{out}'" in line and "free some space" in line, line
    assert list(tmp_path.iterdir()) == []
