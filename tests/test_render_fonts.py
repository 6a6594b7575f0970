"""The caption font ships inside the package, with its licence; matplotlib is not needed
to run (it stays a test dependency, for Grace Hopper's photo only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from facefilters.render.text import FONTS_DIR, character_map, font_path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "facefilters"
ROOT = PACKAGE.parents[1]


def test_fonts_and_their_licence_are_inside_the_package() -> None:
    assert FONTS_DIR.parent == PACKAGE
    for bold in (False, True):
        for mono in (False, True):
            assert font_path(bold, mono).parent == FONTS_DIR
            assert font_path(bold, mono).is_file()
    licence = (FONTS_DIR / "LICENSE_DEJAVU").read_text(encoding="utf-8")
    assert "Bitstream Vera" in licence and "Permission is hereby granted" in licence


def test_no_module_of_the_package_imports_matplotlib_or_fonttools() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Constant) and node.value in ("matplotlib", "fontTools"):
                names = [node.value]  # find_spec("matplotlib") and friends
            offenders += [
                f"{path.relative_to(PACKAGE)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in ("matplotlib", "fontTools")
            ]
    assert offenders == []


def test_matplotlib_is_not_a_runtime_dependency() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("matplotlib")]
    assert [d for d in project["optional-dependencies"]["test"] if d.startswith("matplotlib")]


def test_text_draws_with_matplotlib_and_fonttools_unimportable() -> None:
    # None in sys.modules makes an import fail, as on a machine without them.
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "sys.modules['fontTools'] = None\n"
        "import numpy as np\n"
        "from facefilters.render.text import draw_caption, has_glyphs\n"
        "frame = np.zeros((360, 640, 3), np.uint8)\n"
        "draw_caption(frame, 'Hoe gezichtsfilters werken', 'één geïnteresseerd café')\n"
        "assert frame.any() and has_glyphs('scène') and not has_glyphs('字')\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "ok\n"


@pytest.mark.parametrize("bold", [False, True])
def test_character_map_agrees_with_what_pillow_draws(bold: bool) -> None:
    # A code point in the map draws its own glyph; one outside draws the .notdef box.
    from PIL import ImageFont

    points = character_map(font_path(bold).read_bytes())
    assert {ord(c) for c in "Aaéëïö€→…"} <= points
    assert ord("字") not in points and 0xE000 not in points
    font = ImageFont.truetype(str(font_path(bold)), 32)
    notdef = font.getmask("\ue000").getbbox()
    assert font.getmask("é").getbbox() != notdef
