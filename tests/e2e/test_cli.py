"""The command line, end to end: real model, real photos, the sample clip, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from facefilters import __version__
from facefilters.detect import landmark_detector
from facefilters.geometry import measure

from .conftest import changed, read, run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def anchors_of(photos):
    with landmark_detector(static_image_mode=True) as d:
        return {name: measure(d.detect(read(p))) for name, p in photos.items()}


def region(mask: np.ndarray, xy, r: float) -> float:
    """Share of pixels changed within radius r of xy."""
    h, w = mask.shape
    yy, xx = np.mgrid[:h, :w]
    inside = (xx - xy[0]) ** 2 + (yy - xy[1]) ** 2 <= r * r
    return float(mask[inside].mean())


@pytest.mark.parametrize("photo", ["grace_hopper", "astronaut"])
@pytest.mark.parametrize("filter_id", ["dog", "glasses", "tears", "mesh"])
def test_apply_photo(tmp_path: Path, photos, anchors_of, photo: str, filter_id: str) -> None:
    out = tmp_path / "out.png"
    result = run("apply", photos[photo], "-o", out, "--filter", filter_id)
    assert result.exit_code == 0, result.output
    before, after = read(photos[photo]), read(out)
    assert after.shape == before.shape and after.dtype == np.uint8
    mask = changed(before, after)
    g = anchors_of[photo]
    eye = float(g.eye_distance[0])
    a = {k: v[0] for k, v in g.anchors.items()}
    if filter_id == "dog":
        assert region(mask, a["nose_tip"], 0.15 * eye) > 0.8  # the nose covers the nose
        # The ears hang down beside the head from its top.
        beside = a["forehead"] + g.axis_y[0] * 0.1 * eye
        left_ear = beside - g.axis_x[0] * 1.05 * eye
        right_ear = beside + g.axis_x[0] * 1.05 * eye
        assert region(mask, left_ear, 0.3 * eye) > 0.6
        assert region(mask, right_ear, 0.3 * eye) > 0.6
    elif filter_id == "glasses":
        for eye_name in ("left_eye", "right_eye"):
            assert region(mask, a[eye_name], 0.2 * eye) > 0.8
            # Sunglasses are dark over the eye area (a pupil alone may be darker).
            x, y = np.round(a[eye_name]).astype(int)
            r = int(0.3 * eye)
            patch = np.s_[y - r : y + r, x - r : x + r]
            assert after[patch].mean() < 0.8 * before[patch].mean()
    elif filter_id == "tears":
        for eye_name in ("left_eye", "right_eye"):
            below = a[eye_name] + g.axis_y[0] * 0.6 * eye
            assert region(mask, below, 0.5 * eye) > 0.02
    else:
        assert region(mask, a["nose_tip"], 0.5 * eye) > 0.05
    # Filters stay on the face: little changes far from it.
    x1, y1 = a["right_eye"][0] - 2.5 * eye, a["forehead"][1] - 2.5 * eye
    x2, y2 = a["left_eye"][0] + 2.5 * eye, a["chin"][1] + 2.5 * eye
    far = mask.copy()
    far[max(int(y1), 0) : int(y2), max(int(x1), 0) : int(x2)] = False
    assert far.mean() < 0.01


def test_apply_jpeg_output_and_no_face_warning(tmp_path: Path, no_face_photo: Path) -> None:
    out = tmp_path / "same.png"
    result = run("apply", no_face_photo, "-o", out, "--filter", "dog")
    assert result.exit_code == 0
    assert "no face" in result.output
    assert np.array_equal(read(out), read(no_face_photo))


def test_apply_video_keeps_size_rate_frames_and_audio(tmp_path: Path, demo_clip: Path) -> None:
    out = tmp_path / "dog.mp4"
    result = run("apply", demo_clip, "-o", out, "--filter", "dog")
    assert result.exit_code == 0, result.output
    with av.open(str(demo_clip)) as src, av.open(str(out)) as dst:
        sv, dv = src.streams.video[0], dst.streams.video[0]
        assert dv.codec_context.name == "h264"
        assert (dv.width, dv.height) == (sv.width, sv.height)
        assert dv.average_rate == sv.average_rate == Fraction(30000, 1001)
        src_frames = [f.to_ndarray(format="bgr24") for f in src.decode(video=0)]
        dst_frames = [f.to_ndarray(format="bgr24") for f in dst.decode(video=0)]
        assert len(dst_frames) == len(src_frames) > 0
    # The dog is drawn on (nearly) every frame: the sample has a face in each of them.
    drawn = [changed(a, b).mean() > 0.005 for a, b in zip(src_frames, dst_frames)]
    assert sum(drawn) >= 0.95 * len(drawn)
    with av.open(str(demo_clip)) as src, av.open(str(out)) as dst:
        assert len(dst.streams.audio) == 1
        sa, da = src.streams.audio[0], dst.streams.audio[0]
        assert da.codec_context.name == sa.codec_context.name
        assert da.sample_rate == sa.sample_rate
        src_samples = sum(f.samples for f in src.decode(audio=0))
        dst_samples = sum(f.samples for f in dst.decode(audio=0))
        assert abs(dst_samples - src_samples) <= 2048


def test_inspect_photo_json(photos) -> None:
    result = run("inspect", photos["grace_hopper"], "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert (record["width"], record["height"]) == (512, 600)
    (face,) = record["faces"]
    assert face["id"] == 0
    assert len(face["landmarks"]) == 478 and all(len(p) == 3 for p in face["landmarks"])
    x1, y1, x2, y2 = face["bbox"]
    assert 0 <= x1 < x2 <= 512 and 0 <= y1 < y2 <= 600
    for name in ("left_eye", "right_eye", "nose_tip", "mouth_center", "forehead", "chin"):
        x, y = face["anchors"][name]
        assert x1 - 1 <= x <= x2 + 1 and y1 - 1 <= y <= y2 + 1
    # A portrait facing the camera: small angles, and a size near the eye distance.
    for key in ("roll_deg", "yaw_deg", "pitch_deg"):
        assert isinstance(face[key], float) and abs(face[key]) < 20, key
    assert abs(face["size_px"] / face["eye_distance"] - 1) < 0.1


def test_inspect_video_json_lines(demo_clip: Path) -> None:
    result = run("inspect", demo_clip, "--json")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    with av.open(str(demo_clip)) as src:
        n = sum(1 for _ in src.decode(video=0))
    assert [r["frame"] for r in records] == list(range(n))
    times = [r["time"] for r in records]
    assert times == sorted(times) and times[1] == pytest.approx(1001 / 30000, abs=1e-3)
    with_face = [r for r in records if r["faces"]]
    assert len(with_face) > 0.9 * n
    # A tracked face keeps its id through the clip.
    first_ids = {f["id"] for r in with_face[:10] for f in r["faces"]}
    assert first_ids and first_ids <= {f["id"] for r in with_face for f in r["faces"]}


def test_filters_lists_builtins() -> None:
    result = run("filters")
    assert result.exit_code == 0
    for name in ("dog", "glasses", "tears", "mesh"):
        assert name in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "facefilters", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __version__ in proc.stdout


def _truncated(tmp: Path, clip: Path) -> Path:
    path = tmp / "cut.mp4"
    path.write_bytes(clip.read_bytes()[:1024])
    return path


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("missing input", 1, "no such file"),
        ("text file", 1, "neither an image nor a video"),
        ("empty file", 1, "empty"),
        ("truncated video", 1, "cut.mp4"),
        ("unknown filter", 1, "available: anonymize, big-eyes"),
        ("missing output folder", 1, "does not exist"),
        ("output exists", 1, "--force"),
        ("output is input", 1, "input"),
        ("unwritable output", 1, "proc"),
        ("bad max faces", 2, "max-faces"),
    ],
)
def test_bad_input(
    tmp_path: Path, photos, demo_clip: Path, case: str, code: int, message: str
) -> None:
    photo = tmp_path / "photo.jpg"
    shutil.copy(photos["grace_hopper"], photo)
    out = tmp_path / "out.png"
    args: list = ["apply", photo, "-o", out]
    if case == "missing input":
        args[1] = tmp_path / "nope.jpg"
    elif case == "text file":
        args[1] = tmp_path / "notes.mp4"
        args[1].write_text("hello, this is not a video\n" * 20)
    elif case == "empty file":
        args[1] = tmp_path / "empty.jpg"
        args[1].write_bytes(b"")
    elif case == "truncated video":
        args[1] = _truncated(tmp_path, demo_clip)
        args[3] = tmp_path / "out.mp4"
    elif case == "unknown filter":
        args += ["--filter", "unicorn"]
    elif case == "missing output folder":
        args[3] = tmp_path / "no" / "such" / "out.png"
    elif case == "output exists":
        out.write_bytes(b"precious")
    elif case == "output is input":
        args[3] = photo
    elif case == "unwritable output":
        args[3] = Path("/proc/facefilters-out.png")
    elif case == "bad max faces":
        args += ["--max-faces", "0"]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message.lower() in result.output.lower()
    if code == 1:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    # Nothing on disk was lost or left behind.
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_dog_tongue_appears_when_the_mouth_opens(
    tmp_path: Path, photos, open_mouth_photo: Path
) -> None:
    with landmark_detector(static_image_mode=True) as d:
        closed_g = measure(d.detect(read(photos["astronaut"])))
        open_g = measure(d.detect(read(open_mouth_photo)))
    assert closed_g.measures["mouth_open"][0] < 0.25 < open_g.measures["mouth_open"][0]
    for photo, g, tongue_expected in (
        (photos["astronaut"], closed_g, False),
        (open_mouth_photo, open_g, True),
    ):
        out = tmp_path / f"{photo.stem}-dog.png"
        assert run("apply", photo, "-o", out, "--filter", "dog").exit_code == 0
        mask = changed(read(photo), read(out))
        eye = float(g.eye_distance[0])
        # The tongue hangs from the lower lip, below the dog nose.
        below_lip = g.anchors["lower_lip"][0] + g.axis_y[0] * 0.3 * eye
        share = region(mask, below_lip, 0.12 * eye)
        assert (share > 0.7) if tongue_expected else (share < 0.05), share


def test_the_status_line_names_the_output_as_typed(
    tmp_path: Path, grace_hopper_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    result = run("apply", grace_hopper_path, "-o", "./sub//dog.jpg")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "wrote ./sub//dog.jpg"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["dog.jpg"]


def test_a_reader_that_goes_away_is_no_error(demo_clip: Path) -> None:
    # `facefilters inspect clip.mp4 --json | head -1`: head closes the pipe after a line.
    command = [sys.executable, "-m", "facefilters", "inspect", str(demo_clip), "--json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert json.loads(proc.stdout.readline())["frame"] == 0
        proc.stdout.close()
        errors = proc.stderr.read().decode()
    assert proc.returncode == 1
    assert errors == ""
