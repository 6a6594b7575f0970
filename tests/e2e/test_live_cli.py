"""``facefilters live`` and ``demo`` on a machine with no camera and no screen.

Each failure is one line that says what is wrong and what to do, with exit code 1 (2 for
a usage mistake), and never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run

pytestmark = pytest.mark.e2e


def one_error_line(output: str, said: str = "error: ") -> str:
    """The output's only line, an error said in the language whose word ``said`` is."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(said), output
    return lines[0]


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def some_display(monkeypatch: pytest.MonkeyPatch) -> None:
    # Enough for the display check to pass, so the next check (the camera) is reached.
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-facefilters-test")


@pytest.mark.parametrize(("lang", "words"), [("en", "no camera"), ("nl", "geen camera")])
def test_live_without_that_camera(
    some_display: None, tmp_path: Path, lang: str, words: str
) -> None:
    result = run("live", "--camera", "57", "--out", tmp_path / "out", "--lang", lang)
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output, {"en": "error: ", "nl": "fout: "}[lang])
    assert words in line and "57" in line
    assert "--camera" in line and "--source" in line
    assert not (tmp_path / "out").exists()


def test_live_without_a_display(no_display: None, tmp_path: Path) -> None:
    result = run("live", "--out", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output)
    assert "display" in line and "facefilters apply" in line


def test_live_with_an_unknown_filter_lists_the_known_ones(
    no_display: None, demo_clip: Path
) -> None:
    result = run("live", "--source", demo_clip, "--filter", "unicorn", "--lang", "en")
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output)
    assert "unicorn" in line
    for name in ("dog", "glasses", "mesh", "tears"):
        assert name in line


def test_live_with_a_missing_source(some_display: None, tmp_path: Path) -> None:
    result = run("live", "--source", tmp_path / "nope.mp4", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "nope.mp4" in one_error_line(result.output)


@pytest.mark.parametrize("size", ["12x", "12x12", "axb", "1280", "0x0", "99999x720"])
def test_live_with_a_bad_size_is_a_usage_error(size: str) -> None:
    result = run("live", "--size", size)
    assert result.exit_code == 2, result.output
    assert "--size" in result.output


@pytest.mark.slow
def test_demo_without_a_display_filters_the_sample(no_display: None, tmp_path: Path) -> None:
    result = run("demo", "--out", tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "no display" in result.output
    assert (tmp_path / "demo-dog.mp4").is_file()
    assert "demo-dog.mp4" in result.output
