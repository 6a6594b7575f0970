from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from facefilters.errors import OutputError
from facefilters.io import atomic
from facefilters.io.atomic import atomic_output
from facefilters.io.video import VideoReader, VideoWriter


class Boom(Exception):
    pass


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_writes_through_a_hidden_temporary_beside_the_output(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    with atomic_output(output) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".out.tmp-")
        assert tmp.suffix == ".mp4"
        assert tmp.exists()
        assert not output.exists()
        tmp.write_bytes(b"video")
    assert output.read_bytes() == b"video"
    assert leftovers(tmp_path) == []


def test_each_run_gets_its_own_temporary(tmp_path: Path) -> None:
    output = tmp_path / "out.png"
    with atomic_output(output) as first, atomic_output(output) as second:
        assert first != second
        first.write_bytes(b"1")
        second.write_bytes(b"2")
    assert output.read_bytes() == b"1"  # the outer one finishes last and wins


@pytest.mark.parametrize("error", [Boom("failed halfway"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [None, b"old output"])
def test_failure_leaves_no_temporary_and_the_output_untouched(
    tmp_path: Path, error: BaseException, existing: bytes | None
) -> None:
    output = tmp_path / "out.mp4"
    if existing is not None:
        output.write_bytes(existing)
    with pytest.raises(type(error)):
        with atomic_output(output, force=True) as tmp:
            tmp.write_bytes(b"half a video")
            raise error
    assert leftovers(tmp_path) == []
    if existing is None:
        assert not output.exists()
    else:
        assert output.read_bytes() == existing


def test_existing_output_is_refused_without_force(tmp_path: Path) -> None:
    output = tmp_path / "out.jpg"
    output.write_bytes(b"keep me")
    with pytest.raises(OutputError, match=r"out\.jpg' exists; use --force to replace it"):
        with atomic_output(output):
            pytest.fail("the body must not run")
    assert output.read_bytes() == b"keep me"
    assert leftovers(tmp_path) == []


def test_force_replaces_existing_output(tmp_path: Path) -> None:
    output = tmp_path / "out.jpg"
    output.write_bytes(b"old")
    with atomic_output(output, force=True) as tmp:
        tmp.write_bytes(b"new")
    assert output.read_bytes() == b"new"


def same_path(tmp_path: Path, source: Path) -> Path:
    return source


def dotted_path(tmp_path: Path, source: Path) -> Path:
    return tmp_path / "sub" / ".." / source.name


def hard_link(tmp_path: Path, source: Path) -> Path:
    link = tmp_path / "link.mp4"
    os.link(source, link)
    return link


def symlink(tmp_path: Path, source: Path) -> Path:
    link = tmp_path / "symlink.mp4"
    link.symlink_to(source)
    return link


@pytest.mark.parametrize("spell_output", [same_path, dotted_path, hard_link, symlink])
@pytest.mark.parametrize("force", [False, True])
def test_output_equal_to_input_is_refused(tmp_path: Path, spell_output, force: bool) -> None:
    (tmp_path / "sub").mkdir()
    source = tmp_path / "in.mp4"
    source.write_bytes(b"the input")
    output = spell_output(tmp_path, source)
    with pytest.raises(OutputError, match="it is the input file"):
        with atomic_output(output, input_path=source, force=force):
            pytest.fail("the body must not run")
    assert source.read_bytes() == b"the input"


def test_output_beside_input_is_fine(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    source.write_bytes(b"the input")
    with atomic_output(tmp_path / "out.mp4", input_path=source) as tmp:
        tmp.write_bytes(b"out")
    assert (tmp_path / "out.mp4").read_bytes() == b"out"


@pytest.mark.parametrize(
    ("make_output", "message"),
    [
        (lambda d: d / "missing" / "out.mp4", r"folder does not exist: '.*missing'"),
        (lambda d: d, "it is a folder"),
    ],
    ids=["missing folder", "output is a folder"],
)
def test_bad_output_paths_are_refused(tmp_path: Path, make_output, message: str) -> None:
    with pytest.raises(OutputError, match=message):
        with atomic_output(make_output(tmp_path), force=True):
            pytest.fail("the body must not run")


def test_unwritable_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, because permission bits mean nothing to root, which CI may run as.
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: False)
    with pytest.raises(OutputError, match="is not writable"):
        with atomic_output(tmp_path / "out.mp4"):
            pytest.fail("the body must not run")


def test_body_deleting_the_temporary_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        with atomic_output(tmp_path / "out.mp4") as tmp:
            tmp.unlink()
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize("error", [Boom("filter crashed"), KeyboardInterrupt()])
def test_interrupted_video_leaves_nothing_behind(tmp_path: Path, error: BaseException) -> None:
    output = tmp_path / "out.mp4"
    with pytest.raises(type(error)):
        with atomic_output(output) as tmp, VideoWriter(tmp, (64, 48), Fraction(30000, 1001)) as w:
            for index in range(10):
                if index == 5:
                    raise error
                w.write(np.zeros((48, 64, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_finished_video_is_moved_into_place(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    with atomic_output(output) as tmp, VideoWriter(tmp, (64, 48), Fraction(30000, 1001)) as w:
        for _ in range(10):
            w.write(np.zeros((48, 64, 3), np.uint8))
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]
    with VideoReader(output) as reader:
        assert reader.info.frame_count == 10
