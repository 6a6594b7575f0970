"""The ``facefilters`` command. Commands are thin: build objects, call one function.

Every :class:`~facefilters.errors.FaceFiltersError` becomes a one-line message on stderr
and exit code 1; usage mistakes exit with 2 (Typer's own). A stop signal (Ctrl+C, SIGTERM
from ``timeout`` or ``docker stop``, SIGHUP from a closed terminal) stops a command the
way Ctrl+C does, so the same clean-up runs, and exits with 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, List, NewType, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .apps.lesson.steps import STEPS as LESSON_STEPS
from .catalog import Catalog
from .errors import FaceFiltersError, Phrase, os_reason
from .i18n import LANGUAGES, Messages
from .paths import samples_dir

if TYPE_CHECKING:
    from .apps.files import ApplyResult


def _examples(*lines: str) -> str:
    """A --help epilog: example command lines, one per line."""
    return "Examples:\n" + "\n".join(f"  {line}" for line in lines)


app = typer.Typer(
    name="facefilters",
    help="Snapchat-style face filters on MediaPipe's 478 face landmarks, "
    "and a look at how they work.",
    epilog=_examples(
        "facefilters demo",
        "facefilters live --filter dog",
        "facefilters apply photo.jpg -o dog.jpg --filter dog",
        "facefilters COMMAND --help",
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: an error stays one line however narrow the terminal.
err = Console(stderr=True, soft_wrap=True)
out = Console()

PathText = NewType("PathText", str)
"""A path as the user typed it (``./out.mp4`` stays so, for messages). Typer hands it on
as text and shows it as ``<path>`` in ``--help``, with file completion, when the option
also says ``path_type=str``; ``readable=False`` leaves the checks, and their messages in
the user's language, to the program."""


FiltersDir = Annotated[
    Optional[List[Path]],
    typer.Option(
        "--filters-dir", help="Extra folder of filter folders (repeatable).", file_okay=False
    ),
]
MaxFaces = Annotated[
    Optional[int],
    typer.Option(
        "--max-faces",
        min=1,
        help="The most faces to find per frame, the largest first (default: every face).",
        show_default=False,
    ),
]


# Paths the user names are taken as text, not as Path (which tidies './out.mp4' into
# 'out.mp4'), and handed on as text, so that messages name them as they were typed.
def _folder(value: str) -> str:
    """A folder option's value, refused when it names a file (as Typer's own check would)."""
    if os.path.isfile(value):
        raise typer.BadParameter(f"'{value}' is a file, not a folder")
    return value


Face = Annotated[
    Optional[PathText],
    typer.Option(
        "--face",
        path_type=str,
        readable=False,
        help="For the face swap: a photo of the face to put on the faces (one face, "
        "from the front).",
        show_default=False,
    ),
]


class BackendName(str, Enum):
    auto = "auto"
    facemesh = "facemesh"
    tasks = "tasks"


Backend = Annotated[
    Optional[BackendName],
    typer.Option(
        "--backend",
        help="Which MediaPipe finds the faces: facemesh (legacy, Python <= 3.12, "
        "fastest), tasks (any Python, with expressions) or auto: facemesh where installed, "
        "else tasks.",
        show_default="$FACEFILTERS_BACKEND, else auto",
    ),
]


def _use_backend(backend: Optional[BackendName]) -> None:
    """Choose the backend for the detectors this command makes (BackendError if absent)."""
    from .detect.base import use_backend

    use_backend(backend.value if backend is not None else None)


class Interrupted(KeyboardInterrupt):
    """A stop signal, raised as Ctrl+C's KeyboardInterrupt is, so the same clean-up runs.

    Attributes:
        signum: the signal's number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# Signals that mean "stop now": a `timeout`, `docker stop`, `kill`, a closed terminal.
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise `Interrupted` in the main thread.

    The first one raises; later ones are ignored until the clean-up it started is done,
    so a second ``kill`` cannot cut the clean-up short and leave a temporary file.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def stop(signum: int, frame: object) -> None:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _error_line(messages: Messages, error: str) -> Text:
    line = Text(messages("cli.error", error=error))
    line.highlight_regex(r"^[^:]*:", "bold red")  # the word "error:" in the language's own
    return line


@contextmanager
def _user_errors(messages: Optional[Messages] = None) -> Iterator[None]:
    """Turn domain errors into one line on stderr and exit code 1, signals into 128+n.

    Args:
        messages: the language of a command with ``--lang``; None for English.
    """
    m = messages or Messages("en")
    try:
        with _stop_signals_interrupt():
            yield
            # Here, not at exit, so that a reader gone away is seen below.
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, with the 1 that Rich's console
        # gives when its own print meets a closed pipe; stdout goes to /dev/null so that
        # Python does not fail once more on flushing it at exit.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except FaceFiltersError as e:
        err.print(_error_line(m, str(e.translated(m))))
        raise typer.Exit(1) from None
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        # After SIGHUP the terminal may be gone, and writing to it fails.
        with contextlib.suppress(OSError):
            line = m("cli.interrupted", signal=signal.Signals(signum).name)
            err.print(Text(line, style="yellow"))
        raise typer.Exit(128 + signum) from None
    except OSError as e:
        where = f" '{e.filename}'" if e.filename else ""
        reason = os_reason(e)
        said = reason.in_language(m) if isinstance(reason, Phrase) else reason
        err.print(_error_line(m, f"{said}{where}"))
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        from .doctor import summary

        out.print(summary(), soft_wrap=True, highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Snapchat-style face filters, and a look at how they work."""


class _FpsColumn(ProgressColumn):
    def __init__(self, messages: Messages) -> None:
        super().__init__()
        self.messages = messages

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        value = f"{self.messages.number(speed, 1):>5}" if speed else "  ..."
        return Text(self.messages("cli.fps", fps=value), style="cyan")


@contextmanager
def _progress_bar(
    label: str, messages: Optional[Messages] = None
) -> Iterator[Callable[[int, Optional[int]], None]]:
    m = messages or Messages("en")
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _FpsColumn(m),
        TextColumn(m("cli.eta")),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: Optional[int]) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command(
    epilog=_examples(
        "facefilters apply photo.jpg -o dog.jpg",
        "facefilters apply clip.mp4 -o crying.mp4 --filter tears",
        "facefilters apply class.mp4 -o hidden.mp4 --filter anonymize --force",
        "facefilters apply me.jpg -o swapped.jpg --filter swap --face someone.jpg",
    )
)
def apply(
    input: Annotated[
        PathText,
        typer.Argument(
            help="A photo or a video.", show_default=False, path_type=str, readable=False
        ),
    ],
    output: Annotated[
        PathText,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the result.",
            show_default=False,
            path_type=str,
            readable=False,
        ),
    ],
    filter: Annotated[str, typer.Option("--filter", "-f", help="Which filter.")] = "dog",
    filters_dir: FiltersDir = None,
    max_faces: MaxFaces = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace OUTPUT if it exists (a regular file only).")
    ] = False,
    face: Face = None,
    backend: Backend = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Write a damaged video even when more than 2 % of its frames cannot be read.",
        ),
    ] = False,
) -> None:
    """Put a filter on the faces in a photo or a video."""
    from .apps.files import apply_file

    with _user_errors():
        _use_backend(backend)
        chosen = Catalog(filters_dir or []).load(filter)
        with _progress_bar(f"{chosen.name}") as progress:
            result = apply_file(
                input,
                output,
                chosen,
                max_faces=max_faces,
                force=force,
                progress=progress,
                face=face,
                keep_going=keep_going,
            )
    _report(result)


def _report(result: ApplyResult, lang: Optional[str] = None) -> None:
    m = Messages(lang)
    if result.frames_with_faces == 0:
        key = "apply.no_face_photo" if result.kind == "image" else "apply.no_face_video"
        err.print(Text(m(key), style="yellow"))
    for notice in result.notices:
        err.print(Text(m(notice.key, **notice.values), style="yellow"))
    if result.kind == "image":
        err.print(Text(m("apply.wrote", path=result.output)))
    else:
        err.print(
            Text(
                m(
                    "apply.wrote_video",
                    path=result.output,
                    frames=result.frames,
                    count=result.frames_with_faces,
                )
            )
        )
    if result.credentials:
        err.print(Text(m("apply.credentials")))


def _warning_line(messages: Messages, warning: FaceFiltersError) -> Text:
    return Text(messages("cli.warning", warning=warning.translated(messages)), style="yellow")


@app.command(
    "filters",
    epilog=_examples("facefilters filters", "facefilters filters --filters-dir my-filters"),
)
def list_filters(filters_dir: FiltersDir = None, lang: Lang = None) -> None:
    """List the filters and what they do."""
    messages = Messages(_lang(lang))
    with _user_errors(messages):
        catalog = Catalog(filters_dir or [])
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column(messages("cli.filters.id"), style="bold cyan")
        table.add_column(messages("cli.filters.name"))
        table.add_column(messages("cli.filters.description"))
        # A broken folder is skipped with a warning; the others are still listed.
        for info in catalog.listing(lambda e: err.print(_warning_line(messages, e))):
            table.add_row(
                info.id,
                messages.get(f"filter.{info.id}.name", info.name),
                messages.get(f"filter.{info.id}.description", info.description),
            )
        out.print(table)


@app.command(
    epilog=_examples(
        "facefilters inspect photo.jpg",
        "facefilters inspect photo.jpg --json > faces.json",
        "facefilters inspect clip.mp4 --json --max-faces 1",
    )
)
def inspect(
    input: Annotated[
        PathText,
        typer.Argument(
            help="A photo or a video.", show_default=False, path_type=str, readable=False
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print JSON (JSON Lines for a video) with all 478 landmarks."),
    ] = False,
    max_faces: MaxFaces = None,
    backend: Backend = None,
) -> None:
    """Show what the computer sees: faces, boxes, anchors and landmarks."""
    from .apps.files import inspect_file

    with _user_errors():
        _use_backend(backend)
        if as_json:
            for record in inspect_file(input, max_faces=max_faces):
                sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
            return
        for record in inspect_file(input, max_faces=max_faces):
            _print_record(record)


def _print_record(record: dict) -> None:
    if "note" in record:
        out.print(
            Text(
                f"label: this file says it was made by a face swap ({record['note']})",
                style="bold yellow",
            ),
            soft_wrap=True,
        )
    if "credentials" in record:
        out.print(
            Text(f"content credentials: {record['credentials']}", style="bold yellow"),
            soft_wrap=True,
        )
    head = f"frame {record['frame']} at {record['time']:.3f} s: " if "frame" in record else ""
    faces = record["faces"]
    out.print(f"{head}{record['width']}x{record['height']}, {len(faces)} face(s)")
    for face in faces:
        x1, y1, x2, y2 = face["bbox"]
        out.print(
            f"  face {face['id']}: box ({x1:.0f}, {y1:.0f})-({x2:.0f}, {y2:.0f}), "
            f"size {face['size_px']:.0f} px, roll {face['roll_deg']:+.1f} deg, "
            f"yaw {face['yaw_deg']:+.1f} deg, pitch {face['pitch_deg']:+.1f} deg, "
            f"mouth open {face['measures']['mouth_open']:.2f}"
        )
        for name, (x, y) in face["anchors"].items():
            out.print(f"    {name:<13} ({x:7.1f}, {y:7.1f})")


def _parse_size(value: Optional[str]) -> Optional[tuple[int, int]]:
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
        if w < 16 or h < 16 or w > 7680 or h > 4320:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(
            f"expected WIDTHxHEIGHT such as 1280x720, got {value!r}", param_hint="--size"
        ) from None
    return w, h


# The languages are the files in locales/: a new file is a new choice here.
Language = Enum("Language", {code: code for code in LANGUAGES}, type=str)  # type: ignore[misc]


Lang = Annotated[
    Optional[Language],
    typer.Option(
        "--lang", help="Language of the window's text.", show_default="the system's, else en"
    ),
]


def _lang(value: Optional[Language]) -> Optional[str]:
    return value.value if value is not None else None


@app.command(
    epilog=_examples(
        "facefilters live",
        "facefilters live --camera 1 --filter tears",
        "facefilters live --source clip.mp4 --size 1280x720",
        "facefilters live --filter swap --faces my-photos/",
        "facefilters live --filter dog --virtual-camera",
    )
)
def live(
    camera: Annotated[
        int, typer.Option("--camera", min=0, help="Which camera (0 is the first).")
    ] = 0,
    source: Annotated[
        Optional[PathText],
        typer.Option(
            "--source",
            path_type=str,
            readable=False,
            help="Play a video (looped) or a photo instead of a camera.",
            show_default=False,
        ),
    ] = None,
    filter: Annotated[
        Optional[str], typer.Option("--filter", "-f", help="Filter to start with.")
    ] = None,
    size: Annotated[
        Optional[str],
        typer.Option(
            "--size", help="Picture size WxH, e.g. 1280x720.", show_default=False, metavar="<WxH>"
        ),
    ] = None,
    no_mirror: Annotated[
        bool,
        typer.Option(
            "--no-mirror", help="Show the picture as the camera sees it, not as a mirror."
        ),
    ] = False,
    fullscreen: Annotated[bool, typer.Option("--fullscreen", help="Start fullscreen.")] = False,
    filters_dir: FiltersDir = None,
    out: Annotated[
        Optional[str],
        typer.Option(
            "--out",
            help="Folder for snapshots and recordings.",
            show_default="your pictures folder/facefilters",
            parser=_folder,
            metavar="<dir>",
        ),
    ] = None,
    max_faces: MaxFaces = None,
    lang: Lang = None,
    face: Face = None,
    faces: Annotated[
        Optional[str],
        typer.Option(
            "--faces",
            help="For the face swap: a folder of photos to cycle through with the s key.",
            show_default=False,
            parser=_folder,
            metavar="<dir>",
        ),
    ] = None,
    virtual_camera: Annotated[
        bool,
        typer.Option(
            "--virtual-camera",
            help="Also send the filtered picture to a virtual camera, for Zoom, Teams or "
            "Meet (needs the virtual-camera extra, and v4l2loopback on Linux or OBS Studio "
            "on Windows and macOS).",
        ),
    ] = False,
    backend: Backend = None,
) -> None:
    """Open the camera and play with filters in a window (keys: h for help)."""
    from .apps.live import run_live

    size_wh = _parse_size(size)
    with _user_errors(Messages(_lang(lang))):
        _use_backend(backend)
        run_live(
            camera=camera,
            source=source,
            filter_id=filter,
            size_wh=size_wh,
            mirror=not no_mirror,
            fullscreen=fullscreen,
            filters_dirs=filters_dir or [],
            out_dir=out,
            max_faces=max_faces,
            lang=_lang(lang),
            face=face,
            faces_dir=faces,
            virtual_camera=virtual_camera,
            log=err.print,
        )


@app.command(
    epilog=_examples(
        "facefilters lesson --lang nl --fullscreen",
        "facefilters lesson --source clip.mp4",
        "facefilters lesson --export slides/ --lang nl",
    )
)
def lesson(
    camera: Annotated[
        int, typer.Option("--camera", min=0, help="Which camera (0 is the first).")
    ] = 0,
    source: Annotated[
        Optional[PathText],
        typer.Option(
            "--source",
            path_type=str,
            readable=False,
            help="A video (looped) or a photo instead of a camera; with --export, "
            "the photo the slides are made from.",
            show_default="the sample portrait",
        ),
    ] = None,
    export: Annotated[
        Optional[str],
        typer.Option(
            "--export",
            help="Write the slides into this folder, no window: a PNG per step, "
            "lesson.pdf, and lesson.pptx with the speaker notes.",
            show_default=False,
            parser=_folder,
            metavar="<dir>",
        ),
    ] = None,
    step: Annotated[
        int, typer.Option("--step", min=1, max=len(LESSON_STEPS), help="Step to start at.")
    ] = 1,
    no_mirror: Annotated[
        bool,
        typer.Option(
            "--no-mirror", help="Show the picture as the camera sees it, not as a mirror."
        ),
    ] = False,
    fullscreen: Annotated[bool, typer.Option("--fullscreen", help="Start fullscreen.")] = False,
    lang: Lang = None,
    face: Face = None,
    backend: Backend = None,
) -> None:
    """A lesson for the classroom: how the computer sees a face, step by step."""
    from .apps.lesson import run_lesson

    with _user_errors(Messages(_lang(lang))):
        _use_backend(backend)
        if export is None:
            run_lesson(
                camera=camera,
                source=source,
                mirror=not no_mirror,
                fullscreen=fullscreen,
                lang=_lang(lang),
                step=step,
                face=face,
                log=err.print,
            )
            return
        from .apps.lesson.export import make_slides

        written, messages = make_slides(export, source=source, lang=_lang(lang), face=face)
    for path in written:
        out.print(Text(os.path.join(export, path.name)), soft_wrap=True)
    err.print(Text(messages("lesson.exported", count=len(written) - 2, folder=export)))


@app.command(epilog=_examples("facefilters demo", "facefilters demo --filter tears --lang nl"))
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the results.")] = Path(
        "demo-output"
    ),
    filter: Annotated[str, typer.Option("--filter", "-f", help="Which filter.")] = "dog",
    lang: Lang = None,
    backend: Backend = None,
) -> None:
    """Try it out: the live window if there is a camera and a screen, else the sample clip."""
    from .apps.files import apply_file
    from .apps.live import live_unavailable_reason, run_live
    from .apps.prepare import in_language

    messages = Messages(_lang(lang))
    with _user_errors(messages):
        _use_backend(backend)
        reason = live_unavailable_reason(messages)
        if reason is None:
            run_live(filter_id=filter, out_dir=out_dir, lang=_lang(lang), log=err.print)
            return
        catalog = Catalog()
        chosen = in_language(catalog.load(filter), messages)
        out_dir.mkdir(parents=True, exist_ok=True)
        sample = samples_dir() / "demo.mp4"
        target = out_dir / f"demo-{filter}.mp4"
        err.print(
            Text(messages("demo.fallback", reason=reason, sample=sample.name, filter=chosen.name))
        )
        with _progress_bar(chosen.name, messages) as progress:
            result = apply_file(sample, target, chosen, force=True, progress=progress)
    _report(result, _lang(lang))
    out.print(Text(messages("demo.open", path=target.resolve())))


@app.command(epilog=_examples("facefilters doctor", "facefilters doctor --backend tasks"))
def doctor(backend: Backend = None) -> None:
    """Say which backend and versions are in use, and check the model and OpenCV."""
    from .doctor import checks

    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    found = checks(backend.value if backend is not None else None)
    for check in found:
        table.add_row(check.name, Text(check.value, style="" if check.ok else "bold red"))
    out.print(table)
    if not all(check.ok for check in found):
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the ``facefilters`` console script."""
    from .quiet import native_stderr_off

    # Only our own lines on the terminal, whenever a native library logs.
    native_stderr_off()
    app()
