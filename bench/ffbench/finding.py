"""Section: finding faces in a 1080p group video, and what it costs.

A 1920x1080 clip of six faces cut from the two public-domain photos (eye distances 32 to
72 px, 1.7 to 3.8 % of the picture's width), drifting and tilting over a drawn
backdrop (``tests/scenes.py``, ``group_clip``), goes through

* the sequential bare loop of section 1 (decode -> FaceMesh in video mode -> x264 ->
  mux), which is what the program did before it had two stages, and
* ``apply --filter dog``, with the two-stage finder (``facefilters.detect.twostage``).

Both are timed as in section 1 (median of the rounds, start-up included), and for both
the faces found per frame are counted against the faces in the picture, outside the
timed runs. The 720p clip of section 1 is counted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facefilters.detect import FaceMeshDetector, default_detector
from facefilters.io.video import VideoReader

from .common import Filters, Section, log, median, table, tests_module, verdict
from .speed import MAX_FACES, apply_run, bare_run

GROUP_FPS_AIM = 15.0
"""``apply`` on the 1080p group clip, frames per second on this machine (2 cores)."""
GROUP_SECONDS = 4.0


def _scenes():  # noqa: ANN202 - a module
    """tests/scenes.py, the scene builder the tests use (a test helper, not a package)."""
    return tests_module("scenes")


def make_group_clip(path: Path, seconds: float = GROUP_SECONDS) -> list:
    """The group clip and its truth (one ``scenes.Scene`` per frame)."""
    return _scenes().group_clip(path, seconds=seconds)


@dataclass(frozen=True)
class Counts:
    """Faces found per frame by one detector on one clip."""

    per_frame: list[int]
    recall: float | None  # share of the faces in the picture found, when known

    @property
    def median(self) -> float:
        return median(self.per_frame)


def count_faces(clip: Path, detector, truth: list | None = None) -> Counts:
    """Run a video detector over a clip; with the truth, also the share of faces found."""
    match = _scenes().match
    per_frame, hits, total = [], 0, 0
    try:
        with VideoReader(clip) as reader:
            for frame in reader:
                faces = detector.detect(frame.image, frame.time_s)
                per_frame.append(len(faces))
                if truth is not None:
                    found, _ = match(truth[frame.index], faces.landmarks[:, [468, 473], :2])
                    hits += int(found.sum())
                    total += len(found)
    finally:
        detector.close()
    return Counts(per_frame, hits / total if total else None)


@dataclass(frozen=True)
class FindingResult:
    group_faces: int
    bare_fps: list[float]
    apply_fps: list[float]
    counts: dict[str, Counts]  # "group bare", "group apply", "720p bare", "720p apply"


def measure_finding(clip_720p: Path, filters: Filters, rounds: int, tmp: Path) -> FindingResult:
    group = tmp / "group.mp4"
    log(f"finding: making a {GROUP_SECONDS:g} s 1920x1080 group clip")
    truth = make_group_clip(group)
    dog = filters.loaded.get("dog") or next(iter(filters.loaded.values()))
    bare_fps, apply_fps = [], []
    for k in range(rounds):
        bare_fps.append(bare_run(group, tmp / "group-bare.mp4").fps)
        apply_fps.append(apply_run(group, tmp / "group-apply.mp4", dog).fps)
        log(f"  round {k + 1}/{rounds}: bare {bare_fps[-1]:.1f} fps, apply {apply_fps[-1]:.1f} fps")
    counts = {
        "group, bare loop": count_faces(
            group, FaceMeshDetector(static_image_mode=False, max_faces=MAX_FACES), truth
        ),
        "group, apply": count_faces(group, default_detector(static_image_mode=False), truth),
        "720p clip, bare loop": count_faces(
            clip_720p, FaceMeshDetector(static_image_mode=False, max_faces=MAX_FACES)
        ),
        "720p clip, apply": count_faces(clip_720p, default_detector(static_image_mode=False)),
    }
    return FindingResult(len(truth[0].names), bare_fps, apply_fps, counts)


def finding_section(result: FindingResult, rounds: int) -> Section:
    apply_fps = median(result.apply_fps)
    rows = []
    for name, c in result.counts.items():
        per = np.array(c.per_frame)
        rows.append(
            [
                name,
                f"{c.median:g}",
                f"{per.min()}-{per.max()}",
                "" if c.recall is None else f"{100 * c.recall:.1f} %",
            ]
        )
    group_recall = result.counts["group, apply"].recall or 0.0
    body = "\n".join(
        [
            __doc__.split("\n\n", 1)[1].strip().replace("\n", " "),
            "",
            f"{rounds} rounds, bare then apply. Aim: `apply` on the group clip at least "
            f"{GROUP_FPS_AIM:g} frames per second.",
            "",
            table(
                ["run", "median fps", "each run (fps)"],
                [
                    [
                        "bare loop (FaceMesh alone, max 4 faces)",
                        f"{median(result.bare_fps):.1f}",
                        ", ".join(f"{v:.1f}" for v in result.bare_fps),
                    ],
                    [
                        "`apply --filter dog` (two stages)",
                        f"{apply_fps:.1f}",
                        ", ".join(f"{v:.1f}" for v in result.apply_fps),
                    ],
                ],
                "lrr",
            ),
            "",
            f"Faces found per frame ({result.group_faces} in every frame of the group clip; "
            "*found* counts a face whose eyes' midpoint is within half an eye distance of a "
            "pasted one, at its size):",
            "",
            table(["clip, detector", "median per frame", "range", "found"], rows, "lrrr"),
        ]
    )
    summary = [
        [
            f"finding: apply on a 1080p clip of {result.group_faces} small faces >= "
            f"{GROUP_FPS_AIM:g} fps",
            f"{apply_fps:.1f} fps",
            verdict(apply_fps >= GROUP_FPS_AIM),
        ],
        [
            f"finding: faces found per frame in the group clip (of {result.group_faces})",
            f"apply {result.counts['group, apply'].median:g} ({100 * group_recall:.0f} %), "
            f"bare loop {result.counts['group, bare loop'].median:g}",
            "",
        ],
    ]
    return Section("Finding faces: a 1080p group", body, summary)
