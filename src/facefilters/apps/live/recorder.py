"""Recordings and snapshots of the live window: where they go and how they are written."""

from __future__ import annotations

import contextlib
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import platformdirs

from ...errors import FaceFiltersError, OutputError
from ...io.atomic import atomic_output
from ...io.credentials import add_credentials
from ...io.sinks import ThreadedSink, VideoFileSink

RECORD_FPS = Fraction(30)


def default_output_dir() -> Path:
    """The platform's pictures folder plus ``facefilters``.

    ``~/Pictures`` on macOS and Windows; on Linux the XDG pictures folder (from
    ``user-dirs.dirs``, in the user's language, e.g. ``~/Afbeeldingen``), else
    ``~/Pictures``.
    """
    return platformdirs.user_pictures_path() / "facefilters"


class Recorder:
    """A sink that records the live picture to MP4 at a steady frame rate.

    Pictures come at whatever pace the live loop manages; each is written as many times
    as the wall clock says (repeated or skipped), so the recording plays at real speed.
    Encoding runs on a thread of its own and never holds up the window: when it falls
    behind, pictures are dropped and the next one repeats to keep time. The file appears
    under its final name only when the recording stops (written through
    :func:`~facefilters.io.atomic.atomic_output`, so an error names ``path``, never the
    temporary file).

    Args:
        path: the recording's final name, as the messages should show it.
        size_wh: the pictures' size.
        start_s: when the recording starts, on the clock of the pictures' ``t_s``.
        note: the face-swap note for the file's metadata, or None.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size_wh: tuple[int, int],
        start_s: float,
        fps: Fraction = RECORD_FPS,
        note: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.size_wh = size_wh
        self.start_s = start_s
        self.note = note
        # The temporary file lives as long as the recording: close() leaves its context.
        with contextlib.ExitStack() as stack:
            self._tmp = stack.enter_context(atomic_output(path))
            self._file = VideoFileSink(self._tmp, size_wh, fps, start_s=start_s, note=note)
            self._output = stack.pop_all()
        self._out = ThreadedSink(self._file, queue_size=8, drop=True)
        self._pushed = 0

    def write(self, frame: np.ndarray, t_s: float) -> None:
        """Add the picture shown at ``t_s`` (seconds, same clock as ``start_s``)."""
        self._out.write(frame.copy(), t_s)
        self._pushed += 1

    def close(self) -> Path:
        """Finish the file and give it its name; returns the path."""
        with self._output:
            try:
                if self._pushed == 0:
                    # An empty recording still plays: one black frame.
                    w, h = self.size_wh
                    self._out.write(np.zeros((h, w, 3), np.uint8), self.start_s)
                self._out.close()
            except (FaceFiltersError, OSError):
                raise
            except Exception as e:
                # An OutputError, so that atomic_output names the recording in it, not the
                # temporary file.
                raise OutputError.said("error.recording_failed", error=str(e)) from None
            if self.note is not None:
                add_credentials(self._tmp, self.note, title=self.path.name)
        return self.path
