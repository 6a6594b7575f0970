"""Classroom lesson mode: what the computer does with a face, one step at a time."""

from .app import CanvasView, Lesson
from .export import export_lesson
from .run import run_lesson
from .steps import CANVAS_WH, STEPS, StepContext, fit_canvas, fit_photo, render_step

__all__ = [
    "CANVAS_WH",
    "STEPS",
    "CanvasView",
    "Lesson",
    "StepContext",
    "export_lesson",
    "fit_canvas",
    "fit_photo",
    "render_step",
    "run_lesson",
]
