"""``apply`` and ``inspect`` on files: a photo or a video through the pipeline.

The output is written to a temporary file beside it and renamed at the end, so an error
or Ctrl+C never leaves a half-written file, and an existing file is only replaced with
``force``. Paths are taken as the user typed them (``./out.mp4``) and handed on as they
are, so that every message names them in the user's spelling.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..detect.base import DetectorFactory, close_detector, default_detector
from ..effects import Filter
from ..errors import InputError, OutputError
from ..expressions import BLENDSHAPE_NAMES
from ..faces import Faces
from ..frames import Frame
from ..geometry import ANCHOR_NAMES, measure
from ..i18n import Messages
from ..io.atomic import atomic_output
from ..io.credentials import add_credentials, read_credentials
from ..io.image import IMAGE_SUFFIXES, count_pictures, read_image
from ..io.probe import detect_kind
from ..io.provenance import read_note
from ..io.sinks import ImageFileSink, Sink, ThreadedSink, VideoFileSink
from ..io.video import VIDEO_SUFFIXES, VideoReader
from ..pipeline import Drawer, Pipeline, Progress
from ..tracking import FADE_S, FaceTracker
from .prepare import prepare_filter

APPLY_X264_PARAMS = "subme=1"
"""x264's veryfast preset with its sub-pixel motion search cut from 2 to 1 (as in
superfast): on 2 cores x264 is the largest CPU cost of ``apply``, and this saves about a
fifth of it for files some 3 % larger at 0.3 dB less PSNR (docs/BENCHMARKS.md)."""


LOST_SHARE = 0.02
"""The largest share of a video's frames that may be unreadable (damaged, or missing from
a file cut short) for ``apply`` to write the rest without being told to (``keep_going``)."""


@dataclass(frozen=True)
class Notice:
    """Something the user should know about a run that worked: a message key and values.

    Attributes:
        key: the message's key in the language files (``apply.lost`` ...).
        values: what fills its ``{placeholders}``.
    """

    key: str
    values: dict[str, Any]


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply`` did: photo or video, frames written, frames with a face."""

    kind: str
    output: str | os.PathLike[str]
    """As it was given (the user's spelling, for the message saying where it went)."""
    frames: int
    frames_with_faces: int
    credentials: bool = False
    """True when the file got a C2PA manifest (a face swap, with ``c2pa-python``)."""
    notices: tuple[Notice, ...] = ()
    """What was done about an odd input: frames lost, resized, retimed."""


def apply_file(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    drawer: Drawer,
    *,
    max_faces: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    detector_factory: DetectorFactory = default_detector,
    face: str | os.PathLike[str] | None = None,
    keep_going: bool = False,
) -> ApplyResult:
    """Filter a photo or a video file into ``output_path``.

    For a video, decoding, detection, and drawing with encoding run on three threads
    (the reader's, this one, the sink's), so the stages overlap across cores. The output
    keeps time with the input: frame ``k`` shows the input's picture at ``k / fps``, so
    a variable frame rate is written at a constant one (frames repeated or dropped) and
    stays in step with the sound. Every audio track is copied.

    An odd input is read to the end, and the result says what was done (`Notice`):
    frames of another size are scaled to the first size, frames that cannot be decoded
    are left out. When more than `LOST_SHARE` of them are lost, nothing is written
    unless ``keep_going``.

    A filter that swaps faces finds its source faces first (``face``: a photo to take
    the face from instead of the filter's own), and the file it writes says in its
    metadata that it is a deepfake.

    Raises:
        InputError, OutputError: bad input or output; too many frames lost.
        FilterError: a swap's photo has no face, or several.
    """
    kind = detect_kind(input_path)
    check_output_suffix(kind, input_path, output_path)
    if face is not None and not getattr(drawer, "deepfake", False):
        raise InputError("--face is for the filters that swap faces (try --filter swap)")
    if isinstance(drawer, Filter):
        drawer = prepare_filter(drawer, detector_factory, face=face)
    note = Messages()("deepfake.note") if getattr(drawer, "deepfake", False) else None
    with atomic_output(output_path, input_path=input_path, force=force) as tmp:
        photo = kind == "image"
        detector = detector_factory(static_image_mode=photo, max_faces=max_faces)
        try:
            tracker = FaceTracker(smoothing=not photo, fade_s=0.0 if photo else FADE_S)
            pipeline = Pipeline(detector, tracker, [drawer])
            notices: list[Notice] = []
            if photo:
                stats = pipeline.run(
                    [Frame(0, 0.0, read_image(input_path))], [ImageFileSink(tmp, note=note)]
                )
                pictures = count_pictures(input_path) or 1
                if pictures > 1:  # an animated WebP, which FFmpeg cannot play
                    notices.append(
                        Notice("apply.first_picture", {"path": input_path, "count": pictures})
                    )
            else:
                with VideoReader(input_path, prefetch=True) as reader:
                    info = reader.info
                    # start_s: keep time with the input, whatever its frame rate does.
                    video = VideoFileSink(
                        tmp,
                        info.size_wh,
                        info.fps,
                        start_s=0.0,
                        audio_from=input_path if info.has_audio else None,
                        x264_params=APPLY_X264_PARAMS,
                        note=note,
                    )
                    # Its own thread for x264, so drawing frame n+1 overlaps encoding n.
                    sink: Sink = ThreadedSink(video, queue_size=4)
                    stats = pipeline.run(
                        reader, [sink], threaded=True, progress=progress, total=info.frame_count
                    )
                    notices = _video_notices(reader, video, keep_going)
        finally:
            close_detector(detector)
        if stats.frames == 0:  # pragma: no cover - the reader refuses empty videos
            raise InputError(f"cannot read '{os.fspath(input_path)}': the video has no frames")
        # Last of all, since any later change to the bytes would break its signature.
        signed = note is not None and add_credentials(tmp, note, title=Path(output_path).name)
        return ApplyResult(
            kind, output_path, stats.frames, stats.frames_with_faces, signed, tuple(notices)
        )


def _video_notices(reader: VideoReader, video: VideoFileSink, keep_going: bool) -> list[Notice]:
    """What the user should hear about how a video was read and written.

    Raises:
        InputError: more than `LOST_SHARE` of the frames could not be read, and not
            ``keep_going`` (raised inside the temporary output, so nothing is written).
    """
    notices = []
    lost, total = reader.frames_lost, reader.frames_read + reader.frames_lost
    if lost > LOST_SHARE * total and not keep_going:
        raise InputError(
            f"{lost} of {total} frames of '{reader.shown}' could not be read (the file is "
            f"damaged or cut short); nothing was written. Use --keep-going to write the "
            f"{reader.frames_read} that could be read"
        )
    if lost:
        notices.append(Notice("apply.lost", {"count": lost, "total": total}))
    if reader.size_change is not None:
        notices.append(
            Notice(
                "apply.resized",
                {
                    "index": reader.size_change.frame,
                    "count": reader.resized,
                    "name": "x".join(map(str, reader.info.size_wh)),
                },
            )
        )
    # A lost frame's time is filled by the picture before it; that is no change of rate.
    repeated = max(0, video.repeated - lost)
    if repeated or video.dropped:
        fps = reader.info.fps
        notices.append(
            Notice(
                "apply.retimed",
                {
                    "fps": int(fps) if fps.denominator == 1 else round(float(fps), 3),
                    "count": repeated,
                    "n": video.dropped,
                },
            )
        )
    return notices


def check_output_suffix(
    kind: str, input_path: str | os.PathLike[str], output_path: str | os.PathLike[str]
) -> None:
    """Refuse an output name whose suffix does not fit what the input is, saying why.

    A photo gives a photo and a video a video, in a format named by the suffix; this is
    checked before any work, so a mistake costs nothing.

    Raises:
        OutputError: no suffix, a video suffix for a photo, a photo suffix for a video,
            or a suffix of no format facefilters writes.
    """
    if os.path.isdir(output_path):
        return  # atomic_output says it is a folder and what to give instead
    shown_in, shown_out = os.fspath(input_path), os.fspath(output_path)
    typed_suffix = Path(output_path).suffix
    suffix = typed_suffix.lower()
    photos, videos = ", ".join(IMAGE_SUFFIXES), ", ".join(VIDEO_SUFFIXES)
    if not suffix:
        raise OutputError(
            f"'{shown_out}' has no extension, which names the kind of file to write; "
            f"add one: {photos} for a photo, {videos} for a video"
        )
    if kind == "image" and suffix not in IMAGE_SUFFIXES:
        if suffix in VIDEO_SUFFIXES:
            raise OutputError(
                f"'{shown_in}' is a photo, so the result is a photo, not a "
                f"'{typed_suffix}' video; name the output {photos}"
            )
        raise OutputError(
            f"cannot write '{shown_out}': unknown image type '{typed_suffix}'; use {photos}"
        )
    if kind == "video" and suffix not in VIDEO_SUFFIXES:
        what = "a photo" if suffix in IMAGE_SUFFIXES else f"a '{typed_suffix}' file"
        raise OutputError(
            f"'{shown_in}' is a video, so the result is a video, not {what}; "
            f"name the output {videos}"
        )


def describe_faces(faces: Faces, *, with_landmarks: bool = True) -> list[dict[str, Any]]:
    """JSON-ready description of each face: id, box, anchors, pose, measures (expressions
    included), blendshapes (Tasks backend), landmarks."""
    if len(faces) == 0:
        return []
    geometry = measure(faces)
    boxes = faces.xyxy
    result = []
    for i in range(len(faces)):
        face: dict[str, Any] = {
            "id": int(faces.ids[i]),
            "score": round(float(faces.scores[i]), 4),
            "bbox": [round(float(v), 2) for v in boxes[i]],
            "anchors": {
                name: [round(float(v), 2) for v in geometry.anchors[name][i]]
                for name in ANCHOR_NAMES
            },
            "eye_distance": round(float(geometry.eye_distance[i]), 2),
            "size_px": round(float(geometry.size_px[i]), 2),
            "roll_deg": round(float(geometry.roll_deg[i]), 2),
            "yaw_deg": round(float(geometry.yaw_deg[i]), 2),
            "pitch_deg": round(float(geometry.pitch_deg[i]), 2),
            "measures": {k: round(float(v[i]), 4) for k, v in geometry.measures.items()},
        }
        shapes = faces.extras.get("blendshapes")
        if shapes is not None:  # the Tasks backend's 52 expression scores
            face["blendshapes"] = {
                name: round(float(v), 4) for name, v in zip(BLENDSHAPE_NAMES, shapes[i])
            }
        if with_landmarks:
            face["landmarks"] = np.round(faces.landmarks[i].astype(np.float64), 2).tolist()
        result.append(face)
    return result


def inspect_file(
    input_path: str | os.PathLike[str],
    *,
    max_faces: int | None = None,
    progress: Progress | None = None,
    detector_factory: DetectorFactory = default_detector,
) -> Iterator[dict[str, Any]]:
    """What the computer sees in a photo (one record) or a video (one record per frame).

    Video records report the smoothed, tracked landmarks that filters are drawn from.

    Yields:
        For a photo ``{"width", "height", "faces"}``; for a video
        ``{"frame", "time", "width", "height", "faces"}`` per frame. When the file says
        in its metadata that a face swap made it, the first record also has ``"note"``,
        the words it says (see `facefilters.io.provenance`).
    """
    kind = detect_kind(input_path)
    photo = kind == "image"
    note = read_note(input_path)
    about_file: dict[str, Any] = {} if note is None else {"note": note}
    credentials = read_credentials(input_path)
    if credentials is not None:
        about_file["credentials"] = credentials.summary()
    detector = detector_factory(static_image_mode=photo, max_faces=max_faces)
    try:
        pipeline = Pipeline(detector, FaceTracker(smoothing=not photo))
        if photo:
            image = read_image(input_path)
            faces = pipeline.step(Frame(0, 0.0, image)).faces
            h, w = image.shape[:2]
            yield {"width": w, "height": h, "faces": describe_faces(faces), **about_file}
            return
        with VideoReader(input_path, prefetch=True) as reader:
            w, h = reader.info.size_wh
            total = reader.info.frame_count
            for frame in reader:
                faces = pipeline.step(frame).faces
                yield {
                    "frame": frame.index,
                    "time": round(frame.time_s, 6),
                    "width": w,
                    "height": h,
                    "faces": describe_faces(faces),
                    **about_file,
                }
                about_file = {}
                if progress:
                    progress(frame.index + 1, total)
    finally:
        close_detector(detector)
