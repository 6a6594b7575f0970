"""The live demo's state and its response to keys.

:class:`LiveApp` is what the pipeline draws with (the chosen filter, the mesh on top when
asked), and it feeds the window, a recording and the snapshot keeper as sinks. Its edges
(frame source, window, detector, clock) are protocols, so tests run it with fakes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ...detect.base import Detector
from ...effects import Filter, Layer, MeshEffect
from ...errors import FaceFiltersError, SourceError
from ...faces import Faces
from ...i18n import Messages
from ...io.atomic import atomic_output
from ...io.credentials import add_credentials
from ...io.image import write_image
from ...io.provenance import add_note_to_image_file
from ...io.sinks import Sink, WindowSink
from ...io.sources import FrameSource
from ...io.window import Window
from ...pipeline import Pipeline, mirror_view
from ...render.hud import draw_help, draw_recording, draw_status, draw_toast
from ...tracking import FADE_S, FaceTracker
from ..prepare import in_language
from ..window_loop import window_frames
from .recorder import Recorder

TOAST_S = 2.0
MESH_OVERLAY = Filter("mesh-overlay", "Mesh", "", (Layer(MeshEffect()),))


@dataclass
class _Toast:
    text: str
    until: float


class _Callback:
    """A sink that calls a function with each picture's time (latency measurements)."""

    def __init__(
        self, on_frame: Callable[[float, float], None], clock: Callable[[], float]
    ) -> None:
        self.on_frame = on_frame
        self.clock = clock

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.on_frame(t_s, self.clock())

    def close(self) -> None:
        """Nothing to finish."""


class LiveApp:
    """The live demo: which filter, mesh on or off, help, snapshots and recording.

    Args:
        filters: the filters to choose from, in order.
        detector: finds faces.
        messages: words in the chosen language.
        out_dir: where snapshots and recordings go (created when first needed).
        start: index of the first filter.
        mirror: show a mirror image (selfie view).
        clock: seconds on a monotonic clock, the clock of the source's frames; tests pass
            a fake.
        outputs: more sinks for the filtered picture, as snapshots get it (the filter
            and a face swap's label, not the window's status and help): a virtual
            camera. ``run`` closes them.
    """

    def __init__(
        self,
        filters: Sequence[Filter],
        detector: Detector,
        messages: Messages,
        out_dir: str | os.PathLike[str],
        *,
        start: int = 0,
        mirror: bool = True,
        clock: Callable[[], float] = time.monotonic,
        outputs: Sequence[Sink] = (),
    ) -> None:
        if not filters:
            raise FaceFiltersError.said("error.no_filters")
        self.filters = list(filters)
        self.index = start
        self.messages = messages
        self.out_dir = Path(out_dir)
        self._out_typed = os.fspath(out_dir)  # for messages
        self.clock = clock
        self.outputs = list(outputs)
        self.show_mesh = False
        self.mesh_overlay = in_language(MESH_OVERLAY, messages)
        self.show_help = False
        self.fullscreen = False
        self.recorder: Recorder | None = None
        self.saved: list[Path] = []
        self._toast: _Toast | None = None
        self._fps = 0.0
        self._interval = 0.0
        self._last_shown: float | None = None
        self._last_clean: np.ndarray | None = None
        self._last_deepfake = False  # whether a face swap drew that picture
        self.faces = Faces.empty()
        # Animations run on the app's own clock from its start, whatever the frame rate.
        self.pipeline = Pipeline(
            detector,
            FaceTracker(fade_s=FADE_S),
            [self],
            view=mirror_view if mirror else None,
            t0_s=clock(),
        )

    @property
    def filter(self) -> Filter:
        return self.filters[self.index]

    # -- drawing (the pipeline's drawer) ------------------------------------------------

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the chosen filter, and the mesh on top when asked; remembers the faces."""
        self.faces = faces
        if self.filter.deepfake and self.recorder is not None and self.recorder.note is None:
            # A file's metadata is written when it opens: a recording that turns into a
            # face swap is closed and a new one, saying so, goes on.
            self.stop_recording()
            self.toggle_recording()
        self.filter.apply(frame, faces, t)
        if self.show_mesh and "mesh" not in self.filter.kinds():
            self.mesh_overlay.apply(frame, faces, t)
        return frame

    # -- keys ---------------------------------------------------------------------------

    def handle_key(self, key: str, window: Window | None = None) -> bool:
        """Act on a key name; returns False when the app should quit."""
        if key in ("q", "esc"):
            return False
        if key in ("right", "n"):
            self.index = (self.index + 1) % len(self.filters)
        elif key in ("left", "p"):
            self.index = (self.index - 1) % len(self.filters)
        elif key.isdigit() and key != "0" and int(key) <= len(self.filters):
            self.index = int(key) - 1
        elif key == "s":
            if self.filter.next_face():
                self.toast(self.messages("live.next_face"))
        elif key == "m":
            self.show_mesh = not self.show_mesh
            self.toast(self.messages("live.mesh_on" if self.show_mesh else "live.mesh_off"))
        elif key == "h":
            self.show_help = not self.show_help
        elif key == "space":
            self.snapshot()
        elif key == "r":
            self.toggle_recording()
        elif key == "f":
            self.fullscreen = not self.fullscreen
            if window is not None:
                window.set_fullscreen(self.fullscreen)
        return True

    def toast(self, text: str) -> None:
        self._toast = _Toast(text, self.clock() + TOAST_S)

    def _new_path(self, suffix: str) -> str:
        """A free name in the output folder, the folder spelt as the user typed it."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.out_dir / f"facefilters-{stamp}{suffix}"
        n = 2
        while path.exists():
            path = self.out_dir / f"facefilters-{stamp}-{n}{suffix}"
            n += 1
        return os.path.join(self._out_typed, path.name)

    def snapshot(self) -> Path | None:
        """Save the last filtered picture (without the overlay) as PNG."""
        if self._last_clean is None:
            return None
        typed = self._new_path(".png")
        path = Path(typed)
        with atomic_output(typed) as tmp:
            write_image(tmp, self._last_clean)
            if self._last_deepfake:
                note = self.messages("deepfake.note")
                add_note_to_image_file(tmp, note)
                add_credentials(tmp, note, title=path.name)
        self.saved.append(path)
        self.toast(self.messages("live.saved_snapshot", name=path.name))
        return path

    def toggle_recording(self) -> Path | None:
        """Start a recording, or stop the running one and return its path."""
        if self.recorder is not None:
            return self.stop_recording()
        if self._last_clean is None:
            return None
        h, w = self._last_clean.shape[:2]
        note = self.messages("deepfake.note") if self.filter.deepfake else None
        self.recorder = Recorder(self._new_path(".mp4"), (w, h), self.clock(), note=note)
        self.toast(self.messages("live.recording_started"))
        return None

    def stop_recording(self) -> Path | None:
        if self.recorder is None:
            return None
        recorder, self.recorder = self.recorder, None
        path = recorder.close()
        self.saved.append(path)
        self.toast(self.messages("live.recording_saved", name=path.name))
        return path

    # -- frames -------------------------------------------------------------------------

    def render(self, image: np.ndarray, capture_s: float) -> np.ndarray:
        """One captured frame through the pipeline; returns the picture to show.

        Args:
            image: ndarray of shape (H, W, 3), uint8, BGR, as captured (not mirrored).
            capture_s: when it was captured, on the app's clock.
        """
        from ...frames import Frame

        shown: list[np.ndarray] = []
        self.pipeline.step(Frame(0, capture_s, image), [_Keep(self), _Collect(shown, self.overlay)])
        return shown[0]

    def overlay(self, frame: np.ndarray, t_s: float) -> np.ndarray:
        """The picture with the HUD drawn on a copy: status, help, recording dot, toast."""
        frame = frame.copy()
        now = self.clock()
        if self._last_shown is not None and now > self._last_shown:
            # Average the frame interval, not its inverse: uneven intervals would
            # otherwise inflate the rate (10 ms and 57 ms apart is 30 fps, not 61).
            dt = now - self._last_shown
            self._interval = dt if self._interval == 0 else 0.9 * self._interval + 0.1 * dt
            self._fps = 1.0 / self._interval
        self._last_shown = now
        m = self.messages
        presence = self.faces.extras.get("presence")
        n = len(self.faces) if presence is None else int((presence >= 1).sum())
        faces = m("live.faces_one") if n == 1 else m("live.faces", count=n)
        draw_status(
            frame,
            [
                f"{self.index + 1}  {self.filter.name}",
                m("live.fps", fps=self._fps),
                faces,
                m("live.help_hint"),
            ],
        )
        if self.show_help:
            keys = [
                "next",
                "previous",
                "digits",
                "mesh",
                "face",
                "snapshot",
                "record",
                "fullscreen",
                "help",
                "quit",
            ]
            draw_help(
                frame,
                m("live.help_title"),
                [m(f"live.help.{k}") for k in keys],
                [f.name for f in self.filters],
                self.index,
            )
        if self.recorder is not None:
            draw_recording(frame, now - self.recorder.start_s)
        if self._toast is not None:
            left = self._toast.until - now
            if left <= 0:
                self._toast = None
            else:
                draw_toast(frame, self._toast.text, min(1.0, left / 0.4))
        return frame

    @property
    def fps(self) -> float:
        """Frames shown per second, smoothed."""
        return self._fps

    # -- the loop -----------------------------------------------------------------------

    def run(
        self,
        source: FrameSource,
        window: Window,
        on_frame: Callable[[float, float], None] | None = None,
    ) -> None:
        """Show frames until the user quits or closes the window.

        Args:
            source: where frames come from.
            window: where they go.
            on_frame: called after each frame is shown with (capture time, shown time),
                for latency measurements.

        Raises:
            SourceError: the source stopped; a recording in progress is saved first.
        """
        sinks: list[Sink] = [_Keep(self), WindowSink(window, self.overlay), *self.outputs]
        if on_frame is not None:
            sinks.append(_Callback(on_frame, self.clock))
        try:
            self.pipeline.run(
                window_frames(source, window, lambda key: self.handle_key(key, window)), sinks
            )
        except SourceError as e:
            window.close()
            saved = self.stop_recording()
            if saved is not None:
                error = e.translated(self.messages)
                raise SourceError(
                    self.messages("error.recording_saved", error=error, path=saved)
                ) from None
            raise
        finally:
            # The window goes at once; finishing a recording takes a moment more.
            window.close()
            self.stop_recording()


class _Keep:
    """Keeps the last picture without the HUD for snapshots, and feeds the recording.

    The recording starts and stops with a key, so it lives in the app, not in the
    pipeline's list of sinks; a failing camera must not throw it away.
    """

    def __init__(self, app: LiveApp) -> None:
        self.app = app

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.app._last_clean = frame
        self.app._last_deepfake = self.app.filter.deepfake
        if self.app.recorder is not None:
            self.app.recorder.write(frame, self.app.clock())

    def close(self) -> None:
        """Nothing to finish."""


class _Collect:
    """Keeps what a window would show (``render`` returns it)."""

    def __init__(
        self, shown: list[np.ndarray], decorate: Callable[[np.ndarray, float], np.ndarray]
    ) -> None:
        self.shown = shown
        self.decorate = decorate

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.shown.append(self.decorate(frame, t_s))

    def close(self) -> None:
        """Nothing to finish."""
