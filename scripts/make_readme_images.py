"""Makes the README's pictures from the public-domain photos.

- docs/images/filters.jpg: every built-in filter on both photos;
- docs/images/lesson-nl.jpg: two lesson slides in Dutch (the 478 points, the face swap).

    .venv/bin/python scripts/make_readme_images.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from facefilters.apps.files import apply_file
from facefilters.catalog import Catalog
from facefilters.io.image import read_image, write_image
from facefilters.paths import samples_dir
from facefilters.render.label import draw_deepfake_label

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "filters.jpg"
LESSON_OUT = ROOT / "docs" / "images" / "lesson-nl.jpg"
TILE = 220
COLUMNS = 7


def crop_face(image: np.ndarray, box_xyxy: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box_xyxy
    return cv2.resize(image[y0:y1, x0:x1], (TILE, TILE), interpolation=cv2.INTER_AREA)


def label(tile: np.ndarray, text: str) -> None:
    for color, thickness in (((0, 0, 0), 4), ((255, 255, 255), 2)):
        cv2.putText(
            tile, text, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, color, thickness, cv2.LINE_AA
        )


def main() -> None:
    catalog = Catalog()
    ids = ["original", *catalog.showcase_ids()]
    with tempfile.TemporaryDirectory() as tmp:
        astronaut = Path(tmp) / "astronaut.png"
        cv2.imwrite(str(astronaut), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
        # Head-and-shoulders squares around each face, wide enough for ears.
        photos = {samples_dir() / "portrait.jpg": (55, 0, 475, 420), astronaut: (98, 0, 358, 260)}
        crops = {photo: crop_face(read_image(photo), box) for photo, box in photos.items()}
        both = Path(tmp) / "both.png"
        write_image(both, np.concatenate(list(crops.values()), axis=1))
        others = dict(zip(photos, reversed(list(photos))))
        cells = []
        for filter_id in ids:
            pair = []
            if filter_id == "original":
                pair = list(crops.values())
            elif filter_id == "face-trade":
                # Trading needs two faces in one picture: the two tiles side by side.
                out = Path(tmp) / "both-traded.png"
                apply_file(both, out, catalog.load(filter_id), force=True)
                traded = read_image(out)
                pair = [traded[:, :TILE], traded[:, TILE:]]
            else:
                for photo, box in photos.items():
                    out = Path(tmp) / f"{photo.stem}-{filter_id}.png"
                    chosen = catalog.load(filter_id)
                    # A swap puts the other portrait's face on each.
                    face = others[photo] if chosen.deepfake else None
                    apply_file(photo, out, chosen, force=True, face=face)
                    pair.append(crop_face(read_image(out), box))
            if filter_id != "original" and catalog.load(filter_id).deepfake:
                # The crops cut the label off the corner: each tile is a swap, and says so.
                pair = [np.ascontiguousarray(tile) for tile in pair]
                for tile in pair:
                    draw_deepfake_label(tile, "DEEPFAKE")
            label(pair[1], filter_id)
            cells.append(np.concatenate(pair, axis=0))
        while len(cells) % COLUMNS:
            cells.append(np.full_like(cells[0], 255))
        rows = [
            np.concatenate(cells[k : k + COLUMNS], axis=1) for k in range(0, len(cells), COLUMNS)
        ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(OUT), np.concatenate(rows, axis=0), [cv2.IMWRITE_JPEG_QUALITY, 88])
    print(f"wrote {OUT}")
    make_lesson_picture()


def make_lesson_picture() -> None:
    from facefilters.apps.lesson import export_lesson
    from facefilters.apps.prepare import prepare_filter
    from facefilters.catalog import Catalog
    from facefilters.detect import box_detector, default_detector
    from facefilters.i18n import Messages

    messages = Messages("nl")
    swap = prepare_filter(Catalog().load("swap"), default_detector, messages=messages)
    detector = default_detector(static_image_mode=True)
    with tempfile.TemporaryDirectory() as tmp, box_detector(full_range=True) as boxes:
        # The 478 points, and the swap beside the original.
        written = export_lesson(
            Path(tmp),
            samples_dir() / "portrait.jpg",
            messages,
            detector=detector,
            box_detector=boxes,
            steps=[2, 7],
            swap=swap,
        )
        small = [
            cv2.resize(read_image(p), (640, 360), interpolation=cv2.INTER_AREA)
            for p in written
            if p.suffix == ".png"
        ]
    detector.close()
    cv2.imwrite(str(LESSON_OUT), np.concatenate(small, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 88])
    print(f"wrote {LESSON_OUT}")


if __name__ == "__main__":
    main()
