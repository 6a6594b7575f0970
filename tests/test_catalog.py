"""Loading filter folders: validation errors, the happy path, and the catalog."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters import validate
from facefilters.catalog import Catalog, load_filter
from facefilters.effects import MeshEffect, SpriteEffect, TearsEffect
from facefilters.errors import FaceFiltersError, FilterError
from facefilters.geometry import ANCHOR_NAMES, MEASURE_NAMES
from facefilters.i18n import Messages

import pictures
from builders import make_faces

BUILTINS = ("dog", "glasses", "mesh", "tears")


def write_png(path: Path, bgra: np.ndarray | None = None) -> Path:
    """Write an RGBA PNG (a 16x8 half-transparent orange block by default)."""
    if bgra is None:
        bgra = np.zeros((8, 16, 4), np.uint8)
        bgra[...] = (0, 128, 255, 200)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), bgra)
    return path


def make_filter(
    base: Path, filter_id: str, toml: str, assets: tuple[str, ...] = ("a.png",)
) -> Path:
    """A filter folder ``base/filter_id`` with ``filter.toml`` and PNG assets."""
    folder = base / filter_id
    folder.mkdir(parents=True)
    (folder / "filter.toml").write_text(toml, encoding="utf-8")
    for name in assets:
        write_png(folder / name)
    return folder


def sprite_toml(**overrides: str) -> str:
    """A valid one-sprite filter; each override replaces (or with "" drops) one key."""
    keys = {
        "kind": '"sprite"',
        "image": '"a.png"',
        "pin": "[8, 4]",
        "anchor": '"nose_tip"',
        "width": "1.5",
    }
    keys.update(overrides)
    body = "\n".join(f"{k} = {v}" for k, v in keys.items() if v)
    return f'name = "Test"\n\n[[layers]]\n{body}\n'


def tears_toml(**overrides: str) -> str:
    keys = {"kind": '"tears"'}
    keys.update(overrides)
    body = "\n".join(f"{k} = {v}" for k, v in keys.items() if v)
    return f"[[layers]]\n{body}\n"


def layer_toml(kind: str, **keys: str) -> str:
    """A one-layer filter of ``kind`` with the given keys (TOML values as text)."""
    body = "\n".join(f"{k} = {v}" for k, v in keys.items())
    return f'[[layers]]\nkind = "{kind}"\n{body}\n'


def case(case_id: str, toml: str, setup: str | None, expected: list[str], marks=()):
    return pytest.param(toml, setup, expected, id=case_id, marks=marks)


BROKEN = [
    # id, filter.toml, what is set up around it, substrings the error must contain
    case("invalid-toml", 'name = "x"\n[[layers]\nkind = "sprite"\n', None, ["not valid TOML"]),
    case(
        "missing-layers", 'name = "x"\n', None, ["layers: expected at least one [[layers]] table"]
    ),
    case("empty-layers", "layers = []\n", None, ["layers: expected at least one [[layers]]"]),
    case(
        "layers-not-a-list",
        'layers = "sprite"\n',
        None,
        ["layers: expected at least one [[layers]] table", "got 'sprite'"],
    ),
    case("layer-not-a-table", "layers = [1, 2]\n", None, ["layers[0]: expected a table", "got 1"]),
    case(
        "unknown-top-key",
        'nmae = "x"\n' + sprite_toml(),
        None,
        ["nmae: unknown key", "description, layers, name"],
    ),
    case(
        "name-not-a-string",
        sprite_toml().replace('name = "Test"', "name = 3"),
        None,
        ["name: expected a string, got 3"],
    ),
    case(
        "unknown-kind",
        sprite_toml(kind='"hat"'),
        None,
        ["layers[0].kind: expected one of sprite, tears, mesh", "got 'hat'"],
    ),
    case("missing-kind", sprite_toml(kind=""), None, ["layers[0].kind: missing required key"]),
    case(
        "typo-widht",
        sprite_toml(width="", widht="1.5"),
        None,
        ["layers[0].widht: unknown key", "width"],
    ),
    case(
        "width-wide",
        sprite_toml(width='"wide"'),
        None,
        ["layers[0].width", "positive number", "got 'wide'"],
    ),
    case(
        "width-negative",
        sprite_toml(width="-1.5"),
        None,
        ["layers[0].width: expected a positive number, got -1.5"],
    ),
    case(
        "width-zero", sprite_toml(width="0"), None, ["layers[0].width: expected a positive number"]
    ),
    case(
        "width-bool",
        sprite_toml(width="true"),
        None,
        ["layers[0].width: expected a positive number, got True"],
    ),
    case(
        "width-inf", sprite_toml(width="inf"), None, ["layers[0].width: expected a positive number"]
    ),
    case(
        "offset-nan",
        sprite_toml(offset="[nan, 0]"),
        None,
        ["layers[0].offset: expected two numbers"],
    ),
    case("width-missing", sprite_toml(width=""), None, ["layers[0].width: missing required key"]),
    case(
        "pin-three-numbers",
        sprite_toml(pin="[1, 2, 3]"),
        None,
        ["layers[0].pin: expected two numbers [x, y], got [1, 2, 3]"],
    ),
    case(
        "pin-strings", sprite_toml(pin='["1", "2"]'), None, ["layers[0].pin: expected two numbers"]
    ),
    case(
        "offset-one-number",
        sprite_toml(offset="[0.5]"),
        None,
        ["layers[0].offset: expected two numbers"],
    ),
    case(
        "unknown-anchor",
        sprite_toml(anchor='"nose"'),
        None,
        ["layers[0].anchor: expected one of " + ", ".join(ANCHOR_NAMES), "got 'nose'"],
    ),
    case(
        "unknown-measure",
        sprite_toml(when='{ measure = "grin", above = 0.2 }'),
        None,
        ["layers[0].when.measure: expected one of " + ", ".join(MEASURE_NAMES), "got 'grin'"],
    ),
    case(
        "when-not-a-table",
        sprite_toml(when='"mouth_open"'),
        None,
        ["layers[0].when: expected a table"],
    ),
    case(
        "when-typo",
        sprite_toml(when='{ measure = "mouth_open", abov = 0.2 }'),
        None,
        ["layers[0].when.abov: unknown key"],
    ),
    case(
        "when-fade-negative",
        sprite_toml(when='{ measure = "mouth_open", above = 0.2, fade = -1 }'),
        None,
        ["layers[0].when.fade: expected a number from 0 to 10, got -1"],
    ),
    case(
        "when-both-sides",
        sprite_toml(when='{ measure = "eyes_open", above = 0.2, below = 0.1 }'),
        None,
        ["layers[0].when: expected exactly one of above or below"],
    ),
    case(
        "when-no-threshold",
        sprite_toml(when='{ measure = "eyes_open" }'),
        None,
        ["layers[0].when: expected exactly one of above or below"],
    ),
    case(
        "when-off-on-wrong-side",
        sprite_toml(when='{ measure = "mouth_open", above = 0.3, off = 0.4 }'),
        None,
        ["layers[0].when.off: expected a number at most 0.3", "got 0.4"],
    ),
    case(
        "when-below-off-on-wrong-side",
        sprite_toml(when='{ measure = "eyes_open", below = 0.1, off = 0.05 }'),
        None,
        ["layers[0].when.off: expected a number at least 0.1", "got 0.05"],
    ),
    case(
        "swing-too-far",
        sprite_toml(swing="120"),
        None,
        ["layers[0].swing: expected a number from 0 to 90, got 120"],
    ),
    case(
        "stiffness-string",
        sprite_toml(stiffness='"stiff"'),
        None,
        ["layers[0].stiffness: expected a number", "got 'stiff'"],
    ),
    case(
        "second-layer",
        sprite_toml() + '\n[[layers]]\nkind = "mesh"\nbox = "yes"\n',
        None,
        ["layers[1].box: expected true or false, got 'yes'"],
    ),
    case(
        "mesh-unknown-key",
        '[[layers]]\nkind = "mesh"\nimage = "a.png"\n',
        None,
        ["layers[0].image: unknown key"],
    ),
    case(
        "color-blue",
        tears_toml(color='"blue"'),
        None,
        ['layers[0].color: expected a colour "#rrggbb"', "got 'blue'"],
    ),
    case("color-short", tears_toml(color='"#12345"'), None, ['expected a colour "#rrggbb"']),
    case("color-not-hex", tears_toml(color='"#12345g"'), None, ['expected a colour "#rrggbb"']),
    case(
        "color-signs",
        tears_toml(color='"#-1-1-1"'),
        None,
        ['expected a colour "#rrggbb"'],
    ),
    case(
        "streams-fraction",
        tears_toml(streams="1.5"),
        None,
        ["layers[0].streams: expected a positive whole number, got 1.5"],
    ),
    case("rate-zero", tears_toml(rate="0"), None, ["layers[0].rate: expected a positive number"]),
    case(
        "asset-missing",
        sprite_toml(image='"nope.png"'),
        None,
        ["layers[0].image: expected an existing PNG file, got 'nope.png'"],
    ),
    case(
        "asset-is-a-folder",
        sprite_toml(image='"sub"'),
        "subfolder",
        ["layers[0].image: expected an existing PNG file"],
    ),
    case(
        "asset-parent-dir",
        sprite_toml(image='"../x.png"'),
        None,
        ["layers[0].image: expected a file inside the filter's folder", "'../x.png'"],
    ),
    case(
        "asset-sneaky-parent",
        sprite_toml(image='"sub/../../x.png"'),
        "subfolder",
        ["layers[0].image: expected a file inside the filter's folder"],
    ),
    case(
        "asset-absolute",
        sprite_toml(image='"{outside}"'),
        None,
        ["layers[0].image: expected a file inside the filter's folder"],
    ),
    case(
        "asset-absolute-inside",
        sprite_toml(image='"{inside}"'),
        None,
        ["layers[0].image: expected a file inside the filter's folder"],
    ),
    case(
        "asset-symlink-out",
        sprite_toml(image='"link.png"'),
        "symlink",
        ["layers[0].image: expected a file inside the filter's folder", "'link.png'"],
    ),
    case(
        "asset-not-png",
        sprite_toml(image='"notes.png"'),
        "text-png",
        ["layers[0].image: expected a readable PNG image", "'notes.png'"],
    ),
    case(
        "tears-image-missing",
        tears_toml(image='"drop.png"'),
        None,
        ["layers[0].image: expected an existing PNG file"],
    ),
    # The kinds that deform, hide and paint the face.
    case(
        "warp-unknown-preset",
        layer_toml("warp", preset='"huge"'),
        None,
        ["layers[0].preset: expected one of big_eyes, crying, slim, chubby", "got 'huge'"],
    ),
    case(
        "warp-no-preset",
        layer_toml("warp", strength="1"),
        None,
        ["layers[0].preset: missing required key"],
    ),
    case(
        "warp-too-strong",
        layer_toml("warp", preset='"big_eyes"', strength="3"),
        None,
        ["layers[0].strength: expected a number from 0 to 2, got 3"],
    ),
    case(
        "warp-strength-string",
        layer_toml("warp", preset='"slim"', strength='"max"'),
        None,
        ["layers[0].strength: expected a number", "got 'max'"],
    ),
    case(
        "warp-typo",
        layer_toml("warp", preset='"slim"', strenght="1"),
        None,
        ["layers[0].strenght: unknown key", "strength"],
    ),
    case(
        "anonymize-unknown-mode",
        layer_toml("anonymize", mode='"mosaic"'),
        None,
        ["layers[0].mode: expected one of pixelate, blur", "got 'mosaic'"],
    ),
    case(
        "anonymize-too-weak",
        layer_toml("anonymize", strength="0.2"),
        None,
        ["layers[0].strength: expected a number from 0.5 to 4, got 0.2"],
    ),
    case(
        "texture-no-image",
        layer_toml("texture", blend='"paint"'),
        None,
        ["layers[0].image: missing required key"],
    ),
    case(
        "texture-image-missing",
        layer_toml("texture", image='"paint.png"'),
        None,
        ["layers[0].image: expected an existing PNG file, got 'paint.png'"],
    ),
    case(
        "texture-not-square",
        layer_toml("texture", image='"a.png"'),
        None,
        ["layers[0].image: expected a square picture of at least 64 pixels"],
    ),
    case(
        "texture-unknown-blend",
        layer_toml("texture", image='"uv.png"', blend='"screen"'),
        "uv-texture",
        ["layers[0].blend: expected one of normal, multiply, paint"],
    ),
    case(
        "texture-opacity-over",
        layer_toml("texture", image='"uv.png"', opacity="1.5"),
        "uv-texture",
        ["layers[0].opacity: expected a number from 0 to 1, got 1.5"],
    ),
    case(
        "googly-size-string",
        layer_toml("googly", size='"big"'),
        None,
        ["layers[0].size: expected a positive number", "got 'big'"],
    ),
    case(
        "googly-wobble-over",
        layer_toml("googly", wobble="2"),
        None,
        ["layers[0].wobble: expected a number from 0 to 1, got 2"],
    ),
    # Numbers out of range: a million tear streams, a sprite wider than any picture.
    case(
        "a-million-streams",
        tears_toml(streams="1000000"),
        None,
        ["layers[0].streams: expected a positive whole number up to 8, got 1000000"],
    ),
    case(
        "streams-past-int64",
        tears_toml(streams="9223372036854775807"),
        None,
        ["layers[0].streams: expected a positive whole number up to 8"],
    ),
    case(
        "rate-huge",
        tears_toml(rate="1e300"),
        None,
        ["layers[0].rate: expected a positive number up to 20, got 1e+300"],
    ),
    case(
        "plane-unknown",
        sprite_toml(plane='"back"'),
        None,
        ["layers[0].plane: expected one of camera, face, left_side, right_side"],
    ),
    case(
        "plane-with-swing",
        sprite_toml(plane='"face"', swing="10"),
        None,
        ['layers[0].swing: only a picture facing the camera (plane = "camera") can swing'],
    ),
    case(
        "width-huge",
        sprite_toml(width="1e9"),
        None,
        ["layers[0].width: expected a positive number up to 10, got 1000000000.0"],
    ),
    case(
        "offset-far",
        sprite_toml(offset="[1e300, 0]"),
        None,
        ["layers[0].offset: expected [x, y] with x from -10 to 10 and y from -10 to 10"],
    ),
    case(
        "pin-far",
        sprite_toml(pin="[8, -1e9]"),
        None,
        ["layers[0].pin: expected [x, y] with x from -16 to 32 and y from -8 to 16"],
    ),
    case(
        "threshold-beyond-any-measure",
        sprite_toml(when='{ measure = "mouth_open", above = 1e308 }'),
        None,
        ["layers[0].when.above: expected a number from -10 to 10, got 1e+308"],
    ),
    case(
        "googly-huge",
        layer_toml("googly", size="1e6"),
        None,
        ["layers[0].size: expected a positive number up to 1, got 1000000.0"],
    ),
    # Huge or deeply nested values: the error stays one short line.
    case(
        "pin-10000-numbers",
        sprite_toml(pin="[" + ", ".join(["1"] * 10_000) + "]"),
        None,
        ["layers[0].pin: expected two numbers [x, y], got [1, 1, 1"],
    ),
    case(
        "pin-nested",
        sprite_toml(pin="[" * 20 + "1" + "]" * 20),
        None,
        ["layers[0].pin", "nested more than 4 levels deep"],
    ),
    case(
        "unknown-nested",
        "x = " + "[" * 20 + "]" * 20 + "\n" + sprite_toml(),
        None,
        ["x[0][0][0]", "nested more than 4 levels deep"],
    ),
    case(
        "nested-past-the-parser",
        "deep = " + "[" * 5000 + "]" * 5000 + "\n" + sprite_toml(),
        None,
        ["deep (line 1): nested more than 4 levels deep"],
    ),
    case(
        "file-too-large",
        sprite_toml() + "# " + "x" * 70_000 + "\n",
        None,
        ["filter.toml: too large; a filter.toml is at most 64 KB"],
    ),
    case(
        "name-huge",
        sprite_toml().replace('"Test"', '"' + "x" * 5000 + '"'),
        None,
        ["name: expected at most 1000 characters, got 5000"],
    ),
    case(
        "too-many-layers",
        sprite_toml() + '\n[[layers]]\nkind = "mesh"\n' * 40,
        None,
        ["layers: expected at most 32 [[layers]] tables, got 41"],
    ),
    case(
        "swap-too-many-faces",
        layer_toml("swap", faces="[" + ", ".join(['"a.png"'] * 40) + "]"),
        None,
        ["layers[0].faces: expected at most 32 photos with one face each, got 40"],
    ),
]


def _setup(folder: Path, what: str | None, outside_png: Path) -> None:
    if what == "symlink":
        (folder / "link.png").symlink_to(outside_png)
    elif what == "text-png":
        (folder / "notes.png").write_text("not an image\n", encoding="utf-8")
    elif what == "subfolder":
        (folder / "sub").mkdir()
    elif what == "uv-texture":
        write_png(folder / "uv.png", np.full((64, 64, 4), 200, np.uint8))


def _refusal(tmp_path: Path, toml: str, setup: str | None) -> tuple[Path, FilterError]:
    """The error of loading a filter folder with this filter.toml, and the folder."""
    # x.png exists next to the filter folder, so refusals are about the path, not a
    # missing file.
    outside_png = write_png(tmp_path / "x.png")
    folder = tmp_path / "broken"
    folder.mkdir()
    write_png(folder / "a.png")
    text = toml.replace("{outside}", outside_png.as_posix()).replace(
        "{inside}", (folder / "a.png").as_posix()
    )
    (folder / "filter.toml").write_text(text, encoding="utf-8")
    _setup(folder, setup, outside_png)

    with pytest.raises(FilterError) as excinfo:
        load_filter(folder)
    return folder, excinfo.value


@pytest.mark.parametrize(("toml", "setup", "expected"), BROKEN)
def test_broken_filter_is_refused(tmp_path, toml, setup, expected):
    folder, error = _refusal(tmp_path, toml, setup)
    message = str(error)
    assert str(folder / "filter.toml") in message
    for part in expected:
        assert part in message
    assert isinstance(error, FaceFiltersError)
    assert "\n" not in message and len(message) < len(str(folder)) + 200, message


# What the Dutch says for the refusals that are catalog's and the effect kinds' own (the
# Validator's are in test_validate.py); the others are checked to be said in Dutch at all.
DUTCH = {
    "invalid-toml": "filter.toml: geen geldige TOML: Expected ']]' at the end of an array",
    "missing-layers": "filter.toml: layers: verwacht minstens één [[layers]]-tabel",
    "layer-not-a-table": "layers[0]: verwacht een tabel, maar er staat 1",
    "when-not-a-table": (
        'layers[0].when: verwacht een tabel zoals { measure = "mouth_open", above = 0.3 }, '
        "maar er staat 'mouth_open'"
    ),
    "when-both-sides": "layers[0].when: verwacht precies één van de twee: above of below",
    "when-off-on-wrong-side": (
        "layers[0].when.off: verwacht een getal van hoogstens 0,3 "
        "(de waarde waarbij de laag aangaat), maar er staat 0.4"
    ),
    "when-below-off-on-wrong-side": (
        "layers[0].when.off: verwacht een getal van minstens 0,1 "
        "(de waarde waarbij de laag aangaat), maar er staat 0.05"
    ),
    "plane-with-swing": (
        "layers[0].swing: alleen een afbeelding die naar de camera gericht is "
        '(plane = "camera") kan slingeren, maar er staat 10'
    ),
    "texture-not-square": (
        "layers[0].image: verwacht een vierkante afbeelding van minstens 64 pixels "
        "(een UV-textuur), maar er staat 'a.png'"
    ),
    "pin-nested": "layers[0].pin[0][0]: meer dan 4 niveaus diep genest",
    "nested-past-the-parser": "filter.toml: deep (regel 1): meer dan 4 niveaus diep genest",
    "file-too-large": "filter.toml: te groot; een filter.toml is hoogstens 64 KB",
    "too-many-layers": "layers: verwacht hoogstens 32 [[layers]]-tabellen, maar er staan er 41",
    "swap-too-many-faces": (
        "layers[0].faces: verwacht hoogstens 32 foto's met elk één gezicht, maar er staan er 40"
    ),
}


def test_the_dutch_table_names_cases_that_exist():
    assert set(DUTCH) <= {case.id for case in BROKEN}


@pytest.mark.parametrize(("toml", "setup", "expected"), BROKEN)
def test_broken_filter_is_refused_in_dutch(tmp_path, toml, setup, expected, request):
    folder, error = _refusal(tmp_path, toml, setup)
    dutch = str(error.translated(Messages("nl")))
    assert error.key is not None
    assert dutch.startswith(f"{folder / 'filter.toml'}: ")
    assert dutch != str(error)
    assert DUTCH.get(request.node.callspec.id, "") in dutch
    assert str(error.translated(Messages("en"))) == str(error)


def test_missing_filter_toml_is_a_filter_error(tmp_path):
    with pytest.raises(FilterError, match="cannot read"):
        load_filter(tmp_path)


# --- the happy path --------------------------------------------------------------------


def test_valid_sprite_filter_loads_with_its_fields(tmp_path):
    toml = """\
name = "Happy"
description = "A test filter."

[[layers]]
kind = "sprite"
image = "a.png"
pin = [8, 4.5]
anchor = "forehead"
offset = [0.25, -1]
width = 2

[[layers]]
kind = "sprite"
image = "art/b.png"
pin = [0, 0]
anchor = "lower_lip"
width = 0.75
when = { measure = "mouth_open", above = 0.25 }

[[layers]]
kind = "tears"
color = "#8fd3ff"
streams = 3

[[layers]]
kind = "mesh"
box = false
"""
    folder = make_filter(tmp_path, "happy", toml, assets=("a.png", "art/b.png"))
    f = load_filter(folder)
    assert (f.id, f.name, f.description) == ("happy", "Happy", "A test filter.")
    assert [type(layer.effect) for layer in f.layers] == [
        SpriteEffect,
        SpriteEffect,
        TearsEffect,
        MeshEffect,
    ]
    assert f.layers[0].when is None
    second_when = f.layers[1].when
    first, second, tears, mesh = (layer.effect for layer in f.layers)
    assert first.pin_xy == (8.0, 4.5)
    assert first.anchor == "forehead"
    assert first.offset_xy == (0.25, -1.0)
    assert first.width == 2.0
    assert first.sprite.size_wh == (16, 8)
    # The PNG's straight BGRA (0, 128, 255, 200) arrives premultiplied.
    a = 200 / 255
    np.testing.assert_allclose(
        first.sprite.premultiplied[0, 0], [0, 128 / 255 * a, a, a], rtol=1e-6
    )
    assert second.offset_xy == (0.0, 0.0)
    assert (second_when.measure, second_when.on, second_when.below) == ("mouth_open", 0.25, False)
    # Hysteresis: it switches off a fifth of the threshold lower; fades in 0.12 s.
    assert second_when.off == pytest.approx(0.2)
    assert second_when.fade_s == pytest.approx(0.12)
    assert tears.style.color_bgr == (255, 211, 143)
    assert tears.style.streams == 3
    assert tears.style.rate == pytest.approx(1.2)
    assert tears.style.drop is None
    assert (mesh.tessellation, mesh.box, mesh.anchors) == (True, False, True)


def test_name_and_description_default(tmp_path):
    folder = make_filter(tmp_path, "plain", '[[layers]]\nkind = "mesh"\n', assets=())
    f = load_filter(folder)
    assert (f.name, f.description) == ("plain", "")


@pytest.mark.parametrize(
    ("image", "expected_bgra"),
    [
        (np.full((4, 6, 3), (10, 20, 30), np.uint8), (10, 20, 30, 255)),
        (np.full((4, 6), 77, np.uint8), (77, 77, 77, 255)),
        (np.full((4, 6, 4), (257 * 10, 257 * 20, 257 * 30, 65535), np.uint16), (10, 20, 30, 255)),
    ],
    ids=["rgb", "grey", "16-bit"],
)
def test_other_png_flavours_load_as_bgra(tmp_path, image, expected_bgra):
    folder = make_filter(tmp_path, "flavour", sprite_toml(), assets=())
    write_png(folder / "a.png", image)
    sprite = load_filter(folder).layers[0].effect.sprite
    assert sprite.size_wh == (6, 4)
    np.testing.assert_allclose(sprite.premultiplied[0, 0] * 255, expected_bgra, atol=1e-3)


# --- Catalog ---------------------------------------------------------------------------


def test_catalog_sees_user_filters(tmp_path):
    make_filter(tmp_path, "mine", sprite_toml().replace('"Test"', '"Mine"'))
    (tmp_path / "not-a-filter").mkdir()  # folders without filter.toml are skipped
    catalog = Catalog(extra_dirs=[tmp_path])
    assert "mine" in catalog.ids()
    assert "not-a-filter" not in catalog.ids()
    assert catalog.ids() == sorted(catalog.ids())
    info = catalog.info("mine")
    assert (info.id, info.name, info.folder) == ("mine", "Mine", tmp_path / "mine")
    assert catalog.load("mine").name == "Mine"


def test_catalog_accepts_a_single_filter_folder(tmp_path):
    folder = make_filter(tmp_path, "solo", sprite_toml())
    assert "solo" in Catalog(extra_dirs=[folder]).ids()


def test_user_filter_overrides_builtin_with_the_same_id(tmp_path):
    make_filter(tmp_path, "dog", sprite_toml().replace('"Test"', '"My dog"'))
    catalog = Catalog(extra_dirs=[tmp_path])
    assert catalog.info("dog").folder == tmp_path / "dog"
    dog = catalog.load("dog")
    assert dog.name == "My dog"
    assert len(dog.layers) == 1


def test_later_user_folder_wins(tmp_path):
    make_filter(tmp_path / "one", "same", sprite_toml().replace('"Test"', '"One"'))
    make_filter(tmp_path / "two", "same", sprite_toml().replace('"Test"', '"Two"'))
    catalog = Catalog(extra_dirs=[tmp_path / "one", tmp_path / "two"])
    assert catalog.load("same").name == "Two"


def test_unknown_id_lists_the_available_ones(tmp_path):
    make_filter(tmp_path, "mine", sprite_toml())
    catalog = Catalog(extra_dirs=[tmp_path])
    for call in (catalog.load, catalog.info):
        with pytest.raises(FilterError) as excinfo:
            call("unicorn")
        message = str(excinfo.value)
        assert "unknown filter 'unicorn'" in message
        assert "available: " in message
        assert all(i in message for i in catalog.ids())


def test_missing_filters_dir_is_a_filter_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FilterError, match="filters folder does not exist") as excinfo:
        Catalog(extra_dirs=[missing])
    assert str(missing) in str(excinfo.value)


def test_broken_user_filter_is_listed_but_fails_to_load(tmp_path):
    # Listing must not load assets, so one broken filter cannot break `filters`.
    make_filter(tmp_path, "broken", sprite_toml(image='"missing.png"'), assets=())
    catalog = Catalog(extra_dirs=[tmp_path])
    assert catalog.info("broken").name == "Test"
    with pytest.raises(FilterError, match="expected an existing PNG file"):
        catalog.load("broken")


def test_builtins_are_listed():
    assert set(BUILTINS) <= set(Catalog().ids())


def test_every_builtin_loads():
    catalog = Catalog()
    assert catalog.ids()
    for filter_id in catalog.ids():
        f = catalog.load(filter_id)
        assert f.id == filter_id
        assert f.layers
        assert catalog.info(filter_id).name == f.name


def test_every_builtin_draws_on_a_synthetic_face():
    catalog = Catalog()
    faces = make_faces(ids=[0], mouth_open=0.5)
    # Texture, so that warps and pixelation change something too.
    rng = np.random.default_rng(3)
    scene = rng.integers(60, 200, (480, 640, 3), dtype=np.uint8)
    assert len(catalog.ids()) >= 12

    def find(photo):  # a swap's source photos: one synthetic face in the middle
        h, w = photo.shape[:2]
        return make_faces(center_xy=(w / 2, h / 2), eye_distance=min(w, h) / 4)

    for filter_id in catalog.ids():
        frame = scene.copy()
        chosen = catalog.load(filter_id)
        chosen.prepare(find)
        out = chosen.apply(frame, faces, t=0.7)
        assert out is frame
        assert np.any(frame != scene), filter_id


# --- Filter.apply with a trigger -------------------------------------------------------

TONGUE_TOML = """\
name = "Tongue"

[[layers]]
kind = "sprite"
image = "tongue.png"
pin = [8, 0]
anchor = "lower_lip"
width = 0.5
when = { measure = "mouth_open", above = 0.25 }
"""


@pytest.fixture
def tongue(tmp_path):
    folder = make_filter(tmp_path, "tongue", TONGUE_TOML, assets=())
    red = np.zeros((16, 16, 4), np.uint8)
    red[...] = (0, 0, 255, 255)
    write_png(folder / "tongue.png", red)
    return load_filter(folder)


@pytest.mark.parametrize(
    ("mouth_open", "expected"),
    [(0.0, "hidden"), (0.2, "hidden"), (0.26, "shown"), (0.5, "shown")],
)
def test_triggered_layer_follows_the_mouth(tongue, mouth_open, expected):
    frame = np.zeros((480, 640, 3), np.uint8)
    faces = make_faces(mouth_open=mouth_open, ids=[0])
    tongue.apply(frame, faces, t=0.0)
    red = frame[..., 2]
    if expected == "hidden":
        assert not np.any(frame)
    else:
        assert red.max() == 255
        # Pinned by its top edge to the lower lip, hanging down the face.
        lip_y = 240 + 60 * (0.95 + mouth_open / 2)
        ys = np.nonzero(red == 255)[0]
        assert lip_y - 1 <= ys.min() and ys.max() <= lip_y + 0.5 * 60 + 1


def tongue_levels(tongue, openings: list[float], dt: float = 1 / 30) -> list[float]:
    """The tongue's brightest red on each frame of a face whose mouth opens this much."""
    levels = []
    for k, mouth_open in enumerate(openings):
        frame = np.zeros((480, 640, 3), np.uint8)
        tongue.apply(frame, make_faces(mouth_open=mouth_open, ids=[7]), t=k * dt)
        levels.append(int(frame[..., 2].max()))
    return levels


def test_trigger_does_not_flicker_at_the_threshold(tongue):
    # Noise around the 0.25 threshold: above it, then wobbling just below. Without
    # hysteresis the tongue would come and go on every frame.
    wobble = [0.27, 0.24, 0.26, 0.23, 0.26, 0.22, 0.25, 0.24] * 3
    levels = tongue_levels(tongue, [0.0] * 3 + wobble)
    shown = [level > 0 for level in levels[3:]]
    assert shown[0] is False or levels[3] < 255, "it fades in rather than popping"
    first_on = shown.index(True)
    assert all(shown[first_on:]), levels


def test_trigger_switches_off_past_the_release_point_and_fades(tongue):
    levels = tongue_levels(tongue, [0.5] * 10 + [0.1] * 10)
    assert levels[9] == 255
    assert 0 < levels[10] < 255, "fades out over a few frames"
    assert levels[-1] == 0


def test_trigger_fades_in_over_its_fade_time(tongue):
    levels = tongue_levels(tongue, [0.0] + [0.5] * 6)
    # 0.12 s at 30 fps: about 4 frames from nothing to full.
    assert levels[0] == 0
    assert levels[1] < levels[2] < levels[3] < 255
    assert levels[5] == 255


def test_blink_trigger_below_a_threshold(tmp_path):
    folder = make_filter(
        tmp_path, "blink", sprite_toml(when='{ measure = "eyes_open", below = 0.1, fade = 0 }')
    )
    blink = load_filter(folder)
    open_frame = np.zeros((480, 640, 3), np.uint8)
    blink.apply(open_frame, make_faces(ids=[1]), t=0.0)
    faces = make_faces(ids=[1])
    closed = faces.landmarks.copy()
    from facefilters import geometry as g

    for top, bottom in ((g.LEFT_EYE_TOP, g.LEFT_EYE_BOTTOM), (g.RIGHT_EYE_TOP, g.RIGHT_EYE_BOTTOM)):
        middle = (closed[:, top] + closed[:, bottom]) / 2
        closed[:, top] = closed[:, bottom] = middle
    shut_frame = np.zeros((480, 640, 3), np.uint8)
    blink.apply(shut_frame, faces.with_landmarks(closed), t=0.1)
    assert not np.any(open_frame)
    assert np.any(shut_frame)


def test_apply_with_no_faces_leaves_the_frame(tongue):
    frame = np.zeros((48, 64, 3), np.uint8)
    assert tongue.apply(frame, make_faces(0), t=0.0) is frame
    assert not np.any(frame)


def test_unreadable_symlink_error_is_clean(tmp_path):
    # A dangling link inside the folder is simply a missing asset.
    folder = make_filter(tmp_path, "dangling", sprite_toml(image='"gone.png"'), assets=())
    os.symlink(folder / "nowhere.png", folder / "gone.png")
    with pytest.raises(FilterError, match="expected an existing PNG file"):
        load_filter(folder)


def test_showcase_order_starts_with_the_dog_and_lists_every_filter_once(tmp_path):
    make_filter(tmp_path, "aaa-mine", sprite_toml())
    catalog = Catalog(extra_dirs=[tmp_path])
    order = catalog.showcase_ids()
    assert order[0] == "dog"
    assert sorted(order) == catalog.ids()
    # A user's own filter comes after the built-in showcase, though it sorts first.
    assert order.index("aaa-mine") > order.index("mesh")


# --- limits: the file itself, and its pictures -----------------------------------------


def test_filter_toml_that_is_not_utf8_names_the_byte_and_line(tmp_path):
    folder = make_filter(tmp_path, "latin1", "", assets=())
    (folder / "filter.toml").write_bytes('name = "Café"\n'.encode("latin-1"))
    with pytest.raises(FilterError) as excinfo:
        load_filter(folder)
    assert str(excinfo.value) == (
        f"{folder / 'filter.toml'}: not UTF-8 text (byte 0xe9 on line 1); save it as UTF-8"
    )


def test_filter_toml_that_is_not_utf8_or_missing_is_said_in_dutch_and_french(tmp_path):
    folder = make_filter(tmp_path, "latin1", "", assets=())
    (folder / "filter.toml").write_bytes('name = "Café"\n'.encode("latin-1"))
    with pytest.raises(FilterError) as excinfo:
        load_filter(folder)
    assert str(excinfo.value.translated(Messages("nl"))) == (
        f"{folder / 'filter.toml'}: geen UTF-8-tekst (byte 0xe9 op regel 1); "
        "bewaar het bestand als UTF-8"
    )
    with pytest.raises(FilterError) as excinfo:
        load_filter(tmp_path / "nowhere")
    assert str(excinfo.value) == (
        f"{tmp_path / 'nowhere' / 'filter.toml'}: cannot read: No such file or directory"
    )
    assert str(excinfo.value.translated(Messages("fr"))) == (
        f"{tmp_path / 'nowhere' / 'filter.toml'} : impossible de le lire : "
        "fichier ou dossier introuvable"
    )


def test_filter_toml_with_a_byte_order_mark_loads(tmp_path):
    # Windows editors save UTF-8 with a BOM; it is still UTF-8.
    folder = make_filter(tmp_path, "bom", "")
    (folder / "filter.toml").write_bytes(b"\xef\xbb\xbf" + sprite_toml().encode())
    assert load_filter(folder).name == "Test"


PICTURE_CASES = [
    # id, file bytes, what the one-line error says
    pytest.param(
        lambda: pictures.png_bomb((5000, 5000)),
        "(5000 x 5000 pixels is more than the 16.8 megapixels allowed; scale it down first)",
        id="bomb",
    ),
    pytest.param(pictures.truncated_png, "(not an image, or the image is damaged)", id="truncated"),
    pytest.param(pictures.fake_png, "(not an image, or the image is damaged)", id="fake"),
    pytest.param(
        lambda: pictures.png_of(np.zeros((8, 4100, 4), np.uint8)),
        "(4100 x 8 pixels is more than 4096 a side)",
        id="too-wide",
    ),
]


@pytest.mark.parametrize(("make", "reason"), PICTURE_CASES)
def test_broken_picture_gets_one_line_and_nothing_from_libpng(tmp_path, capfd, make, reason):
    folder = make_filter(tmp_path, "pic", sprite_toml(), assets=())
    pictures.write(folder / "a.png", make())
    capfd.readouterr()
    with pytest.raises(FilterError) as excinfo:
        load_filter(folder)
    assert str(excinfo.value) == (
        f"{folder / 'filter.toml'}: layers[0].image: expected a "
        f"readable PNG image, got 'a.png' {reason}"
    )
    assert capfd.readouterr() == ("", "")  # no "libpng error", no OpenCV warning


def test_a_bomb_is_refused_before_it_is_decoded(tmp_path, monkeypatch):
    folder = make_filter(tmp_path, "bomb", sprite_toml(), assets=())
    pictures.write(folder / "a.png", pictures.png_bomb((5000, 5000)))

    def decode(*args):
        raise AssertionError("decoded a picture that its header says is too large")

    monkeypatch.setattr(validate.cv2, "imdecode", decode)
    with pytest.raises(FilterError, match="5000 x 5000 pixels"):
        load_filter(folder)


def test_listing_skips_a_broken_folder_with_a_warning(tmp_path):
    make_filter(tmp_path, "good", sprite_toml())
    make_filter(tmp_path, "bad-toml", "[[layers]\n", assets=())
    make_filter(tmp_path, "bad-picture", sprite_toml(image='"missing.png"'), assets=())
    errors: list[FilterError] = []
    listed = [i.id for i in Catalog(extra_dirs=[tmp_path]).listing(errors.append)]
    warnings = [str(e) for e in errors]
    assert "good" in listed and "dog" in listed
    assert "bad-toml" not in listed and "bad-picture" not in listed
    assert len(warnings) == 2
    assert warnings[0].startswith("skipped filter 'bad-picture': ")
    assert "layers[0].image: expected an existing PNG file" in warnings[0]
    assert warnings[1].startswith("skipped filter 'bad-toml': ")
    assert "not valid TOML" in warnings[1]
