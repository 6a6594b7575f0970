"""Write an output file all at once or not at all, and never over a file by surprise.

A run that fails or is interrupted halfway must not leave a half-written video where
the user expects a finished one, nor destroy the file that was there before. So the
output is written under a hidden temporary name beside it and moved onto the real name
only when writing has finished::

    with atomic_output(Path("out.mp4"), input_path=Path("in.mp4")) as tmp:
        with VideoWriter(tmp, size_wh, fps) as writer:
            ...

Without ``force`` the final move refuses to replace anything, in one step the file
system makes atomic (``renameat2(RENAME_NOREPLACE)``, else a hard link), so a file that
appears under the output's name while the program runs (a second run, another program)
is kept, and the finished result is thrown away with a message. The user never reads
the temporary name: errors from inside the ``with`` block that name it are reworded to
name the output.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from facefilters.errors import OutputError, Phrase

__all__ = ["atomic_output", "temporary_name"]

_NAME_MAX = 255
"""Bytes in one file name on nearly every file system (ext4, APFS, NTFS in UTF-16 units)."""

_TMP_HEX = 8  # characters of randomness in a temporary name

_RENAME_NOREPLACE = 1  # from <linux/fs.h>
_AT_FDCWD = -100


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        # Catches hard links and case-insensitive file systems, which resolve() does not.
        return os.path.samefile(a, b)
    except OSError:
        return False  # one of them does not exist yet


def _special_kind(mode: int) -> str | None:
    """What a file that is not a regular file is, as a message key; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "error.kind.folder"
    if stat.S_ISFIFO(mode):
        return "error.kind.pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "error.kind.device"
    if stat.S_ISSOCK(mode):
        return "error.kind.socket"
    return "error.kind.other"


_SEPARATORS = os.sep + (os.altsep or "")


def _typed_parts(shown: str) -> tuple[str, str]:
    """The folder and the name of a path in the user's spelling, as `Path` would split it
    but without tidying: ``("sub", "out.jpg")`` from ``sub//out.jpg``, ``(".",
    "out.jpg")`` from ``./out.jpg`` and from ``out.jpg``, ``("/", "out.jpg")`` from
    ``/out.jpg``."""
    head = shown.rstrip(_SEPARATORS) or shown
    cut = max(head.rfind(sep) for sep in _SEPARATORS)
    if cut < 0:
        return ".", head
    return head[: cut + 1].rstrip(_SEPARATORS) or head[: cut + 1], head[cut + 1 :]


def _refuse_special(output: Path, shown: str) -> None:
    """Refuse an output that exists and is not a regular file, ``--force`` or not.

    Replacing a pipe, a device or a folder with a regular file would break whatever
    uses it; whatever writes into it is not what ``apply`` is for.
    """
    try:
        st = output.stat()  # follows a symbolic link: a link to a pipe is a pipe too
    except OSError:
        return
    kind = _special_kind(st.st_mode)
    if kind == "error.kind.folder":
        example = os.path.join(shown, "result.jpg")
        reason = Phrase("error.reason.output_folder", path=example)
    elif kind is not None:
        reason = Phrase("error.reason.special", kind=Phrase(kind))
    else:
        return
    raise OutputError.said("error.cannot_write", path=shown, reason=reason)


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf
        return _NAME_MAX


def _check_output(output: Path, shown: str, input_path: Path | None, force: bool) -> None:
    if input_path is not None and _same_file(output, input_path):
        raise OutputError.said(
            "error.cannot_write", path=shown, reason=Phrase("error.reason.is_input")
        )
    folder = output.parent
    if not folder.is_dir():
        raise OutputError.said("error.no_folder", path=_typed_parts(shown)[0])
    _refuse_special(output, shown)
    if os.path.lexists(output) and not force:
        raise OutputError.said("error.exists", path=shown)
    if not os.access(folder, os.W_OK | os.X_OK):
        reason = Phrase("error.reason.not_writable", folder=_typed_parts(shown)[0])
        raise OutputError.said("error.cannot_write", path=shown, reason=reason)
    limit = _name_max(folder)
    if len(os.fsencode(output.name)) > limit:
        reason = Phrase(
            "error.reason.name_too_long", count=len(os.fsencode(output.name)), limit=limit
        )
        raise OutputError.said("error.cannot_write", path=shown, reason=reason)


@contextlib.contextmanager
def atomic_output(
    output: str | os.PathLike[str],
    *,
    input_path: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> Iterator[Path]:
    """Give a temporary path to write to, and move it onto ``output`` when done.

    The temporary file sits in the same folder as ``output`` (so the final move is an
    atomic rename on the same file system), is hidden, has the same suffix (so writers
    that pick a format from the suffix still do), and its name is never longer than the
    file system allows when the output's is not. If the body raises anything,
    KeyboardInterrupt included, the temporary file is deleted and ``output`` is left as
    it was. An `OutputError` from the body that names the temporary file is raised
    again naming ``output``.

    Every message names ``output`` as given, ``./out.mp4`` or ``sub//out.mp4`` as the
    user typed it, not as `Path` spells it (``out.mp4``, ``sub/out.mp4``): pass the
    command line's text, not a `Path` made from it.

    Args:
        output: The file the user asked for.
        input_path: The file being read, if any; writing over it is refused.
        force: Replace ``output`` if it exists (a regular file only, never a folder,
            a named pipe or a device).

    Yields:
        The temporary path to write to. It exists, empty, so that its name stays taken.

    Raises:
        OutputError: ``output`` is the input, its folder does not exist or is not
            writable, it is not a regular file, its name is too long, or it exists and
            ``force`` is False (checked first, and again at the final move, so a file
            that appeared meanwhile is kept); or the finished file cannot be moved into
            place.
    """
    shown = os.fspath(output)
    output = Path(output)
    _check_output(output, shown, None if input_path is None else Path(input_path), force)
    tmp = _reserve_temporary(output, shown)
    try:
        try:
            yield tmp
        except OutputError as exc:
            # Its key and values too, so that it still says the same in another language.
            values = {
                k: _renamed(os.fspath(v), tmp, shown) if isinstance(v, (str, os.PathLike)) else v
                for k, v in exc.values.items()
            }
            raise OutputError(_renamed(str(exc), tmp, shown), exc.key, **values) from None
        except OSError as exc:
            if exc.filename is None or Path(exc.filename) != tmp:
                raise
            raise OutputError.from_os_error(shown, exc) from None
        _commit(tmp, output, shown, force)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _renamed(message: str, tmp: Path, shown: str) -> str:
    # The whole path first, so that its folder is the user's spelling too.
    return message.replace(str(tmp), shown).replace(tmp.name, _typed_parts(shown)[1])


def _commit(tmp: Path, output: Path, shown: str, force: bool) -> None:
    """Move the finished temporary file onto ``output``; without force, never replace."""
    try:
        if force:
            _refuse_special(output, shown)  # something may have taken the name meanwhile
            os.replace(tmp, output)
        else:
            _rename_no_replace(tmp, output)
    except FileExistsError:
        raise OutputError.said("error.appeared", path=shown) from None
    except OSError as exc:
        raise OutputError.from_os_error(shown, exc) from None


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, or a libc without it
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_RENAMEAT2 = _renameat2()

# Errors saying "this file system (or kernel) cannot do that", as opposed to a real
# failure: the next way of moving without replacing is tried instead.
_UNSUPPORTED = frozenset(
    {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM, errno.EXDEV}
)


def _rename_no_replace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` in one step that fails if ``dst`` exists.

    Raises:
        FileExistsError: ``dst`` exists (nothing was moved).
        OSError: the move failed for another reason.
    """
    if _RENAMEAT2 is not None:
        if (
            _RENAMEAT2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE)
            == 0
        ):
            return
        code = ctypes.get_errno()
        if code not in _UNSUPPORTED:
            raise OSError(code, os.strerror(code), str(dst))
    if os.name == "nt":
        os.rename(src, dst)  # Windows' rename never replaces an existing file
        return
    try:
        os.link(src, dst)  # fails if dst exists, atomically
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        # A file system without hard links (FAT, some network shares): the check and
        # the move are two steps here, the best that can be done.
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def temporary_name(path: Path, tag: str = "tmp") -> Path:
    """A hidden name beside ``path`` for a temporary file: ``.{stem}.{tag}-{random}{suffix}``.

    The stem is shortened (never the suffix, which picks a writer's format) so that the
    name fits the file system whenever ``path``'s own name does: a legal output name
    never fails for its temporary file. Every temporary file beside an output is named
    here (this module's, the metadata note's, the Content Credentials').

    Args:
        path: the file the temporary one stands in for.
        tag: a word saying what the temporary file is for.
    """
    suffix = path.suffix
    stem = path.name[: -len(suffix)] if suffix else path.name
    random = secrets.token_hex(_TMP_HEX // 2)
    extra = len(os.fsencode(f"..{tag}-{random}{suffix}"))
    budget = max(0, _name_max(path.parent) - extra)
    stem = os.fsencode(stem)[:budget].decode("utf-8", errors="ignore")
    return path.with_name(f".{stem}.{tag}-{random}{suffix}")


def _reserve_temporary(output: Path, shown: str) -> Path:
    for _ in range(100):
        tmp = temporary_name(output)
        try:
            # O_EXCL makes the name ours alone, even against another run racing this one.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError.from_os_error(shown, exc) from None
        os.close(fd)
        return tmp
    raise OutputError.said(
        "error.cannot_write", path=shown, reason=Phrase("error.reason.no_temporary")
    )
