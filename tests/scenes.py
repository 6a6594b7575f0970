"""Pictures of many, small, tilted, noisy faces, built from the two public-domain photos.

The project may use only two real faces (Grace Hopper, from matplotlib, and the
astronaut Eileen Collins, from scikit-image). To test face finding on group photos,
far faces and bad cameras, this module pastes heads cut from those photos into larger
pictures with a background drawn in code: scaled to a chosen eye distance, turned in the
picture, with sensor noise and JPEG compression on top. It knows where every pasted
face's irises are, so recall and false faces can be counted.

Where the irises are in each photo comes from FaceMesh on the full-size photo, where the
face is large and frontal (:func:`iris_xy`): the one place the model's answer is taken as
the truth.

Used by the end-to-end tests and by ``bench/``; pure OpenCV and numpy once the irises are
known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

PHOTOS = ("grace_hopper", "astronaut")
HEAD_RADIUS = 1.9
"""Radius of the pasted head (hair and chin included) around the eyes' midpoint, in eye
distances, along the face's axes; its lower half is stretched by ``CHIN_STRETCH``."""
CHIN_STRETCH = 1.35


@cache
def photo(name: str) -> np.ndarray:
    """One of the two photos: ndarray (H, W, 3), uint8, BGR. Do not modify it."""
    if name == "grace_hopper":
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        image = cv2.imread(str(path))
    elif name == "astronaut":
        from skimage import data

        image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    else:
        raise ValueError(f"unknown photo {name!r}; choose from {PHOTOS}")
    image.flags.writeable = False
    return image


@cache
def iris_xy(name: str) -> np.ndarray:
    """The person's right and left iris centres in the photo: ndarray (2, 2), float64."""
    from facefilters.detect import landmark_detector

    with landmark_detector(static_image_mode=True, max_faces=1) as detector:
        faces = detector.detect(np.ascontiguousarray(photo(name)), 0.0)
    if len(faces) != 1:
        raise RuntimeError(f"FaceMesh found {len(faces)} faces in {name}")
    return faces.landmarks[0, [468, 473], :2].astype(np.float64)


@dataclass(frozen=True)
class Scene:
    """A picture and the faces pasted into it.

    Attributes:
        image: ndarray (H, W, 3), uint8, BGR.
        eyes_xy: ndarray (n, 2, 2), float64: each face's right and left iris, pixels.
        names: which photo each face came from.
    """

    image: np.ndarray
    eyes_xy: np.ndarray
    names: tuple[str, ...]

    @property
    def eye_px(self) -> np.ndarray:
        """ndarray (n,), float64: pixels between the irises of each face."""
        return (
            np.hypot(*(self.eyes_xy[:, 1] - self.eyes_xy[:, 0]).T)
            if len(self.names)
            else np.zeros(0)
        )


def background(size_wh: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A room-like backdrop drawn in code: a gradient, soft blobs and a few shelves.

    Returns:
        ndarray (H, W, 3), uint8, BGR.
    """
    w, h = size_wh
    top, bottom = rng.integers(60, 200, 3), rng.integers(60, 200, 3)
    ramp = np.linspace(0, 1, h)[:, None, None]
    image = (top * (1 - ramp) + bottom * ramp).repeat(w, axis=1).astype(np.float32)
    blobs = np.zeros((h, w, 3), np.float32)
    for _ in range(12):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        radius = int(rng.integers(h // 20, h // 5))
        colour = tuple(float(c) for c in rng.integers(-60, 60, 3))
        cv2.circle(blobs, centre, radius, colour, -1)
    image += cv2.GaussianBlur(blobs, (0, 0), h / 40)
    for _ in range(4):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(w // 10, w // 3)), y0 + int(rng.integers(4, h // 30 + 5))
        cv2.rectangle(
            image, (x0, y0), (x1, y1), tuple(float(c) for c in rng.integers(30, 220, 3)), -1
        )
    return np.clip(image, 0, 255).astype(np.uint8)


def paste_face(
    canvas: np.ndarray,
    name: str,
    centre_xy: tuple[float, float],
    eye_px: float,
    roll_deg: float = 0.0,
    source: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Paste a head from a photo into the canvas, in place; returns its irises (2, 2).

    The head is scaled so its irises are ``eye_px`` apart, turned by ``roll_deg``
    (counter-clockwise on screen), its eyes' midpoint put at ``centre_xy``, and blended
    in with a soft oval around hair and chin.

    Args:
        source: another picture of the face to paste instead of the photo ``name``
            itself (a turned head, say), and its irises, ndarray (2, 2).
    """
    picture, irises = (photo(name), iris_xy(name)) if source is None else source
    mid = irises.mean(axis=0)
    d = irises[1] - irises[0]
    scale = eye_px / float(np.hypot(*d))
    tilt = np.degrees(np.arctan2(d[1], d[0]))
    # Turn the photo so its eyes are level, then by roll_deg, scaled, eyes' midpoint to centre.
    matrix = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), tilt + roll_deg, scale)
    matrix[:, 2] += np.asarray(centre_xy) - mid
    h, w = canvas.shape[:2]
    # Only the head's square is drawn: the oval fits in it.
    reach = HEAD_RADIUS * CHIN_STRETCH * eye_px + 2
    x0, y0 = (max(0, int(v - reach)) for v in centre_xy)
    x1, y1 = min(w, int(centre_xy[0] + reach) + 1), min(h, int(centre_xy[1] + reach) + 1)
    if x1 <= x0 or y1 <= y0:
        return cv2.transform(irises[None], matrix)[0]
    local = matrix.copy()
    local[:, 2] -= (x0, y0)
    head = cv2.warpAffine(
        np.ascontiguousarray(picture),
        local,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )
    # The oval, in the face's own frame: wider above the eyes (hair), longer below (chin).
    a = np.radians(-roll_deg)
    ax, ay = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    px, py = xx - centre_xy[0], yy - centre_xy[1]
    u = (px * ax[0] + py * ax[1]) / (HEAD_RADIUS * eye_px)
    v = (px * ay[0] + py * ay[1]) / (HEAD_RADIUS * eye_px)
    v = np.where(v > 0, v / CHIN_STRETCH, v)
    alpha = np.clip((1.0 - np.sqrt(u * u + v * v)) / 0.15, 0, 1)[..., None]
    region = canvas[y0:y1, x0:x1]
    region[:] = (region * (1 - alpha) + head * alpha).astype(np.uint8)
    return cv2.transform(irises[None], matrix)[0]


def group_clip(
    path: Path,
    size_wh: tuple[int, int] = (1920, 1080),
    seconds: float = 4.0,
    eye_px: tuple[float, ...] = (32, 38, 44, 50, 60, 72),
    seed: int = 3,
    fps: int = 30,
) -> list[Scene]:
    """A video of a group: faces that drift, bob and tilt a little over a still backdrop.

    Written with the project's own H.264 writer; returns each frame's :class:`Scene`
    (the truth), whose images are the frames before compression.
    """
    from facefilters.io.video import VideoWriter

    rng = np.random.default_rng(seed)
    w, h = size_wh
    backdrop = background(size_wh, rng)
    layout = group_scene(
        rng, size_wh, list(eye_px), max_roll_deg=0, noise_sigma=0, jpeg_quality=None
    )
    starts = layout.eyes_xy.mean(axis=1)
    names = layout.names
    sizes = layout.eye_px
    phase = rng.uniform(0, 2 * np.pi, (len(names), 3))
    scenes = []
    with VideoWriter(path, size_wh, fps) as writer:
        for k in range(round(seconds * fps)):
            t = k / fps
            canvas = backdrop.copy()
            eyes = []
            for i, name in enumerate(names):
                dx = 0.3 * sizes[i] * np.sin(2 * np.pi * 0.25 * t + phase[i, 0])
                dy = 0.15 * sizes[i] * np.sin(2 * np.pi * 0.4 * t + phase[i, 1])
                roll = 8 * np.sin(2 * np.pi * 0.3 * t + phase[i, 2])
                centre = (float(starts[i, 0] + dx), float(starts[i, 1] + dy))
                eyes.append(paste_face(canvas, name, centre, float(sizes[i]), float(roll)))
            frame = degrade(canvas, rng, 2.0)
            writer.write(frame)
            scenes.append(Scene(frame, np.array(eyes).reshape(-1, 2, 2), names))
    return scenes


def degrade(
    image: np.ndarray,
    rng: np.random.Generator,
    noise_sigma: float = 0.0,
    jpeg_quality: int | None = None,
) -> np.ndarray:
    """Camera noise (Gaussian, grey levels) and JPEG compression, as a phone would add."""
    out = image
    if noise_sigma > 0:
        # OpenCV's generator: a 1080p frame's noise in milliseconds, not a tenth of a second.
        cv2.setRNGSeed(int(rng.integers(2**31)))
        noise = np.empty(out.shape, np.int16)
        cv2.randn(noise.reshape(out.shape[0], -1), 0.0, float(noise_sigma))
        out = np.clip(out.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        assert ok
        out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return out


def group_scene(
    rng: np.random.Generator,
    size_wh: tuple[int, int],
    eye_px: list[float],
    names: list[str] | None = None,
    max_roll_deg: float = 20.0,
    noise_sigma: float = 3.0,
    jpeg_quality: int | None = 85,
) -> Scene:
    """Faces of the given eye distances at random, non-overlapping places.

    Args:
        rng: where the places, turns, backdrop and noise come from.
        size_wh: the picture's width and height.
        eye_px: one eye distance per face, in pixels.
        names: which photo each face is cut from (default: alternating).
        max_roll_deg: each face is turned by a random angle up to this, either way.
        noise_sigma: sensor noise, grey levels.
        jpeg_quality: JPEG quality of the final picture, or None for none.

    Raises:
        ValueError: the faces do not fit (after many tries).
    """
    names = names or [PHOTOS[k % 2] for k in range(len(eye_px))]
    # The largest first: they are the hardest to fit.
    order = np.argsort(eye_px)[::-1]
    eye_px, names = [eye_px[k] for k in order], [names[k] for k in order]
    w, h = size_wh
    canvas = background(size_wh, rng)
    placed: list[tuple[float, float, float]] = []
    eyes = []
    for e, name in zip(eye_px, names):
        r = HEAD_RADIUS * CHIN_STRETCH * e
        for _ in range(500):
            x = float(rng.uniform(r, w - r)) if w > 2 * r else w / 2
            y = float(rng.uniform(0.8 * r, h - r)) if h > 1.8 * r else h / 2
            if all(np.hypot(x - px, y - py) > 0.85 * (r + pr) for px, py, pr in placed):
                break
        else:
            raise ValueError(f"cannot fit {len(eye_px)} faces into {w}x{h}")
        placed.append((x, y, r))
        roll = float(rng.uniform(-max_roll_deg, max_roll_deg))
        eyes.append(paste_face(canvas, name, (x, y), e, roll))
    image = degrade(canvas, rng, noise_sigma, jpeg_quality)
    return Scene(image, np.array(eyes, np.float64).reshape(-1, 2, 2), tuple(names))


def empty_scene(
    rng: np.random.Generator,
    size_wh: tuple[int, int],
    noise_sigma: float = 3.0,
    jpeg_quality: int | None = 85,
) -> Scene:
    """A picture with no face: the backdrop, and parts of the photos without a face
    (the astronaut's suit and the shuttle, Hopper's flag and uniform)."""
    canvas = background(size_wh, rng)
    w, h = size_wh
    parts = [
        photo("astronaut")[300:, :],
        photo("astronaut")[:250, 330:],
        photo("grace_hopper")[:200, :120],
        photo("grace_hopper")[420:, :],
    ]
    for part in parts:
        scale = float(rng.uniform(0.4, 1.2)) * h / 2 / part.shape[0]
        piece = cv2.resize(
            np.ascontiguousarray(part), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA
        )
        ph, pw = piece.shape[:2]
        if ph >= h or pw >= w:
            continue
        x, y = int(rng.integers(0, w - pw)), int(rng.integers(0, h - ph))
        canvas[y : y + ph, x : x + pw] = piece
    image = degrade(canvas, rng, noise_sigma, jpeg_quality)
    return Scene(image, np.zeros((0, 2, 2)), ())


def match(
    scene: Scene, found_eyes_xy: np.ndarray, tolerance: float = 0.5
) -> tuple[np.ndarray, int]:
    """Which pasted faces were found, and how many found faces are not pasted ones.

    A found face matches a pasted one when its eyes' midpoint is within ``tolerance``
    of the pasted face's eye distance and its eye distance within a factor 1.5.

    Args:
        found_eyes_xy: ndarray (m, 2, 2): each found face's right and left iris.

    Returns:
        ``(found, false)``: ndarray (n,) of bool per pasted face, and the number of found
        faces that match none.
    """
    truth_mid = scene.eyes_xy.mean(axis=1) if len(scene.names) else np.zeros((0, 2))
    truth_eye = scene.eye_px
    found = np.zeros(len(truth_mid), bool)
    false = 0
    for eyes in np.asarray(found_eyes_xy, np.float64).reshape(-1, 2, 2):
        mid, eye = eyes.mean(axis=0), float(np.hypot(*(eyes[1] - eyes[0])))
        near = np.hypot(*(truth_mid - mid).T) < tolerance * truth_eye
        sized = (eye < 1.5 * truth_eye) & (eye > truth_eye / 1.5)
        hits = np.flatnonzero(near & sized & ~found)
        if len(hits):
            found[hits[0]] = True
        else:
            false += 1
    return found, false
