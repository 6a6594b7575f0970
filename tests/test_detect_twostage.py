"""The two-stage face finder with fake models: tiles, merging, crops, following, scans.

The fakes see "faces" drawn as white discs on a dark picture. The fake box detector, like
BlazeFace, shrinks the picture it is given to a fixed input size and misses discs that
become too small there, so only tiles find the small ones; the fake landmarker puts a
synthetic face (tests/builders.py) on every disc it sees in a crop. What the detector
reports can then be compared with where the discs are.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from facefilters.detect.base import FaceBoxes
from facefilters.detect.scan import (
    CROP_PX,
    box_iou,
    merge_boxes,
    nearest_to_centre,
    square_crop,
    tiles_xyxy,
)
from facefilters.detect.twostage import (
    FAR,
    FAR_EVERY,
    NEAR,
    NEAR_EVERY,
    TILES,
    TwoStageDetector,
)
from facefilters.faces import Faces

from builders import make_faces

EYE_PER_RADIUS = 0.8
"""A disc of radius r stands for a face with eye distance 0.8 r."""


def discs(size_wh, centres_xy, radii) -> np.ndarray:
    w, h = size_wh
    image = np.full((h, w, 3), 20, np.uint8)
    for (x, y), r in zip(centres_xy, radii):
        cv2.circle(image, (round(x), round(y)), round(r), (255, 255, 255), -1, cv2.LINE_AA)
    return image


def blobs(image: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Centre and radius of each disc in a picture."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    n, _, stats, centres = cv2.connectedComponentsWithStats((grey > 128).astype(np.uint8))
    return [(centres[k], float(np.sqrt(stats[k, cv2.CC_STAT_AREA] / np.pi))) for k in range(1, n)]


class FakeBoxes:
    """Sees discs whose radius is at least ``reach`` of the picture's long side."""

    def __init__(self, reach: float) -> None:
        self.reach = reach
        self.calls: list[tuple[int, int]] = []
        self.threads: set[str] = set()

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> FaceBoxes:
        self.calls.append(frame.shape[1::-1])
        self.threads.add(threading.current_thread().name)
        found = [(c, r) for c, r in blobs(frame) if r >= self.reach * max(frame.shape[:2])]
        xyxy = np.array(
            [[c[0] - r, c[1] - r, c[0] + r, c[1] + r] for c, r in found], np.float32
        ).reshape(-1, 4)
        return FaceBoxes(xyxy, np.full(len(found), 0.9, np.float32))


class FakeLandmarker:
    """Puts a synthetic face on every disc it sees whole in the picture."""

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> Faces:
        self.calls += 1
        h, w = frame.shape[:2]
        found = [(c, r) for c, r in blobs(frame) if r <= c[0] <= w - r and r <= c[1] <= h - r]
        if not found:
            return Faces.empty()
        centres = np.array([c for c, _ in found])
        return make_faces(
            len(found), center_xy=centres, eye_distance=[EYE_PER_RADIUS * r for _, r in found]
        )


def two_stage(**kwargs) -> TwoStageDetector:
    return TwoStageDetector(FakeBoxes(0.06), FakeBoxes(0.03), FakeLandmarker, **kwargs)


def eyes_mid(faces: Faces) -> np.ndarray:
    return faces.landmarks[:, [468, 473], :2].mean(axis=1)


# -- the geometry ------------------------------------------------------------------------


@pytest.mark.parametrize("size_wh", [(1920, 1080), (1280, 720), (640, 480), (500, 900), (300, 300)])
def test_tiles_cover_the_picture_and_hold_every_small_face_whole(size_wh) -> None:
    tiles = tiles_xyxy(size_wh)
    w, h = size_wh
    side = (max(w, h) + 1) // 2
    assert (tiles[:, 2] - tiles[:, 0] <= side).all() and (tiles[:, 3] - tiles[:, 1] <= side).all()
    assert tiles[:, :2].min() == 0 and tiles[:, 2].max() == w and tiles[:, 3].max() == h
    # Any square up to a quarter of the long side lies wholly inside some tile.
    rng = np.random.default_rng(0)
    for _ in range(300):
        s = rng.uniform(1, max(w, h) / 4)
        x, y = rng.uniform(0, w - s), rng.uniform(0, h - s)
        inside = (
            (tiles[:, 0] <= x)
            & (tiles[:, 1] <= y)
            & (tiles[:, 2] >= x + s)
            & (tiles[:, 3] >= y + s)
        )
        assert inside.any(), (x, y, s)


def test_small_pictures_are_not_tiled() -> None:
    assert tiles_xyxy((200, 150)).shape == (0, 4)


def test_merging_keeps_the_best_of_overlapping_and_contained_boxes() -> None:
    boxes = np.array(
        [
            [0, 0, 100, 100],
            [5, 5, 105, 105],  # the same face twice
            [10, 10, 60, 60],  # half of it, from a tile
            [300, 300, 340, 340],
        ],
        np.float32,
    )  # another face
    keep = merge_boxes(boxes, np.array([0.8, 0.9, 0.7, 0.5]))
    assert sorted(keep.tolist()) == [1, 3]
    assert box_iou(boxes[:1], boxes[3:]).item() == 0.0


def test_a_square_crop_maps_back_to_the_picture_even_past_its_edge() -> None:
    frame = np.random.default_rng(1).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    crop = square_crop(frame, np.array([10.0, 190.0]), 80.0)
    assert crop.image.shape == (CROP_PX, CROP_PX, 3)
    # The crop's centre is the asked-for point, and points map back exactly.
    back = crop.to_picture(np.array([[*crop.centre_xy, 0.0], [0.0, 0.0, CROP_PX / 2]]))
    assert np.allclose(back[0, :2], (10, 190), atol=1e-4)
    assert np.allclose(back[1], (-30, 150, 40), atol=1e-4)  # z scaled like x
    # Outside the picture the edge is repeated, not black.
    assert crop.image[-1, 0].tolist() == frame[-1, 0].tolist()


def test_nearest_to_centre() -> None:
    faces = make_faces(3, center_xy=np.array([[20, 20], [128, 120], [240, 128]]), eye_distance=20)
    assert nearest_to_centre(faces.landmarks, np.array([128.0, 128.0])) == 1
    assert nearest_to_centre(Faces.empty().landmarks, np.array([0.0, 0.0])) == -1


# -- photos ----------------------------------------------------------------------------


def test_a_photo_gets_every_face_near_and_far() -> None:
    centres = [(300, 300), (900, 200), (1500, 700), (400, 900), (1700, 150)]
    # The far detector sees radii from 3 % of the long side (58 px) on the whole picture,
    # from 29 px on a tile: the last three only on tiles.
    radii = [120, 60, 45, 35, 30]
    frame = discs((1920, 1080), centres, radii)
    with two_stage(static_image_mode=True) as detector:
        faces = detector.detect(frame, 0.0)
        assert len(faces) == 5
        # Largest first, each where its disc is, at its size.
        order = np.argsort(radii)[::-1]
        assert np.allclose(eyes_mid(faces), np.array(centres, float)[order], atol=1.5)
        eye = np.hypot(*(faces.landmarks[:, 473, :2] - faces.landmarks[:, 468, :2]).T)
        assert np.allclose(eye, EYE_PER_RADIUS * np.array(radii, float)[order], rtol=0.05)
    # Without tiles, the far-reaching detector alone misses the small ones.
    far_only = FakeBoxes(0.03)
    assert len(far_only.detect(frame)) < 5


def test_max_faces_keeps_the_largest() -> None:
    frame = discs((1280, 720), [(200, 200), (700, 300), (1100, 500)], [60, 100, 40])
    with two_stage(static_image_mode=True, max_faces=2) as detector:
        faces = detector.detect(frame, 0.0)
    assert np.allclose(eyes_mid(faces), [(700, 300), (200, 200)], atol=1.5)


def test_a_box_without_a_face_in_its_crop_is_dropped() -> None:
    class Liar(FakeBoxes):
        def detect(self, frame, t_s=0.0):
            found = super().detect(frame, t_s)
            ghost = np.array([[600, 100, 660, 160]], np.float32)  # wallpaper
            return FaceBoxes(
                np.vstack([found.xyxy, ghost]), np.append(found.confidence, 0.95).astype(np.float32)
            )

    frame = discs((1280, 720), [(300, 400)], [80])
    detector = TwoStageDetector(Liar(0.06), FakeBoxes(0.03), FakeLandmarker, static_image_mode=True)
    assert len(detector.detect(frame, 0.0)) == 1


def test_a_crop_does_not_latch_onto_a_neighbour() -> None:
    # Two faces close together: each crop sees both, and keeps the one at its centre.
    frame = discs((800, 600), [(380, 300), (470, 300)], [40, 40])
    with two_stage(static_image_mode=True) as detector:
        faces = detector.detect(frame, 0.0)
    assert len(faces) == 2
    assert sorted(eyes_mid(faces)[:, 0].round().tolist()) == [380, 470]


# -- video -----------------------------------------------------------------------------


def test_video_follows_each_face_on_its_crop_and_scans_on_a_schedule() -> None:
    detector = two_stage(static_image_mode=False)
    near, far = detector.near, detector.far
    positions = []
    n = 2 * FAR_EVERY
    assert FAR_EVERY % NEAR_EVERY == 0
    for k in range(n):
        frame = discs((1280, 720), [(300 + 5 * k, 300)], [60])
        faces = detector.detect(frame, k / 30)
        positions.append(eyes_mid(faces)[0, 0] if len(faces) else None)
    # Reported from its second frame on (confirmed), then wherever it goes.
    assert positions[0] is None
    assert np.allclose(positions[1:], [300 + 5 * k for k in range(1, n)], atol=1.5)
    assert len(near.calls) == n // NEAR_EVERY  # frames 0, NEAR_EVERY, 2 NEAR_EVERY...
    whole_far = [c for c in far.calls if c == (1280, 720)]
    tiles = [c for c in far.calls if c != (1280, 720)]
    assert len(whole_far) == 2  # frames 0 and FAR_EVERY
    assert len(tiles) == len(tiles_xyxy((1280, 720)))  # the first frame only


def test_a_face_that_walks_in_is_found_by_the_next_scan_and_one_lost_triggers_tiles() -> None:
    detector = two_stage(static_image_mode=False)
    frame = discs((1280, 720), [(300, 300)], [60])
    for k in range(NEAR_EVERY):
        detector.detect(frame, k / 30)
    k = NEAR_EVERY
    both = discs((1280, 720), [(300, 300), (900, 400)], [60, 90])
    # Found by the next near scan, here on the frame it walks in, shown from the next one.
    assert len(detector.detect(both, k / 30)) == 1
    assert len(detector.detect(both, (k + 1) / 30)) == 2
    tiles_before = len(detector.far.calls)
    gone = discs((1280, 720), [(900, 400)], [90])
    assert len(detector.detect(gone, (k + 2) / 30)) == 1
    detector.detect(gone, (k + 3) / 30)
    # The loss made the next scan a full one, tiles and all.
    assert len(detector.far.calls) - tiles_before == 1 + len(tiles_xyxy((1280, 720)))


def test_background_scan_runs_off_the_callers_thread() -> None:
    detector = two_stage(static_image_mode=False, background_scan=True)
    frame = discs((1280, 720), [(300, 300), (1000, 500)], [60, 30])
    counts = []
    try:
        for k in range(40):
            counts.append(len(detector.detect(frame, k / 30)))
            time.sleep(0.005)
    finally:
        detector.close()
    assert counts[0] == 0  # the first scan is not waited for
    assert counts[-1] == 2
    assert threading.current_thread().name not in detector.near.threads
    assert all(name.startswith("face scan") for name in detector.near.threads)


def test_scan_levels_choose_the_passes() -> None:
    detector = two_stage(static_image_mode=True)
    frame = discs((1280, 720), [(300, 300)], [60])
    for level, far_calls in ((NEAR, 0), (FAR, 1), (TILES, 1 + len(tiles_xyxy((1280, 720))))):
        detector.far.calls.clear()
        detector.scan(frame, level)
        assert len(detector.far.calls) == far_calls


def test_a_one_frame_ghost_never_shows_and_does_not_count_as_lost() -> None:
    detector = two_stage(static_image_mode=False)
    face = discs((1280, 720), [(300, 300)], [60])
    ghost = discs((1280, 720), [(300, 300), (900, 400)], [60, 90])
    counts = [
        len(detector.detect(frame, k / 30))
        for k, frame in enumerate([face, face, ghost, face, face, face])
    ]
    assert counts == [0, 1, 1, 1, 1, 1]
    # The ghost's going did not make a loss: no tiles after frame 0.
    assert len([c for c in detector.far.calls if c != (1280, 720)]) == len(tiles_xyxy((1280, 720)))


def test_each_followed_face_gets_a_follower_of_its_own_and_they_are_reused() -> None:
    made: list[FakeLandmarker] = []

    def follower() -> FakeLandmarker:
        made.append(FakeLandmarker())
        return made[-1]

    detector = TwoStageDetector(
        FakeBoxes(0.06), FakeBoxes(0.03), FakeLandmarker, static_image_mode=False, follower=follower
    )
    two = discs((1280, 720), [(300, 300), (900, 400)], [60, 90])
    one = discs((1280, 720), [(900, 400)], [90])
    other = discs((1280, 720), [(900, 400), (300, 500)], [90, 85])
    for k, frame in enumerate([two] * 4 + [one] * 3 + [other] * 4):
        faces = detector.detect(frame, k / 30)
    assert len(faces) == 2
    # Two at most at a time: the face that left handed its follower to the newcomer.
    assert len(made) == 2
    assert all(m.calls > 0 for m in made)
    # In video every crop goes to a follower: the still-photo landmarker is never made.
    assert detector.landmarker is None


def test_a_face_seen_in_one_crop_but_not_in_a_second_look_is_dropped() -> None:
    class Dreamer(FakeLandmarker):
        """Sees a face in the middle of every crop, whatever is there."""

        def detect(self, frame, t_s=0.0):
            self.calls += 1
            h, w = frame.shape[:2]
            return make_faces(1, center_xy=(w / 2, h / 2), eye_distance=w / 6)

    frame = discs((1280, 720), [(300, 300)], [60])
    detector = TwoStageDetector(FakeBoxes(0.06), FakeBoxes(0.03), Dreamer, static_image_mode=True)
    assert len(detector.detect(frame, 0.0)) == 0
    # The real thing passes both looks.
    assert len(two_stage(static_image_mode=True).detect(frame, 0.0)) == 1


def test_an_empty_view_is_scanned_whole_every_frame_and_tiled_now_and_then() -> None:
    detector = two_stage(static_image_mode=False, tiles_every=10)
    empty = discs((1280, 720), [], [])
    for k in range(25):
        assert len(detector.detect(empty, k / 30)) == 0
    whole = [c for c in detector.far.calls if c == (1280, 720)]
    tiles = [c for c in detector.far.calls if c != (1280, 720)]
    assert len(whole) == 25  # near and far on every frame: a newcomer is found at once
    assert len(tiles) == 3 * len(tiles_xyxy((1280, 720)))  # frames 0, 10 and 20
