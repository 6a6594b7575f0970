"""The command line's own lines follow --lang: errors, warnings, Ctrl+C, progress, columns.

Commands without --lang (apply, inspect) keep English errors; the language files hold the
English words too, so both come from one place.
"""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest
import typer
from typer.testing import CliRunner

from facefilters.cli import _FpsColumn, _user_errors, app
from facefilters.errors import FaceFiltersError, FilterError, InputError, SourceError
from facefilters.i18n import Messages


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
