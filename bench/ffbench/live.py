"""Section 4: the live window, frames per second and capture-to-display latency.

The 1280x720 clip is played as a camera (``FileSource``) into the real ``LiveApp`` and a
real OpenCV window, one loop per built-in filter, next to a bare loop on the same
source and window (FaceMesh and ``imshow``, nothing else). Each loop runs twice: paced
like a camera (the clip's own 29.97 fps), and unpaced (a new frame ready whenever the
loop takes one, decoded one ahead, so no core is spent decoding frames never shown),
which shows how much headroom is left. Without a display, Xvfb is started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from facefilters.apps.live import LiveApp
from facefilters.apps.window_loop import window_frames
from facefilters.detect import FaceMeshDetector, default_detector
from facefilters.i18n import Messages
from facefilters.io.sources import FileSource
from facefilters.io.window import CvWindow

from .common import HEADLINE, Filters, Section, log, median, table, verdict

LIVE_AIM_FPS = 30.0
"""The live window must show 30 frames per second at 1280x720."""
PACED_MIN_WINDOW = 29
"""A one-second window of a paced (29.97 fps) source holds 29 or 30 frames."""
SETTLE_S = 1.0
"""The first second of each loop (model start-up, window opening) is not counted."""


@dataclass
class Loop:
    """What one loop showed: per frame, the capture time, the time ``imshow`` returned,
    and the source's frame number (gaps are frames the loop was too busy to take)."""

    name: str
    paced: bool
    captured: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    index: list[int] = field(default_factory=list)

    def _kept(self) -> slice:
        if not self.shown:
            return slice(0, 0)
        start = self.shown[0] + SETTLE_S
        first = next((k for k, s in enumerate(self.shown) if s >= start), len(self.shown))
        return slice(first, len(self.shown))

    @property
    def window_fps(self) -> float:
        """Median frames per whole one-second window."""
        shown = np.array(self.shown[self._kept()])
        if len(shown) < 2:
            return float("nan")
        windows = np.floor(shown - shown[0]).astype(int)
        counts = np.bincount(windows)
        counts = counts[:-1] if len(counts) > 1 else counts  # the last is partial
        return float(np.median(counts))

    @property
    def mean_fps(self) -> float:
        shown = self.shown[self._kept()]
        if len(shown) < 2:
            return float("nan")
        return (len(shown) - 1) / (shown[-1] - shown[0])

    @property
    def dropped(self) -> float:
        """Share of the source's frames that were never shown."""
        index = self.index[self._kept()]
        if len(index) < 2:
            return float("nan")
        return 1.0 - len(index) / (index[-1] - index[0] + 1)

    def latency_ms(self, q: float) -> float:
        kept = self._kept()
        lat = np.subtract(self.shown[kept], self.captured[kept]) * 1000
        return float(np.percentile(lat, q)) if len(lat) else float("nan")

    @property
    def keeps_up(self) -> bool:
        return self.window_fps >= PACED_MIN_WINDOW


class _TimedWindow:
    """A window that reports itself closed once ``seconds`` have passed."""

    def __init__(self, window: CvWindow, seconds: float) -> None:
        self.window = window
        self.end = time.monotonic() + seconds

    def show(self, frame: np.ndarray) -> None:
        self.window.show(frame)

    def poll_key(self, wait_ms: int = 1) -> str | None:
        return self.window.poll_key(wait_ms)

    def is_open(self) -> bool:
        return time.monotonic() < self.end and self.window.is_open()

    def set_fullscreen(self, on: bool) -> None:
        self.window.set_fullscreen(on)

    def close(self) -> None:
        self.window.close()


class _CountingSource:
    """Passes frames through, noting the source's number of each."""

    def __init__(self, source: FileSource, loop: Loop) -> None:
        self.source = source
        self.loop = loop
        self.name = source.name

    def read(self, timeout_s: float = 1.0) -> Any:
        frame = self.source.read(timeout_s)
        if frame is not None:
            self.loop.index.append(frame.index)
        return frame

    def close(self) -> None:
        self.source.close()


def _run(
    loop: Loop, clip: Path, seconds: float, body: Callable[[_CountingSource, _TimedWindow], None]
) -> Loop:
    source = FileSource(clip, realtime=loop.paced)
    window = _TimedWindow(CvWindow("facefilters bench"), seconds)
    try:
        body(_CountingSource(source, loop), window)
    finally:
        window.close()
        source.close()
    return loop


def bare_loop(clip: Path, seconds: float, paced: bool, detector: FaceMeshDetector) -> Loop:
    """Source -> FaceMesh -> imshow, nothing else."""
    loop = Loop("bare", paced)

    def body(source: _CountingSource, window: _TimedWindow) -> None:
        for frame in window_frames(source, window, lambda key: True):
            detector.detect(frame.image, frame.time_s)
            window.show(frame.image)
            loop.captured.append(frame.time_s)
            loop.shown.append(time.monotonic())

    return _run(loop, clip, seconds, body)


def live_loop(
    clip: Path, seconds: float, paced: bool, detector: Any, filters: Filters, name: str
) -> Loop:
    """The real ``LiveApp.run`` with one filter chosen (mirrored, tracked, HUD drawn)."""
    loop = Loop(name, paced)
    ids = filters.ids
    app = LiveApp(
        [filters.loaded[i] for i in ids],
        detector,
        Messages("en"),
        Path(tempfile.gettempdir()),
        start=ids.index(name),
    )

    def on_frame(capture_s: float, shown_s: float) -> None:
        loop.captured.append(capture_s)
        loop.shown.append(shown_s)

    return _run(
        loop, clip, seconds, lambda source, window: app.run(source, window, on_frame=on_frame)
    )


@dataclass
class LiveResult:
    loops: list[Loop]
    where: str

    def get(self, name: str, paced: bool) -> list[Loop]:
        return [x for x in self.loops if x.name == name and x.paced == paced]


def measure_live(clip: Path, filters: Filters, seconds: float) -> LiveResult:
    """Bare, then each filter, paced and unpaced; the unpaced bare loop runs once more at
    the end, so a machine that slowed down during the section shows."""
    xvfb = ensure_display()
    loops: list[Loop] = []
    try:
        with FaceMeshDetector(static_image_mode=False, max_faces=4) as detector:
            for paced in (True, False):
                loops.append(bare_loop(clip, seconds, paced, detector))
                log(f"  bare{'' if paced else ' unpaced'}: {loops[-1].mean_fps:.1f} fps")
            for name in filters.ids:
                for paced in (True, False):
                    try:
                        # What `facefilters live` builds: the two stages, scanning on a
                        # worker thread; a fresh one per loop, as it follows faces.
                        with default_detector(
                            static_image_mode=False, background_scan=True
                        ) as finder:
                            loop = live_loop(clip, seconds, paced, finder, filters, name)
                    except Exception as exc:  # noqa: BLE001 - the other filters go on
                        filters.drop(name, "the live section", exc)
                        loops = [x for x in loops if x.name != name]
                        break
                    loops.append(loop)
                    log(f"  {name}{'' if paced else ' unpaced'}: {loop.mean_fps:.1f} fps")
            loops.append(bare_loop(clip, seconds, False, detector))
            log(f"  bare unpaced: {loops[-1].mean_fps:.1f} fps")
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
            os.environ.pop("DISPLAY", None)
    where = "under Xvfb (no window manager)" if xvfb is not None else "on the desktop"
    return LiveResult(loops, where)


def live_section(result: LiveResult, seconds: float, note: str) -> Section:
    bare_paced = result.get("bare", True)[0]
    bare_free = result.get("bare", False)
    bare_free_fps = median([x.mean_fps for x in bare_free])
    lines = [
        f"The clip played as a 1280x720 camera by `FileSource`, {result.where}, into a real "
        "`CvWindow`: *live* is `LiveApp.run` (mirroring, tracking and smoothing, the "
        "filter, the HUD, `imshow`) with one filter chosen and the detector `live` builds (the "
        "two-stage finder, scanning on a worker thread, a fresh one per loop); *bare* is the "
        "same source and "
        "window with `FaceMeshDetector.detect` and `imshow` only (one FaceMesh detector, "
        f"video mode, up to 4 faces, for the bare loops). Each loop runs {seconds:g} s; "
        f"the first {SETTLE_S:g} s are not counted. *paced*: the source delivers frames "
        "at the clip's 29.97 fps, as a camera would, so 30 is the ceiling and a one-second "
        f"window holds {PACED_MIN_WINDOW} or 30 frames when the loop keeps up; *unpaced*: "
        "a new frame is ready whenever the loop takes one (decoded one frame ahead, as a "
        "camera delivers frames without costing a core), the loop's capacity. *fps*: "
        "median frames per "
        "one-second window (paced) and mean rate (unpaced); *dropped*: the source's "
        "frames the loop was too busy to take; *latency*: from capture to `imshow` "
        "returning. The unpaced bare loop runs at the start and at the end of the "
        "section (median of the two). "
        f"Aim: {LIVE_AIM_FPS:g} frames per second at 1280x720 with every built-in filter: "
        "the paced loop keeps up with the camera, and the unpaced one can show at least "
        f"{LIVE_AIM_FPS:g}.",
    ]
    if note:
        lines += ["", note]
    rows = [
        [
            "bare (FaceMesh + imshow)",
            f"{bare_paced.window_fps:.0f}",
            f"{bare_paced.dropped:.0%}",
            f"{bare_paced.latency_ms(50):.0f} / {bare_paced.latency_ms(95):.0f}",
            f"{bare_free_fps:.1f}",
            "1.00",
            f"{median([x.latency_ms(50) for x in bare_free]):.0f}",
            "",
        ]
    ]
    names = [n for n in dict.fromkeys(x.name for x in result.loops) if n != "bare"]
    keep, capacity = {}, {}
    for name in names:
        paced = result.get(name, True)[0]
        free = result.get(name, False)[0]
        keep[name] = paced.keeps_up
        capacity[name] = free.mean_fps
        ok = paced.keeps_up and free.mean_fps >= LIVE_AIM_FPS
        rows.append(
            [
                f"live `{name}`",
                f"{paced.window_fps:.0f}",
                f"{paced.dropped:.0%}",
                f"{paced.latency_ms(50):.0f} / {paced.latency_ms(95):.0f}",
                f"{free.mean_fps:.1f}",
                f"{free.mean_fps / bare_free_fps:.2f}",
                f"{free.latency_ms(50):.0f}",
                verdict(ok),
            ]
        )
    lines += [
        "",
        table(
            [
                "loop",
                "paced fps",
                "paced dropped",
                "paced latency ms (median / p95)",
                "unpaced fps",
                "unpaced vs bare",
                "unpaced latency ms",
                f"aim {LIVE_AIM_FPS:g} fps",
            ],
            rows,
        ),
    ]
    if len(bare_free) > 1:
        lines += [
            "",
            "Unpaced bare loop at the start and the end: "
            + ", ".join(f"{x.mean_fps:.1f}" for x in bare_free)
            + " fps.",
        ]
    summary = []
    if names:
        worst = min(capacity, key=capacity.__getitem__)
        kept = sum(keep.values())
        summary.append(
            [
                "live: every filter keeps up with a 29.97 fps 720p camera",
                f"{kept} of {len(names)}",
                verdict(kept == len(names)),
            ]
        )
        summary.append(
            [
                f"live: every filter >= {LIVE_AIM_FPS:g} fps unpaced",
                f"slowest `{worst}` {capacity[worst]:.1f} (bare {bare_free_fps:.1f})",
                verdict(capacity[worst] >= LIVE_AIM_FPS),
            ]
        )
        if HEADLINE in names:
            paced = result.get(HEADLINE, True)[0]
            summary.append(
                [
                    f"live `{HEADLINE}`: paced fps, latency median (p95)",
                    f"{paced.window_fps:.0f} fps, {paced.latency_ms(50):.0f} ms "
                    f"({paced.latency_ms(95):.0f} ms)",
                    "",
                ]
            )
    return Section("Live window at 720p", "\n".join(lines), summary)


def ensure_display() -> subprocess.Popen[bytes] | None:
    """Start Xvfb when there is no display; returns it (to stop), or None."""
    if (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or sys.platform in ("win32", "darwin")
    ):
        return None
    if not shutil.which("Xvfb"):
        raise RuntimeError(
            "no display and no Xvfb: run scripts/system-deps.sh, or run under a desktop"
        )
    for n in range(90, 130):
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen(
            ["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        else:
            proc.terminate()
            raise RuntimeError("Xvfb did not start")
        os.environ["DISPLAY"] = f":{n}"
        return proc
    raise RuntimeError("no free X display number")
