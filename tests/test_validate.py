"""Validator's errors: one line naming the file and the key, said in the user's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np
import pytest

from facefilters.errors import FilterError, Number, Phrase
from facefilters.i18n import Messages
from facefilters.validate import MAX_PICTURE_BYTES, Validator

import pictures

PATH = Path("filters/hond/filter.toml")


def refusal(read: Callable[[Validator], Any]) -> FilterError:
    with pytest.raises(FilterError) as caught:
        read(Validator(PATH))
    return caught.value


def folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path


def png(h: int, w: int) -> bytes:
    ok, data = cv2.imencode(".png", np.zeros((h, w, 4), np.uint8))
    assert ok
    return data.tobytes()


# What a Validator refuses, as English (unchanged) and Dutch; the file, the key and the
# value found stay as written.
CASES = [
    pytest.param(
        lambda v: v.only({"widht": 1}, "layers[0]", {"width", "kind"}),
        "layers[0].widht: unknown key; expected one of kind, width",
        "layers[0].widht: onbekende sleutel; verwacht een van deze: kind, width",
        id="unknown-key",
    ),
    pytest.param(
        lambda v: v.string({}, "name"),
        "name: missing required key",
        "name: deze sleutel is verplicht, maar ontbreekt",
        id="missing",
    ),
    pytest.param(
        lambda v: v.string({"name": 3}, "name"),
        "name: expected a string, got 3",
        "name: verwacht een tekst tussen aanhalingstekens, maar er staat 3",
        id="string",
    ),
    pytest.param(
        lambda v: v.string({"name": "x" * 12}, "name", longest=10),
        "name: expected at most 10 characters, got 12",
        "name: verwacht hoogstens 10 tekens, maar er staan er 12",
        id="long-string",
    ),
    pytest.param(
        lambda v: v.number({"width": "wide"}, "layers[1].width", positive=True),
        "layers[1].width: expected a positive number, got 'wide'",
        "layers[1].width: verwacht een positief getal, maar er staat 'wide'",
        id="positive-number",
    ),
    pytest.param(
        lambda v: v.number({"n": 1.5}, "n", integer=True),
        "n: expected a whole number, got 1.5",
        "n: verwacht een geheel getal, maar er staat 1.5",
        id="whole-number",
    ),
    pytest.param(
        lambda v: v.number({"n": 0}, "n", positive=True, integer=True),
        "n: expected a positive whole number, got 0",
        "n: verwacht een positief geheel getal, maar er staat 0",
        id="positive-whole-number",
    ),
    pytest.param(
        lambda v: v.number({"strength": 0.2}, "strength", low=0.5, high=4),
        "strength: expected a number from 0.5 to 4, got 0.2",
        "strength: verwacht een getal van 0,5 tot en met 4, maar er staat 0.2",
        id="from-to",
    ),
    pytest.param(
        lambda v: v.number({"rate": 25}, "rate", positive=True, high=20),
        "rate: expected a positive number up to 20, got 25",
        "rate: verwacht een positief getal tot en met 20, maar er staat 25",
        id="up-to",
    ),
    pytest.param(
        lambda v: v.number({"fade": -0.5}, "fade", low=0.25),
        "fade: expected a number of at least 0.25, got -0.5",
        "fade: verwacht een getal van minstens 0,25, maar er staat -0.5",
        id="at-least",
    ),
    pytest.param(
        lambda v: v.boolean({"box": "yes"}, "box"),
        "box: expected true or false, got 'yes'",
        "box: verwacht true of false, maar er staat 'yes'",
        id="boolean",
    ),
    pytest.param(
        lambda v: v.pair({"pin": [1, 2, 3]}, "pin"),
        "pin: expected two numbers [x, y], got [1, 2, 3]",
        "pin: verwacht twee getallen [x, y], maar er staat [1, 2, 3]",
        id="pair",
    ),
    pytest.param(
        lambda v: v.pair({"pin": [1, 9]}, "pin", low=(-0.5, 0), high=(1.5, 8)),
        "pin: expected [x, y] with x from -0.5 to 1.5 and y from 0 to 8, got [1, 9]",
        "pin: verwacht [x, y] met x van -0,5 tot en met 1,5 en y van 0 tot en met 8, "
        "maar er staat [1, 9]",
        id="pair-bounds",
    ),
    pytest.param(
        lambda v: v.items("a.png", "faces", 4, Phrase("error.filter.face_photos")),
        "faces: expected a list of photos with one face each, got 'a.png'",
        "faces: verwacht een lijst van foto's met elk één gezicht, maar er staat 'a.png'",
        id="list",
    ),
    pytest.param(
        lambda v: v.items(["a.png"] * 5, "faces", 4, Phrase("error.filter.face_photos")),
        "faces: expected at most 4 photos with one face each, got 5",
        "faces: verwacht hoogstens 4 foto's met elk één gezicht, maar er staan er 5",
        id="long-list",
    ),
    pytest.param(
        lambda v: v.choice({"mode": "mosaic"}, "mode", ("pixelate", "blur")),
        "mode: expected one of pixelate, blur, got 'mosaic'",
        "mode: verwacht een van deze: pixelate, blur, maar er staat 'mosaic'",
        id="choice",
    ),
    pytest.param(
        lambda v: v.color({"color": "blue"}, "color", "#000000"),
        "color: expected a colour \"#rrggbb\", got 'blue'",
        "color: verwacht een kleur \"#rrggbb\", maar er staat 'blue'",
        id="colour",
    ),
    pytest.param(
        lambda v: v.string({"name": [1] * 100}, "name"),
        "name: expected a string, got " + repr([1] * 100)[:57] + "...",
        "name: verwacht een tekst tussen aanhalingstekens, maar er staat "
        + repr([1] * 100)[:57]
        + "...",
        id="long-value-cut-short",
    ),
]


@pytest.mark.parametrize(("read", "english", "dutch"), CASES)
def test_a_refusal_is_said_in_english_and_in_dutch(
    read: Callable[[Validator], Any], english: str, dutch: str
) -> None:
    error = refusal(read)
    assert str(error) == f"{PATH}: {english}"
    assert error.key is not None
    assert str(error.translated(Messages("nl"))) == f"{PATH}: {dutch}"
    assert str(error.translated(Messages("en"))) == str(error)


# Pictures: the name stays as written, the reason is said in the language too.
PICTURE_CASES = [
    pytest.param(
        "../x.png",
        None,
        "expected a file inside the filter's folder, got '../x.png'",
        "verwacht een bestand in de map van de filter, maar er staat '../x.png'",
        id="outside",
    ),
    pytest.param(
        "nope.png",
        None,
        "expected an existing PNG file, got 'nope.png'",
        "verwacht een bestaand PNG-bestand, maar er staat 'nope.png'",
        id="missing",
    ),
    pytest.param(
        "big.png",
        b"\0" * (MAX_PICTURE_BYTES + 1),
        "expected a picture file of at most 32 MB, got 'big.png'",
        "verwacht een afbeelding van hoogstens 32 MB, maar er staat 'big.png'",
        id="file-too-big",
    ),
    pytest.param(
        "tekst.png",
        b"not an image\n",
        "expected a readable PNG image, got 'tekst.png' (not an image, or the image is damaged)",
        "verwacht een leesbare PNG-afbeelding, maar 'tekst.png' is dat niet "
        "(geen afbeelding, of de afbeelding is beschadigd)",
        id="damaged",
    ),
    pytest.param(
        "bom.png",
        pictures.png_bomb((5000, 5000)),
        "expected a readable PNG image, got 'bom.png' (5000 x 5000 pixels is more than the "
        "16.8 megapixels allowed; scale it down first)",
        "verwacht een leesbare PNG-afbeelding, maar 'bom.png' is dat niet (5000 x 5000 pixels "
        "is meer dan de toegelaten 16,8 megapixels; maak het eerst kleiner)",
        id="bomb",
    ),
    pytest.param(
        "breed.png",
        png(2, 4100),
        "expected a readable PNG image, got 'breed.png' (4100 x 2 pixels is more than 4096 a side)",
        "verwacht een leesbare PNG-afbeelding, maar 'breed.png' is dat niet "
        "(4100 x 2 pixels is breder of hoger dan 4096 pixels)",
        id="too-wide",
    ),
]


@pytest.mark.parametrize(("name", "data", "english", "dutch"), PICTURE_CASES)
def test_a_refused_picture_is_said_in_english_and_in_dutch(
    name: str, data: bytes | None, english: str, dutch: str, tmp_path: Path
) -> None:
    folder = tmp_path / "hond"
    folder.mkdir()
    if data is not None:
        (folder / name).write_bytes(data)
    error = refusal(lambda v: v.picture(folder, {"image": name}, "layers[0].image"))
    assert str(error) == f"{PATH}: layers[0].image: {english}"
    assert str(error.translated(Messages("nl"))) == f"{PATH}: layers[0].image: {dutch}"


def test_a_value_too_deep_to_show_is_named_in_words() -> None:
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    error = Validator(PATH).error("pin", Phrase("error.filter.pair"), deep)
    assert str(error) == f"{PATH}: pin: expected two numbers [x, y], got a deeply nested value"
    assert str(error.translated(Messages("nl"))) == (
        f"{PATH}: pin: verwacht twee getallen [x, y], maar er staat een heel diep geneste waarde"
    )


def test_french_puts_a_space_before_each_colon_and_a_decimal_comma() -> None:
    error = refusal(lambda v: v.number({"opacity": 1.5}, "layers[2].opacity", low=0, high=0.75))
    assert str(error.translated(Messages("fr"))) == (
        f"{PATH} : layers[2].opacity : il faut un nombre de 0 à 0,75, mais il y a 1.5"
    )


def test_an_error_about_the_file_itself_names_only_the_file() -> None:
    error = Validator(PATH).error("", Phrase("error.filter.too_large", most=64))
    assert str(error) == f"{PATH}: too large; a filter.toml is at most 64 KB"
    assert str(error.translated(Messages("nl"))) == (
        f"{PATH}: te groot; een filter.toml is hoogstens 64 KB"
    )


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "0.25"), ("nl", "0,25"), ("fr", "0,25"), ("nl", "1e+300")]
)
def test_a_number_in_a_message_takes_the_languages_decimal_sign(lang: str, expected: str) -> None:
    value = 1e300 if expected == "1e+300" else 0.25
    assert Number(value).in_language(Messages(lang)) == expected
    assert str(Number(value)) == f"{value:g}"
