"""Exceptions raised by facefilters.

Every error a user can cause derives from one base class, so the command line
can turn all of them into a one-line message and a non-zero exit code::

    FaceFiltersError
    ├── InputError      the input file is missing, unreadable, empty or truncated
    ├── OutputError     the output cannot be written (folder missing, exists, unwritable)
    ├── FilterError     a filter is unknown, or its folder is broken
    ├── SourceError     a live source (camera, display) is unavailable or stopped
    └── BackendError    the detection backend asked for is not installed, or its model
                        file is not the one facefilters ships
"""

from __future__ import annotations

import errno
from typing import Callable, TypeVar

# What a user can do about the usual reasons a file cannot be written.
_WRITE_ADVICE = {
    errno.ENOSPC: "free some space or write to another disk",
    errno.EDQUOT: "free some space or write to another disk",
    errno.EFBIG: "the file is too big for this disk; write to another one",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "the disk is read-only; write to another one",
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.ENOENT: "check that the folder exists",
    errno.EEXIST: "use --force to replace it, or choose another name",
}


_E = TypeVar("_E", bound="FaceFiltersError")


class FaceFiltersError(Exception):
    """Base class of every error facefilters reports to a user.

    Args:
        message: the English message.
        key: the message's key in the language files, so that the command line, the
            live window and the lesson can say it in the user's language (see
            :meth:`translated`); None for a message no language file holds.
        values: what fills the message's ``{placeholders}``.
    """

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values

    @classmethod
    def said(cls: type[_E], key: str, **values: object) -> _E:
        """The error whose English words are ``key``'s in ``locales/en.txt``."""
        # i18n raises these errors itself, so it is imported only when one is made.
        from .i18n import Messages

        return cls(Messages("en")(key, **values), key, **values)

    def translated(self: _E, messages: Callable[..., str]) -> _E:
        """The same error in the language of ``messages`` (a ``Messages``)."""
        if self.key is None:
            return self
        return type(self)(messages(self.key, **self.values), self.key, **self.values)


class InputError(FaceFiltersError):
    """The input photo or video is missing, unreadable, empty or truncated."""


class OutputError(FaceFiltersError):
    """The output cannot be written where it was asked to go."""

    @classmethod
    def from_os_error(cls, path: object, exc: BaseException) -> OutputError:
        """``cannot write 'PATH': <reason>; <what to do>`` from an OS or FFmpeg error.

        Args:
            path: the file as the user should read it (never a temporary name).
            exc: the error; its ``errno`` picks the advice, its ``strerror`` the reason.
        """
        reason = getattr(exc, "strerror", None) or str(exc)
        advice = _WRITE_ADVICE.get(getattr(exc, "errno", None) or 0)
        return cls(f"cannot write '{path}': {reason}" + (f"; {advice}" if advice else ""))


class FilterError(FaceFiltersError):
    """A filter is unknown, or its folder (filter.toml and assets) is invalid."""


class BackendError(FaceFiltersError):
    """The detection backend is not installed here, or its model file is damaged."""


class SourceError(FaceFiltersError):
    """A live frame source or the display is unavailable, or it stopped."""
