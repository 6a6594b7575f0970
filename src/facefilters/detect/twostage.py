"""Every face, near or far: a face detector first, then landmarks on a crop of each face.

One landmark model on the whole picture sees only faces that fill a good part of it: a
group photo, a street, a teacher two metres from the laptop get nothing. So finding faces
is two stages, as in MediaPipe's own graphs, but with more reach:

1. **Scan** (:meth:`TwoStageDetector.scan`): the face detectors (BlazeFace short- and
   full-range) on the whole picture, and the full-range one again on overlapping tiles
   (:func:`.scan.tiles_xyxy`), so faces down to about 2.5 % of the picture's long side
   are found. Overlapping boxes from the passes are merged.
2. **Landmarks**: each box is cut out as a padded square (:func:`.scan.square_crop`)
   scaled to 256 pixels, the 478-point model runs on it, and the face nearest the
   crop's centre is kept (a crop must not latch onto a neighbour) and mapped back into
   the picture. A box in which the landmark model finds no face is dropped: the second
   model is the first one's check, which keeps detections on hair, ears or wallpaper
   out.

For video (``static_image_mode=False``) each face found is followed on its own crop,
placed from its landmarks in the previous frame. Every :data:`NEAR_EVERY` frames the
picture is scanned for new faces with the short-range detector; the full-range one joins
every :data:`FAR_EVERY` frames, and the tiles on the first frame, after a face is lost
and every :data:`TILES_EVERY` frames. With ``background_scan=True`` (the live window)
the scan runs on a worker thread and its faces join a frame or two later, so the display
never waits for it.

The models are injected (:class:`~.base.BoxDetector`, :class:`~.base.Detector`), so this
module imports no MediaPipe and runs in tests with fakes; :func:`facemesh_two_stage`
builds it from the legacy MediaPipe backend.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..faces import Faces
from .base import BoxDetector, Detector, FaceBoxes
from .scan import (
    Crop,
    box_iou,
    boxes_of,
    landmark_box,
    nearest_to_centre,
    square_crop,
    tile_passes,
)

NEAR, FAR, TILES = 0, 1, 2
"""How far a scan looks: the short-range detector on the whole picture (``NEAR``), also
the full-range one (``FAR``), also the full-range one on tiles (``TILES``)."""
NEAR_EVERY = 4
"""In video, frames between scans with the short-range detector: a face that walks in
gets its filter four to eight frames (a quarter of a second) later, as it must be found
twice (see :data:`CONFIRM_FRAMES`). Scanning every other frame cost ``apply --filter
dog`` a tenth of its speed on 2 cores (53 against 60 fps), for faces found 0.1 s sooner."""
FAR_EVERY = 12
"""In video, frames between scans with the full-range detector on the whole picture."""
TILES_EVERY = 60
"""In video, frames between scans that include the tiles (two seconds at 30 fps): far
faces seldom appear from nowhere, and the tiles cost five times the whole picture."""
BOX_CROP = 2.2
"""Crop side around a detector box, in box sides: the whole head and some shoulder."""
LANDMARK_CROP = 1.7
"""Crop side around the previous frame's landmarks, in landmark-box sides."""
MIN_FACE_PX = 8.0
"""Faces whose landmark box is smaller than this, in picture pixels, are not kept."""
SAME_FACE_IOU = 0.4
"""Landmark boxes overlapping more than this are one face found twice."""
MAX_CENTRE_OFFSET = 0.35
"""A crop's face must have its centre within this share of the crop's side from the
crop's centre; otherwise it is a neighbour, found better by its own crop."""
HOLD_MOVE = 0.06
HOLD_RESIZE = 0.08
"""A followed face's crop stays where it was until the face moves by more than
``HOLD_MOVE`` of the crop's side or its size changes by more than ``HOLD_RESIZE``.
Moving the crop with every frame's jittering landmarks feeds the jitter back (a
different crop, a slightly different answer): held still, a still face's nose tip
jitters 0.24 px instead of 0.42 (eye distance 60 px, noise sigma 3)."""


SECOND_LOOK_CROP = 1.7
"""The second look's crop side, in detector-box sides."""
SECOND_LOOK_TOLERANCE = 0.1
"""A new face is looked at twice, in its crop and in a tighter one shifted off-centre;
the two sets of landmarks must agree within this many eye distances (median). Real faces
agree within 0.02 (48 faces of tuning scenes: Hopper's, seed 12345); a uniform's button
that passed for a far face gave no face at all the second time."""

TASKS_TILES = (0.5, 0.25)
"""The Tasks backend's tilings: its only detector is the short-range one (128 px input),
which needs a far face to fill twice the share of its picture the full-range one does,
so quarter tiles join the half ones."""

CONFIRM_FRAMES = 2
"""In video, a new face is reported once it has been found in this many frames in a
row (by the scan, then by its own crop): a detection on hair, an ear or the wallpaper
that lasts one frame never gets a filter."""


@dataclass(frozen=True)
class _Track:
    """A face followed from frame to frame: its last landmarks, the crop it had, and in
    how many frames in a row it has been found."""

    xyz: np.ndarray
    centre_xy: np.ndarray
    side: float
    seen: int = 1
    follower: Detector | None = None
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)
    """The model's per-face extras, each of shape (1, ...) (the Tasks blendshapes)."""

    def next_crop(self) -> tuple[np.ndarray, float]:
        """Where to look for the face in the next frame: the held crop, or a new one."""
        box = landmark_box(self.xyz)
        centre = (box[:2] + box[2:]) / 2
        side = LANDMARK_CROP * max(box[2] - box[0], box[3] - box[1], 1.0)
        if (
            np.hypot(*(centre - self.centre_xy)) < HOLD_MOVE * self.side
            and abs(side / self.side - 1) < HOLD_RESIZE
        ):
            return self.centre_xy, self.side
        return centre, side


class TwoStageDetector:
    """Finds faces with a scan and follows each on its own crop (see the module docstring).

    Implements the :class:`~.base.Detector` contract: ``detect(frame, t_s) -> Faces``.

    Args:
        near: the short-range box detector (faces within about 2 m).
        far: the full-range box detector (up to 5 m), also run on tiles.
        landmarker: makes the still-photo landmark detector, run on each crop of a
            photo and on the second looks; made when first needed.
        static_image_mode: True for unrelated photos (full scan every time); False for
            the frames of a video.
        max_faces: the most faces reported (the largest first); None for no limit.
        far_every: in video, frames between scans with ``far`` on the whole picture.
        tiles_every: in video, frames between scans that include the tiles.
        background_scan: in video, scan on a worker thread (the live window).
        follower: makes a video-mode landmark detector for one face; each face followed
            gets its own, which tracks the face from frame to frame inside its crop and
            so skips the detection a still-photo landmarker repeats every time (a third
            less work per face). None follows with ``landmarker``.
        tile_fractions: the tilings of a ``TILES`` scan, as tile sides in shares of the
            picture's long side. With one box detector (``far is near``), the first
            tiling is also the ``FAR`` scan.
    """

    def __init__(
        self,
        near: BoxDetector,
        far: BoxDetector,
        landmarker: Callable[[], Detector],
        *,
        static_image_mode: bool,
        max_faces: int | None = None,
        far_every: int = FAR_EVERY,
        tiles_every: int = TILES_EVERY,
        background_scan: bool = False,
        follower: Callable[[], Detector] | None = None,
        tile_fractions: tuple[float, ...] = (0.5,),
    ) -> None:
        self.near = near
        self.far = far
        self.make_landmarker = landmarker
        self.landmarker: Detector | None = None
        self.make_follower = follower
        self._idle: list[Detector] = []
        self._followers: list[Detector] = []
        self.static_image_mode = static_image_mode
        self.max_faces = max_faces
        self.far_every = max(1, int(far_every))
        self.tile_fractions = tuple(tile_fractions)
        self.tiles_every = max(1, int(tiles_every))
        self._tracks: list[_Track] = []
        self._since_near = 0
        self._since_far = 0
        self._since_tiles = 0
        self._lost = False
        self._pending: Future[FaceBoxes] | None = None
        self.background_scan = background_scan and not static_image_mode
        self._worker = (
            None if static_image_mode else ThreadPoolExecutor(1, thread_name_prefix="face scan")
        )
        self._scan_lock = threading.Lock()
        self.scans = 0
        """How many scans have run (for tests and benchmarks)."""

    # -- stage 1 ------------------------------------------------------------------------

    def scan(self, frame: np.ndarray, level: int = TILES) -> FaceBoxes:
        """Boxes of the faces the detectors find, merged.

        Args:
            frame: ndarray (H, W, 3), uint8, BGR.
            level: ``NEAR``, ``FAR`` or ``TILES`` (see their docs): how far to look.
        """
        with self._scan_lock:
            passes = [(self.near, frame, (0, 0))]
            # A backend with one detector only (Tasks) reaches far faces by tiles alone:
            # its far look is the first tiling, and the tiles look closer still.
            one_model = self.far is self.near
            if level >= FAR and not one_model:
                passes.append((self.far, frame, (0, 0)))
            fractions = (
                self.tile_fractions
                if level >= TILES
                else self.tile_fractions[:1]
                if level >= FAR and one_model
                else ()
            )
            passes += [
                tile for fraction in fractions for tile in tile_passes(self.far, frame, fraction)
            ]
            found = boxes_of(passes)
            self.scans += 1
        return found

    # -- stage 2 ------------------------------------------------------------------------

    def face_in(
        self,
        frame: np.ndarray,
        centre_xy: np.ndarray,
        side: float,
        model: Detector | None = None,
        t_s: float = 0.0,
    ) -> Faces | None:
        """The face in a square crop, with the model's extras (blendshapes); None if
        there is none.

        Args:
            frame: ndarray (H, W, 3), uint8, BGR.
            centre_xy: ndarray (2,), float: the crop's centre in the picture.
            side: the crop's side in picture pixels.
            model: the landmark detector to use; ``landmarker`` by default.
            t_s: the frame's time (a video-mode model tracks on it).

        Returns:
            One face, its landmarks in picture pixels; or None.
        """
        crop: Crop = square_crop(frame, centre_xy, side)
        found = (model or self._still()).detect(crop.image, t_s)
        k = nearest_to_centre(found.landmarks, crop.centre_xy)
        if k < 0:
            return None
        xyz = found.landmarks[k]
        centre = (xyz[:, :2].min(axis=0) + xyz[:, :2].max(axis=0)) / 2
        if np.hypot(*(centre - crop.centre_xy)) > MAX_CENTRE_OFFSET * crop.image.shape[0]:
            return None
        return found[k].with_landmarks(crop.to_picture(xyz)[None])

    def landmarks_in(
        self,
        frame: np.ndarray,
        centre_xy: np.ndarray,
        side: float,
        model: Detector | None = None,
        t_s: float = 0.0,
    ) -> np.ndarray | None:
        """The landmarks of the face in a square crop (see :meth:`face_in`): ndarray
        (478, 3), float32, in picture pixels; or None."""
        face = self.face_in(frame, centre_xy, side, model, t_s)
        return None if face is None else face.landmarks[0]

    # -- the contract -------------------------------------------------------------------

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> Faces:
        """Landmarks of every face in the frame, untracked (ids -1), largest first."""
        if self.static_image_mode:
            return self._finish(self._from_boxes(frame, self.scan(frame), []))[0]
        self._since_near += 1
        self._since_far += 1
        self._since_tiles += 1
        # With nobody in view, the whole picture is scanned near and far on every frame
        # (someone walking in is found at once) and the tiles keep their own pace, so an
        # empty room does not keep a core busy with tiles.
        first = self.scans == 0 and self._pending is None
        level = (
            TILES
            if first or self._lost or self._since_tiles >= self.tiles_every
            else FAR
            if not self._tracks or self._since_far >= self.far_every
            else NEAR
            if self._since_near >= NEAR_EVERY
            else None
        )
        # The scan runs on its own thread while this one follows the known faces: the
        # models wait in native code, so the two overlap on two cores.
        scan = self._start_scan(frame, level)
        found = []
        for track in self._tracks:
            centre, side = track.next_crop()
            follower = track.follower or self._follower()
            face = self.face_in(frame, centre, side, follower, t_s)
            if face is None:
                self._lost = self._lost or track.seen >= CONFIRM_FRAMES
                self._release(follower)
            else:
                found.append(
                    _Track(face.landmarks[0], centre, side, track.seen + 1, follower, face.extras)
                )
        boxes = self._scan_result(scan)
        if boxes is not None:
            found = self._from_boxes(frame, boxes, found, t_s)
        faces, self._tracks = self._finish(found, CONFIRM_FRAMES)
        kept = {id(t.follower) for t in self._tracks}
        for track in found:
            if track.follower is not None and id(track.follower) not in kept:
                self._release(track.follower)
        return faces

    def _still(self) -> Detector:
        """The still-photo landmarker, made when first needed (video with followers
        never needs it)."""
        if self.landmarker is None:
            self.landmarker = self.make_landmarker()
        return self.landmarker

    def _follower(self) -> Detector | None:
        """A video-mode landmarker for a face to follow: an idle one, or a new one."""
        if self.make_follower is None:
            return None
        if self._idle:
            return self._idle.pop()
        follower = self.make_follower()
        self._followers.append(follower)
        return follower

    def _release(self, follower: Detector | None) -> None:
        # An idle follower still holds its last face; the next face it gets sits in the
        # middle of its crop too, so it finds its feet within a frame.
        if follower is not None and all(f is not follower for f in self._idle):
            self._idle.append(follower)

    def _start_scan(self, frame: np.ndarray, level: int | None) -> Future[FaceBoxes] | None:
        """Start a scan of this frame on the worker, if one is due and none is running."""
        if self._pending is not None or level is None:
            return None  # none due, or a background scan of an earlier frame not done
        self._since_near = 0
        if level >= FAR:
            self._since_far = 0
        if level >= TILES:
            self._since_tiles = 0
            self._lost = False
        picture = frame.copy() if self.background_scan else frame
        assert self._worker is not None  # video mode, the only one that scans on it
        self._pending = self._worker.submit(self.scan, picture, level)
        return self._pending

    def _scan_result(self, started: Future[FaceBoxes] | None) -> FaceBoxes | None:
        """The boxes of the scan to use for this frame, if any.

        For a video file, the scan of this very frame (waited for, so the result does not
        depend on timing). In the background, whatever scan has finished: one of an
        earlier frame, whose boxes are only where to look, as the crops around them are
        cut from this frame.
        """
        pending = self._pending
        if pending is None or (self.background_scan and not pending.done()):
            return None
        self._pending = None
        return pending.result()

    def _from_boxes(
        self, frame: np.ndarray, boxes: FaceBoxes, found: list[_Track], t_s: float = 0.0
    ) -> list[_Track]:
        """``found`` and the faces in those boxes that are not already in it."""
        out = list(found)
        known = np.array([landmark_box(t.xyz) for t in out]).reshape(-1, 4)
        for box in np.asarray(boxes.xyxy, np.float64):
            if len(known) and box_iou(box, known).max() > SAME_FACE_IOU / 2:
                continue  # a face already followed: its own crop found it
            centre = (box[:2] + box[2:]) / 2
            box_side = max(box[2] - box[0], box[3] - box[1], 1.0)
            side = BOX_CROP * box_side
            # In video the face's own follower takes the first look, and following it
            # in the next frame, from a crop of its own, is the second.
            follower = None if self.static_image_mode else self._follower()
            face = self.face_in(frame, centre, side, follower, t_s)
            xyz = None if face is None else face.landmarks[0]
            if (
                face is not None
                and xyz is not None
                and (follower is not None or self._second_look(frame, xyz, centre, box_side))
            ):
                out.append(_Track(xyz, centre, side, follower=follower, extras=face.extras))
                known = np.vstack([known, landmark_box(xyz)])
            else:
                self._release(follower)
        return out

    def _second_look(
        self, frame: np.ndarray, xyz: np.ndarray, centre_xy: np.ndarray, box_side: float
    ) -> bool:
        """Whether a tighter crop, shifted off-centre, finds the same face."""
        again = self.landmarks_in(frame, centre_xy + 0.1 * box_side, SECOND_LOOK_CROP * box_side)
        if again is None:
            return False
        eye = max(float(np.hypot(*(xyz[473, :2] - xyz[468, :2]))), 1.0)
        drift = float(np.median(np.hypot(*(again[:, :2] - xyz[:, :2]).T)))
        return drift <= SECOND_LOOK_TOLERANCE * eye

    def _finish(self, found: list[_Track], confirm: int = 1) -> tuple[Faces, list[_Track]]:
        """The faces to report (distinct, large enough, seen ``confirm`` times in a row,
        largest first, capped), and the tracks to follow (the same, unconfirmed too)."""
        kept: list[_Track] = []
        boxes: list[np.ndarray] = []
        for track in sorted(found, key=lambda t: -_size(t.xyz)):
            box = landmark_box(track.xyz)
            if _size(track.xyz) < MIN_FACE_PX or (
                boxes and box_iou(box, np.array(boxes)).max() > SAME_FACE_IOU
            ):
                continue
            kept.append(track)
            boxes.append(box)
        if self.max_faces is not None:
            kept = kept[: self.max_faces]
        shown = [t for t in kept if t.seen >= confirm]
        if not shown:
            return Faces.empty(), kept
        common = set.intersection(*(set(t.extras) for t in shown))
        extras = {k: np.concatenate([t.extras[k] for t in shown]) for k in sorted(common)}
        return Faces(np.stack([t.xyz for t in shown]), extras=extras), kept

    def close(self) -> None:
        """Stop the worker and close the models that can be closed."""
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
        models = (self.near, self.far, self.landmarker, *self._followers)
        for model in {id(m): m for m in models if m is not None}.values():
            close = getattr(model, "close", None)
            if close:
                close()

    def __enter__(self) -> TwoStageDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _size(xyz: np.ndarray) -> float:
    """The longer side of a face's landmark box, in pixels."""
    return float(np.ptp(np.asarray(xyz)[:, :2], axis=0).max())


def facemesh_two_stage(
    *, static_image_mode: bool, max_faces: int | None = None, background_scan: bool = False
) -> TwoStageDetector:
    """The two stages on the legacy MediaPipe backend: BlazeFace short- and full-range
    for the scan, FaceMesh on the crops (still-photo mode; video mode for the faces
    followed)."""
    from .facemesh import FaceBoxDetector, FaceMeshDetector

    return _on_crops(
        FaceBoxDetector(full_range=False),
        FaceBoxDetector(full_range=True),
        FaceMeshDetector,
        static_image_mode=static_image_mode,
        max_faces=max_faces,
        background_scan=background_scan,
    )


def tasks_two_stage(
    *, static_image_mode: bool, max_faces: int | None = None, background_scan: bool = False
) -> TwoStageDetector:
    """The two stages on the Tasks backend: the landmarker bundle's own face detector
    (short-range) on the whole picture and on tiles for the scan, the Tasks landmarker
    on the crops (IMAGE mode; VIDEO mode for the faces followed)."""
    from .tasks import TasksFaceBoxDetector, TasksLandmarker

    boxes = TasksFaceBoxDetector()
    return _on_crops(
        boxes,
        boxes,
        TasksLandmarker,
        static_image_mode=static_image_mode,
        max_faces=max_faces,
        background_scan=background_scan,
        tile_fractions=TASKS_TILES,
    )


def _on_crops(
    near: BoxDetector,
    far: BoxDetector,
    landmarker: Callable[..., Detector],
    *,
    static_image_mode: bool,
    max_faces: int | None,
    background_scan: bool,
    tile_fractions: tuple[float, ...] = (0.5,),
) -> TwoStageDetector:
    """A two-stage finder whose crops are read by ``landmarker(static_image_mode=...,
    max_faces=...)``: up to three faces a photo crop, one a followed crop."""

    def still() -> Detector:
        return landmarker(static_image_mode=True, max_faces=3)

    def follower() -> Detector:
        return landmarker(static_image_mode=False, max_faces=1)

    return TwoStageDetector(
        near,
        far,
        still,
        static_image_mode=static_image_mode,
        max_faces=max_faces,
        background_scan=background_scan,
        follower=follower,
        tile_fractions=tile_fractions,
    )
