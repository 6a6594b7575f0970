"""The swap effect as a filter layer: loading, its photos' faces, labelling; with fakes."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.catalog import Catalog, load_filter
from facefilters.effects import Filter, SwapEffect
from facefilters.errors import FilterError
from facefilters.faces import Faces
from facefilters.i18n import Messages
from facefilters.render.meshmap import canonical_face

from builders import make_faces

W, H = 640, 480


def face_photo(path: Path) -> Path:
    """A photo file (any content: the fake finder decides what it holds)."""
    rng = np.random.default_rng(1)
    assert cv2.imwrite(str(path), rng.integers(60, 200, (240, 200, 3), dtype=np.uint8))
    return path


def mesh_faces(centers_xy, size: float) -> Faces:
    """Frontal faces whose meshes are the canonical face's UV layout, ``size`` wide."""
    model = canonical_face()
    out = []
    for cx, cy in centers_xy:
        xyz = np.zeros((478, 3), np.float32)
        xyz[:468, :2] = (model.uv - 0.5) * size + np.float32((cx, cy))
        xyz[:468, 2] = -model.canonical_xyz[:, 2] * size / 15
        xyz[468:473, :2] = xyz[[33, 133], :2].mean(axis=0)
        xyz[473:478, :2] = xyz[[263, 362], :2].mean(axis=0)
        out.append(xyz)
    return Faces(np.stack(out), ids=np.arange(len(out)))


def finder(count: int = 1, eye: float = 60.0):
    """A fake still-photo face finder that finds ``count`` faces in any photo."""
    calls = []

    def find(image: np.ndarray) -> Faces:
        calls.append(image.shape)
        h, w = image.shape[:2]
        if count == 0:
            return Faces.empty()
        size = eye * 2.4
        return mesh_faces([(w / 2 + k * size, h / 2) for k in range(count)], size)

    find.calls = calls
    return find


def swap_folder(tmp_path: Path, body: str, photos=("a.jpg", "b.jpg")) -> Path:
    folder = tmp_path / "myswap"
    folder.mkdir()
    for name in photos:
        face_photo(folder / name)
    (folder / "filter.toml").write_text(
        f'name = "Mine"\n\n[[layers]]\nkind = "swap"\n{body}', encoding="utf-8"
    )
    return folder


def test_a_swap_filter_is_a_deepfake_and_others_are_not() -> None:
    catalog = Catalog()
    assert catalog.load("swap").deepfake
    assert catalog.load("face-trade").deepfake
    for other in ("dog", "anonymize", "face-paint", "crying"):
        assert not catalog.load(other).deepfake


def test_prepare_finds_each_photo_and_cycles_them(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg", "b.jpg"]\n'))
    find = finder()
    assert f.prepare(find) == []
    effect = f.layers[0].effect
    assert isinstance(effect, SwapEffect)
    assert len(find.calls) == 2 and len(effect.sources) == 2
    assert effect.current == 0
    assert f.next_face() and effect.current == 1
    assert f.next_face() and effect.current == 0
    # The user's photo goes first; a folder's photos without one face are left out.
    user = np.zeros((300, 300, 3), np.uint8)
    skipped = f.prepare(finder(), user, [("group.jpg", user)])
    assert skipped == [] and len(effect.sources) == 4


@pytest.mark.parametrize(
    ("count", "message"),
    [(0, "no face found in the photo 'b.jpg'"), (2, "2 faces in the photo 'b.jpg'")],
)
def test_a_photo_without_exactly_one_face_is_a_clear_error(tmp_path, count, message) -> None:
    folder = swap_folder(tmp_path, 'faces = ["b.jpg"]\n')
    f = load_filter(folder)
    with pytest.raises(FilterError) as e:
        f.prepare(finder(count))
    assert message in str(e.value)
    assert str(folder / "filter.toml") in str(e.value)
    assert "\n" not in str(e.value)


def test_folder_photos_without_one_face_are_skipped_not_fatal(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg"]\n'))
    photo = np.zeros((100, 100, 3), np.uint8)
    calls = iter([1, 0, 2, 1])

    def find(image):
        n = next(calls)
        return (
            make_faces(n, center_xy=(50, 50), eye_distance=30, spacing=1.2) if n else Faces.empty()
        )

    assert f.prepare(find, None, [("empty.jpg", photo), ("two.jpg", photo), ("ok.jpg", photo)]) == [
        "empty.jpg",
        "two.jpg",
    ]
    assert len(f.layers[0].effect.sources) == 2


def test_a_tiny_source_face_is_a_filter_error_in_the_users_language(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg"]\n'))
    with pytest.raises(FilterError) as e:
        f.prepare(finder(eye=3.0))
    assert re.search(
        r"the face in the photo 'a.jpg' is too small to swap \(\d\.\d pixels", str(e.value)
    )
    dutch = str(e.value.translated(Messages("nl")))
    assert re.search(
        r"het gezicht op de foto 'a.jpg' is te klein om te ruilen \(\d,\d pixels", dutch
    )
    assert dutch.startswith(str(tmp_path / "myswap" / "filter.toml"))


def test_every_picture_of_a_deepfake_is_labelled_even_without_faces(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg"]\n'))
    f.prepare(finder())
    grey = np.full((H, W, 3), 128, np.uint8)
    for faces in (Faces.empty(), make_faces(1, center_xy=(320, 240), eye_distance=80)):
        frame = grey.copy()
        f.apply(frame, faces, t=0.0)
        corner = np.abs(frame[H // 2 :, : W // 2].astype(int) - 128).max(axis=2) > 40
        assert corner.sum() > 500, "no label in the bottom-left corner"
    # The words follow the language; there is always one.
    english, dutch = grey.copy(), grey.copy()
    f.apply(english, Faces.empty(), 0.0)
    f.labelled("NEP").apply(dutch, Faces.empty(), 0.0)
    assert not np.array_equal(english, dutch)
    assert f.labelled("  ").label == "DEEPFAKE"
    # A filter that swaps nothing is never labelled.
    plain = grey.copy()
    Catalog().load("glasses").apply(plain, Faces.empty(), 0.0)
    assert np.array_equal(plain, grey)


def test_the_swap_changes_the_face(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg"]\n'))
    f.prepare(finder(eye=70.0))
    rng = np.random.default_rng(5)
    frame = rng.integers(0, 60, (H, W, 3), dtype=np.uint8)
    before = frame.copy()
    faces = mesh_faces([(320, 200)], 200)
    f.apply(frame, faces, t=0.0)
    # Around the nose, the picture is the source photo's noise, not the frame's.
    x, y = faces.xy[0, 1].astype(int)
    patch = np.s_[y - 20 : y + 20, x - 20 : x + 20]
    assert np.abs(frame[patch].astype(int) - before[patch]).mean() > 12
    # Far from the face, nothing changed (the label is bottom-left).
    assert np.array_equal(frame[:60, 500:], before[:60, 500:])


def test_an_unprepared_swap_refuses_to_draw(tmp_path) -> None:
    f = load_filter(swap_folder(tmp_path, 'faces = ["a.jpg"]\n'))
    with pytest.raises(FilterError, match="not prepared"):
        f.apply(np.zeros((H, W, 3), np.uint8), make_faces(1), t=0.0)


def test_trade_needs_no_photo_and_exchanges_two_faces() -> None:
    f = Catalog().load("face-trade")
    assert f.prepare(finder()) == []
    frame = np.full((H, W, 3), 128, np.uint8)
    yy, xx = np.mgrid[:H, : W // 2]
    frame[:, : W // 2] = (((yy // 3 + xx // 3) % 2) * 200 + 20)[..., None]  # a checker
    faces = mesh_faces([(160, 240), (480, 240)], 200)
    order = np.argsort(faces.xy[:, 1, 0])
    f.apply(frame, faces, t=0.0)

    def busy(i: int) -> float:
        x, y = faces.xy[i, 1].astype(int)
        return float(frame[y - 8 : y + 8, x - 8 : x + 8].std())

    # The checkered face is now plain, and the plain one checkered.
    assert busy(order[0]) < 20
    assert busy(order[1]) > 20


def test_filter_without_swap_ignores_prepare_and_next_face() -> None:
    dog = Catalog().load("dog")
    assert dog.prepare(finder()) == []
    assert dog.next_face() is False
    assert isinstance(dog, Filter)


def blobs(seed: int, shape_hw=(240, 200)) -> np.ndarray:
    """Smooth random shading, different for each seed: ndarray (H, W, 3), uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (shape_hw[0] // 10, shape_hw[1] // 10, 3), dtype=np.uint8)
    return cv2.resize(small, shape_hw[::-1], interpolation=cv2.INTER_CUBIC)


@pytest.mark.parametrize("current", [0, 1])
def test_a_face_never_gets_its_own_photo_as_the_source(tmp_path, current) -> None:
    folder = swap_folder(
        tmp_path, 'faces = ["a.png", "b.png"]\nkeep_eyes = false\nkeep_mouth = false\n', photos=()
    )
    photos = [blobs(1), blobs(2)]
    for name, photo in zip(("a.png", "b.png"), photos):
        assert cv2.imwrite(str(folder / name), photo)
    f = load_filter(folder)
    find = finder(eye=40.0)
    f.prepare(find)
    effect = f.layers[0].effect
    effect.current = current
    nose = np.s_[110:130, 90:110]  # around the fake face's middle

    def swapped(frame: np.ndarray, face_id: int) -> np.ndarray:
        faces = find(frame)
        faces = Faces(faces.landmarks, ids=np.array([face_id]))
        return f.apply(frame.copy(), faces, t=0.0)[nose].astype(int)

    def closest(patch: np.ndarray) -> int:
        return int(np.argmin([np.abs(patch - p[nose]).mean() for p in photos]))

    # Each photo, seen in a frame, gets the other one's face; a stranger gets the current.
    assert closest(swapped(photos[0], 1)) == 1
    assert closest(swapped(photos[1], 2)) == 0
    assert closest(swapped(blobs(3), 3)) == current
    # Untracked faces (id -1) share no memory: each is judged on its own.
    assert closest(swapped(photos[current], -1)) == 1 - current
    assert closest(swapped(blobs(3), -1)) == current
