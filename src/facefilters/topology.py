"""MediaPipe's canonical face model, frozen into the package by ``scripts/make_topology.py``.

Pure numpy: the core fits it to landmarks to read a head's pose and size
(:mod:`facefilters.geometry`), and the renderer maps pictures through its triangles and
texture coordinates (:mod:`facefilters.render.meshmap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class CanonicalFace:
    """MediaPipe's canonical face model (Apache-2.0), frozen by ``scripts/make_topology.py``.

    Attributes:
        triangles: ndarray of shape (898, 3), int32: indices into the first 468 landmarks.
        uv: ndarray of shape (468, 2), float32 in [0, 1]: texture coordinates, ``u`` to the
            right and ``v`` down, ``(0, 0)`` the texture's top-left corner. The forehead
            (landmark 10) is near the top, the chin (152) near the bottom, and the person's
            right eye on the left, as in a frontal photo.
        canonical_xyz: ndarray of shape (468, 3), float32: the model in centimetres, ``x``
            towards the picture's right (the person's left), ``y`` up, ``z`` towards the
            camera.
    """

    triangles: np.ndarray
    uv: np.ndarray
    canonical_xyz: np.ndarray


@lru_cache(maxsize=1)
def canonical_face() -> CanonicalFace:
    """The canonical face model, loaded once from the package data."""
    with resources.files("facefilters").joinpath("data/topology.npz").open("rb") as f:
        data = np.load(f)
        return CanonicalFace(
            triangles=data["triangles"].astype(np.int32),
            uv=data["uv"].astype(np.float32),
            canonical_xyz=data["canonical_xyz"].astype(np.float32),
        )
