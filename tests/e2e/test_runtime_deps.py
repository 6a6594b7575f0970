"""The command draws its text in the package's own font, never matplotlib's: the
lesson's slides (every caption) and a face swap's label, with every font file opened
checked to be the package's.

matplotlib (and fontTools with it) stays importable here: legacy MediaPipe 0.10.21
depends on it (its ``solutions.drawing_utils`` imports ``matplotlib.pyplot``), so it is
installed with MediaPipe; facefilters itself neither imports it nor reads its files
(``tests/test_render_fonts.py`` checks the imports).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

GUARDED = """
import sys
from PIL import ImageFont
truetype = ImageFont.truetype

def package_fonts_only(font, *args, **kwargs):
    assert "facefilters/fonts/" in str(font).replace("\\\\", "/"), font
    return truetype(font, *args, **kwargs)

ImageFont.truetype = package_fonts_only
from facefilters.cli import main
sys.argv = ["facefilters", *sys.argv[1:]]
main()
"""


def guarded_facefilters(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", GUARDED, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_lesson_slides_and_a_photo_use_the_package_font(
    tmp_path: Path, grace_hopper_path: Path
) -> None:
    slides = tmp_path / "slides"
    run = guarded_facefilters(
        "lesson", "--export", slides, "--source", grace_hopper_path, "--lang", "nl"
    )
    assert run.returncode == 0, run.stderr
    assert len(list(slides.glob("*.png"))) >= 8
    out = tmp_path / "swap.png"
    run = guarded_facefilters("apply", grace_hopper_path, "-o", out, "--filter", "swap")
    assert run.returncode == 0, run.stderr  # the DEEPFAKE label is drawn text
    assert out.stat().st_size > 10_000
