"""Section: the two detection backends side by side, FaceMesh and MediaPipe Tasks.

Each backend installed here (``facefilters.detect.installed_backends``) is timed on the
720p clip of section 1, in this one process, rounds interleaved (FaceMesh, Tasks,
FaceMesh, ...):

* **detect**: one landmark model on the whole picture in video mode, max 4 faces
  (``landmark_detector``: ``FaceMeshDetector`` or ``TasksLandmarker``, which also
  computes the 52 blendshapes), milliseconds per frame, decoding not counted;
* **two stages**: the finder ``apply`` uses (``default_detector``, video mode: scan,
  crops, followers), milliseconds per frame;
* **photo**: one still-photo call on the sample portrait (IMAGE mode), milliseconds;
* **apply**: ``apply --filter dog`` on the clip, frames per second, start-up included.

On Python 3.9-3.12 both backends come from MediaPipe 0.10.21 (its Tasks API runs the
bundled ``face_landmarker.task``); on 3.13 and later only Tasks exists, from the current
MediaPipe, and this section has one column.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from facefilters.detect import base
from facefilters.io.video import VideoReader
from facefilters.paths import samples_dir

from .common import Filters, Section, log, median, table
from .speed import MAX_FACES, apply_run

PHOTO_CALLS = 10


@dataclass
class BackendTimes:
    """Every round's figures for one backend."""

    detect_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)  # Tasks without blendshapes
    two_stage_ms: list[float] = field(default_factory=list)
    photo_ms: list[float] = field(default_factory=list)
    apply_fps: list[float] = field(default_factory=list)
    faces: list[float] = field(default_factory=list)


def _per_frame_ms(clip: Path, detector) -> tuple[float, float]:
    """Median milliseconds per ``detect`` call over the clip (the first frame, which
    starts the graph, left out), and the median faces found per frame."""
    times, counts = [], []
    try:
        with VideoReader(clip) as reader:
            for frame in reader:
                t0 = time.perf_counter()
                faces = detector.detect(frame.image, frame.time_s)
                times.append(1000 * (time.perf_counter() - t0))
                counts.append(len(faces))
    finally:
        detector.close()
    return median(times[1:] or times), median(counts)


def _photo_ms() -> float:
    photo = cv2.imread(str(samples_dir() / "portrait.jpg"))
    with base.landmark_detector(static_image_mode=True, max_faces=MAX_FACES) as detector:
        detector.detect(photo)  # starts the graph
        times = []
        for _ in range(PHOTO_CALLS):
            t0 = time.perf_counter()
            detector.detect(photo)
            times.append(1000 * (time.perf_counter() - t0))
    return median(times)


def measure_backends(
    clip: Path, filters: Filters, rounds: int, tmp: Path
) -> dict[str, BackendTimes]:
    """Each installed backend's figures, ``rounds`` times, interleaved."""
    installed = base.installed_backends()
    dog = filters.loaded.get("dog") or next(iter(filters.loaded.values()))
    results = {name: BackendTimes() for name in installed}
    previous = base.current_backend()
    try:
        for k in range(rounds):
            for name in installed:
                base.use_backend(name)
                r = results[name]
                ms, faces = _per_frame_ms(
                    clip, base.landmark_detector(static_image_mode=False, max_faces=MAX_FACES)
                )
                r.detect_ms.append(ms)
                r.faces.append(faces)
                if name == "tasks":
                    from facefilters.detect.tasks import TasksLandmarker

                    r.bare_ms.append(
                        _per_frame_ms(
                            clip,
                            TasksLandmarker(
                                static_image_mode=False, max_faces=MAX_FACES, blendshapes=False
                            ),
                        )[0]
                    )
                r.two_stage_ms.append(
                    _per_frame_ms(clip, base.default_detector(static_image_mode=False))[0]
                )
                r.photo_ms.append(_photo_ms())
                r.apply_fps.append(apply_run(clip, tmp / f"backend-{name}.mp4", dog).fps)
                log(
                    f"  round {k + 1}/{rounds} {name}: detect {ms:.1f} ms, two stages "
                    f"{r.two_stage_ms[-1]:.1f} ms, photo {r.photo_ms[-1]:.1f} ms, apply "
                    f"{r.apply_fps[-1]:.1f} fps"
                )
    finally:
        base.use_backend(previous)
    return results


def backends_section(results: dict[str, BackendTimes], rounds: int) -> Section:
    names = list(results)
    version = base.mediapipe_version()

    def row(label: str, values: str, digits: int = 1) -> list[str]:
        return [
            label,
            *(
                f"{median(v):.{digits}f}" if (v := getattr(results[n], values)) else ""
                for n in names
            ),
        ]

    rows = [
        row("detect, one model on the whole picture (ms per frame)", "detect_ms"),
        row("detect, Tasks without its blendshapes (ms per frame)", "bare_ms"),
        row("two stages, as `apply` finds faces (ms per frame)", "two_stage_ms"),
        row("photo, one still-photo call on the portrait (ms)", "photo_ms"),
        row("`apply --filter dog` (frames per second)", "apply_fps"),
        row("faces found per frame by the one model", "faces", 0),
    ]
    body = "\n".join(
        [
            "Each backend installed here is timed on the 720p clip of section 1 in this one "
            "process, rounds interleaved. *detect*: one landmark model on the whole picture in "
            "video mode, max 4 faces (`FaceMeshDetector`, or `TasksLandmarker`, which also "
            "computes the 52 blendshapes), per frame, decoding not counted. *Two stages*: the "
            "finder `apply` uses (`default_detector`: scan, crops, followers), per frame. "
            "*Photo*: one still-photo call on the sample portrait. *apply*: `apply --filter "
            "dog` on the clip, start-up included. On Python 3.9-3.12 both backends come from "
            "MediaPipe 0.10.21 (its Tasks API runs the bundled `face_landmarker.task`); on "
            "3.13 and later only Tasks exists, from the current MediaPipe.",
            "",
            f"MediaPipe {version}; {rounds} rounds, medians.",
            "",
            table(["figure", *names], rows, "l" + "r" * len(names)),
        ]
    )
    summary = [
        [
            f"backends: `apply` fps, {' / '.join(names)}",
            " / ".join(f"{median(results[n].apply_fps):.1f}" for n in names),
            "",
        ]
    ]
    if len(names) == 2:
        a, b = (median(results[n].apply_fps) for n in names)
        summary.append(
            [f"backends: {names[1]} `apply` speed relative to {names[0]}", f"{b / a:.2f}x", ""]
        )
    return Section("Detection backends: FaceMesh and Tasks", body, summary)
