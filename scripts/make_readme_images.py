"""Makes the README's pictures from the public-domain photos.

- docs/images/filters.jpg: every built-in filter on both photos;
- docs/images/lesson-nl.jpg: two lesson slides in Dutch.

    .venv/bin/python scripts/make_readme_images.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from facefilters.catalog import Catalog
from facefilters.io.image import read_image
from facefilters.paths import samples_dir
from facefilters.apps.files import apply_file

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "filters.jpg"
LESSON_OUT = ROOT / "docs" / "images" / "lesson-nl.jpg"
FILTERS = ("dog", "glasses", "tears", "mesh")
TILE = 300


def crop_face(image: np.ndarray, box_xyxy: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box_xyxy
    return cv2.resize(image[y0:y1, x0:x1], (TILE, TILE), interpolation=cv2.INTER_AREA)


def main() -> None:
    catalog = Catalog()
    with tempfile.TemporaryDirectory() as tmp:
        astronaut = Path(tmp) / "astronaut.png"
        cv2.imwrite(str(astronaut), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
        # Head-and-shoulders squares around each face.
        photos = {samples_dir() / "portrait.jpg": (95, 40, 435, 380),
                  astronaut: (118, 0, 338, 220)}
        rows = []
        for photo, box in photos.items():
            tiles = []
            for filter_id in FILTERS:
                out = Path(tmp) / f"{photo.stem}-{filter_id}.png"
                apply_file(photo, out, catalog.load(filter_id), force=True)
                tile = crop_face(read_image(out), box)
                cv2.putText(tile, filter_id, (10, TILE - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                            (0, 0, 0), 4, cv2.LINE_AA)
                cv2.putText(tile, filter_id, (10, TILE - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                            (255, 255, 255), 2, cv2.LINE_AA)
                tiles.append(tile)
            rows.append(np.concatenate(tiles, axis=1))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(OUT), np.concatenate(rows, axis=0), [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(f"wrote {OUT}")
    make_lesson_picture()


def make_lesson_picture() -> None:
    from facefilters.detect import FaceBoxDetector, FaceMeshDetector
    from facefilters.i18n import Messages
    from facefilters.apps.lesson import export_lesson

    with tempfile.TemporaryDirectory() as tmp, FaceMeshDetector(
            static_image_mode=True) as detector, FaceBoxDetector() as boxes:
        slides = export_lesson(Path(tmp), samples_dir() / "portrait.jpg", Messages("nl"),
                               detector=detector, box_detector=boxes, steps=[2, 5])
        small = [cv2.resize(read_image(p), (640, 360), interpolation=cv2.INTER_AREA)
                 for p in slides]
    cv2.imwrite(str(LESSON_OUT), np.concatenate(small, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 88])
    print(f"wrote {LESSON_OUT}")


if __name__ == "__main__":
    main()
