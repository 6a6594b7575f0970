"""Writes the face-mesh topology that the renderer draws, from MediaPipe's own tables.

The renderer must not import mediapipe (only ``facefilters.detect`` does), so the edge
lists are frozen into ``src/facefilters/data/topology.npz`` by this script. Run it again
only if the landmark model changes:

    .venv/bin/python scripts/make_topology.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from mediapipe.python.solutions import face_mesh_connections as fmc

OUT = Path(__file__).resolve().parents[1] / "src" / "facefilters" / "data" / "topology.npz"


def _edges(connections: frozenset[tuple[int, int]]) -> np.ndarray:
    # MediaPipe lists each inner edge once per triangle that has it (both directions);
    # drawing it twice only costs time.
    unique = {tuple(sorted(edge)) for edge in connections}
    return np.array(sorted(unique), dtype=np.int16)


def main() -> None:
    np.savez_compressed(
        OUT,
        tessellation=_edges(fmc.FACEMESH_TESSELATION),
        contours=_edges(fmc.FACEMESH_CONTOURS),
        irises=_edges(fmc.FACEMESH_IRISES),
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
