"""The live window: camera in, filtered picture out, filters played with from the keyboard.

:class:`LiveApp` holds the state (which filter, mesh on or off, help, recording) and turns
key names into actions; :meth:`LiveApp.run` is the loop between a frame source and a
window. Both edges are protocols, so tests feed frames and key presses without a camera
or a screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import cv2
import numpy as np

from .errors import FaceFiltersError, SourceError
from .faces import Faces
from .i18n import Messages
from .io.image import write_image
from .io.sources import Captured, FrameSource
from .io.video import BackgroundWriter, VideoWriter
from .io.window import Window
from .layers import Filter, MeshLayer

if TYPE_CHECKING:
    from .catalog import Catalog
from .pipeline import Detector
from .render.hud import draw_help, draw_recording, draw_status, draw_toast
from .tracking import FaceTracker

TOAST_S = 2.0
RECORD_FPS = Fraction(30)
MESH_OVERLAY = Filter("mesh-overlay", "Mesh", "", (MeshLayer(),))


def default_output_dir() -> Path:
    """``~/Pictures/facefilters``, or the platform's pictures folder."""
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_PICTURES_DIR")
        if not xdg:
            try:
                xdg = subprocess.run(["xdg-user-dir", "PICTURES"], capture_output=True,
                                     text=True, timeout=2).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                xdg = ""
        if xdg and Path(xdg) != Path.home():
            return Path(xdg) / "facefilters"
    return Path.home() / "Pictures" / "facefilters"


def run_loop(source: FrameSource, window: Window, render: Callable[[Captured], np.ndarray],
             on_key: Callable[[str], bool],
             on_frame: Callable[[float, float], None] | None = None,
             clock: Callable[[], float] = time.monotonic) -> None:
    """Source -> render -> window, until ``on_key`` returns False or the window closes.

    Args:
        source: frames; the newest is taken each time.
        window: where pictures go and keys come from.
        render: turns a captured frame into the picture to show.
        on_key: acts on a key name; False quits.
        on_frame: called with (capture time, shown time) after each frame is shown.
        clock: the clock ``on_frame`` reads.
    """
    while window.is_open():
        captured = source.read(timeout_s=0.05)
        if captured is not None:
            window.show(render(captured))
            if on_frame is not None:
                on_frame(captured.time_s, clock())
        key = window.poll_key(1)
        if key is not None and not on_key(key):
            break


class Recorder:
    """Writes an MP4 of the live picture on a thread of its own, at a steady frame rate.

    Frames come at whatever pace the live loop manages; each is written as many times as
    the wall clock says (repeated or skipped), so the recording plays at real speed.
    The file appears under its final name only when the recording stops.
    """

    def __init__(self, path: Path, size_wh: tuple[int, int], start_s: float,
                 fps: Fraction = RECORD_FPS) -> None:
        self.path = path
        self.size_wh = size_wh
        self.start_s = start_s
        self.fps = fps
        self._tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
        self._out = BackgroundWriter(VideoWriter(self._tmp, size_wh, fps), queue_size=8)
        self._written = 0
        self._dropped: tuple[np.ndarray, int] | None = None

    def push(self, frame: np.ndarray, t: float) -> None:
        """Add the picture shown at time ``t`` (seconds, same clock as ``start_s``)."""
        due = int((t - self.start_s) * self.fps) + 1 - self._written
        if due <= 0:
            return
        frame = frame.copy()
        # When the encoder is behind, this picture is dropped (the live loop must not
        # wait) and the next one repeats to keep time; the last one is kept for close().
        if self._out.write(frame, due, block=False):
            self._written += due
            self._dropped = None
        else:
            self._dropped = (frame, due)

    def close(self) -> Path:
        """Finish the file and give it its name; returns the path."""
        try:
            if self._dropped is not None:
                # Nothing came after it to make up the time: write it now, waiting.
                frame, due = self._dropped
                self._out.write(frame, due)
                self._written += due
            if self._written == 0:
                # An empty recording still plays: one black frame.
                w, h = self.size_wh
                self._out.write(np.zeros((h, w, 3), np.uint8))
            self._out.close()
        except BaseException as e:
            self._tmp.unlink(missing_ok=True)
            if isinstance(e, FaceFiltersError):
                raise
            raise FaceFiltersError(f"recording failed: {e}") from None
        os.replace(self._tmp, self.path)
        return self.path


@dataclass
class _Toast:
    text: str
    until: float


class LiveApp:
    """The live demo's state and its response to keys.

    Args:
        filters: the filters to choose from, in order.
        detector: finds faces.
        messages: words in the chosen language.
        out_dir: where snapshots and recordings go (created when first needed).
        start: index of the first filter.
        mirror: show a mirror image (selfie view).
        clock: seconds on a monotonic clock; tests pass a fake.
    """

    def __init__(self, filters: Sequence[Filter], detector: Detector, messages: Messages,
                 out_dir: Path, *, start: int = 0, mirror: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not filters:
            raise FaceFiltersError("no filters to show")
        self.filters = list(filters)
        self.index = start
        self.detector = detector
        self.tracker = FaceTracker()
        self.messages = messages
        self.out_dir = out_dir
        self.mirror = mirror
        self.clock = clock
        self.show_mesh = False
        self.show_help = False
        self.fullscreen = False
        self.recorder: Recorder | None = None
        self.saved: list[Path] = []
        self._toast: _Toast | None = None
        self._start = clock()
        self._fps = 0.0
        self._interval = 0.0
        self._last_shown: float | None = None
        self._last_clean: np.ndarray | None = None
        self.faces = Faces.empty()

    @property
    def filter(self) -> Filter:
        return self.filters[self.index]

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

    def _new_path(self, suffix: str) -> Path:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.out_dir / f"facefilters-{stamp}{suffix}"
        n = 2
        while path.exists():
            path = self.out_dir / f"facefilters-{stamp}-{n}{suffix}"
            n += 1
        return path

    def snapshot(self) -> Path | None:
        """Save the last filtered picture (without the overlay) as PNG."""
        if self._last_clean is None:
            return None
        path = self._new_path(".png")
        tmp = path.with_name(f".{path.stem}.tmp.png")
        write_image(tmp, self._last_clean)
        os.replace(tmp, path)
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
        self.recorder = Recorder(self._new_path(".mp4"), (w, h), self.clock())
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
        """Filter one captured frame and draw the overlay; returns the picture to show.

        Args:
            image: ndarray of shape (H, W, 3), uint8, BGR, as captured (not mirrored).
            capture_s: when it was captured, on the app's clock.
        """
        now = self.clock()
        # Detect on the picture as the camera sees it, then mirror picture and landmarks
        # together: the person's left eye stays "left_eye" in the selfie view.
        faces = self.tracker.update(self.detector.detect(image), capture_s)
        frame = image
        if self.mirror:
            frame = cv2.flip(image, 1)
            faces = faces.mirror(frame.shape[1])
        self.faces = faces
        # Animations run on the app's own clock, whatever the frame rate.
        t = now - self._start
        self.filter.apply(frame, faces, t)
        if self.show_mesh and not any(isinstance(x, MeshLayer) for x in self.filter.layers):
            MESH_OVERLAY.apply(frame, faces, t)
        self._last_clean = frame
        if self.recorder is not None:
            self.recorder.push(frame, now)
        return self._overlay(frame.copy(), now)

    def _overlay(self, frame: np.ndarray, now: float) -> np.ndarray:
        if self._last_shown is not None and now > self._last_shown:
            # Average the frame interval, not its inverse: uneven intervals would
            # otherwise inflate the rate (10 ms and 57 ms apart is 30 fps, not 61).
            dt = now - self._last_shown
            self._interval = dt if self._interval == 0 else 0.9 * self._interval + 0.1 * dt
            self._fps = 1.0 / self._interval
        self._last_shown = now
        m = self.messages
        n = len(self.faces)
        faces = m("live.faces_one") if n == 1 else m("live.faces", count=n)
        draw_status(frame, [f"{self.index + 1}  {self.filter.name}", m("live.fps", fps=self._fps),
                            faces, m("live.help_hint")])
        if self.show_help:
            keys = ["next", "previous", "digits", "mesh", "snapshot", "record", "fullscreen",
                    "help", "quit"]
            draw_help(frame, m("live.help_title"), [m(f"live.help.{k}") for k in keys],
                      [f.name for f in self.filters], self.index)
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

    def run(self, source: FrameSource, window: Window,
            on_frame: Callable[[float, float], None] | None = None) -> None:
        """Show frames until the user quits or closes the window.

        Args:
            source: where frames come from.
            window: where they go.
            on_frame: called after each frame is shown with (capture time, shown time),
                for latency measurements.

        Raises:
            SourceError: the source stopped; a recording in progress is saved first.
        """
        try:
            run_loop(source, window, lambda c: self.render(c.image, c.time_s),
                     lambda key: self.handle_key(key, window), on_frame, self.clock)
        except SourceError as e:
            saved = self.stop_recording()
            if saved is not None:
                error = e.translated(self.messages)
                raise SourceError(self.messages("error.recording_saved", error=error,
                                                path=saved)) from None
            raise
        finally:
            self.stop_recording()


def live_unavailable_reason(messages: Messages, camera: int = 0) -> str | None:
    """Why the live window cannot run here (no display, no camera), or None if it can."""
    from .io.sources import camera_available
    from .io.window import check_display

    try:
        check_display()
    except SourceError:
        return messages("demo.no_display")
    if not camera_available(camera):
        return messages("demo.no_camera", index=camera)
    return None


def run_live(*, camera: int = 0, source: Path | None = None, filter_id: str | None = None,
             size_wh: tuple[int, int] | None = None, mirror: bool = True,
             fullscreen: bool = False, filters_dirs: Sequence[Path] = (),
             out_dir: Path | None = None, max_faces: int = 4, lang: str | None = None,
             log: Callable[[str], None] = print) -> None:
    """Build the live demo from options and run it until the user quits.

    Raises:
        FaceFiltersError: unknown filter, no camera, no display, camera stopped.
    """
    from .catalog import Catalog

    catalog = Catalog(filters_dirs)
    ids = catalog.ids()
    start = 0
    if filter_id is not None:
        catalog.info(filter_id)  # an unknown name fails here, listing the known ones
        start = ids.index(filter_id)
    filters = [catalog.load(i) for i in ids]
    messages = Messages(lang)
    try:
        _run_live(catalog, start, filters, messages, camera=camera, source=source,
                  size_wh=size_wh, mirror=mirror, fullscreen=fullscreen, out_dir=out_dir,
                  max_faces=max_faces, log=log)
    except SourceError as e:
        raise e.translated(messages) from None


def _run_live(catalog: Catalog, start: int, filters: list[Filter], messages: Messages, *,
              camera: int, source: Path | None, size_wh: tuple[int, int] | None, mirror: bool,
              fullscreen: bool, out_dir: Path | None, max_faces: int,
              log: Callable[[str], None]) -> None:
    from .io.sources import CameraSource, FileSource
    from .io.window import CvWindow, check_display
    from .pipeline import close_detector, default_detector

    check_display()
    folder = out_dir if out_dir is not None else default_output_dir()
    frames: FrameSource
    if source is not None:
        frames = FileSource(source, size_wh)
    else:
        frames = CameraSource(camera, size_wh or (1280, 720))
    # Said before the detector starts: it mutes stderr while MediaPipe starts up.
    log(messages("live.startup", folder=folder))
    detector = None
    try:
        detector = default_detector(static_image_mode=False, max_faces=max_faces)
        app = LiveApp(filters, detector, messages, folder, start=start, mirror=mirror)
        window = CvWindow(f"facefilters: {frames.name}", fullscreen=fullscreen)
        app.fullscreen = fullscreen
        try:
            app.run(frames, window)
        finally:
            window.close()
            close_detector(detector)
            detector = None
            for path in app.saved:
                log(f"saved {path}")
    finally:
        if detector is not None:
            close_detector(detector)
        frames.close()
