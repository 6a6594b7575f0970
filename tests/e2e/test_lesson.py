"""The classroom lesson, end to end: every step in every language, on photos with one face
and with several, the export (PNG, PDF, PowerPoint with notes), the keys."""

from __future__ import annotations

import copy
import itertools
import random
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.apps.lesson import STEPS, Lesson
from facefilters.apps.lesson.steps import LAYOUTS, band_height
from facefilters.apps.prepare import prepare_filter
from facefilters.catalog import Catalog
from facefilters.detect import box_detector, default_detector
from facefilters.geometry import LOWER_LIP, measure
from facefilters.i18n import LANGUAGES, Messages
from facefilters.paths import samples_dir
from facefilters.render.label import LABEL_RED
from facefilters.render.swap import face_print, likeness
from scenes import group_scene

from .conftest import changed, read, run

pytestmark = pytest.mark.e2e

W, H = 1280, 720
SLIDES = [f"{n:02d}-{name}.png" for n, name in enumerate(STEPS, start=1)]
EXPORTED = [*SLIDES, "lesson.pdf", "lesson.pptx"]
T = 1.1  # the export's animation time: tears well on their way
STEP = {name: k for k, name in enumerate(STEPS)}


def band_top(messages: Messages) -> int:
    """Where the caption band starts: the same on every slide of a language."""
    return H - band_height(messages)


def red_share(picture: np.ndarray) -> float:
    """Share of a picture's bottom-left quarter in the deepfake badge's flat red."""
    h, w = picture.shape[:2]
    corner = picture[h * 3 // 4 :, : w // 2].astype(int)
    return float((np.abs(corner - np.array(LABEL_RED)).max(axis=2) < 15).mean())


def boxes_overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def detectors():
    # As the lesson builds them (apps/lesson/export.make_slides).
    mesh = default_detector(static_image_mode=True)
    with box_detector(full_range=True) as boxes:
        yield mesh, boxes
    mesh.close()


@pytest.fixture(scope="module")
def swaps() -> dict:
    """The built-in swap, prepared, labelled in each language."""
    return {
        lang: prepare_filter(Catalog().load("swap"), default_detector, messages=Messages(lang))
        for lang in LANGUAGES
    }


@pytest.fixture(scope="module")
def pictures(photos) -> dict[str, np.ndarray]:
    """One face (each photo), two faces and three faces (scenes cut from both photos)."""
    rng = np.random.default_rng(11)
    return {
        "grace_hopper": read(photos["grace_hopper"]),
        "astronaut": read(photos["astronaut"]),
        "two": group_scene(rng, (1280, 720), [90, 80], noise_sigma=2.0).image,
        "three": group_scene(rng, (1280, 720), [70, 64, 60], noise_sigma=2.0).image,
    }


FACES = {"grace_hopper": 1, "astronaut": 1, "two": 2, "three": 3}


def make_lesson(
    detectors,
    swaps=None,
    lang: str = "en",
    step: int = 0,
    *,
    mirror: bool = False,
    fake_right: bool | None = None,
) -> Lesson:
    # A copy: a swap remembers which source each face id looked like, and the pictures
    # here give different faces the same id.
    swap = copy.deepcopy(swaps[lang]) if swaps else None
    lesson = Lesson(
        *detectors, Messages(lang), mirror=mirror, smoothing=False, swap=swap, rng=random.Random(0)
    )
    if fake_right is not None:
        lesson.fake_right = fake_right
    lesson.step = step
    return lesson


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default slides, in every language."""
    out = {}
    for lang in LANGUAGES:
        folder = tmp_path_factory.mktemp("slides") / lang
        result = run("lesson", "--export", folder, "--lang", lang)
        assert result.exit_code == 0, result.output
        out[lang] = folder
    return out


# -- every step, every language, one face and several -------------------------------------


@pytest.mark.parametrize("scene", list(FACES))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_each_step_in_each_language(
    detectors, swaps, pictures, scene: str, lang: str, step: int
) -> None:
    lesson = make_lesson(detectors, swaps, lang, step)
    picture = lesson.render(pictures[scene], 0.0, T)
    assert picture.shape == (H, W, 3) and picture.dtype == np.uint8
    ctx = lesson.last
    assert len(ctx.faces) == FACES[scene], "the two-stage finder finds every face"
    messages = Messages(lang)

    # The caption band: dark, across the whole width, with white words and a yellow title,
    # and the picture entirely above it.
    y0 = band_top(messages)
    assert 0.6 * H < y0 < 0.75 * H
    band = picture[y0 + 2 :]
    assert np.median(band) < 40
    assert (band.min(axis=2) > 230).sum() > 300  # body text
    b, g, r = (band[..., k].astype(int) for k in range(3))
    assert ((r > 200) & (g > 180) & (b < 130)).sum() > 300  # title
    x1, y1, x2, y2 = ctx.picture_xyxy
    assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= y0
    # Every face in full view, above the band.
    fx1, fy1, fx2, fy2 = ctx.faces.xyxy.T
    assert (fx1 >= 0).all() and (fx2 <= W).all() and (fy1 >= 0).all() and (fy2 <= y0).all()

    # Panels, gauges and labels: inside the frame above the band, off every face.
    for box in ctx.placed:
        assert 0 <= box[0] and box[2] <= W and 0 <= box[1] and box[3] <= y0, box
        for face in ctx.faces.xyxy:
            assert not boxes_overlap(box, face), (STEPS[step], box, face)

    name = STEPS[step]
    swapped = name in ("swap", "guess", "reveal") or name in LAYOUTS
    assert ctx.swapped == swapped, name
    if swapped:
        assert red_share(picture[:y0]) > 0.002 or name in ("swap", "guess", "reveal")


BOX_BGR = (90, 230, 90)  # step 2's box


def green_edges(image: np.ndarray, axis: int) -> np.ndarray:
    """Columns (axis=0) or rows (axis=1) where step 2's box has a long straight edge."""
    near = (np.abs(image.astype(int) - BOX_BGR) < 40).all(axis=2)
    return np.flatnonzero(near.sum(axis=axis) > 60)


@pytest.mark.parametrize("scene", list(FACES))
def test_step_2_boxes_every_face(detectors, pictures, scene: str) -> None:
    lesson = make_lesson(detectors, None, "nl", STEP["detector"])
    picture = lesson.render(pictures[scene], 0.0, T)
    ctx = lesson.last
    # The detector's own boxes (full range: the back of the classroom too), one per face,
    # each around a face FaceMesh found.
    assert len(ctx.boxes_xyxy) == len(ctx.faces) == FACES[scene]
    for face in ctx.faces.xyxy:
        cx, cy = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2
        assert any(b[0] < cx < b[2] and b[1] < cy < b[3] for b in ctx.boxes_xyxy)
    if FACES[scene] == 1:
        bx1, by1, bx2, by2 = ctx.boxes_xyxy[0]
        cols, rows = green_edges(picture, 0), green_edges(picture, 1)
        assert abs(cols.min() - bx1) <= 4 and abs(cols.max() - bx2) <= 4
        assert abs(rows.min() - by1) <= 4 and abs(rows.max() - by2) <= 4


def halves(picture: np.ndarray, messages: Messages) -> tuple[np.ndarray, np.ndarray]:
    y0 = band_top(messages)
    return picture[:y0, : W // 2], picture[:y0, W // 2 :]


@pytest.mark.parametrize("scene", ["grace_hopper", "astronaut"])
def test_swap_step_shows_the_other_portraits_face(
    detectors, swaps, pictures, photos, scene: str
) -> None:
    lesson = make_lesson(detectors, swaps, "nl", STEP["swap"])
    picture = lesson.render(pictures[scene], 0.0, T)
    ctx = lesson.last
    left, right = halves(picture, lesson.messages)
    # The left half is the picture as it was; the right one has another face on it.
    xyz = ctx.faces.landmarks[0]
    assert changed(left, right).mean() > 0.01
    other = "astronaut" if scene == "grace_hopper" else "grace_hopper"
    mesh, _ = detectors
    prints = {}
    for name in (scene, other):
        found = mesh.detect(read(photos[name]), 0.0)
        prints[name] = face_print(read(photos[name]), found.landmarks[0])
    original, swapped = face_print(left, xyz), face_print(right, xyz)
    assert likeness(original, prints[scene]) > 0.95
    # The swap keeps the student's eyes and mouth (so it blinks and talks), so it still
    # looks partly like them; measured: own 0.999 -> 0.87, other 0.43 -> 0.54-0.60.
    assert likeness(swapped, prints[scene]) < likeness(original, prints[scene]) - 0.08
    assert likeness(swapped, prints[other]) > likeness(original, prints[other]) + 0.07, (
        "the right half shows the other portrait's face"
    )
    # Labelled as fake (NEP), on the swapped half only.
    assert red_share(right) > 0.01 and red_share(left) < 0.001


@pytest.mark.parametrize("scene", ["two", "three"])
def test_faces_in_view_trade(detectors, swaps, pictures, scene: str) -> None:
    lesson = make_lesson(detectors, swaps, "en", STEP["swap"])
    picture = lesson.render(pictures[scene], 0.0, T)
    ctx = lesson.last
    left, right = halves(picture, lesson.messages)
    n = len(ctx.faces)
    here = [face_print(left, ctx.faces.landmarks[i]) for i in range(n)]
    now = [face_print(right, ctx.faces.landmarks[i]) for i in range(n)]
    traded = 0
    for i in range(n):
        # Face i gets face i + 1's (the last the first's). Three faces cut from two photos
        # hold the same person twice, and that trade changes nothing to see.
        j = (i + 1) % n
        if likeness(here[i], here[j]) > 0.9:
            continue
        # It now looks less like itself and more like the face it got (its eyes and
        # mouth stay its own, see the test above).
        assert likeness(now[i], here[i]) < 0.92, (i, scene)
        assert likeness(now[i], here[j]) > likeness(here[i], here[j]) + 0.05, (i, scene)
        traded += 1
    assert traded >= 2
    assert red_share(right) > 0.01 and red_share(left) < 0.001


@pytest.mark.parametrize("fake_right", [False, True])
def test_real_or_fake_then_the_answer(detectors, swaps, pictures, fake_right: bool) -> None:
    image = pictures["astronaut"]
    guess = make_lesson(detectors, swaps, "nl", STEP["guess"], fake_right=fake_right)
    asked = guess.render(image, 0.0, T)
    left, right = halves(asked, guess.messages)
    fake, real = (right, left) if fake_right else (left, right)
    face = guess.last.faces.xyxy[0].astype(int)
    x1, y1, x2, y2 = face
    # The same picture twice, one swapped; both badges ask the same question.
    assert changed(left[y1:y2, x1:x2], right[y1:y2, x1:x2]).mean() > 0.2
    assert red_share(left) > 0.005 and red_share(right) > 0.005
    assert abs(red_share(left) - red_share(right)) < 0.002
    # The answer: the same sides, the fake's badge says NEP, the real one has none.
    guess.handle_key("r")
    assert STEPS[guess.step] == "reveal"
    answered = guess.render(image, 0.0, T)
    a_left, a_right = halves(answered, guess.messages)
    a_fake, a_real = (a_right, a_left) if fake_right else (a_left, a_right)
    assert red_share(a_real[:-8]) < 0.001 < red_share(a_fake)


def test_the_fakes_side_is_random() -> None:
    sides = {
        Lesson(
            object(),
            object(),
            Messages("en"),  # type: ignore[arg-type]
            rng=random.Random(seed),
        ).fake_right
        for seed in range(20)
    }
    assert sides == {False, True}


@pytest.mark.parametrize("step", [STEP["anchors"], STEP["pixels"], STEP["reacting"]])
def test_labels_follow_the_language(detectors, pictures, step: int) -> None:
    image = pictures["grace_hopper"]
    shown = {
        lang: make_lesson(detectors, None, lang, step).render(image, 0.0, T) for lang in LANGUAGES
    }
    y0 = min(band_top(Messages(lang)) for lang in LANGUAGES)
    for a, b in itertools.combinations(LANGUAGES, 2):
        assert changed(shown[a][y0:], shown[b][y0:]).mean() > 0.01  # the caption
        assert changed(shown[a][:y0], shown[b][:y0]).any()  # the words on the picture


def test_mirror_flips_the_box(detectors, pictures) -> None:
    image = pictures["astronaut"]
    plain = make_lesson(detectors, step=STEP["detector"])
    mirrored = make_lesson(detectors, step=STEP["detector"], mirror=True)
    plain.render(image, 0.0, T)
    mirrored.render(image, 0.0, T)
    a, b = plain.last.boxes_xyxy[0], mirrored.last.boxes_xyxy[0]
    x1, _, x2, _ = plain.last.picture_xyxy
    # Mirrored inside the picture: the box's left edge goes where the right one was.
    assert abs((b[0] - x1) - ((x2 - x1) - (a[2] - x1))) <= 5
    assert abs(a[1] - b[1]) <= 5


def tongue_share(detectors, image: np.ndarray) -> float:
    """Share of pixels just below the lower lip that step 6 adds to step 5's dog."""
    with_tongue = make_lesson(detectors, step=STEP["reacting"])
    picture = with_tongue.render(image, 0.0, T)
    faces = with_tongue.last.faces
    eye = float(measure(faces).eye_distance[0])
    x, y = (int(v) for v in faces.xy[0, LOWER_LIP])
    without = make_lesson(detectors, step=STEP["filter"]).render(image, 0.0, T)
    d = int(0.15 * eye)
    region = np.s_[y + 4 : y + 2 * d, x - d : x + d]
    b, g, r = (picture[region][..., k].astype(int) for k in range(3))
    pink = (r > 150) & (r - g > 50) & (r - b > 30)
    return float((changed(picture, without)[region] & pink).mean())


def test_step_6_no_tongue_while_the_mouth_is_closed(detectors, pictures) -> None:
    assert tongue_share(detectors, pictures["astronaut"]) < 0.05


def test_step_6_tongue_comes_out_when_the_mouth_opens(
    detectors,
    open_mouth_photo: Path,
) -> None:
    assert tongue_share(detectors, read(open_mouth_photo)) > 0.5


def test_the_gauge_uses_a_decimal_comma_in_dutch(detectors, pictures) -> None:
    lesson = make_lesson(detectors, None, "nl", STEP["reacting"])
    lesson.render(pictures["astronaut"], 0.0, T)
    value = float(lesson.last.geometry.measures["mouth_open"][0])
    assert "," in lesson.messages.number(value)
    assert "." not in lesson.messages("lesson.mouth", value=lesson.messages.number(value))


# -- export ------------------------------------------------------------------------------


def test_export_writes_slides_pdf_and_deck(exported) -> None:
    for lang, folder in exported.items():
        assert sorted(p.name for p in folder.iterdir()) == sorted(EXPORTED), lang
        for name in SLIDES:
            assert read(folder / name).shape == (H, W, 3), name
        pdf = (folder / "lesson.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(SLIDES)
        # The subject carries the face-swap note (Pillow writes PDF strings in UTF-16,
        # with "(" escaped: the words before it are looked for).
        words = Messages(lang)("deepfake.note").split("(")[0]
        assert words.encode("utf-16-be") in pdf, lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_deck_carries_each_steps_notes(exported, lang: str) -> None:
    from pptx import Presentation

    deck = Presentation(str(exported[lang] / "lesson.pptx"))
    messages = Messages(lang)
    assert len(deck.slides) == len(STEPS)
    # The deck shows swapped faces, and says so inside, like every file that does.
    assert deck.core_properties.comments == messages("deepfake.note")
    assert deck.core_properties.title == messages("lesson.title")
    for step, slide in enumerate(deck.slides):
        notes = slide.notes_slide.notes_text_frame.text
        assert notes == messages(f"lesson.{STEPS[step]}.notes"), STEPS[step]
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # a picture
        assert len(pictures) == 1
        assert pictures[0].width == deck.slide_width
        # The picture in the deck is the slide, byte for byte.
        assert pictures[0].image.blob == (exported[lang] / SLIDES[step]).read_bytes()


def test_exported_steps_differ_from_one_another(exported) -> None:
    slides = {name: read(exported["en"] / name).astype(np.int16) for name in SLIDES}
    for a, b in itertools.combinations(SLIDES, 2):
        diff = np.abs(slides[a] - slides[b]).mean()
        assert diff > 2.0, f"{a} and {b} are nearly the same ({diff:.2f})"


def test_exported_languages_differ_in_the_captions(exported) -> None:
    for name in SLIDES:
        for a, b in itertools.combinations(LANGUAGES, 2):
            one, other = read(exported[a] / name), read(exported[b] / name)
            y0 = min(band_top(Messages(a)), band_top(Messages(b)))
            assert changed(one[y0:], other[y0:]).mean() > 0.01, (name, a, b)


def test_export_matches_the_lesson(detectors, exported) -> None:
    # The export is the lesson picture, written losslessly, from the sample portrait.
    image = read(samples_dir() / "portrait.jpg")
    step = STEP["landmarks"]
    picture = make_lesson(detectors, None, "nl", step).render(image, 0.0, T)
    slide = read(exported["nl"] / SLIDES[step])
    assert np.abs(picture.astype(int) - slide.astype(int)).max() <= 2


def test_export_from_another_photo(tmp_path: Path, astronaut_path: Path, exported) -> None:
    folder = tmp_path / "astronaut-slides"
    result = run("lesson", "--export", folder, "--source", astronaut_path, "--lang", "nl")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPORTED)
    # stdout lists the files; stderr says how many slides, in Dutch.
    assert [Path(line).name for line in result.stdout.split()] == EXPORTED
    assert "14 dia's" in result.output
    for name in SLIDES:
        astronaut, portrait = read(folder / name), read(exported["nl"] / name)
        assert np.abs(astronaut.astype(int) - portrait.astype(int)).mean() > 5, name


def test_export_into_an_existing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "slides"
    folder.mkdir()
    (folder / "notes.txt").write_text("my lesson plan")
    cv2.imwrite(str(folder / "my-photo.png"), np.zeros((10, 10, 3), np.uint8))
    cv2.imwrite(str(folder / SLIDES[2]), np.zeros((10, 10, 3), np.uint8))  # an old slide
    keep = {name: (folder / name).read_bytes() for name in ("notes.txt", "my-photo.png")}
    result = run("lesson", "--export", folder, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPORTED + list(keep))
    for name, data in keep.items():
        assert (folder / name).read_bytes() == data
    assert read(folder / SLIDES[2]).shape == (H, W, 3)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("missing source", 1, "nonexistent"),
        ("text file", 1, "notes.txt"),
        ("text named .png", 1, "fake.png"),
        ("no face", 1, "no face found in"),
        ("no face, in Dutch", 1, "geen gezicht gevonden op"),
        ("unknown language", 2, "--lang"),
        ("export is a file", 2, "--export"),
    ],
)
def test_export_bad_input(
    tmp_path: Path, no_face_photo: Path, case: str, code: int, message: str
) -> None:
    folder = tmp_path / "slides"
    args: list = ["lesson", "--export", folder]
    if case == "missing source":
        args += ["--source", "/nonexistent/photo.jpg"]
    elif case == "text file":
        (tmp_path / "notes.txt").write_text("not a photo\n" * 20)
        args += ["--source", tmp_path / "notes.txt"]
    elif case == "text named .png":
        (tmp_path / "fake.png").write_text("not a photo\n" * 20)
        args += ["--source", tmp_path / "fake.png"]
    elif case.startswith("no face"):
        args += ["--source", no_face_photo] + (["--lang", "nl"] if "Dutch" in case else [])
    elif case == "unknown language":
        args += ["--lang", "de"]
    elif case == "export is a file":
        folder.write_text("a file where the folder should be")
        args[2] = folder
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message.lower() in result.output.lower(), result.output
    if code == 1:
        lines = [line for line in result.output.splitlines() if line.strip()]
        said = "fout: " if "Dutch" in case else "error: "  # the line's first word too
        assert len(lines) == 1 and lines[0].startswith(said), result.output
    # Nothing written, nothing lost.
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


# -- keys --------------------------------------------------------------------------------


class FakeWindow:
    """Records fullscreen switches, like CvWindow's ``fullscreen`` property reports them."""

    def __init__(self) -> None:
        self.fullscreen = False
        self.calls: list[bool] = []

    def set_fullscreen(self, on: bool) -> None:
        self.calls.append(on)
        self.fullscreen = on


LAST = len(STEPS) - 1


@pytest.mark.parametrize(
    ("start", "key", "expected", "goes_on"),
    [
        *[(3, key, 4, True) for key in ("right", "space", "n", "enter")],
        *[(LAST, key, LAST, True) for key in ("right", "space", "n", "enter")],
        *[(3, key, 2, True) for key in ("left", "p", "backspace")],
        *[(0, key, 0, True) for key in ("left", "p", "backspace")],
        *[(5, str(n), n - 1, True) for n in range(1, len(STEPS) + 1)],
        (5, "9", 8, True),
        (5, "0", 5, True),
        (5, "x", 5, True),
        (5, "up", 5, True),
        (STEPS.index("guess"), "r", STEPS.index("reveal"), True),
        (3, "r", 3, True),
        (4, "q", 4, False),
        (4, "esc", 4, False),
    ],
)
def test_handle_key(start: int, key: str, expected: int, goes_on: bool) -> None:
    # Keys need no model: the detectors are never called.
    lesson = Lesson(object(), object(), Messages("en"))  # type: ignore[arg-type]
    lesson.step = start
    window = FakeWindow()
    assert lesson.handle_key(key, window) is goes_on
    assert lesson.step == expected
    assert window.calls == []


def test_f_toggles_fullscreen() -> None:
    lesson = Lesson(object(), object(), Messages("en"))  # type: ignore[arg-type]
    window = FakeWindow()
    assert lesson.handle_key("f", window)
    assert lesson.handle_key("f", window)
    assert window.calls == [True, False]
    assert lesson.step == 0
    assert lesson.handle_key("f")  # no window: nothing to do, no error


def test_walking_through_the_whole_lesson() -> None:
    lesson = Lesson(object(), object(), Messages("nl"))  # type: ignore[arg-type]
    seen = [lesson.step]
    while lesson.handle_key("space"):
        if lesson.step == seen[-1]:
            break
        seen.append(lesson.step)
    assert seen == list(range(len(STEPS)))


# -- the window --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "word"),
    [([], "display"), (["--source", "photo"], "display"), (["--lang", "nl"], "scherm")],
)
def test_lesson_without_a_display(
    monkeypatch: pytest.MonkeyPatch, photos, extra: list[str], word: str
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    args = [photos["grace_hopper"] if a == "photo" else a for a in extra]
    result = run("lesson", *args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    said = "fout: " if "nl" in extra else "error: "
    assert len(lines) == 1 and lines[0].startswith(said), result.output
    assert word in lines[0]  # in the chosen language


def test_export_names_the_files_in_the_folder_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("lesson", "--export", "./slides//", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [f"./slides//{name}" for name in EXPORTED]
    assert result.stderr.rstrip().endswith("to ./slides//")
    assert not [p for p in (tmp_path / "slides").iterdir() if p.name.startswith(".")]
