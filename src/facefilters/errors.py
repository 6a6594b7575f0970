"""Exceptions raised by facefilters.

Every error a user can cause derives from one base class, so the command line
can turn all of them into a one-line message and a non-zero exit code::

    FaceFiltersError
    ├── InputError      the input file is missing, unreadable, empty or truncated
    ├── OutputError     the output cannot be written (folder missing, exists, unwritable)
    ├── FilterError     a filter is unknown, or its folder is broken
    └── SourceError     a live source (camera, display) is unavailable or stopped
"""

from __future__ import annotations

from typing import Callable


class FaceFiltersError(Exception):
    """Base class of every error facefilters reports to a user."""


class InputError(FaceFiltersError):
    """The input photo or video is missing, unreadable, empty or truncated."""


class OutputError(FaceFiltersError):
    """The output cannot be written where it was asked to go."""


class FilterError(FaceFiltersError):
    """A filter is unknown, or its folder (filter.toml and assets) is invalid."""


class SourceError(FaceFiltersError):
    """A live frame source or the display is unavailable, or it stopped.

    Args:
        message: the English message.
        key: the message's key in the language files, so a window in another language
            can say it in that language (see :meth:`translated`).
        values: what fills the message's ``{placeholders}``.
    """

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values

    def translated(self, messages: Callable[..., str]) -> SourceError:
        """The same error in the language of ``messages`` (a ``Messages``)."""
        if self.key is None:
            return self
        return SourceError(messages(self.key, **self.values), self.key, **self.values)
