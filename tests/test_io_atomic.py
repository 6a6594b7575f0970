from __future__ import annotations

import errno
import os
import stat
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


def test_each_run_gets_its_own_temporary_and_the_later_one_replaces_nothing(
    tmp_path: Path,
) -> None:
    output = tmp_path / "out.png"
    with pytest.raises(OutputError, match=r"out\.png' appeared while this ran .* --force"):
        with atomic_output(output) as first, atomic_output(output) as second:
            assert first != second
            first.write_bytes(b"1")
            second.write_bytes(b"2")
    assert output.read_bytes() == b"2"  # the inner one finished first; the outer kept it
    assert leftovers(tmp_path) == []


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


# -- a file that appears while the program runs ---------------------------------------


def no_renameat2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_RENAMEAT2", None)


def no_renameat2_nor_links(monkeypatch: pytest.MonkeyPatch) -> None:
    no_renameat2(monkeypatch)

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(atomic.os, "link", refuse)


def as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    pass


WAYS = [as_is, no_renameat2, no_renameat2_nor_links]
"""Each way the final move can refuse to replace: renameat2 (Linux), a hard link, and
the check-then-rename left for file systems without either."""


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("appears", ["file", "symlink", "folder"])
def test_output_that_appears_meanwhile_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way, appears: str
) -> None:
    way(monkeypatch)
    output = tmp_path / "out.mp4"
    with pytest.raises(OutputError) as caught:
        with atomic_output(output) as tmp:
            tmp.write_bytes(b"our result")
            if appears == "file":
                output.write_bytes(b"someone else's")
            elif appears == "symlink":
                output.symlink_to(tmp_path / "nowhere")
            else:
                output.mkdir()
    message = str(caught.value)
    assert f"'{output}' appeared while this ran" in message and "--force" in message
    assert ".tmp-" not in message
    assert leftovers(tmp_path) == []
    if appears == "file":
        assert output.read_bytes() == b"someone else's"
    elif appears == "symlink":
        assert output.is_symlink()
    else:
        assert output.is_dir()


@pytest.mark.parametrize("way", WAYS)
def test_each_way_moves_a_finished_file_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way
) -> None:
    way(monkeypatch)
    output = tmp_path / "out.mp4"
    with atomic_output(output) as tmp:
        tmp.write_bytes(b"done")
    assert output.read_bytes() == b"done"
    assert leftovers(tmp_path) == []


def test_force_replaces_a_file_that_appeared_meanwhile(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    with atomic_output(output, force=True) as tmp:
        tmp.write_bytes(b"ours")
        output.write_bytes(b"theirs")
    assert output.read_bytes() == b"ours"


# -- --force and files that are not regular files -------------------------------------


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def link_to_fifo(path: Path) -> Path:
    target = fifo(path.with_name("pipe"))
    path.symlink_to(target)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (fifo, "named pipe"),
        (link_to_fifo, "named pipe"),
        (folder, "it is a folder; give a file name in it"),
        (lambda path: Path(os.devnull), "a device"),
    ],
    ids=["fifo", "symlink to a fifo", "folder", "device"],
)
@pytest.mark.parametrize("force", [False, True])
def test_force_never_turns_a_special_file_into_a_regular_one(
    tmp_path: Path, make, message: str, force: bool
) -> None:
    output = make(tmp_path / "out.mp4")
    kind = os.stat(output).st_mode
    with pytest.raises(OutputError, match=message):
        with atomic_output(output, force=force):
            pytest.fail("the body must not run")
    assert os.stat(output).st_mode == kind
    assert leftovers(tmp_path) == []


def test_a_fifo_that_appears_meanwhile_is_kept_even_with_force(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    with pytest.raises(OutputError, match="named pipe"):
        with atomic_output(output, force=True) as tmp:
            tmp.write_bytes(b"ours")
            os.mkfifo(output)
    assert stat.S_ISFIFO(os.lstat(output).st_mode)
    assert leftovers(tmp_path) == []


# -- long names -----------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["a" * 251, "é" * 125 + "a", "ü" * 100])
def test_a_legal_output_name_gets_a_legal_temporary_name(tmp_path: Path, stem: str) -> None:
    output = tmp_path / f"{stem}.mp4"
    assert len(os.fsencode(output.name)) <= 255
    with atomic_output(output) as tmp:
        assert len(os.fsencode(tmp.name)) <= 255
        assert tmp.suffix == ".mp4" and tmp.name.startswith(".")
        tmp.write_bytes(b"x")
    assert output.read_bytes() == b"x"
    assert leftovers(tmp_path) == []


def test_a_name_too_long_for_the_file_system_is_one_clear_line(tmp_path: Path) -> None:
    output = tmp_path / ("a" * 252 + ".mp4")
    with pytest.raises(
        OutputError,
        match=r"the name is 256 bytes, more than the 255 .* "
        r"choose a shorter name",
    ):
        with atomic_output(output):
            pytest.fail("the body must not run")
    assert list(tmp_path.iterdir()) == []


# -- errors name OUTPUT, never the temporary file -------------------------------------


def test_errors_from_the_body_name_the_output(tmp_path: Path) -> None:
    output = tmp_path / "out.webm"  # WebM cannot hold H.264: the writer fails
    with pytest.raises(OutputError) as caught:
        with atomic_output(output) as tmp:
            VideoWriter(tmp, (64, 48), 30)
    assert f"'{output}'" in str(caught.value) and ".tmp-" not in str(caught.value)


def test_os_errors_on_the_temporary_become_output_errors(tmp_path: Path) -> None:
    output = tmp_path / "out.png"
    with pytest.raises(OutputError) as caught:
        with atomic_output(output) as tmp:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    assert str(caught.value) == (
        f"cannot write '{output}': {os.strerror(errno.ENOSPC)}; "
        "free some space or write to another disk"
    )
    assert leftovers(tmp_path) == []


def test_os_errors_about_other_files_pass_through(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with atomic_output(tmp_path / "out.png"):
            (tmp_path / "missing-input.png").read_bytes()


def test_a_face_swaps_longest_legal_name_fits_its_note_and_credentials_too(
    tmp_path: Path,
) -> None:
    # The note and the Content Credentials are each written beside the temporary file
    # and renamed over it: their own temporary names must fit as well.
    from facefilters.io.credentials import _c2pa, add_credentials
    from facefilters.io.image import write_image
    from facefilters.io.provenance import add_note_to_image_file, read_note

    output = tmp_path / ("a" * 251 + ".jpg")
    with atomic_output(output) as tmp:
        write_image(tmp, np.full((48, 64, 3), 128, np.uint8))
        add_note_to_image_file(tmp, "made by a face swap")
        if _c2pa() is not None:
            assert add_credentials(tmp, "made by a face swap", title=output.name)
    assert read_note(output) == "made by a face swap"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("tag", ["tmp", "note", "c2pa"])
@pytest.mark.parametrize("name", ["a" * 251 + ".mp4", "é" * 127 + ".png", "b" * 255, "x.mp4"])
def test_temporary_names_fit_whenever_the_name_does(tmp_path: Path, tag: str, name: str) -> None:
    path = tmp_path / name
    tmp = atomic.temporary_name(path, tag)
    assert len(os.fsencode(tmp.name)) <= 255
    assert tmp.parent == tmp_path and tmp.name.startswith(".") and f".{tag}-" in tmp.name
    assert tmp.name.endswith(path.suffix)
    tmp.write_bytes(b"fits")  # the file system agrees
