"""A broken filter folder from the command line: one line naming the file and the key
when it is the filter asked for; skipped with a warning when it is one among many."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run

pytestmark = pytest.mark.e2e

BROKEN = {
    # folder: (filter.toml bytes, what the line says)
    "latin1": (
        'name = "Café"\n[[layers]]\nkind = "mesh"\n'.encode("latin-1"),
        "filter.toml: not UTF-8 text (byte 0xe9 on line 1); save it as UTF-8",
    ),
    "floods": (
        b'[[layers]]\nkind = "tears"\nstreams = 1000000\n',
        "filter.toml: layers[0].streams: expected a positive whole number up to 8, got 1000000",
    ),
    "nested": (
        b"x = " + b"[" * 5000 + b"]" * 5000 + b'\n[[layers]]\nkind = "mesh"\n',
        "filter.toml: x (line 1): nested more than 4 levels deep",
    ),
}


@pytest.fixture
def filters_dir(tmp_path: Path) -> Path:
    base = tmp_path / "mine"
    for name, (toml, _) in BROKEN.items():
        (base / name).mkdir(parents=True)
        (base / name / "filter.toml").write_bytes(toml)
    (base / "fine").mkdir()
    (base / "fine" / "filter.toml").write_text('name = "Fine"\n[[layers]]\nkind = "mesh"\n')
    return base


def test_filters_lists_the_rest_and_warns_about_each_broken_one(filters_dir: Path) -> None:
    result = run("filters", "--filters-dir", filters_dir)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    warnings = [line for line in lines if line.startswith("warning: skipped filter")]
    assert len(warnings) == len(BROKEN), result.output
    for name, (_, says) in BROKEN.items():
        (line,) = [w for w in warnings if f"'{name}'" in w]
        assert line.endswith(says) and str(filters_dir / name) in line
    assert any(line.split()[:2] == ["fine", "Fine"] for line in lines)
    assert any(line.split()[:1] == ["dog"] for line in lines)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_apply_with_a_broken_filter_is_one_line(
    filters_dir: Path, tmp_path: Path, grace_hopper_path: Path, name: str
) -> None:
    result = run(
        "apply",
        grace_hopper_path,
        "-o",
        tmp_path / "out.jpg",
        "--filters-dir",
        filters_dir,
        "--filter",
        name,
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"error: {filters_dir / name / BROKEN[name][1]}"], result.output
    assert not (tmp_path / "out.jpg").exists()


def test_live_skips_a_broken_filter_among_the_others(
    filters_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No display: live stops after loading the filters, with its usual one line.
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("live", "--filters-dir", filters_dir, "--out", tmp_path / "out", "--lang", "en")
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert sum(line.startswith("warning: skipped filter") for line in lines) == len(BROKEN)
    assert lines[-1].startswith("error:") and "display" in lines[-1]
