"""The one loop: source -> detect -> track -> filter -> sink.

:class:`FrameProcessor` is the per-frame core of ``apply`` and ``inspect``; the functions
below wire it to files. (The live window and the lesson mirror the picture between
tracking and drawing, so they call the detector, the tracker and the filter themselves.)
The detector is any object with a ``detect(frame) -> Faces`` method, so tests can run the
whole pipeline with a fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

import numpy as np

from .errors import InputError
from .faces import Faces
from .geometry import ANCHOR_NAMES, measure
from .io.atomic import atomic_output
from .io.image import read_image, write_image
from .io.media import detect_kind
from .io.video import BackgroundWriter, VideoReader, VideoWriter
from .layers import Filter
from .tracking import FaceTracker


class Detector(Protocol):
    def detect(self, frame: np.ndarray) -> Faces:
        """Untracked faces of a BGR uint8 frame of shape (H, W, 3)."""


DetectorFactory = Callable[..., Detector]
"""Makes a detector: ``factory(static_image_mode=..., max_faces=...)``."""

Progress = Callable[[int, Optional[int]], None]
"""Called after each frame with (frames done, frames in total or None)."""


def default_detector(*, static_image_mode: bool, max_faces: int) -> Detector:
    # Imported here so that importing the pipeline (and testing it with fakes) does not
    # load MediaPipe.
    from .detect import FaceMeshDetector

    return FaceMeshDetector(static_image_mode=static_image_mode, max_faces=max_faces)


class FrameProcessor:
    """Detects, tracks and filters one frame at a time.

    Args:
        detector: finds faces.
        tracker: gives ids and smooths; a photo uses one without smoothing.
        filter: what to draw, or None to draw nothing.
    """

    def __init__(self, detector: Detector, tracker: FaceTracker,
                 filter: Filter | None = None) -> None:
        self.detector = detector
        self.tracker = tracker
        self.filter = filter

    def track(self, frame: np.ndarray, t: float) -> Faces:
        """The smoothed, tracked faces of ``frame`` at time ``t`` (seconds)."""
        return self.tracker.update(self.detector.detect(frame), t)

    def __call__(self, frame: np.ndarray, t: float) -> tuple[np.ndarray, Faces]:
        """Filter a frame in place.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR; drawn on.
            t: the frame's time in seconds.

        Returns:
            The same ``frame``, and the faces the filter was drawn on.
        """
        faces = self.track(frame, t)
        if self.filter is not None:
            self.filter.apply(frame, faces, t)
        return frame, faces


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply`` did: photo or video, frames written, frames with a face."""

    kind: str
    output: Path
    frames: int
    frames_with_faces: int


def apply_file(
    input_path: Path,
    output_path: Path,
    filter: Filter,
    *,
    max_faces: int = 4,
    force: bool = False,
    progress: Progress | None = None,
    detector_factory: DetectorFactory = default_detector,
) -> ApplyResult:
    """Filter a photo or a video file into ``output_path``.

    The output is written to a temporary file beside it and renamed at the end, so an
    error or Ctrl+C never leaves a half-written file, and an existing file is only
    replaced with ``force``.

    Raises:
        InputError, OutputError: bad input or output.
    """
    kind = detect_kind(input_path)
    with atomic_output(output_path, input_path=input_path, force=force) as tmp:
        if kind == "image":
            frame = read_image(input_path)
            detector = detector_factory(static_image_mode=True, max_faces=max_faces)
            try:
                processor = FrameProcessor(detector, FaceTracker(smoothing=False), filter)
                _, faces = processor(frame, 0.0)
            finally:
                close_detector(detector)
            write_image(tmp, frame)
            return ApplyResult("image", output_path, 1, int(len(faces) > 0))

        detector = detector_factory(static_image_mode=False, max_faces=max_faces)
        processor = FrameProcessor(detector, FaceTracker(), filter)
        frames = with_faces = 0
        try:
            with VideoReader(input_path) as reader:
                total = reader.info.frame_count
                writer = VideoWriter(tmp, reader.info.size_wh, reader.info.fps,
                                     audio_from=input_path if reader.info.has_audio else None)
                # Encoding on its own thread overlaps it with the next frame's work.
                with BackgroundWriter(writer) as out:
                    for vf in reader:
                        # This thread decodes, detects and tracks; the filter is drawn on
                        # the encoder's thread, overlapping the next frame's detection.
                        faces = processor.track(vf.image, vf.time_s)
                        out.write(vf.image, before=partial(filter.apply, faces=faces,
                                                           t=vf.time_s))
                        frames += 1
                        with_faces += len(faces) > 0
                        if progress:
                            progress(frames, total)
        finally:
            close_detector(detector)
        if frames == 0:
            raise InputError(f"cannot read '{input_path}': the video has no frames")
        return ApplyResult("video", output_path, frames, with_faces)


def close_detector(detector: Any) -> None:
    """Close a detector if it has a ``close`` method (fakes need not)."""
    close = getattr(detector, "close", None)
    if close:
        close()


def describe_faces(faces: Faces, *, with_landmarks: bool = True) -> list[dict[str, Any]]:
    """JSON-ready description of each face: id, box, anchors, pose, measures, landmarks."""
    if len(faces) == 0:
        return []
    geometry = measure(faces)
    boxes = faces.xyxy
    result = []
    for i in range(len(faces)):
        face: dict[str, Any] = {
            "id": int(faces.ids[i]),
            "bbox": [round(float(v), 2) for v in boxes[i]],
            "anchors": {
                name: [round(float(v), 2) for v in geometry.anchors[name][i]]
                for name in ANCHOR_NAMES
            },
            "eye_distance": round(float(geometry.eye_distance[i]), 2),
            "roll_deg": round(float(geometry.roll_deg[i]), 2),
            "yaw_deg": round(float(geometry.yaw_deg[i]), 2),
            "measures": {k: round(float(v[i]), 4) for k, v in geometry.measures.items()},
        }
        if with_landmarks:
            face["landmarks"] = np.round(faces.landmarks[i].astype(np.float64), 2).tolist()
        result.append(face)
    return result


def inspect_file(
    input_path: Path,
    *,
    max_faces: int = 4,
    progress: Progress | None = None,
    detector_factory: DetectorFactory = default_detector,
) -> Iterator[dict[str, Any]]:
    """What the computer sees in a photo (one record) or a video (one record per frame).

    Video records report the smoothed, tracked landmarks that filters are drawn from.

    Yields:
        For a photo ``{"width", "height", "faces"}``; for a video
        ``{"frame", "time", "width", "height", "faces"}`` per frame.
    """
    kind = detect_kind(input_path)
    if kind == "image":
        frame = read_image(input_path)
        detector = detector_factory(static_image_mode=True, max_faces=max_faces)
        try:
            faces = FaceTracker(smoothing=False).update(detector.detect(frame), 0.0)
        finally:
            close_detector(detector)
        h, w = frame.shape[:2]
        yield {"width": w, "height": h, "faces": describe_faces(faces)}
        return
    detector = detector_factory(static_image_mode=False, max_faces=max_faces)
    processor = FrameProcessor(detector, FaceTracker())
    try:
        with VideoReader(input_path) as reader:
            w, h = reader.info.size_wh
            total = reader.info.frame_count
            for vf in reader:
                faces = processor.track(vf.image, vf.time_s)
                yield {"frame": vf.index, "time": round(vf.time_s, 6), "width": w, "height": h,
                       "faces": describe_faces(faces)}
                if progress:
                    progress(vf.index + 1, total)
    finally:
        close_detector(detector)
