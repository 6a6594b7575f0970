"""Write an output file all at once or not at all.

A run that fails or is interrupted halfway must not leave a half-written video where
the user expects a finished one, nor destroy the file that was there before. So the
output is written under a hidden temporary name beside it and moved onto the real name
only when writing has finished::

    with atomic_output(Path("out.mp4"), input_path=Path("in.mp4")) as tmp:
        with VideoWriter(tmp, size_wh, fps) as writer:
            ...
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from facefilters.errors import OutputError

__all__ = ["atomic_output"]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        # Catches hard links and case-insensitive file systems, which resolve() does not.
        return os.path.samefile(a, b)
    except OSError:
        return False  # one of them does not exist yet


def _check_output(output: Path, input_path: Path | None, force: bool) -> None:
    if input_path is not None and _same_file(output, input_path):
        raise OutputError(f"cannot write '{output}': it is the input file; choose another name")
    folder = output.parent
    if not folder.is_dir():
        raise OutputError(f"folder does not exist: '{folder}'")
    if output.is_dir():
        raise OutputError(f"cannot write '{output}': it is a folder")
    if output.exists() and not force:
        raise OutputError(f"'{output}' exists; use --force to replace it")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write '{output}': the folder '{folder}' is not writable")


@contextlib.contextmanager
def atomic_output(
    output: Path, *, input_path: Path | None = None, force: bool = False
) -> Iterator[Path]:
    """Give a temporary path to write to, and move it onto ``output`` when done.

    The temporary file sits in the same folder as ``output`` (so the final move is an
    atomic rename on the same file system), is hidden, and has the same suffix (so
    writers that pick a format from the suffix still do). If the body raises anything,
    KeyboardInterrupt included, the temporary file is deleted and ``output`` is left as
    it was.

    Args:
        output: The file the user asked for.
        input_path: The file being read, if any; writing over it is refused.
        force: Replace ``output`` if it exists.

    Yields:
        The temporary path to write to. It exists, empty, so that its name stays taken.

    Raises:
        OutputError: ``output`` is the input, its folder does not exist or is not
            writable, it is a folder, or it exists and ``force`` is False; or the
            finished file cannot be moved into place.
    """
    output = Path(output)
    _check_output(output, None if input_path is None else Path(input_path), force)
    tmp = _reserve_temporary(output)
    try:
        yield tmp
        try:
            os.replace(tmp, output)
        except OSError as exc:
            raise OutputError(f"cannot write '{output}': {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _reserve_temporary(output: Path) -> Path:
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    for _ in range(100):
        tmp = output.with_name(f".{stem}.tmp-{secrets.token_hex(4)}{output.suffix}")
        try:
            # O_EXCL makes the name ours alone, even against another run racing this one.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write '{output}': {exc.strerror or exc}") from None
        os.close(fd)
        return tmp
    raise OutputError(f"cannot write '{output}': no free temporary name beside it")
