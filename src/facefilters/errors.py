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

# What a user can do about the usual reasons a file cannot be written: message keys.
_WRITE_ADVICE = {
    errno.ENOSPC: "error.advice.space",
    errno.EDQUOT: "error.advice.space",
    errno.EFBIG: "error.advice.too_big",
    errno.EACCES: "error.advice.writable",
    errno.EPERM: "error.advice.writable",
    errno.EROFS: "error.advice.read_only",
    errno.ENAMETOOLONG: "error.advice.shorter_name",
    errno.ENOENT: "error.advice.folder_exists",
    errno.EEXIST: "error.advice.force",
}

# The system's reasons a user meets with files, as message keys: Python gives them in
# English whatever the language, and a Dutch line should not end in "Permission denied".
# The English words are glibc's. Any other reason is said as the system gave it.
_OS_REASONS = {
    errno.ENOENT: "error.os.ENOENT",
    errno.EACCES: "error.os.EACCES",
    errno.EPERM: "error.os.EPERM",
    errno.ENOSPC: "error.os.ENOSPC",
    errno.EDQUOT: "error.os.EDQUOT",
    errno.EFBIG: "error.os.EFBIG",
    errno.EROFS: "error.os.EROFS",
    errno.ENAMETOOLONG: "error.os.ENAMETOOLONG",
    errno.EEXIST: "error.os.EEXIST",
    errno.EISDIR: "error.os.EISDIR",
    errno.ENOTDIR: "error.os.ENOTDIR",
    errno.EIO: "error.os.EIO",
}


_E = TypeVar("_E", bound="FaceFiltersError")


class Phrase:
    """Words of a message that are themselves in the language files: a reason, advice.

    Kept as a key and values until said, so an error's message can be said again in
    another language; ``str()`` gives the English.

    Args:
        key: the words' key in the language files.
        values: what fills their ``{placeholders}``.
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values

    def in_language(self, messages: Callable[..., str]) -> str:
        """The words in the language of ``messages`` (a ``Messages``)."""
        return messages(self.key, **_in_language(self.values, messages))

    def __str__(self) -> str:
        from .i18n import Messages

        return self.in_language(Messages("en"))

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.values!r})"


class Number:
    """A number in a message, written with its language's decimal sign: 0.5 or 0,5.

    Args:
        value: the number.
        spec: how to format it (``format()``'s spec); ``g`` drops needless zeros.
    """

    __slots__ = ("spec", "value")

    def __init__(self, value: float, spec: str = "g") -> None:
        self.value = value
        self.spec = spec

    def in_language(self, messages: Callable[..., str]) -> str:
        """The number as ``messages`` (a ``Messages``) writes it."""
        return format(self.value, self.spec).replace(".", messages("number.decimal"))

    def __str__(self) -> str:
        return format(self.value, self.spec)

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.spec!r})"


def os_reason(exc: BaseException) -> Phrase | str:
    """Why the system refused, from an OS (or FFmpeg) error: a `Phrase` where the
    language files know its ``errno``, else the system's own words."""
    key = _OS_REASONS.get(getattr(exc, "errno", None) or 0)
    if key is not None:
        return Phrase(key)
    return getattr(exc, "strerror", None) or str(exc)


def _in_language(values: dict[str, object], messages: Callable[..., str]) -> dict[str, object]:
    """``values`` with every `Phrase`, `Number` and keyed error in them said in
    ``messages``' language."""
    said: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, (Phrase, Number)):
            value = value.in_language(messages)
        elif isinstance(value, FaceFiltersError):
            value = str(value.translated(messages))
        said[name] = value
    return said


class FaceFiltersError(Exception):
    """Base class of every error facefilters reports to a user.

    Args:
        message: the English message.
        key: the message's key in the language files, so that the command line, the
            live window and the lesson can say it in the user's language (see
            :meth:`translated`); None for a message no language file holds.
        values: what fills the message's ``{placeholders}``; a `Phrase` or a keyed error
            among them is said in the same language as the message.
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

        return cls(Messages("en")(key, **_in_language(values, Messages("en"))), key, **values)

    def translated(self: _E, messages: Callable[..., str]) -> _E:
        """The same error in the language of ``messages`` (a ``Messages``)."""
        if self.key is None:
            return self
        text = messages(self.key, **_in_language(self.values, messages))
        return type(self)(text, self.key, **self.values)


class InputError(FaceFiltersError):
    """The input photo or video is missing, unreadable, empty or truncated."""


class OutputError(FaceFiltersError):
    """The output cannot be written where it was asked to go."""

    @classmethod
    def from_os_error(cls, path: object, exc: BaseException) -> OutputError:
        """``cannot write 'PATH': <reason>; <what to do>`` from an OS or FFmpeg error.

        Args:
            path: the file as the user should read it (never a temporary name).
            exc: the error; its ``errno`` picks the reason's words and the advice.
        """
        reason = os_reason(exc)
        advice = _WRITE_ADVICE.get(getattr(exc, "errno", None) or 0)
        if advice is None:
            return cls.said("error.cannot_write", path=path, reason=reason)
        return cls.said(
            "error.cannot_write_advice", path=path, reason=reason, advice=Phrase(advice)
        )


class FilterError(FaceFiltersError):
    """A filter is unknown, or its folder (filter.toml and assets) is invalid."""


class BackendError(FaceFiltersError):
    """The detection backend is not installed here, or its model file is damaged."""


class SourceError(FaceFiltersError):
    """A live frame source or the display is unavailable, or it stopped."""
