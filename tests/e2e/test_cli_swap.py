"""The face swap from the command line, end to end: it swaps, it says so, and it refuses
bad photos with one line."""

from __future__ import annotations

import av
import numpy as np
import pytest

from facefilters.geometry import measure
from facefilters.io.provenance import read_note
from facefilters.render.label import LABEL_RED

from .conftest import read, run

pytestmark = pytest.mark.e2e


def has_label(frame: np.ndarray) -> bool:
    """Whether the red DEEPFAKE badge is in the bottom-left corner of a BGR picture."""
    h, w = frame.shape[:2]
    corner = frame[h * 3 // 4 :, : w // 2].astype(int)
    # The badge's flat red, within video compression's reach; the photos have < 0.1 %.
    red = np.abs(corner - np.array(LABEL_RED)).max(axis=2) < 15
    return red.mean() > 0.03


# The built-in filter's first face is the astronaut's; on the astronaut it takes Hopper's.
@pytest.mark.parametrize(
    ("target", "face"),
    [
        ("grace_hopper", None),
        ("astronaut", None),
        ("astronaut", "grace_hopper"),
        ("grace_hopper", "astronaut"),
    ],
)
def test_apply_swap_photo(tmp_path, photos, detector, target, face) -> None:
    out = tmp_path / "swapped.png"
    args = ["apply", photos[target], "-o", out, "--filter", "swap"]
    if face:
        args += ["--face", photos[face]]
    result = run(*args)
    assert result.exit_code == 0, result.output
    before, after = read(photos[target]), read(out)
    assert has_label(after) and not has_label(before)
    assert "face swap" in (read_note(out) or "")
    # The face is still a face, where it was: FaceMesh finds it in the same place.
    was, now = detector.detect(before, 0.0), detector.detect(after, 0.0)
    assert len(now) == 1
    eye = float(measure(was).eye_distance[0])
    error = np.hypot(*(now.xy[0] - was.xy[0]).T) / eye
    assert float(np.median(error)) < 0.08, float(np.median(error))
    # ... and it changed.
    x0, y0, x1, y1 = was.xyxy[0].astype(int)
    assert np.abs(after[y0:y1, x0:x1].astype(int) - before[y0:y1, x0:x1]).mean() > 4


def test_inspect_reports_the_label(tmp_path, photos) -> None:
    out = tmp_path / "swapped.jpg"
    assert run("apply", photos["astronaut"], "-o", out, "--filter", "swap").exit_code == 0
    result = run("inspect", out)
    assert result.exit_code == 0, result.output
    assert "face swap" in result.output
    plain = run("inspect", photos["astronaut"])
    assert "face swap" not in plain.output


def test_apply_swap_video_labels_every_frame_and_says_so(tmp_path, demo_clip) -> None:
    out = tmp_path / "swapped.mp4"
    result = run("apply", demo_clip, "-o", out, "--filter", "swap")
    assert result.exit_code == 0, result.output
    with av.open(str(out)) as container:
        assert "face swap" in container.metadata.get("comment", "")
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    assert len(frames) == 180
    assert all(has_label(f) for f in frames)
    assert "face swap" in (read_note(out) or "")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("no face", "no face found in the photo"),
        ("missing", "no such file"),
    ],
)
def test_bad_face_photo_is_one_line(tmp_path, photos, no_face_photo, make, message) -> None:
    face = no_face_photo if make == "no face" else tmp_path / "nope.jpg"
    out = tmp_path / "out.png"
    result = run("apply", photos["astronaut"], "-o", out, "--filter", "swap", "--face", face)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_face_with_a_filter_that_swaps_nothing_is_refused(tmp_path, photos) -> None:
    result = run(
        "apply",
        photos["astronaut"],
        "-o",
        tmp_path / "o.png",
        "--filter",
        "dog",
        "--face",
        photos["grace_hopper"],
    )
    assert result.exit_code == 1
    assert "--face is for the filters that swap faces" in result.output


def test_lesson_export_step_8_is_a_labelled_swap(tmp_path, photos) -> None:
    result = run(
        "lesson",
        "--export",
        tmp_path / "slides",
        "--lang",
        "nl",
        "--source",
        photos["grace_hopper"],
        "--face",
        photos["astronaut"],
    )
    assert result.exit_code == 0, result.output
    slides = tmp_path / "slides"
    slide = read(slides / "08-swap.png")
    # The swap is the right half, above the caption band; the original, left, is not.
    above = slide[: slide.shape[0] * 2 // 3]
    half = slide.shape[1] // 2
    assert has_label(above[:, half:])
    assert not has_label(above[:, :half])
    assert not has_label(read(slides / "07-crying.png")[: slide.shape[0] * 2 // 3])
    # In the lesson's language, on every slide that shows a swap, and only there.
    for name in ("08-swap.png", "10-dangers.png", "13-guess.png", "14-reveal.png"):
        assert "het gezicht is niet het echte" in (read_note(slides / name) or ""), name
    assert read_note(slides / "07-crying.png") is None
    from facefilters.io import credentials

    if credentials.available():
        found = credentials.read_credentials(slides / "08-swap.png")
        assert found is not None and found.ai_composite and found.state == "Valid"
        assert credentials.read_credentials(slides / "07-crying.png") is None


@pytest.mark.parametrize("name", ["swapped.jpg", "swapped.mp4"])
def test_swap_outputs_carry_content_credentials(tmp_path, photos, demo_clip, name) -> None:
    pytest.importorskip("c2pa", reason="c2pa-python (the optional extra) is not installed")
    from facefilters.io.credentials import read_credentials

    out = tmp_path / name
    source = demo_clip if out.suffix == ".mp4" else photos["grace_hopper"]
    result = run("apply", source, "-o", out, "--filter", "swap")
    assert result.exit_code == 0, result.output
    assert "Content Credentials (C2PA)" in result.output
    found = read_credentials(out)
    assert found is not None and found.ai_composite and found.state == "Valid"
    # The note is still there beside the manifest, and inspect reports both.
    assert "face swap" in (read_note(out) or "")
    text = run("inspect", out).stdout
    assert "content credentials: C2PA manifest by facefilters" in text
    assert "composite with trained algorithmic media" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_plain_filters_get_no_content_credentials(tmp_path, photos) -> None:
    pytest.importorskip("c2pa", reason="c2pa-python (the optional extra) is not installed")
    from facefilters.io.credentials import read_credentials

    out = tmp_path / "dog.jpg"
    result = run("apply", photos["grace_hopper"], "-o", out, "--filter", "dog")
    assert result.exit_code == 0, result.output
    assert "Content Credentials" not in result.output
    assert read_credentials(out) is None
    assert "content credentials" not in run("inspect", out).stdout
