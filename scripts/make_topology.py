"""Writes the face-mesh topology that the renderer draws, from MediaPipe's own tables.

The renderer must not import mediapipe (only ``facefilters.detect`` does), so the tables
are frozen into ``src/facefilters/data/topology.npz`` by this script. Run it again only if
the landmark model changes:

    .venv/bin/python scripts/make_topology.py [path/to/face_landmarker.task]

Keys written:

- ``tessellation``, ``contours``, ``irises``: ndarray of shape (E, 2), int16: landmark
  index pairs (edges), from ``mediapipe.python.solutions.face_mesh_connections``.
- ``triangles``: ndarray of shape (898, 3), int16: the canonical face model's triangles,
  indices into the first 468 landmarks, all wound the same way in UV space.
- ``uv``: ndarray of shape (468, 2), float32 in [0, 1]: each landmark's texture
  coordinate, ``u`` to the right and ``v`` down like image rows, ``(0, 0)`` the top-left
  corner of the texture. The forehead (landmark 10) has a small ``v``, the chin (152) a
  large one; the person's right eye (33) has a small ``u``, as in a frontal photo.
- ``canonical_xyz``: ndarray of shape (468, 3), float32: the canonical face in
  centimetres, ``x`` towards the picture's right, ``y`` up, ``z`` towards the camera.

The last three come from the canonical face model (Apache-2.0) inside MediaPipe's Face
Landmarker bundle, ``geometry_pipeline_metadata_landmarks.binarypb``.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import numpy as np
from mediapipe.modules.face_geometry.protos import geometry_pipeline_metadata_pb2
from mediapipe.python.solutions import face_mesh_connections as fmc

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "facefilters" / "data" / "topology.npz"
DEFAULT_TASK = ROOT / ".." / "shared" / "models" / "face_landmarker.task"
METADATA = "geometry_pipeline_metadata_landmarks.binarypb"
N_MESH = 468
FOREHEAD, CHIN, RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 10, 152, 33, 263


def _edges(connections: frozenset[tuple[int, int]]) -> np.ndarray:
    # MediaPipe lists each inner edge once per triangle that has it (both directions);
    # drawing it twice only costs time.
    unique = {tuple(sorted(edge)) for edge in connections}
    return np.array(sorted(unique), dtype=np.int16)


def canonical_mesh(task: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The canonical face model from a Face Landmarker bundle.

    Returns:
        ``triangles`` (898, 3) int16, ``uv`` (468, 2) float32 with ``v`` down, and
        ``canonical_xyz`` (468, 3) float32.
    """
    with zipfile.ZipFile(task) as bundle:
        blob = bundle.read(METADATA)
    meta = geometry_pipeline_metadata_pb2.GeometryPipelineMetadata()
    meta.ParseFromString(blob)
    mesh = meta.canonical_mesh
    vertices = np.asarray(mesh.vertex_buffer, np.float32).reshape(-1, 5)
    triangles = np.asarray(mesh.index_buffer, np.int64).reshape(-1, 3)
    if vertices.shape[0] != N_MESH or triangles.min() < 0 or triangles.max() >= N_MESH:
        raise SystemExit(
            f"unexpected canonical mesh: {vertices.shape} vertices, "
            f"indices {triangles.min()}..{triangles.max()}"
        )
    xyz, uv = vertices[:, :3], vertices[:, 3:5].copy()
    # The bundle's v already grows downwards (forehead near 0.1, chin near 0.95); flip
    # only if a future bundle uses the OpenGL convention (v up).
    if uv[FOREHEAD, 1] > uv[CHIN, 1]:
        uv[:, 1] = 1.0 - uv[:, 1]
    if not (
        uv[FOREHEAD, 1] < 0.3 < 0.7 < uv[CHIN, 1]
        and uv[RIGHT_EYE_OUTER, 0] < 0.5 < uv[LEFT_EYE_OUTER, 0]
    ):
        raise SystemExit("canonical UVs are not in the expected orientation")
    return triangles.astype(np.int16), uv.astype(np.float32), xyz.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "task",
        nargs="?",
        type=Path,
        default=DEFAULT_TASK,
        help="MediaPipe face_landmarker.task bundle",
    )
    args = parser.parse_args()
    triangles, uv, canonical_xyz = canonical_mesh(args.task.resolve())
    np.savez_compressed(
        OUT,
        tessellation=_edges(fmc.FACEMESH_TESSELATION),
        contours=_edges(fmc.FACEMESH_CONTOURS),
        irises=_edges(fmc.FACEMESH_IRISES),
        triangles=triangles,
        uv=uv,
        canonical_xyz=canonical_xyz,
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
