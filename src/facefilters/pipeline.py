"""The one pipeline: source -> detect -> track -> view -> effects -> sinks.

:class:`Pipeline` is the only place where these stages are wired. ``apply`` (photos and
videos), ``inspect``, the live window, the lesson and the benchmarks all run frames
through it; what differs is what they give it: the frames (a file, a camera), the view
(as is, mirrored, fitted on the lesson's canvas), what is drawn (a filter, a lesson step)
and the sinks (a file, a window, a recording).

Detection runs on the picture as the source gives it; the view then turns picture and
landmarks together (a mirror, a canvas), so the person's left eye stays ``left_eye``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

import cv2
import numpy as np

from .detect.base import Detector
from .faces import Faces
from .frames import Frame
from .io.sinks import Sink, ThreadedSink, abort_sink
from .tracking import FaceTracker

Progress = Callable[[int, Optional[int]], None]
"""Called after each frame with (frames done, frames in total or None)."""


class Drawer(Protocol):
    """What draws on the faces: a :class:`~facefilters.effects.Filter`, a lesson step."""

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw on ``frame`` (ndarray of shape (H, W, 3), uint8, BGR) in place."""


View = Callable[[np.ndarray, Faces], "tuple[np.ndarray, Faces]"]
"""Turns the source picture and its faces into the picture to draw on, and the faces
on it: ``view(image, faces) -> (canvas, faces)``. It may return ``image`` itself."""


def mirror_view(image: np.ndarray, faces: Faces) -> tuple[np.ndarray, Faces]:
    """The selfie view: picture and landmarks flipped left-right together."""
    return cv2.flip(image, 1), faces.mirror(image.shape[1])


@dataclass(frozen=True)
class Processed:
    """One frame through the pipeline.

    Attributes:
        frame: the source frame (its picture may have been drawn on: see ``picture``).
        picture: ndarray of shape (H, W, 3), uint8, BGR: what the sinks got.
        faces: the faces on ``picture`` (smoothed, tracked, through the view).
    """

    frame: Frame
    picture: np.ndarray
    faces: Faces


@dataclass(frozen=True)
class RunStats:
    """What a run did: frames through the pipeline, and how many had a face."""

    frames: int
    frames_with_faces: int


class Pipeline:
    """Detects, tracks, draws and hands the result to sinks, frame after frame.

    Args:
        detector: finds faces (``detect(image, t_s) -> Faces``).
        tracker: gives ids and smooths; a photo uses one without smoothing.
        drawers: what to draw, in order (a filter, the mesh on top...). The list may be
            changed between frames (the live window switches filters).
        view: turns picture and faces before drawing; None keeps them as they are.
        t0_s: effects' time zero, on the frames' clock: animations and triggers run on
            ``frame.time_s - t0_s``.
    """

    def __init__(
        self,
        detector: Detector,
        tracker: FaceTracker | None = None,
        drawers: Sequence[Drawer] = (),
        *,
        view: View | None = None,
        t0_s: float = 0.0,
    ) -> None:
        self.detector = detector
        self.tracker = tracker if tracker is not None else FaceTracker()
        self.drawers: MutableSequence[Drawer] = list(drawers)
        self.view = view
        self.t0_s = t0_s

    def analyse(self, frame: Frame) -> Faces:
        """The smoothed, tracked faces of a source frame (before the view)."""
        if frame.cut:
            self.tracker.reset()
        return self.tracker.update(self.detector.detect(frame.image, frame.time_s), frame.time_s)

    def draw(self, image: np.ndarray, faces: Faces, t_s: float) -> tuple[np.ndarray, Faces]:
        """Apply the view and the drawers; returns the picture and its faces.

        Args:
            image: ndarray of shape (H, W, 3), uint8, BGR: drawn on in place unless the
                view makes a new picture.
            faces: the faces of ``image``.
            t_s: the frame's time on the source clock.
        """
        picture = image
        if self.view is not None:
            picture, faces = self.view(image, faces)
        t = t_s - self.t0_s
        for drawer in self.drawers:
            drawer.apply(picture, faces, t)
        return picture, faces

    def step(self, frame: Frame, sinks: Iterable[Sink] = ()) -> Processed:
        """One frame through every stage, on this thread."""
        faces = self.analyse(frame)
        picture, faces = self.draw(frame.image, faces, frame.time_s)
        for sink in sinks:
            sink.write(picture, frame.time_s)
        return Processed(frame, picture, faces)

    def run(
        self,
        frames: Iterable[Frame],
        sinks: Sequence[Sink],
        *,
        threaded: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> RunStats:
        """Every frame through the pipeline, then close the sinks.

        Args:
            frames: the source. It may be a generator that stops the run (the live
                window's keys) or changes the pipeline between frames.
            sinks: where pictures go; closed at the end, aborted if the run fails. A
                list may be changed while running (a recording starts and stops).
            threaded: draw and write on a thread of their own: detection of the next
                frame then overlaps drawing and encoding this one. For file sinks only;
                a window must be fed from the thread that made it.
            progress: called after each frame.
            total: frames expected, for ``progress``.

        Returns:
            Frames processed, and how many had at least one face.
        """
        done = with_faces = 0
        renderer = _DrawAndWrite(self, sinks)
        stage: _DrawAndWrite | ThreadedSink = (
            ThreadedSink(renderer, queue_size=4) if threaded else renderer
        )
        try:
            for frame in frames:
                faces = self.analyse(frame)
                stage.write(frame.image, frame.time_s, faces)
                done += 1
                presence = faces.extras.get("presence")
                # Faces fading out after they were lost are not seen in this frame.
                with_faces += (len(faces) if presence is None else int((presence >= 1).sum())) > 0
                if progress is not None:
                    progress(done, total)
        except BaseException:
            abort_sink(stage)
            raise
        stage.close()
        return RunStats(done, with_faces)


class _DrawAndWrite:
    """The pipeline's last stages as one sink: view, drawers, then the real sinks."""

    def __init__(self, pipeline: Pipeline, sinks: Sequence[Sink]) -> None:
        self.pipeline = pipeline
        self.sinks = sinks

    def write(self, image: np.ndarray, t_s: float, faces: Faces) -> None:
        picture, _ = self.pipeline.draw(image, faces, t_s)
        for sink in list(self.sinks):
            sink.write(picture, t_s)

    def close(self) -> None:
        _close_all(self.sinks, abort=False)

    def abort(self) -> None:
        _close_all(self.sinks, abort=True)


def _close_all(sinks: Sequence[Sink], *, abort: bool) -> None:
    """Close (or abort) every sink, even when one fails; then raise the first error."""
    error: BaseException | None = None
    for sink in list(sinks):
        try:
            abort_sink(sink) if abort else sink.close()
        except BaseException as exc:  # noqa: BLE001 - the first one is raised below
            error = error or exc
    if error is not None:
        raise error


def frames_of(images: Iterable[np.ndarray], fps: float = 30.0) -> Iterator[Frame]:
    """Pictures as frames, ``1 / fps`` seconds apart (for tests and photos)."""
    for index, image in enumerate(images):
        yield Frame(index, index / fps, image)
