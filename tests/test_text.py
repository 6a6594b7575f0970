"""TrueType text: the fonts, drawing, wrapping, the caption band, and Dutch accents."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.i18n import LANGUAGES, load_language
from facefilters.render.text import (
    draw_caption,
    draw_text,
    font_path,
    has_glyphs,
    text_size,
    wrap_text,
)

ACCENTED_WORDS = ("scène", "geïnteresseerd", "één", "coördinatie", "café")
MISSING = "\ue000"  # private use: no font has a glyph for it
SIZE = 40


def ink(text: str, size: int = SIZE, *, bold: bool = False) -> np.ndarray:
    """What ``draw_text`` puts on a black frame: ndarray of shape (h, w), uint8."""
    w, h = text_size(text, size, bold=bold)
    frame = np.zeros((h + 4, w + 4, 3), np.uint8)
    draw_text(frame, text, (2, 2), size, bold=bold)
    return frame[..., 1]


def same_bitmap(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool((a == b).all())


def message_chars() -> list[str]:
    """Every character outside ASCII in any language file, once."""
    chars = {ch for lang in LANGUAGES for text in load_language(lang).values() for ch in text}
    return sorted(ch for ch in chars if ord(ch) > 127 and not ch.isspace())


# -- fonts -------------------------------------------------------------------------------


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("mono", [False, True])
def test_font_files_exist(bold: bool, mono: bool) -> None:
    path = font_path(bold=bold, mono=mono)
    assert path.is_file(), path
    assert path.suffix == ".ttf" and path.name.startswith("DejaVuSans")
    assert ("Bold" in path.name) == bold and ("Mono" in path.name) == mono


# -- draw_text ---------------------------------------------------------------------------


def test_draw_text_draws_inside_the_box_it_returns(frame: np.ndarray) -> None:
    before = frame.copy()
    box = draw_text(frame, "Hallo 478", (100, 50), 32, color=(0, 0, 255), bold=True)
    x0, y0, x1, y1 = box
    assert (x0, y0) == (100, 50)
    assert (x1 - x0, y1 - y0) == text_size("Hallo 478", 32, bold=True)
    changed = np.abs(frame.astype(int) - before.astype(int)).max(axis=2) > 0
    assert changed[y0:y1, x0:x1].sum() > 100
    outside = changed.copy()
    outside[y0:y1, x0:x1] = False
    assert not outside.any()
    # The ink is the colour asked for (BGR red), at least where fully covered.
    assert (frame[changed] == (0, 0, 255)).all(axis=1).any()


@pytest.mark.parametrize(("align", "dx"), [("left", 0.0), ("center", 0.5), ("right", 1.0)])
def test_draw_text_alignment(frame: np.ndarray, align: str, dx: float) -> None:
    w, _ = text_size("middle", 30)
    x0, _, x1, _ = draw_text(frame, "middle", (300, 100), 30, align=align)
    assert x0 == round(300 - dx * w) and x1 - x0 == w


def test_draw_text_shadow_darkens_around_the_letters(frame: np.ndarray) -> None:
    plain, shadowed = frame.copy(), frame.copy()
    draw_text(plain, "shadow", (50, 50), 40)
    draw_text(shadowed, "shadow", (50, 50), 40, shadow=True)
    assert (shadowed.astype(int) < plain.astype(int)).any()


def test_draw_text_off_the_frame_is_clipped(frame: np.ndarray) -> None:
    before = frame.copy()
    draw_text(frame, "far away", (5000, 5000), 30)
    assert (frame == before).all()
    draw_text(frame, "half out", (-40, -10), 30)  # partly visible: no error
    assert (frame != before).any()


def test_bigger_text_is_bigger() -> None:
    small, large = text_size("Ankerpunten", 20), text_size("Ankerpunten", 40)
    assert large[0] > 1.8 * small[0] and large[1] > 1.8 * small[1]


# -- wrap_text ---------------------------------------------------------------------------

TEXTS = [
    load_language("en")["lesson.detector.text"],
    load_language("nl")["lesson.filter.text"],
    load_language("nl")["lesson.further.text"],
    "één geïnteresseerd café, scène van coördinatie",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("max_width", [120, 250, 400, 900, 5000])
@pytest.mark.parametrize("bold", [False, True])
def test_wrap_text_fits_and_keeps_every_word(text: str, max_width: int, bold: bool) -> None:
    lines = wrap_text(text, 28, max_width, bold=bold)
    assert " ".join(lines).split() == text.split()
    for line in lines:
        assert line and line == line.strip()
        if len(line.split()) > 1:  # a single word longer than the width has to stay
            assert text_size(line, 28, bold=bold)[0] <= max_width, (line, max_width)
    if max_width == 5000:
        assert len(lines) == 1


def test_wrap_text_breaks_at_newlines() -> None:
    assert wrap_text("one\ntwo three", 20, 5000) == ["one", "two three"]
    assert wrap_text("a\n\nb", 20, 5000) == ["a", "", "b"]


def test_wrap_text_word_longer_than_the_width_stays_whole() -> None:
    assert wrap_text("geïnteresseerd ja", 40, 30) == ["geïnteresseerd", "ja"]


# -- draw_caption ------------------------------------------------------------------------

TITLE = "Hoe gezichtsfilters werken"  # ascenders and a descender: full glyph height
BODY = load_language("nl")["lesson.anchors.text"]


def title_rows(frame: np.ndarray) -> np.ndarray:
    """Rows holding the caption title's yellow ink."""
    b, g, r = (frame[..., k].astype(int) for k in range(3))
    return np.flatnonzero(((r > 200) & (g > 150) & (b < 150)).any(axis=1))


@pytest.mark.parametrize("size_wh", [(640, 360), (1280, 720), (1920, 1080)])
def test_caption_title_is_a_sixteenth_of_the_height(size_wh: tuple[int, int]) -> None:
    w, h = size_wh
    frame = np.full((h, w, 3), 128, np.uint8)
    y0 = draw_caption(frame, TITLE, BODY, corner="4 / 8")
    rows = title_rows(frame)
    assert rows.size and rows.min() >= y0
    glyph_h = rows.max() - rows.min() + 1
    assert 0.8 * h / 16 <= glyph_h <= 1.2 * h / 16, (glyph_h, h / 16)


def test_caption_band_scales_with_the_frame() -> None:
    bands = {}
    for w, h in [(640, 360), (1280, 720)]:
        frame = np.full((h, w, 3), 128, np.uint8)
        bands[h] = h - draw_caption(frame, TITLE, BODY, corner="4 / 8")
    assert bands[720] > bands[360]
    assert 1.6 < bands[720] / bands[360] < 2.4


def test_caption_band_is_dark_and_spans_the_width(frame: np.ndarray) -> None:
    y0 = draw_caption(frame, "Titel", "tekst", corner="1 / 8")
    h = frame.shape[0]
    assert 0 < y0 < h
    assert (frame[:y0] == 128).all()  # nothing above the band
    band = frame[y0:].astype(int)
    # Mostly dark behind the text, from edge to edge, for contrast with white words.
    assert np.median(band) < 50
    assert np.median(band[:, :10]) < 50 and np.median(band[:, -10:]) < 50
    assert (band.min(axis=2) > 230).any()  # white body text


def test_caption_corner_label_sits_at_the_right(frame: np.ndarray) -> None:
    plain, cornered = frame.copy(), frame.copy()
    draw_caption(plain, "Titel", "tekst")
    draw_caption(cornered, "Titel", "tekst", corner="3 / 8")
    cols = np.flatnonzero((plain != cornered).any(axis=(0, 2)))
    assert cols.size and cols.min() > frame.shape[1] * 0.75


def test_caption_long_body_wraps_inside_the_frame() -> None:
    frame = np.full((360, 640, 3), 128, np.uint8)
    body = load_language("nl")["lesson.swap.text"]
    y0 = draw_caption(frame, "Van filter naar deepfake", body, corner="8 / 8")
    assert 360 * 0.25 < y0 < 360 * 0.75  # the band leaves most of the picture
    # The band's text stays clear of the frame's right edge.
    white = frame[y0:].min(axis=2) > 230
    assert not white[:, -8:].any()


# -- accented characters -----------------------------------------------------------------


def test_a_missing_character_is_detected() -> None:
    # The checks below only mean something if they can fail.
    assert not has_glyphs(MISSING)
    assert not has_glyphs("字")  # DejaVu has no CJK
    assert not has_glyphs("café 字")
    assert same_bitmap(ink("字"), ink(MISSING))  # both come out as the placeholder box


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("word", ACCENTED_WORDS)
def test_accented_words_have_glyphs(word: str, bold: bool) -> None:
    assert has_glyphs(word, bold=bold)


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_glyphs(lang: str, bold: bool) -> None:
    lacking = {
        key: text for key, text in load_language(lang).items() if not has_glyphs(text, bold=bold)
    }
    assert not lacking, f"{lang}: characters the font lacks in {lacking}"


ACCENTED_CHARS = sorted(
    {ch for word in ACCENTED_WORDS for ch in word if ord(ch) > 127}
    | set(message_chars())
    | set("ëüáàç•")
)  # • is the deepfake lists' bullet


def test_the_accented_set_covers_dutch() -> None:
    assert {"è", "ï", "é", "ö", "ë"} <= set(ACCENTED_CHARS)


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("ch", ACCENTED_CHARS)
def test_accented_characters_render_as_themselves(ch: str, bold: bool) -> None:
    glyph = ink(ch, bold=bold)
    assert text_size(ch, SIZE, bold=bold)[0] > 2
    assert (glyph > 0).sum() > 10, f"{ch!r} left no ink"
    assert not same_bitmap(glyph, ink(MISSING, bold=bold)), f"{ch!r} became a placeholder box"


@pytest.mark.parametrize(
    ("accented", "plain"), [("ï", "i"), ("é", "e"), ("è", "e"), ("ë", "e"), ("ö", "o")]
)
def test_accents_add_ink_to_the_letter(accented: str, plain: str) -> None:
    a, p = ink(accented), ink(plain)
    assert text_size(accented, SIZE)[0] > 0
    assert (a > 0).sum() > (p > 0).sum()  # the dots or the stroke above are drawn
    # The mark sits above the plain letter's top.
    top_a, top_p = np.flatnonzero(a.any(axis=1)).min(), np.flatnonzero(p.any(axis=1)).min()
    assert top_a <= top_p
