"""The deepfake label: in the bottom-left corner, sized to the frame, the same every time."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.i18n import Messages
from facefilters.render.label import LABEL_RED, draw_deepfake_label, label_size_px

GREY = 128
SIZES_WH = [(320, 240), (640, 480), (1280, 720), (1920, 1080), (720, 1280), (100, 60)]


def blank(size_wh: tuple[int, int], value: int = GREY) -> np.ndarray:
    w, h = size_wh
    return np.full((h, w, 3), value, np.uint8)


def labelled(size_wh: tuple[int, int], text: str = "DEEPFAKE", value: int = GREY) -> np.ndarray:
    frame = blank(size_wh, value)
    assert draw_deepfake_label(frame, text) is frame
    return frame


def changed_box(frame: np.ndarray, value: int = GREY) -> tuple[int, int, int, int]:
    """``x0, y0, x1, y1`` around every pixel that is no longer the blank colour."""
    ys, xs = np.nonzero(np.any(frame != value, axis=2))
    assert xs.size, "nothing was drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("size_wh", SIZES_WH, ids=lambda s: f"{s[0]}x{s[1]}")
def test_label_sits_in_the_bottom_left_corner_only(size_wh: tuple[int, int]) -> None:
    w, h = size_wh
    x0, y0, x1, y1 = changed_box(labelled(size_wh))
    size = label_size_px((h, w), "DEEPFAKE")
    margin = round(0.4 * size)
    # Inside the frame, a margin from the left and bottom edges.
    assert (x0, h - y1) == (margin, margin)
    # The bottom-left corner only: clear of the top, where the live status bar is.
    assert y0 > h / 2
    assert x1 <= w


@pytest.mark.parametrize(
    ("size_wh", "least_px", "most_px"),
    [((320, 240), 14, 24), ((1280, 720), 44, 60), ((1920, 1080), 66, 90), ((1080, 1920), 66, 90)],
    ids=["thumbnail", "720p", "1080p", "portrait 1080p"],
)
def test_label_letters_scale_with_the_frame(
    size_wh: tuple[int, int], least_px: int, most_px: int
) -> None:
    w, h = size_wh
    size = label_size_px((h, w), "DEEPFAKE")
    assert least_px <= size <= most_px
    # The badge is taller than the letters' cap height and wide enough for the word.
    x0, y0, x1, y1 = changed_box(labelled(size_wh))
    assert 0.9 * size <= y1 - y0 <= 1.6 * size
    assert x1 - x0 >= 4 * size


def test_label_shrinks_to_fit_a_narrow_frame() -> None:
    wide = label_size_px((240, 320), "DEEPFAKE")
    narrow = label_size_px((240, 120), "DEEPFAKE")
    assert narrow < wide
    x0, _, x1, _ = changed_box(labelled((120, 240)))
    assert x1 <= 120 - x0


@pytest.mark.parametrize("background", [0, 128, 255])
def test_label_reads_on_any_background(background: int) -> None:
    frame = labelled((640, 480), value=background)
    x0, y0, x1, y1 = changed_box(frame, background)
    badge = frame[y0:y1, x0:x1].reshape(-1, 3).astype(int)
    # Opaque: the badge is its own red and white whatever lies beneath.
    red = np.all(np.abs(badge - LABEL_RED) <= 2, axis=1).mean()
    white = np.all(badge >= 250, axis=1).mean()
    assert red > 0.4 and white > 0.1
    assert red + white > 0.9


def test_same_text_gives_identical_pixels() -> None:
    a, b = labelled((640, 480)), labelled((640, 480))
    assert np.array_equal(a, b)
    # Drawn twice, only the anti-aliased rim of the rounded corners darkens or lightens:
    # the badge is opaque.
    again = a.copy()
    draw_deepfake_label(again, "DEEPFAKE")
    x0, y0, x1, y1 = changed_box(a)
    differ = np.any(again != a, axis=2)
    assert differ.sum() < 0.01 * (x1 - x0) * (y1 - y0)


def test_dutch_label_differs_from_english() -> None:
    en, nl = Messages("en")("deepfake.label"), Messages("nl")("deepfake.label")
    assert (en, nl) == ("DEEPFAKE", "NEP")
    english, dutch = labelled((640, 480), en), labelled((640, 480), nl)
    assert not np.array_equal(english, dutch)
    # The shorter word makes a narrower badge, in the same corner.
    e0, _, e1, _ = changed_box(english)
    d0, _, d1, _ = changed_box(dutch)
    assert e0 == d0 and d1 - d0 < e1 - e0


def test_label_on_a_frame_smaller_than_the_badge_is_clipped() -> None:
    frame = labelled((20, 10))
    assert np.any(frame != GREY)


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_label_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="needs a text"):
        draw_deepfake_label(blank((64, 48)), text)
