"""--backend, --version and doctor: what the command line says about the backend."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from facefilters.cli import app
from facefilters.detect import base, installed_backends

runner = CliRunner()


@pytest.fixture(autouse=True)
def _keep_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    # --backend sets the process-wide choice; other tests must not inherit it.
    monkeypatch.setattr(base, "_chosen", list(base._chosen))


def test_version_names_the_backend_and_versions() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    line = result.output.strip()
    assert "\n" not in line
    assert f"backend {installed_backends()[0]}" in line
    for part in ("mediapipe ", "Python ", "numpy ", "opencv "):
        assert part in line


def test_doctor_reports_one_cv2_and_a_checked_model() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "backend in use" in result.output and "SHA-256 checked" in result.output
    assert result.output.count("opencv-") == 1  # one distribution provides cv2


@pytest.mark.parametrize("command", ["apply", "inspect", "live", "lesson", "demo", "doctor"])
def test_every_command_takes_backend(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert "--backend" in result.output


def test_a_backend_that_is_not_installed_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setattr(base, "installed_backends", lambda: ("tasks",))
    result = runner.invoke(app, ["inspect", str(tmp_path / "none.jpg"), "--backend", "facemesh"])
    assert result.exit_code == 1
    assert result.output.startswith("error: the facemesh backend needs mediapipe 0.10.21")
    assert result.output.count("\n") == 1
