"""Every command's --help shows examples, and no help text has stray spaces.

Typer renders help with Rich markup, which silently eats anything in square brackets
("[default: en]") and leaves the space before it behind; the texts are checked as
written and as shown.
"""

from __future__ import annotations

import re

import pytest
import typer
from rich.text import Text
from typer.testing import CliRunner

from facefilters.cli import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]


def help_texts() -> list[tuple[str, str]]:
    """(where, text) for every command's help and epilog and every option's help."""
    texts = [("facefilters", GROUP.help or ""), ("facefilters epilog", GROUP.epilog or "")]
    for name in COMMANDS:
        command = GROUP.commands[name]  # type: ignore[attr-defined]
        texts += [(name, command.help or ""), (f"{name} epilog", command.epilog or "")]
        texts += [
            (f"{name} {param.name}", getattr(param, "help", None) or "") for param in command.params
        ]
    return [(where, text) for where, text in texts if text]


def shown_help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "100"}, terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_commands_are_the_ones_documented() -> None:
    assert set(COMMANDS) >= {"apply", "filters", "inspect", "live", "lesson", "demo"}


@pytest.mark.parametrize("name", COMMANDS)
def test_help_shows_examples(name: str) -> None:
    shown = shown_help(name)
    assert "Examples" in shown
    examples = [
        line.strip(" │")
        for line in shown.splitlines()
        if line.strip(" │").startswith(f"facefilters {name}")
    ]
    assert examples, shown


def test_top_level_help_shows_examples() -> None:
    shown = shown_help()
    assert "Examples" in shown
    assert sum(line.strip(" │").startswith("facefilters ") for line in shown.splitlines()) >= 3


@pytest.mark.parametrize(("where", "text"), help_texts(), ids=lambda v: str(v)[:40])
def test_help_text_has_no_stray_spaces(where: str, text: str) -> None:
    lines = text.split("\n")
    for line in lines:
        body = line.lstrip(" ") if where.endswith("epilog") else line  # indented examples
        assert body == body.rstrip(), f"{where}: trailing space in {line!r}"
        assert "  " not in body, f"{where}: double space in {line!r}"
    assert text == text.strip(), f"{where}: leading or trailing space"
    assert not re.search(r" [.,;:)]", text), f"{where}: space before punctuation"
    # Rich markup would eat a [bracketed] word and leave the space before it.
    assert Text.from_markup(text).plain == text, f"{where}: {text!r} loses markup"


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_shown_help_has_no_space_before_punctuation(name: str) -> None:
    shown = shown_help(*([name] if name else []))
    for line in shown.splitlines():
        assert not re.search(r"\w \.( |$)", line.rstrip(" │")), line


def examples(name: str) -> list[list[str]]:
    """The example command lines in a command's epilog, split into words."""
    epilog = GROUP.commands[name].epilog or ""  # type: ignore[attr-defined]
    return [
        re.split(r"[>|]", line)[0].split()[1:]
        for line in epilog.splitlines()
        if line.strip().startswith("facefilters ")
    ]  # the shell's > and | cut off


@pytest.mark.parametrize("name", COMMANDS)
def test_examples_parse_as_commands(name: str) -> None:
    # Each example names this command and only options it has, with valid values.
    command = GROUP.commands[name]  # type: ignore[attr-defined]
    for words in examples(name):
        assert words[0] == name, words
        command.make_context(name, words[1:])
