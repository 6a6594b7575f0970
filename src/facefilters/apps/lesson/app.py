"""The lesson as a pipeline: fit the picture on a 16:9 canvas, then draw the current step."""

from __future__ import annotations

import random
import time
from typing import Callable

import cv2
import numpy as np

from ...catalog import Catalog
from ...detect.base import BoxDetector, Detector
from ...detect.scan import landmark_box
from ...detect.twostage import LANDMARK_CROP
from ...effects import Filter
from ...faces import Faces
from ...frames import Frame
from ...geometry import measure
from ...i18n import Messages
from ...io.sinks import WindowSink
from ...io.sources import FrameSource
from ...io.window import Window
from ...pipeline import Pipeline
from ...tracking import FaceTracker
from ..window_loop import window_frames
from .steps import (
    CANVAS_WH,
    LAYOUTS,
    STEPS,
    StepContext,
    band_height,
    fit_photo,
    picture_area,
    render_step,
)


class CanvasView:
    """The lesson's view: the picture fitted into the current step's area, mirrored for
    a camera.

    Detection runs on the picture alone (blurred bars beside it confuse FaceMesh: a wide
    open mouth read as nearly closed); this moves the landmarks onto the canvas.

    Attributes:
        area_xyxy: where the picture goes on the canvas (set by the lesson per step).
        plain: a plain dark background around the picture instead of a blurred copy.
        zoom: show only the part of the picture around the faces.
        photo: the last picture as fitted on the canvas, without the bars (mirrored when
            the view mirrors).
        offset_xy: the canvas ``xy`` of ``photo``'s top-left corner.
    """

    def __init__(self, size_wh: tuple[int, int] = CANVAS_WH, mirror: bool = False) -> None:
        self.size_wh = size_wh
        self.mirror = mirror
        self.area_xyxy: tuple[int, int, int, int] = (0, 0, *size_wh)
        self.plain = False
        self.zoom = False
        """Cut the picture down to the faces (two pictures side by side are small)."""
        self.photo: np.ndarray | None = None
        self.offset_xy = (0, 0)

    def __call__(self, image: np.ndarray, faces: Faces) -> tuple[np.ndarray, Faces]:
        if self.mirror:
            # Turned before it is fitted, so a picture beside a panel stays on its side.
            image = cv2.flip(image, 1)
            faces = faces.mirror(image.shape[1])
        if self.zoom and len(faces):
            x1, y1, x2, y2 = zoom_xyxy(faces.xyxy, (image.shape[0], image.shape[1]), self.area_xyxy)
            image = image[y1:y2, x1:x2]
            faces = faces.with_landmarks(faces.landmarks - np.array([x1, y1, 0], np.float32))
        canvas, fitted, (dx, dy) = fit_photo(image, self.size_wh, self.area_xyxy, plain=self.plain)
        self.photo, self.offset_xy = fitted, (dx, dy)
        if len(faces):
            scale = fitted.shape[1] / image.shape[1]
            landmarks = faces.landmarks * np.float32(scale)
            landmarks[..., :2] += (dx, dy)
            faces = faces.with_landmarks(landmarks)
        return canvas, faces

    @property
    def picture_xyxy(self) -> tuple[int, int, int, int]:
        """Where the last picture is on the canvas."""
        dx, dy = self.offset_xy
        h, w = self.photo.shape[:2] if self.photo is not None else (0, 0)
        return dx, dy, dx + w, dy + h

    def boxes_to_canvas(self, xyxy: np.ndarray) -> np.ndarray:
        """Boxes found on ``photo`` (ndarray of shape (n, 4)) placed on the last canvas."""
        dx, dy = self.offset_xy
        return xyxy + np.array([dx, dy, dx, dy], np.float32)


def zoom_xyxy(
    faces_xyxy: np.ndarray, image_hw: tuple[int, int], area_xyxy: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """The part of a picture that shows all its faces with hair and shoulders, as near
    the area's shape as the picture allows, never smaller than half its short side.

    Args:
        faces_xyxy: ndarray of shape (n, 4): the faces' landmark boxes.
        image_hw: the picture's height and width.
        area_xyxy: where the part will be shown (its shape is kept).

    Returns:
        ``x1, y1, x2, y2`` inside the picture.
    """
    h, w = image_hw
    x1, y1 = faces_xyxy[:, 0].min(), faces_xyxy[:, 1].min()
    x2, y2 = faces_xyxy[:, 2].max(), faces_xyxy[:, 3].max()
    face_h = float(np.max(faces_xyxy[:, 3] - faces_xyxy[:, 1]))
    # Hair above the brows, a chin and shoulders below, a little room at the sides.
    x1, x2 = x1 - 0.6 * face_h, x2 + 0.6 * face_h
    y1, y2 = y1 - 0.8 * face_h, y2 + 0.6 * face_h
    aspect = (area_xyxy[2] - area_xyxy[0]) / max(1, area_xyxy[3] - area_xyxy[1])
    # Every face stays in; then the part grows towards the area's shape as far as the
    # picture allows (a wide group in a narrow area keeps bars above and below).
    cw = min(w, max(x2 - x1, min(h, w) / 2))
    ch = min(h, max(y2 - y1, min(h, w) / 2))
    cw, ch = min(w, max(cw, ch * aspect)), min(h, max(ch, cw / aspect))
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    left = int(np.clip(cx - cw / 2, 0, w - cw))
    top = int(np.clip(cy - ch / 2, 0, h - ch))
    return left, top, left + int(cw), top + int(ch)


def crops_xyxy(faces: Faces) -> np.ndarray:
    """The square each face's landmarks are looked for in, in video (see ``detect.twostage``).

    Returns:
        ndarray of shape (n, 4), float32: ``x1, y1, x2, y2`` per face.
    """
    out = np.zeros((len(faces), 4), np.float32)
    for i in range(len(faces)):
        box = landmark_box(faces.landmarks[i])
        centre = (box[:2] + box[2:]) / 2
        half = LANDMARK_CROP * max(box[2] - box[0], box[3] - box[1], 1.0) / 2
        out[i] = (*(centre - half), *(centre + half))
    return out


class Lesson:
    """Draws the current lesson step; the pipeline's drawer in a lesson.

    Args:
        detector: landmarks (FaceMesh).
        box_detector: face boxes with confidence (for step 2).
        messages: captions.
        catalog: where the dog, crying and face-trade filters come from.
        mirror: show a mirror image (for a camera).
        smoothing: smooth landmarks over time (video); off for a single photo.
        t0_s: the animations' time zero, on the frames' clock.
        swap: the prepared face swap with a portrait (see ``apps.prepare.prepare_filter``),
            or None (then only two or more faces in view are swapped: they trade).
        rng: chooses the side of the fake in the "real or fake?" step.
    """

    def __init__(
        self,
        detector: Detector,
        box_detector: BoxDetector,
        messages: Messages,
        catalog: Catalog | None = None,
        *,
        mirror: bool = True,
        smoothing: bool = True,
        t0_s: float = 0.0,
        swap: Filter | None = None,
        rng: random.Random | None = None,
    ) -> None:
        catalog = catalog or Catalog()
        self.box_detector = box_detector
        self.messages = messages
        self.mirror = mirror
        self.dog = catalog.load("dog")
        self.dog_still = self.dog.without_triggered()
        self.crying = catalog.load("crying")
        self.trade = catalog.load("face-trade").labelled(messages("deepfake.label"))
        self.swap = swap
        self.fake_right = (rng or random.Random()).random() < 0.5
        self.band_y = CANVAS_WH[1] - band_height(messages)
        self.view = CanvasView(CANVAS_WH, mirror)
        self.pipeline = Pipeline(
            detector, FaceTracker(smoothing=smoothing), [self], view=self.view, t0_s=t0_s
        )
        self.last: StepContext | None = None
        """What the last picture was drawn from (the export asks whether it swapped)."""
        self.step = 0

    @property
    def step(self) -> int:
        """The current step, 0-based."""
        return self._step

    @step.setter
    def step(self, value: int) -> None:
        self._step = value
        self.view.area_xyxy = picture_area(value, self.band_y)
        self.view.plain = self.view.zoom = STEPS[value] in LAYOUTS

    def apply(self, canvas: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the current step and its caption on the canvas, in place."""
        boxes = np.zeros((0, 4), np.float32)
        confidence = np.zeros(0, np.float32)
        if STEPS[self.step] == "detector" and self.view.photo is not None:
            # On the photo alone, like the landmarks: the bars beside it change the result.
            found = self.box_detector.detect(self.view.photo, t)
            boxes, confidence = self.view.boxes_to_canvas(found.xyxy), found.confidence
        ctx = StepContext(
            faces,
            measure(faces),
            boxes,
            confidence,
            t,
            self.messages,
            self.dog,
            self.crying,
            self.dog_still,
            self.swap,
            self.trade,
            picture_xyxy=self.view.picture_xyxy,
            band_y=self.band_y,
            fake_right=self.fake_right,
            crop_xyxy=crops_xyxy(faces),
        )
        self.last = ctx
        return render_step(canvas, self.step, ctx)

    def render(self, image: np.ndarray, capture_s: float, t: float) -> np.ndarray:
        """The lesson picture for one frame.

        Args:
            image: ndarray of shape (H, W, 3), uint8, BGR, as captured.
            capture_s: capture time, for smoothing.
            t: animation time in seconds.

        Returns:
            ndarray of shape (720, 1280, 3), uint8, BGR.
        """
        faces = self.pipeline.analyse(Frame(0, capture_s, image))
        picture, _ = self.pipeline.draw(image, faces, t + self.pipeline.t0_s)
        return picture

    def handle_key(self, key: str, window: Window | None = None) -> bool:
        """Next/previous/jump/fullscreen/reveal; returns False to quit."""
        if key in ("q", "esc"):
            return False
        if key in ("right", "space", "n", "enter"):
            self.step = min(self.step + 1, len(STEPS) - 1)
        elif key in ("left", "p", "backspace"):
            self.step = max(self.step - 1, 0)
        elif key.isdigit() and 1 <= int(key) <= len(STEPS):
            self.step = int(key) - 1
        elif key == "r" and STEPS[self.step] == "guess":
            self.step += 1  # the answer is the next step
        elif key == "f" and window is not None:
            window.set_fullscreen(not getattr(window, "fullscreen", False))
        return True

    def run(
        self, source: FrameSource, window: Window, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Show the lesson until the user quits."""
        self.pipeline.t0_s = clock()
        self.pipeline.run(
            window_frames(source, window, lambda key: self.handle_key(key, window)),
            [WindowSink(window)],
        )
