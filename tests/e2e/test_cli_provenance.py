"""``facefilters inspect`` says when a file's metadata tells of a face swap."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from facefilters.i18n import Messages
from facefilters.io.image import write_image
from facefilters.io.provenance import add_note_to_image_file, video_metadata
from facefilters.io.video import VideoWriter

from .conftest import read, run

pytestmark = pytest.mark.e2e

NOTE = Messages("en")("deepfake.note")
SAYS = "label: this file says it was made by a face swap"


@pytest.fixture
def noted_photo(tmp_path: Path, grace_hopper_path: Path) -> Path:
    path = tmp_path / "noted.jpg"
    write_image(path, read(grace_hopper_path))
    add_note_to_image_file(path, NOTE)
    return path


@pytest.fixture
def noted_video(tmp_path: Path) -> Path:
    path = tmp_path / "noted.mp4"
    with VideoWriter(path, (64, 48), 30, metadata=video_metadata(NOTE)) as writer:
        for k in range(3):
            writer.write(np.full((48, 64, 3), 40 * k, np.uint8))
    return path


def test_inspect_photo_prints_the_note(noted_photo: Path) -> None:
    result = run("inspect", noted_photo)
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()[:2]
    assert first == f"{SAYS} ({NOTE})"
    assert second.startswith("512x600, 1 face(s)")


def test_inspect_photo_json_has_the_note(noted_photo: Path) -> None:
    result = run("inspect", noted_photo, "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["note"] == NOTE
    assert len(record["faces"]) == 1


def test_inspect_video_notes_the_first_record_only(noted_video: Path) -> None:
    result = run("inspect", noted_video, "--json")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["frame"] for r in records] == [0, 1, 2]
    assert records[0]["note"] == NOTE
    assert all("note" not in r for r in records[1:])
    text = run("inspect", noted_video).stdout
    assert text.count(SAYS) == 1 and text.startswith(SAYS)


def test_inspect_without_a_note_says_nothing_of_it(grace_hopper_path: Path) -> None:
    assert SAYS not in run("inspect", grace_hopper_path).stdout
    assert "note" not in json.loads(run("inspect", grace_hopper_path, "--json").stdout)
