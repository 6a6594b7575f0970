"""A filter is a stack of layers; each layer draws one thing on each face.

Layers are plain data loaded from ``filter.toml`` (see :mod:`facefilters.catalog`); their
``draw`` methods call the pure renderers in :mod:`facefilters.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union

import numpy as np

from .faces import Faces
from .geometry import FaceGeometry, measure
from .render.mesh import draw_mesh
from .render.sprite import Sprite, draw_sprite, similarity_matrix
from .render.tears import TearStyle, draw_tears


@dataclass(frozen=True)
class Trigger:
    """Shows a layer only while a measure is above a threshold, fading in over ``fade``."""

    measure: str
    above: float
    fade: float = 0.1

    def opacity(self, geometry: FaceGeometry, i: int) -> float:
        value = float(geometry.measures[self.measure][i])
        return float(np.clip((value - self.above) / self.fade, 0.0, 1.0))


class Layer(Protocol):
    def draw(self, frame: np.ndarray, faces: Faces, geometry: FaceGeometry, i: int,
             t: float) -> None:
        """Draw on face ``i`` of ``faces`` at time ``t`` (seconds), in place."""


@dataclass(frozen=True)
class SpriteLayer:
    """An image pinned to an anchor; it scales with the face and turns with it."""

    sprite: Sprite
    pin_xy: tuple[float, float]
    anchor: str
    offset_xy: tuple[float, float] = (0.0, 0.0)
    width: float = 1.0
    when: Trigger | None = None

    def draw(self, frame: np.ndarray, faces: Faces, geometry: FaceGeometry, i: int,
             t: float) -> None:
        opacity = self.when.opacity(geometry, i) if self.when else 1.0
        if opacity <= 0:
            return
        target = geometry.face_to_image(i, self.anchor, self.offset_xy)
        scale = self.width * float(geometry.eye_distance[i]) / self.sprite.size_wh[0]
        matrix = similarity_matrix(self.pin_xy, target, scale, geometry.axis_x[i],
                                   geometry.axis_y[i])
        draw_sprite(frame, self.sprite, matrix, opacity)


@dataclass(frozen=True)
class TearsLayer:
    """Animated tears from both eyes."""

    style: TearStyle

    def draw(self, frame: np.ndarray, faces: Faces, geometry: FaceGeometry, i: int,
             t: float) -> None:
        draw_tears(frame, geometry, i, int(faces.ids[i]), t, self.style)


@dataclass(frozen=True)
class MeshLayer:
    """The landmark mesh, the face box and the labelled anchors."""

    tessellation: bool = True
    box: bool = True
    anchors: bool = True

    def draw(self, frame: np.ndarray, faces: Faces, geometry: FaceGeometry, i: int,
             t: float) -> None:
        draw_mesh(frame, faces, geometry, i, tessellation=self.tessellation, box=self.box,
                  anchors=self.anchors)


AnyLayer = Union[SpriteLayer, TearsLayer, MeshLayer]


@dataclass(frozen=True)
class Filter:
    """A loaded filter: its id, display name, description and layers (back to front)."""

    id: str
    name: str
    description: str
    layers: tuple[AnyLayer, ...]

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the filter on every face, in place.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            faces: the frame's faces (smoothed, with ids).
            t: time in seconds, for animated layers.

        Returns:
            The same ``frame``.
        """
        if len(faces) == 0:
            return frame
        geometry = measure(faces)
        for i in range(len(faces)):
            for layer in self.layers:
                layer.draw(frame, faces, geometry, i, t)
        return frame
