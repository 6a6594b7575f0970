"""The classroom lesson, end to end: every step on real photos, the PNG export, the keys."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.apps.lesson import CANVAS_WH, STEPS, Lesson, fit_photo
from facefilters.detect import box_detector, landmark_detector
from facefilters.faces import Faces
from facefilters.geometry import LOWER_LIP, FaceGeometry, measure
from facefilters.i18n import Messages
from facefilters.paths import samples_dir
from facefilters.render.text import draw_caption

from .conftest import changed, read, run

pytestmark = pytest.mark.e2e

W, H = CANVAS_WH
SLIDES = [f"{n:02d}-{name}.png" for n, name in enumerate(STEPS, start=1)]
BOX_BGR = (90, 230, 90)  # step 2's box
T = 1.1  # the export's animation time: tears well on their way




def band_top(messages: Messages, step: int) -> int:
    """Where the caption band of ``step`` (0-based) starts, for a picture with a face."""
    n = step + 1
    return draw_caption(np.zeros((H, W, 3), np.uint8), messages(f"lesson.{n}.title"),
                        messages(f"lesson.{n}.text"),
                        corner=messages("lesson.step", n=n, total=len(STEPS)))


def green_edges(image: np.ndarray, axis: int) -> np.ndarray:
    """Columns (axis=0) or rows (axis=1) where step 2's box has a long straight edge."""
    near = (np.abs(image.astype(int) - BOX_BGR) < 40).all(axis=2)
    return np.flatnonzero(near.sum(axis=axis) > 60)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def detectors():
    with landmark_detector(static_image_mode=True) as mesh, box_detector() as boxes:
        yield mesh, boxes


@dataclass
class Scene:
    """A photo, fitted to the lesson canvas, with what the detectors find on it."""

    image: np.ndarray
    canvas: np.ndarray
    face_xyxy: np.ndarray
    geometry: FaceGeometry
    box_xyxy: np.ndarray


@pytest.fixture(scope="module")
def scenes(photos, detectors) -> dict[str, Scene]:
    mesh, boxes = detectors
    out = {}
    for name, path in photos.items():
        image = read(path)
        # As the lesson does: detect on the picture alone, then move onto the canvas.
        canvas, photo, (dx, dy) = fit_photo(image)
        faces = mesh.detect(photo)
        faces = Faces(faces.landmarks + np.array([dx, dy, 0], np.float32), faces.ids)
        found = boxes.detect(photo)
        assert len(faces) == 1 and len(found) == 1, name
        box = found.xyxy[0] + np.array([dx, dy, dx, dy], np.float32)
        out[name] = Scene(image, canvas, faces.xyxy[0], measure(faces), box)
    return out


def make_lesson(detectors, lang: str = "en", step: int = 0, *, mirror: bool = False) -> Lesson:
    lesson = Lesson(*detectors, Messages(lang), mirror=mirror, smoothing=False)
    lesson.step = step
    return lesson


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default slides, in English and in Dutch."""
    out = {}
    for lang in ("en", "nl"):
        folder = tmp_path_factory.mktemp("slides") / lang
        result = run("lesson", "--export", folder, "--lang", lang)
        assert result.exit_code == 0, result.output
        out[lang] = folder
    return out


# -- each step on real photos ------------------------------------------------------------


@pytest.mark.parametrize("photo", ["grace_hopper", "astronaut"])
@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_each_step_renders_on_a_photo(detectors, scenes, photo: str, step: int) -> None:
    scene = scenes[photo]
    lesson = make_lesson(detectors, step=step)
    picture = lesson.render(scene.image, 0.0, T)
    assert picture.shape == (H, W, 3) and picture.dtype == np.uint8
    mask = changed(scene.canvas, picture)

    # The caption band: dark, across the whole width, with white words and a yellow title.
    y0 = band_top(lesson.messages, step)
    assert H * 0.5 < y0 < H * 0.75
    band = picture[y0 + 2:]
    assert np.median(band) < 40
    assert np.median(band[:, :20]) < 40 and np.median(band[:, -20:]) < 40
    assert (band.min(axis=2) > 230).sum() > 300  # body text
    b, g, r = (band[..., k].astype(int) for k in range(3))
    assert ((r > 200) & (g > 180) & (b < 130)).sum() > 300  # title
    assert mask[y0:].any()

    # The picture above the band: each step draws where it should.
    above = mask[:y0]
    x1, y1, x2, y2 = scene.face_xyxy.astype(int)
    in_face = mask[y1:y2, x1:x2].mean()
    name = STEPS[step]
    if name == "pixels":
        cell = H // 14
        pw, ph = 10 * cell, 7 * cell
        eye_x = scene.geometry.anchors["right_eye"][0, 0]
        # The zoomed patch sits at the top, on the side away from the face.
        px = W - pw - cell if eye_x < W / 2 else cell
        assert mask[cell:cell + ph, px:px + pw].mean() > 0.6
        assert mask[y1:y2, x1:x2].any()  # the patch's frame on the face
    elif name == "deepfake":
        assert above.mean() > 0.5  # the whole picture darkened, the face replaced
        assert in_face > 0.8
    else:
        assert in_face > 0.02, f"step {name} drew {in_face:.3f} of the face box"
        # Far from the face (a strip at the left) nothing changes.
        assert not mask[:y0, :max(0, int(x1 - 1.5 * (x2 - x1)))].any()


@pytest.mark.parametrize("photo", ["grace_hopper", "astronaut"])
def test_step_2_box_is_the_detectors(detectors, scenes, photo: str) -> None:
    scene = scenes[photo]
    picture = make_lesson(detectors, step=STEPS.index("detector")).render(scene.image, 0.0, T)
    bx1, by1, bx2, by2 = scene.box_xyxy
    cols, rows = green_edges(picture, 0), green_edges(picture, 1)
    assert cols.size and rows.size
    assert abs(cols.min() - bx1) <= 4 and abs(cols.max() - bx2) <= 4, (cols, scene.box_xyxy)
    assert abs(rows.min() - by1) <= 4 and abs(rows.max() - by2) <= 4, (rows, scene.box_xyxy)
    # The detector's box and FaceMesh's landmarks agree on where the face is.
    fx1, fy1, fx2, fy2 = scene.face_xyxy
    assert bx1 < (fx1 + fx2) / 2 < bx2 and by1 < (fy1 + fy2) / 2 < by2


@pytest.mark.parametrize("step", [STEPS.index("anchors"), STEPS.index("pixels")])
def test_labels_follow_the_language(detectors, scenes, step: int) -> None:
    scene = scenes["grace_hopper"]
    en = make_lesson(detectors, "en", step).render(scene.image, 0.0, T)
    nl = make_lesson(detectors, "nl", step).render(scene.image, 0.0, T)
    y0 = min(band_top(Messages("en"), step), band_top(Messages("nl"), step))
    assert changed(en[y0:], nl[y0:]).mean() > 0.01  # the caption
    labels = changed(en[:y0], nl[:y0])
    assert labels.any()  # the names on the picture
    if STEPS[step] == "anchors":
        # Only the names differ: everything else on the picture is the same.
        x1, _, x2, _ = scene.face_xyxy
        cols = np.flatnonzero(labels.any(axis=0))
        assert x1 - 1.5 * (x2 - x1) < cols.min() and cols.max() < x2 + 1.5 * (x2 - x1)


def test_mirror_flips_the_box(detectors, scenes) -> None:
    scene = scenes["astronaut"]
    step = STEPS.index("detector")
    plain = make_lesson(detectors, step=step).render(scene.image, 0.0, T)
    mirrored = make_lesson(detectors, step=step, mirror=True).render(scene.image, 0.0, T)
    x_plain, x_mirror = green_edges(plain, 0), green_edges(mirrored, 0)
    assert abs(x_mirror.min() - (W - 1 - x_plain.max())) <= 3
    assert abs(x_mirror.max() - (W - 1 - x_plain.min())) <= 3
    # Rows stay where they were.
    assert np.array_equal(green_edges(plain, 1), green_edges(mirrored, 1))
    # The face is off-centre, so the two pictures really differ.
    assert abs(x_plain.min() - x_mirror.min()) > 20


def tongue_share(detectors, image: np.ndarray) -> float:
    """Share of pixels just below the lower lip that step 6 adds to step 5's dog."""
    mesh, _ = detectors
    # Where the lip is on the canvas: found on the photo itself, scaled and centred.
    faces = mesh.detect(image)
    h, w = image.shape[:2]
    scale = min(W / w, H / h)
    offset = ((W - round(w * scale)) // 2, (H - round(h * scale)) // 2)
    eye = float(measure(faces).eye_distance[0]) * scale
    x, y = (int(v) for v in faces.xy[0, LOWER_LIP] * scale + offset)
    with_tongue = make_lesson(detectors, step=STEPS.index("reacting")).render(image, 0.0, T)
    without = make_lesson(detectors, step=STEPS.index("filter")).render(image, 0.0, T)
    d = int(0.15 * eye)
    region = np.s_[y + 4:y + 2 * d, x - d:x + d]
    b, g, r = (with_tongue[region][..., k].astype(int) for k in range(3))
    # Pink, unlike the white or green measuring lines drawn from the lips.
    pink = (r > 150) & (r - g > 50) & (r - b > 30)
    return float((changed(with_tongue, without)[region] & pink).mean())


def test_step_6_no_tongue_while_the_mouth_is_closed(detectors, scenes) -> None:
    assert tongue_share(detectors, scenes["astronaut"].image) < 0.05


def test_step_6_tongue_comes_out_when_the_mouth_opens(detectors, open_mouth_photo: Path,
                                                      ) -> None:
    assert tongue_share(detectors, read(open_mouth_photo)) > 0.5


# -- export ------------------------------------------------------------------------------


def test_export_writes_one_slide_per_step(exported) -> None:
    for lang, folder in exported.items():
        assert sorted(p.name for p in folder.iterdir()) == SLIDES, lang  # no temp files
        for name in SLIDES:
            slide = read(folder / name)
            assert slide.shape == (H, W, 3), name


def test_exported_steps_differ_from_one_another(exported) -> None:
    slides = {name: read(exported["en"] / name).astype(np.int16) for name in SLIDES}
    for a, b in itertools.combinations(SLIDES, 2):
        diff = np.abs(slides[a] - slides[b]).mean()
        assert diff > 3.0, f"{a} and {b} are nearly the same ({diff:.2f})"


def test_exported_languages_differ_in_the_captions(exported) -> None:
    for step, name in enumerate(SLIDES):
        en, nl = read(exported["en"] / name), read(exported["nl"] / name)
        y0 = min(band_top(Messages("en"), step), band_top(Messages("nl"), step))
        assert changed(en[y0:], nl[y0:]).mean() > 0.01, name


def test_export_matches_the_lesson(detectors, exported) -> None:
    # The export is the lesson picture, written losslessly, from the sample portrait.
    image = read(samples_dir() / "portrait.jpg")
    step = STEPS.index("landmarks")
    picture = make_lesson(detectors, "nl", step).render(image, 0.0, T)
    slide = read(exported["nl"] / SLIDES[step])
    assert np.abs(picture.astype(int) - slide.astype(int)).max() <= 2


def test_export_from_another_photo(tmp_path: Path, astronaut_path: Path, exported) -> None:
    folder = tmp_path / "astronaut-slides"
    result = run("lesson", "--export", folder, "--source", astronaut_path, "--lang", "nl")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == SLIDES
    # stdout lists the slides; stderr says how many.
    assert [Path(line).name for line in result.stdout.split()] == SLIDES
    assert "8 slides" in result.output
    for name in SLIDES:
        astronaut, portrait = read(folder / name), read(exported["nl"] / name)
        assert astronaut.shape == (H, W, 3)
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
    assert sorted(p.name for p in folder.iterdir()) == sorted(SLIDES + list(keep))
    for name, data in keep.items():
        assert (folder / name).read_bytes() == data
    assert read(folder / SLIDES[2]).shape == (H, W, 3)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("missing source", 1, "nonexistent"),
        ("text file", 1, "notes.txt"),
        ("text named .png", 1, "fake.png"),
        ("unknown language", 2, "--lang"),
        ("export is a file", 2, "--export"),
    ],
)
def test_export_bad_input(tmp_path: Path, case: str, code: int, message: str) -> None:
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
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output
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
        (5, "9", 5, True),
        (5, "0", 5, True),
        (5, "x", 5, True),
        (5, "up", 5, True),
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


@pytest.mark.parametrize(("extra", "word"), [([], "display"), (["--source", "photo"], "display"),
                                            (["--lang", "nl"], "scherm")])
def test_lesson_without_a_display(monkeypatch: pytest.MonkeyPatch, photos,
                                  extra: list[str], word: str) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    args = [photos["grace_hopper"] if a == "photo" else a for a in extra]
    result = run("lesson", *args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert word in lines[0]  # in the chosen language
