"""The command line's own lines follow --lang: errors, warnings, Ctrl+C, progress, columns.

Commands without --lang (apply, inspect) keep English errors; the language files hold the
English words too, so both come from one place.
"""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import facefilters
from facefilters import catalog
from facefilters.apps.live import run as live_run
from facefilters.cli import _FpsColumn, _user_errors, app
from facefilters.errors import FaceFiltersError, FilterError, InputError, OutputError, SourceError
from facefilters.i18n import Messages
from facefilters.io.atomic import atomic_output


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, terminal_width=200)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "fout: onbekende filter 'nope'; je kunt kiezen uit: "),
        ("fr", "erreur : filtre inconnu 'nope' ; au choix : "),
        ("en", "error: unknown filter 'nope'; available: "),
    ],
)
def test_an_error_of_the_live_window_is_said_in_its_language(lang: str, expected: str) -> None:
    result = run("live", "--lang", lang, "--filter", "nope")
    assert result.exit_code == 1
    assert expected in result.output
    assert "dog" in result.output  # the filters' ids are names, the same in every language


def test_the_command_run_for_real_says_it_in_dutch() -> None:
    # As a teacher types it: the console script, in its own process.
    done = subprocess.run(
        [sys.executable, "-m", "facefilters", "live", "--lang", "nl", "--filter", "kat"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("fout: onbekende filter 'kat'"), done.stderr


def test_the_filters_columns_and_a_skipped_folders_warning_follow_lang(tmp_path) -> None:
    (tmp_path / "kapot").mkdir()
    (tmp_path / "kapot" / "filter.toml").write_text("[[layers]\n", encoding="utf-8")
    result = run("filters", "--lang", "nl", "--filters-dir", str(tmp_path))
    assert result.exit_code == 0
    assert "let op: filter 'kapot' overgeslagen: " in result.output
    header = next(line for line in result.output.splitlines() if "beschrijving" in line)
    assert header.split() == ["filter", "naam", "beschrijving"]
    fr = run("filters", "--lang", "fr")
    assert fr.output.split()[:3] == ["filtre", "nom", "description"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "onderbroken (SIGINT); er is niets geschreven"),
        ("fr", "interrompu (SIGINT) ; rien n'a été écrit"),
        (None, "interrupted (SIGINT); nothing was written"),
    ],
)
def test_ctrl_c_is_said_in_the_commands_language(
    lang: str | None, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit):
        with _user_errors(Messages(lang) if lang else None):
            raise KeyboardInterrupt
    assert capsys.readouterr().err.strip() == expected


def test_an_error_with_no_words_in_the_language_files_is_said_as_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit):
        with _user_errors(Messages("nl")):
            raise InputError("cannot read 'x.jpg': the file is empty")
    assert capsys.readouterr().err.strip() == "fout: cannot read 'x.jpg': the file is empty"


@pytest.mark.parametrize(
    ("lang", "speed", "expected"),
    [("nl", 29.94, " 29,9 beelden/s"), ("fr", 5.0, "  5,0 images/s"), ("en", 29.94, " 29.9 fps")],
)
def test_the_progress_bars_speed_is_in_the_language(lang: str, speed: float, expected: str) -> None:
    task = SimpleNamespace(finished_speed=None, speed=speed)
    assert _FpsColumn(Messages(lang)).render(task).plain == expected  # type: ignore[arg-type]


# -- errors that carry their message key ---------------------------------------------------


def test_an_error_said_from_the_language_files_is_english_until_translated() -> None:
    error = FilterError.said("error.unknown_filter", filter="kat", names="dog, cat")
    assert str(error) == "unknown filter 'kat'; available: dog, cat"
    dutch = error.translated(Messages("nl"))
    assert type(dutch) is FilterError
    assert str(dutch) == "onbekende filter 'kat'; je kunt kiezen uit: dog, cat"
    assert dutch.translated(Messages("en")).args == error.args


@pytest.mark.parametrize("cls", [FaceFiltersError, InputError, SourceError])
def test_an_error_without_a_key_stays_as_it_is(cls: type[FaceFiltersError]) -> None:
    error = cls("no key here")
    assert error.translated(Messages("fr")) is error


# -- errors about files, in the language of lesson, live and demo -------------------------

# Opens no window: the file is looked at before one would be (a Wayland display is only
# looked for, never reached).
WINDOWED = {"COLUMNS": "200", "WAYLAND_DISPLAY": "wayland-test"}


@pytest.fixture
def run_windowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the command line in ``tmp_path``, paths typed relative to it."""
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(app, list(args), env=WINDOWED, terminal_width=200)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "fout: bestand niet gevonden: 'nergens.jpg'"),
        ("fr", "erreur : fichier introuvable : 'nergens.jpg'"),
        ("en", "error: no such file: 'nergens.jpg'"),
    ],
)
def test_a_missing_lesson_source_is_said_in_the_lessons_language(
    lang: str, expected: str, run_windowed
) -> None:
    result = run_windowed("lesson", "--lang", lang, "--source", "nergens.jpg")
    assert result.exit_code == 1
    assert result.output.strip() == expected


@pytest.mark.parametrize(
    ("args", "make", "expected"),
    [
        (
            ("lesson", "--lang", "nl", "--source", "./tekst.jpg"),
            {"tekst.jpg": b"geen foto\n"},
            "fout: kan './tekst.jpg' niet lezen: geen afbeelding, of de afbeelding is beschadigd",
        ),
        (
            ("live", "--lang", "fr", "--source", "leeg.mp4"),
            {"leeg.mp4": b""},
            "erreur : impossible de lire 'leeg.mp4' : le fichier est vide",
        ),
        (
            ("lesson", "--lang", "nl", "--source", "./"),
            {},
            "fout: kan './' niet lezen: het is een map, geen bestand",
        ),
        (
            ("live", "--lang", "nl", "--source", "clip.mp4"),
            {"clip.mp4": b"\x00\x00\x00\x18ftypmp42" + bytes(40)},
            "fout: kan 'clip.mp4' niet lezen: de video is afgebroken of beschadigd",
        ),
        (
            ("live", "--lang", "nl", "--filter", "swap", "--faces", "./geen//map"),
            {},
            "fout: geen map: './geen//map'",
        ),
        (
            ("lesson", "--lang", "fr", "--face", "sub//portrait.png", "--source", "x.jpg"),
            {"sub/portrait.png": b"\x89PNG\r\n\x1a\n" + bytes(30)},
            "erreur : impossible de lire 'sub//portrait.png' : ce n'est pas une image, "
            "ou l'image est abîmée",
        ),
    ],
    ids=["damaged", "empty", "folder", "cut-video", "faces-not-a-folder", "face-photo"],
)
def test_file_errors_of_lesson_and_live_follow_lang(
    args: tuple[str, ...], make: dict[str, bytes], expected: str, tmp_path: Path, run_windowed
) -> None:
    for name, data in make.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    result = run_windowed(*args)
    assert result.exit_code == 1
    assert result.output.strip() == expected  # the path exactly as typed


def test_apply_has_no_lang_and_stays_english(run_windowed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "nl_BE.UTF-8")
    result = run_windowed("apply", "nergens.jpg", "-o", "uit.jpg")
    assert result.exit_code == 1
    assert result.output.strip() == "error: no such file: 'nergens.jpg'"


def test_the_lesson_run_for_real_says_a_missing_file_in_dutch(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "facefilters", "lesson", "--lang", "nl", "--source", "nergens.jpg"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "WAYLAND_DISPLAY": "wayland-test"},
    )
    assert done.returncode == 1
    assert done.stderr == "fout: bestand niet gevonden: 'nergens.jpg'\n"


@pytest.mark.parametrize(
    ("lang", "code", "expected"),
    [
        (
            "nl",
            errno.ENOSPC,
            "kan './les/01-pixels.png' niet schrijven: geen ruimte meer op de schijf; "
            "maak wat ruimte vrij of schrijf naar een andere schijf",
        ),
        (
            "fr",
            errno.EACCES,
            "impossible d'écrire './les/01-pixels.png' : permission refusée ; "
            "choisis un dossier où tu peux écrire",
        ),
        (
            "en",
            errno.EROFS,
            "cannot write './les/01-pixels.png': Read-only file system; "
            "the disk is read-only; write to another one",
        ),
        # A reason the language files do not know is said in the system's words.
        (
            "nl",
            errno.EXDEV,
            f"kan './les/01-pixels.png' niet schrijven: {os.strerror(errno.EXDEV)}",
        ),
    ],
)
def test_cannot_write_and_its_advice_follow_lang(lang: str, code: int, expected: str) -> None:
    error = OutputError.from_os_error("./les/01-pixels.png", OSError(code, os.strerror(code)))
    assert str(error.translated(Messages(lang))) == expected


def test_the_english_of_cannot_write_is_the_systems(tmp_path: Path) -> None:
    # The language file's English reasons are glibc's, so apply's lines did not change.
    for code in (errno.ENOSPC, errno.EACCES, errno.ENOENT, errno.EROFS, errno.ENAMETOOLONG):
        error = OutputError.from_os_error("x.mp4", OSError(code, os.strerror(code)))
        assert str(error).startswith(f"cannot write 'x.mp4': {os.strerror(code)}; ")


def test_an_error_inside_atomic_output_names_the_output_in_every_language(tmp_path: Path) -> None:
    typed = os.path.join(str(tmp_path), ".", "dia.png")
    with pytest.raises(OutputError) as caught:
        with atomic_output(typed) as tmp:
            raise OutputError.from_os_error(tmp, OSError(errno.ENOSPC, "No space left"))
    dutch = str(caught.value.translated(Messages("nl")))
    assert dutch.startswith(f"kan '{typed}' niet schrijven: geen ruimte meer op de schijf")
    assert ".dia." not in dutch  # never the temporary name


@pytest.mark.parametrize(
    ("cls", "key", "path", "expected"),
    [
        (SourceError, "error.no_frames", "./lus.mp4", "'./lus.mp4' heeft geen beelden"),
        (OutputError, "error.exists", "a.png", "'a.png' bestaat al; gebruik --force"),
        (OutputError, "error.no_folder", "./uit", "de map bestaat niet: './uit'; maak ze eerst"),
    ],
)
def test_more_file_errors_have_dutch_words(
    cls: type[FaceFiltersError], key: str, path: str, expected: str
) -> None:
    assert str(cls.said(key, path=path).translated(Messages("nl"))).startswith(expected)


def test_a_system_error_that_reaches_the_command_line_is_said_in_its_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit):
        with _user_errors(Messages("nl")):
            raise PermissionError(errno.EACCES, "Permission denied", "/foto's")
    assert capsys.readouterr().err.strip() == "fout: geen toestemming '/foto's'"


# -- errors about a broken filter folder ---------------------------------------------------

BAD_WIDTH = """[[layers]]
kind = "sprite"
image = "a.png"
pin = [2, 2]
anchor = "nose_tip"
width = "wide"
"""


def broken_filter(base: Path, name: str, toml: str) -> Path:
    """A filter folder ``base/name`` with this filter.toml and a small picture, a.png."""
    folder = base / name
    folder.mkdir(parents=True)
    (folder / "filter.toml").write_text(toml, encoding="utf-8")
    assert cv2.imwrite(str(folder / "a.png"), np.full((4, 4, 4), 255, np.uint8))
    return folder


@pytest.mark.parametrize(
    ("lang", "toml", "expected"),
    [
        (
            "nl",
            BAD_WIDTH,
            "let op: filter 'breed' overgeslagen: kapot/breed/filter.toml: layers[0].width: "
            "verwacht een positief getal, maar er staat 'wide'",
        ),
        (
            "fr",
            BAD_WIDTH,
            "attention : filtre 'breed' laissé de côté : kapot/breed/filter.toml : "
            "layers[0].width : il faut un nombre positif, mais il y a 'wide'",
        ),
        # tomllib's own words follow the translated lead.
        (
            "nl",
            "[[layers]\n",
            "let op: filter 'breed' overgeslagen: kapot/breed/filter.toml: geen geldige TOML: "
            "Expected ']]' at the end of an array declaration (at line 1, column 9)",
        ),
        (
            "en",
            BAD_WIDTH,
            "warning: skipped filter 'breed': kapot/breed/filter.toml: layers[0].width: "
            "expected a positive number, got 'wide'",
        ),
    ],
    ids=["nl", "fr", "nl-toml", "en"],
)
def test_the_filters_listing_warns_of_a_broken_folder_in_its_language(
    lang: str, toml: str, expected: str, tmp_path: Path, run_windowed
) -> None:
    broken_filter(tmp_path / "kapot", "breed", toml)
    result = run_windowed("filters", "--lang", lang, "--filters-dir", "kapot")
    assert result.exit_code == 0
    assert expected in result.output.splitlines()
    assert "dog" in result.output  # the others are still listed


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            "erreur : filtres/breed/filter.toml : layers[0].width : "
            "il faut un nombre positif, mais il y a 'wide'",
        ),
        (
            "nl",
            "fout: filtres/breed/filter.toml: layers[0].width: "
            "verwacht een positief getal, maar er staat 'wide'",
        ),
    ],
)
def test_live_says_a_broken_filter_in_its_language(
    lang: str, expected: str, tmp_path: Path, run_windowed
) -> None:
    broken_filter(tmp_path / "filtres", "breed", BAD_WIDTH)
    result = run_windowed("live", "--lang", lang, "--filters-dir", "filtres", "--filter", "breed")
    assert result.exit_code == 1
    assert result.output.strip() == expected


def test_live_warns_of_a_broken_folder_among_the_others_in_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken_filter(tmp_path / "filtres", "breed", BAD_WIDTH)
    said: list[str] = []

    def stop(*args: object, **kwargs: object) -> None:
        raise SourceError("stop here")  # past the filters, before any detector or window

    monkeypatch.setattr(live_run, "prepare_filter", stop)
    with pytest.raises(SourceError):
        live_run.run_live(filters_dirs=[Path("filtres")], lang="fr", log=said.append)
    assert said == [
        "attention : filtre 'breed' laissé de côté : filtres/breed/filter.toml : "
        "layers[0].width : il faut un nombre positif, mais il y a 'wide'"
    ]


def test_the_lesson_says_a_broken_built_in_filter_in_its_language(
    tmp_path: Path, run_windowed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A built-in filter edited in place: the lesson's face swap is read before the window.
    broken_filter(tmp_path / "ingebouwd", "swap", BAD_WIDTH)
    monkeypatch.setattr(catalog, "builtin_filters_dir", lambda: Path("ingebouwd"))
    result = run_windowed("lesson", "--lang", "fr")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "erreur : ingebouwd/swap/filter.toml : layers[0].width : "
        "il faut un nombre positif, mais il y a 'wide'"
    )


# The modules behind lesson, live and demo: a user's error there carries its message key
# (FaceFiltersError.said), so the command line can say it in the command's language.
KEYED = (
    "io",
    "apps/prepare.py",
    "apps/lesson",
    "apps/live",
    "apps/window_loop.py",
    "validate.py",
    "catalog.py",
)
# Raised only where no command with --lang gets: ImageFileSink writes apply's photos.
ENGLISH_ONLY = {"io/sinks.py"}
_ERRORS = {"FaceFiltersError", "InputError", "OutputError", "SourceError", "FilterError"}


def test_errors_of_the_modules_behind_lesson_and_live_carry_a_message_key() -> None:
    src = Path(facefilters.__file__).parent
    files = sorted(
        path
        for part in KEYED
        for path in ([src / part] if part.endswith(".py") else (src / part).rglob("*.py"))
    )
    assert len(files) > 10
    unkeyed = []
    for path in files:
        name = path.relative_to(src).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _ERRORS
                and len(node.args) == 1
                and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
                and name not in ENGLISH_ONLY
            ):
                unkeyed.append(f"{name}:{node.lineno}")
    assert not unkeyed, f"English-only errors (use .said): {unkeyed}"


def test_what_a_filter_folder_is_refused_for_is_in_the_language_files() -> None:
    # Validator.error(key, problem) says problem in the user's language: a Phrase, never
    # English text, in the modules that read a filter folder.
    src = Path(facefilters.__file__).parent
    files = [src / "validate.py", src / "catalog.py", *sorted((src / "effects").glob("*.py"))]
    words_at = {"error": 1, "items": 3}  # error(key, problem, got), items(value, key, most, what)
    calls, english = 0, []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in words_at
                and len(node.args) > words_at[node.func.attr]
            ):
                calls += 1
                words = node.args[words_at[node.func.attr]]
                if isinstance(words, (ast.Constant, ast.JoinedStr)):
                    english.append(f"{path.relative_to(src).as_posix()}:{node.lineno}")
    assert calls > 10
    assert not english, f"English text given to Validator (use a Phrase): {english}"
