"""Messages name a path exactly as the user typed it (issue 12), never as `Path` tidies it
('./out.jpg' into 'out.jpg', 'sub//out.jpg' into 'sub/out.jpg'), and never the hidden
temporary file. None of these runs the face model: each stops before it is needed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from facefilters.cli import app
from facefilters.errors import OutputError
from facefilters.io import atomic
from facefilters.io.atomic import atomic_output

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder as the current one, with a photo ``in.jpg`` and a folder ``sub``."""
    monkeypatch.chdir(tmp_path)
    cv2.imwrite("in.jpg", np.full((48, 64, 3), 128, np.uint8))
    (tmp_path / "sub").mkdir()
    return tmp_path


def error_line(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert ".tmp-" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("output", "exists"),
    [
        ("./out.jpg", "out.jpg"),
        ("sub//out.jpg", "sub/out.jpg"),
        ("sub/./out.jpg", "sub/out.jpg"),
        (".././{here}/out.jpg", "out.jpg"),
    ],
)
def test_an_existing_output_is_named_as_typed(here: Path, output: str, exists: str) -> None:
    output = output.format(here=here.name)
    (here / exists).write_bytes(b"keep me")
    line = error_line(["apply", "in.jpg", "-o", output])
    assert line == f"error: '{output}' exists; use --force to replace it"
    assert (here / exists).read_bytes() == b"keep me"


def test_a_read_only_folder_is_named_as_typed(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: permission bits mean nothing to root, which CI may run as.
    monkeypatch.setattr(atomic.os, "access", lambda path, mode: False)
    line = error_line(["apply", "./in.jpg", "-o", "sub//out.jpg"])
    assert line == (
        "error: cannot write 'sub//out.jpg': the folder 'sub' is not writable; "
        "choose a folder you can write to"
    )


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("../nowhere//out.jpg", "folder does not exist: '../nowhere'"),
        ("./sub/", "cannot write './sub/': it is a folder; give a file name in it, "
         "e.g. './sub/result.jpg'"),
        ("./sub//out", "'./sub//out' has no extension"),
        ("./sub//out.txt", "cannot write './sub//out.txt': unknown image type '.txt'"),
        ("./sub//out.mp4", "'./in.jpg' is a photo, so the result is a photo, not a '.mp4' video"),
        ("./in.jpg", "cannot write './in.jpg': it is the input file"),
    ],
)  # fmt: skip
def test_output_mistakes_name_the_paths_as_typed(here: Path, output: str, message: str) -> None:
    assert message in error_line(["apply", "./in.jpg", "-o", output, "--force"])


@pytest.mark.parametrize("command", [["apply"], ["inspect"]])
@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (None, "./sub//missing.jpg", "no such file: './sub//missing.jpg'"),
        ("empty", "./sub//empty.jpg", "cannot read './sub//empty.jpg': the file is empty"),
        (
            "text",
            "./sub//notes.jpg",
            "cannot read './sub//notes.jpg': not an image, or the image is damaged",
        ),
        ("folder", "./sub//", "cannot read './sub//': it is a folder"),
    ],
)
def test_input_mistakes_name_the_input_as_typed(
    here: Path, command: list[str], make: str | None, name: str, message: str
) -> None:
    if make == "empty":
        (here / "sub" / "empty.jpg").write_bytes(b"")
    elif make == "text":
        (here / "sub" / "notes.jpg").write_text("not a photo\n" * 20)
    args = [*command, name] + (["-o", "out.jpg"] if command == ["apply"] else [])
    assert message in error_line(args)


def test_an_output_that_appears_meanwhile_is_named_as_typed(here: Path) -> None:
    with pytest.raises(OutputError) as caught:
        with atomic_output("./sub//out.png"):
            (here / "sub" / "out.png").write_bytes(b"another program's")
    assert str(caught.value).startswith("'./sub//out.png' appeared while this ran")


def test_errors_on_the_temporary_name_the_output_as_typed(here: Path) -> None:
    with pytest.raises(OutputError) as caught:
        with atomic_output("./sub//out.png") as tmp:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    assert str(caught.value).startswith("cannot write './sub//out.png': ")
    with pytest.raises(OutputError) as caught:
        with atomic_output("./sub//out.png") as tmp:
            raise OutputError(f"cannot write '{tmp}': OpenCV could not encode the image")
    assert str(caught.value) == ("cannot write './sub//out.png': OpenCV could not encode the image")
    with pytest.raises(OutputError) as caught:
        with atomic_output("./sub//out.png") as tmp:
            raise OutputError(f"{tmp.name} is broken")
    assert str(caught.value) == "out.png is broken"


def test_a_folder_option_given_a_file_is_a_usage_error(here: Path) -> None:
    result = runner.invoke(app, ["lesson", "--export", "./in.jpg"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "'./in.jpg' is a file, not a folder" in result.output
