"""Building the live window from command-line options, and running it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

from ...catalog import Catalog
from ...detect.base import close_detector, default_detector
from ...effects import Filter
from ...errors import InputError, SourceError
from ...i18n import Messages
from ...io.sinks import Sink
from ...io.virtual_camera import VirtualCameraSink
from ..prepare import prepare_filter
from .app import LiveApp
from .recorder import default_output_dir


def live_unavailable_reason(messages: Messages, camera: int = 0) -> str | None:
    """Why the live window cannot run here (no display, no camera), or None if it can."""
    from ...io.sources import camera_available
    from ...io.window import check_display

    try:
        check_display()
    except SourceError:
        return messages("demo.no_display")
    if not camera_available(camera):
        return messages("demo.no_camera", index=camera)
    return None


def run_live(
    *,
    camera: int = 0,
    source: str | os.PathLike[str] | None = None,
    filter_id: str | None = None,
    size_wh: tuple[int, int] | None = None,
    mirror: bool = True,
    fullscreen: bool = False,
    filters_dirs: Sequence[Path] = (),
    out_dir: str | os.PathLike[str] | None = None,
    max_faces: int | None = None,
    lang: str | None = None,
    face: str | os.PathLike[str] | None = None,
    faces_dir: str | os.PathLike[str] | None = None,
    virtual_camera: bool = False,
    log: Callable[[str], None] = print,
) -> None:
    """Build the live demo from options and run it until the user quits.

    Args:
        virtual_camera: also send the filtered picture to the system's virtual camera
            (see :mod:`facefilters.io.virtual_camera`).

    Raises:
        FaceFiltersError: unknown filter, no camera, no display, camera stopped, no
            virtual camera when one was asked for.
    """

    catalog = Catalog(filters_dirs)
    if filter_id is not None:
        catalog.load(filter_id)  # unknown or broken: the error names it and stops here
    # A broken folder among the others is skipped with a warning, as in the listing.
    messages = Messages(lang)
    usable = catalog.usable(lambda e: log(messages("cli.warning", warning=e.translated(messages))))
    ids = [i for i in catalog.showcase_ids() if i in usable]
    start = ids.index(filter_id) if filter_id is not None else 0
    # The swap's source faces are found now, before the window opens: a photo without a
    # face is an error the user should see at once.
    filters = [
        prepare_filter(
            usable[i], default_detector, face=face, faces_dir=faces_dir, messages=messages, log=log
        )
        for i in ids
    ]
    if face is not None and not any(f.deepfake for f in filters):
        raise InputError.said("error.face_without_swap")
    if face is not None and filter_id is None:
        start = next(k for k, f in enumerate(filters) if f.deepfake)
    try:
        _run_live(
            catalog,
            start,
            filters,
            messages,
            camera=camera,
            source=source,
            size_wh=size_wh,
            mirror=mirror,
            fullscreen=fullscreen,
            out_dir=out_dir,
            max_faces=max_faces,
            virtual_camera=virtual_camera,
            log=log,
        )
    except SourceError as e:
        raise e.translated(messages) from None


def _run_live(
    catalog: Catalog,
    start: int,
    filters: list[Filter],
    messages: Messages,
    *,
    camera: int,
    source: str | os.PathLike[str] | None,
    size_wh: tuple[int, int] | None,
    mirror: bool,
    fullscreen: bool,
    out_dir: str | os.PathLike[str] | None,
    max_faces: int | None,
    virtual_camera: bool,
    log: Callable[[str], None],
) -> None:
    from ...io.sources import CameraSource, FileSource
    from ...io.window import CvWindow, check_display

    check_display()
    folder = Path(out_dir) if out_dir is not None else default_output_dir()
    shown = os.fspath(out_dir) if out_dir is not None else str(folder)  # as typed
    frames: CameraSource | FileSource
    if source is not None:
        frames = FileSource(source, size_wh)
    else:
        frames = CameraSource(camera, size_wh or (1280, 720))
    outputs: list[Sink] = []
    detector = None
    try:
        # Opened before the detector and the window, so a missing device is said at once.
        camera_out = VirtualCameraSink(frames.picture_wh, frames.fps) if virtual_camera else None
        if camera_out is not None:
            outputs.append(camera_out)
        # Said before the detector starts: it mutes stderr while MediaPipe starts up.
        log(messages("live.startup", folder=shown))
        if camera_out is not None:
            log(messages("live.virtual_camera", device=camera_out.device))
        detector = default_detector(
            static_image_mode=False, max_faces=max_faces, background_scan=True
        )
        app = LiveApp(
            filters, detector, messages, shown, start=start, mirror=mirror, outputs=outputs
        )
        window = CvWindow(f"facefilters: {frames.name}", fullscreen=fullscreen)
        app.fullscreen = fullscreen
        try:
            app.run(frames, window)
        finally:
            window.close()
            close_detector(detector)
            detector = None
            for path in app.saved:
                log(messages("live.saved", path=os.path.join(shown, path.name)))
    finally:
        if detector is not None:
            close_detector(detector)
        for output in outputs:
            output.close()  # the app's run closed them already, unless it never ran
        frames.close()
