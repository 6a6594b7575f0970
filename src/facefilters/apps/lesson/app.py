"""The lesson as a pipeline: fit the picture on a 16:9 canvas, then draw the current step."""

from __future__ import annotations

import time
from typing import Callable

import cv2
import numpy as np

from ...catalog import Catalog
from ...detect.base import BoxDetector, Detector
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
from .steps import CANVAS_WH, STEPS, StepContext, fit_photo, render_step


class CanvasView:
    """The lesson's view: the picture fitted on the canvas, mirrored for a camera.

    Detection runs on the picture alone (blurred bars beside it confuse FaceMesh: a wide
    open mouth read as nearly closed); this moves the landmarks onto the canvas.
    """

    def __init__(self, size_wh: tuple[int, int] = CANVAS_WH, mirror: bool = False) -> None:
        self.size_wh = size_wh
        self.mirror = mirror
        self.photo: np.ndarray | None = None
        """The last picture as fitted on the canvas, without the bars."""
        self.offset_xy = (0, 0)

    def __call__(self, image: np.ndarray, faces: Faces) -> tuple[np.ndarray, Faces]:
        canvas, fitted, (dx, dy) = fit_photo(image, self.size_wh)
        self.photo, self.offset_xy = fitted, (dx, dy)
        if len(faces):
            scale = fitted.shape[1] / image.shape[1]
            landmarks = faces.landmarks * np.float32(scale)
            landmarks[..., :2] += (dx, dy)
            faces = faces.with_landmarks(landmarks)
        if self.mirror:
            canvas = cv2.flip(canvas, 1)
            faces = faces.mirror(canvas.shape[1])
        return canvas, faces

    def boxes_to_canvas(self, xyxy: np.ndarray) -> np.ndarray:
        """Boxes found on ``photo`` (ndarray of shape (n, 4)) placed on the last canvas."""
        dx, dy = self.offset_xy
        boxes = xyxy + np.array([dx, dy, dx, dy], np.float32)
        if self.mirror:
            boxes[:, [0, 2]] = (self.size_wh[0] - 1) - boxes[:, [2, 0]]
        return boxes


class Lesson:
    """Draws the current lesson step; the pipeline's drawer in a lesson.

    Args:
        detector: landmarks (FaceMesh).
        box_detector: face boxes with confidence (for step 2).
        messages: captions.
        catalog: where the dog and tears filters come from.
        mirror: show a mirror image (for a camera).
        smoothing: smooth landmarks over time (video); off for a single photo.
        t0_s: the animations' time zero, on the frames' clock.
        swap: the prepared face swap for step 8 (see ``apps.prepare.prepare_filter``), or
            None for a flat stand-in mask.
    """

    def __init__(self, detector: Detector, box_detector: BoxDetector, messages: Messages,
                 catalog: Catalog | None = None, *, mirror: bool = True,
                 smoothing: bool = True, t0_s: float = 0.0,
                 swap: Filter | None = None) -> None:
        catalog = catalog or Catalog()
        self.box_detector = box_detector
        self.messages = messages
        self.mirror = mirror
        self.dog = catalog.load("dog")
        self.dog_still = self.dog.without_triggered()
        self.tears = catalog.load("tears")
        self.swap = swap
        self.step = 0
        self.view = CanvasView(CANVAS_WH, mirror)
        self.pipeline = Pipeline(detector, FaceTracker(smoothing=smoothing), [self],
                                 view=self.view, t0_s=t0_s)

    def apply(self, canvas: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the current step and its caption on the canvas, in place."""
        boxes = np.zeros((0, 4), np.float32)
        confidence = np.zeros(0, np.float32)
        if STEPS[self.step] == "detector" and self.view.photo is not None:
            # On the photo alone, like the landmarks: the bars beside it change the result.
            found = self.box_detector.detect(self.view.photo, t)
            boxes, confidence = self.view.boxes_to_canvas(found.xyxy), found.confidence
        ctx = StepContext(faces, measure(faces), boxes, confidence, t, self.messages,
                          self.dog, self.tears, self.dog_still, self.swap)
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
        """Next/previous/jump/fullscreen; returns False to quit."""
        if key in ("q", "esc"):
            return False
        if key in ("right", "space", "n", "enter"):
            self.step = min(self.step + 1, len(STEPS) - 1)
        elif key in ("left", "p", "backspace"):
            self.step = max(self.step - 1, 0)
        elif key.isdigit() and 1 <= int(key) <= len(STEPS):
            self.step = int(key) - 1
        elif key == "f" and window is not None:
            window.set_fullscreen(not getattr(window, "fullscreen", False))
        return True

    def run(self, source: FrameSource, window: Window,
            clock: Callable[[], float] = time.monotonic) -> None:
        """Show the lesson until the user quits."""
        self.pipeline.t0_s = clock()
        self.pipeline.run(window_frames(source, window,
                                        lambda key: self.handle_key(key, window)),
                          [WindowSink(window)])
