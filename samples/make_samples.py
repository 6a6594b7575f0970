"""Make the sample photo and video that ship with facefilters.

Run from the repository root::

    python samples/make_samples.py

It writes ``samples/portrait.jpg``, ``samples/demo.mp4`` and the ``swap`` filter's two
source faces (``filters/swap/*.jpg``), then runs MediaPipe
FaceMesh over the video and prints in how many frames it finds a face. Everything is
built from public-domain photos that matplotlib and scikit-image ship, and from a tune
synthesised here, so the output is the same on every run and needs no download.

Benchmarks reuse `make_clip` to make a clip of any size at run time::

    make_clip = runpy.run_path("samples/make_samples.py")["make_clip"]
    make_clip(tmp_path / "clip.mp4", size_wh=(1280, 720), seconds=10.0)
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

try:
    from facefilters.io.image import read_image, write_image
    from facefilters.io.video import VideoReader, VideoWriter
except ImportError:
    # The wheel build needs these samples before the package can be installed, so the
    # script must also run straight from a source checkout.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from facefilters.io.image import read_image, write_image
    from facefilters.io.video import VideoReader, VideoWriter

HERE = Path(__file__).resolve().parent

# The scene is laid out for a frame 480 pixels high and scaled to the real height.
_REF_HEIGHT = 480

# Crops (x0, y0, x1, y1) around each face, and the zoom that gives both faces an eye
# distance of about 67 px at the reference height: big enough for FaceMesh to track.
_HOPPER_CROP = (140, 95, 390, 385)
_HOPPER_ZOOM = 0.8
_ASTRONAUT_CROP = (150, 40, 300, 215)
_ASTRONAUT_ZOOM = 1.55

_AUDIO_RATE = 48_000


def hopper_photo() -> np.ndarray:
    """Grace Hopper's portrait from matplotlib, as a BGR frame of shape (600, 512, 3)."""
    import matplotlib

    path = os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg")
    return read_image(path)


def astronaut_photo() -> np.ndarray:
    """Eileen Collins' portrait from scikit-image, as a BGR frame of shape (512, 512, 3)."""
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def smoothstep(u: float, start: float, end: float) -> float:
    """0 before ``start``, 1 after ``end``, and an S-curve without jerks in between."""
    x = min(max((u - start) / (end - start), 0.0), 1.0)
    return x * x * x * (x * (6 * x - 15) + 10)


def _card(photo: np.ndarray, crop: tuple[int, int, int, int], zoom: float) -> np.ndarray:
    """A photo print with a white border and a soft shadow, as premultiplied BGRA.

    Returns:
        ndarray of shape (h, w, 4) and dtype float32: BGR premultiplied by alpha, then
        alpha, all in 0..1. The print is centred in it.
    """
    x0, y0, x1, y1 = crop
    picture = cv2.resize(photo[y0:y1, x0:x1], None, fx=zoom, fy=zoom, interpolation=cv2.INTER_AREA)
    ph, pw = picture.shape[:2]
    side = max(4, round(0.045 * pw))
    bottom = max(8, round(0.16 * pw))
    pad = round(0.12 * pw)
    print_h, print_w = ph + side + bottom, pw + 2 * side
    h, w = print_h + 2 * pad, print_w + 2 * pad

    paper = np.zeros((h, w), np.float32)
    paper[pad : pad + print_h, pad : pad + print_w] = 1.0
    color = np.zeros((h, w, 3), np.float32)
    color[pad : pad + print_h, pad : pad + print_w] = (0.96, 0.97, 0.98)
    color[pad + side : pad + side + ph, pad + side : pad + side + pw] = picture / 255.0

    shift = np.float32([[1, 0, 0.03 * pw], [0, 1, 0.05 * pw]])
    shadow = cv2.warpAffine(paper, shift, (w, h))
    shadow = cv2.GaussianBlur(shadow, (0, 0), 0.04 * pw) * 0.45
    alpha = paper + shadow * (1.0 - paper)
    # Premultiplied, so bilinear warping blends edges without dark or bright fringes.
    bgra = np.dstack([color * paper[:, :, np.newaxis], alpha])
    return bgra.astype(np.float32)


def _background(size_wh: tuple[int, int], margin: float) -> np.ndarray:
    """A soft diagonal gradient with out-of-focus light spots, larger than the frame.

    Returns:
        ndarray of shape (H', W', 3) and dtype float32 in 0..1, ``margin`` times the
        frame size on each side larger, so that it can pan.
    """
    width, height = size_wh
    big_w, big_h = round(width * (1 + 2 * margin)), round(height * (1 + 2 * margin))
    yy, xx = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    t = (xx / big_w * 0.6 + yy / big_h * 0.4)[:, :, np.newaxis]
    top = np.float32([0.92, 0.78, 0.74])  # lavender, in BGR
    bottom = np.float32([0.62, 0.80, 0.98])  # peach
    canvas = top * (1 - t) + bottom * t

    rng = np.random.default_rng(20240611)
    spots = np.zeros((big_h, big_w), np.float32)
    scale = height / _REF_HEIGHT
    for _ in range(18):
        cx, cy = rng.uniform(0, big_w), rng.uniform(0, big_h)
        radius = rng.uniform(18, 60) * scale
        cv2.circle(spots, (round(cx), round(cy)), round(radius), rng.uniform(0.25, 0.6), -1)
    spots = cv2.GaussianBlur(spots, (0, 0), 6 * scale)[:, :, np.newaxis]
    return canvas + (1.0 - canvas) * spots * 0.6


def _place(
    card: np.ndarray,
    center_xy: tuple[float, float],
    scale: float,
    roll_deg: float,
    yaw_deg: float,
) -> np.ndarray:
    """Homography from card pixels to frame pixels for a card turned in 3D.

    The card turns about its vertical axis by ``yaw_deg`` (seen through a lens, so the
    far edge shrinks, which reads as a head turning), then rolls in the image plane by
    ``roll_deg`` (positive is clockwise on screen), then is scaled and moved.
    """
    h, w = card.shape[:2]
    corners = np.float32([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    yaw, roll = math.radians(yaw_deg), math.radians(roll_deg)
    focal = 2.5 * w
    x, y = corners[:, 0], corners[:, 1]
    depth = focal + x * math.sin(yaw)
    px = focal * x * math.cos(yaw) / depth
    py = focal * y / depth
    cos_r, sin_r = math.cos(roll), math.sin(roll)
    dst = np.stack(
        [
            center_xy[0] + scale * (px * cos_r - py * sin_r),
            center_xy[1] + scale * (px * sin_r + py * cos_r),
        ],
        axis=1,
    ).astype(np.float32)
    src = corners + np.float32([w / 2, h / 2])
    return cv2.getPerspectiveTransform(src, dst)


def _draw(frame: np.ndarray, card: np.ndarray, homography: np.ndarray) -> None:
    """Composite a premultiplied card onto a float BGR frame, in place."""
    height, width = frame.shape[:2]
    h, w = card.shape[:2]
    corners = cv2.perspectiveTransform(
        np.float32([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]]), homography
    )[:, 0]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return
    # Warping only into the card's bounding box keeps this cheap at 720p and above.
    to_roi = np.float64([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ homography
    warped = cv2.warpPerspective(card, to_roi, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    roi = frame[y0:y1, x0:x1]
    roi *= 1.0 - warped[:, :, 3:4]
    roi += warped[:, :, :3]


def _chime_tune(seconds: float, rate: int = _AUDIO_RATE) -> np.ndarray:
    """A gentle music-box tune over a soft pad, in stereo.

    Returns:
        ndarray of shape (2, n) and dtype float32, samples in -1..1.
    """
    n = round(seconds * rate)
    t = np.arange(n) / rate
    out = np.zeros((2, n), np.float64)

    # A pad of C and G, breathing slowly.
    pad = sum(np.sin(2 * np.pi * f * t) for f in (130.81, 196.00, 261.63)) / 3
    out += 0.10 * pad * (0.75 + 0.25 * np.sin(2 * np.pi * 0.25 * t))

    # C major pentatonic, a rising and falling phrase, two notes a beat at 80 bpm.
    scale_hz = [523.25, 587.33, 659.26, 783.99, 880.00, 1046.50, 1174.66]
    phrase = [0, 2, 4, 3, 5, 4, 2, 3, 1, 2, 4, 6, 5, 3, 2, 0]
    step = 0.375
    for i, start in enumerate(np.arange(0.0, seconds - 0.2, step)):
        freq = scale_hz[phrase[i % len(phrase)]]
        m = t >= start
        local = t[m] - start
        envelope = np.exp(-local * 3.2) * np.minimum(local / 0.004, 1.0)
        # A bell's partials are not quite harmonic; that is what makes it a chime.
        tone = (
            np.sin(2 * np.pi * freq * local)
            + 0.35 * np.sin(2 * np.pi * 2.01 * freq * local) * np.exp(-local * 4.0)
            + 0.12 * np.sin(2 * np.pi * 3.03 * freq * local) * np.exp(-local * 6.0)
        )
        pan = 0.5 + 0.3 * math.sin(i * 1.3)
        out[0, m] += 0.22 * tone * envelope * (1 - pan)
        out[1, m] += 0.22 * tone * envelope * pan

    # An echo from the other side gives the room some width.
    delay = round(0.19 * rate)
    out[0, delay:] += 0.25 * out[1, :-delay]
    out[1, delay:] += 0.25 * out[0, :-delay]

    fade = np.minimum(1.0, np.minimum(t / 0.3, (seconds - t) / 0.6))
    out *= np.clip(fade, 0.0, 1.0)
    out *= 0.7 / max(1e-9, float(np.abs(out).max()))
    return out.astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, rate: int = _AUDIO_RATE) -> None:
    """Encode stereo float samples of shape (2, n) to AAC at 128 kb/s in an M4A file."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "stereo"
        stream.bit_rate = 128_000
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples), format="fltp", layout="stereo"
        )
        frame.sample_rate = rate
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


class _Scene:
    """The choreography: two photo prints that move, tilt, zoom and turn.

    Grace Hopper is alone for the first third, the astronaut joins her, then Grace
    leaves and the astronaut has the last third. Positions follow the fraction ``u`` of
    the clip that has played; the wobbles follow seconds, so they keep a natural pace
    whatever the clip length.
    """

    def __init__(self, size_wh: tuple[int, int], seconds: float) -> None:
        self.size_wh = size_wh
        self.seconds = seconds
        width, height = size_wh
        self.k = height / _REF_HEIGHT
        self.margin = 0.06
        self.background = _background(size_wh, self.margin)
        self.hopper = _card(hopper_photo(), _HOPPER_CROP, _HOPPER_ZOOM * self.k)
        self.astronaut = _card(astronaut_photo(), _ASTRONAUT_CROP, _ASTRONAUT_ZOOM * self.k)

    def render(self, t: float) -> np.ndarray:
        """The frame at ``t`` seconds, as ndarray of shape (H, W, 3), dtype uint8, BGR."""
        width, height = self.size_wh
        u = t / self.seconds
        tau = 2 * math.pi

        big_h, big_w = self.background.shape[:2]
        pan_xy = (
            big_w / 2 + self.margin * width * 0.8 * math.sin(tau * t / 7.0),
            big_h / 2 + self.margin * height * 0.6 * math.sin(tau * t / 5.3 + 1.0),
        )
        frame = cv2.getRectSubPix(self.background, (width, height), pan_xy)

        join = smoothstep(u, 0.30, 0.42)  # the astronaut slides in
        leave = smoothstep(u, 0.62, 0.74)  # Grace slides out

        # Grace: wanders around the middle, then makes room on the left, then leaves.
        solo_x = 0.5 * width + 0.12 * width * math.sin(tau * t / 4.0)
        x = solo_x + (0.28 * width - solo_x) * join - 0.75 * width * leave
        y = 0.5 * height + 0.05 * height * math.sin(tau * t / 2.7)
        if leave < 1.0:
            homography = _place(
                self.hopper,
                (x, y),
                scale=(1.0 + 0.15 * math.sin(tau * t / 3.1 + 1.0)) * (1 - 0.12 * join),
                roll_deg=18.0 * math.sin(tau * t / 2.4),
                yaw_deg=38.0 * math.sin(tau * t / 2.0 + 0.5),
            )
            _draw(frame, self.hopper, homography)

        # The astronaut: comes in from the right, then takes the middle and zooms.
        solo_x = 0.5 * width + 0.12 * width * math.sin(tau * t / 3.5 + 2.0)
        duo_x = 0.72 * width
        x = 1.4 * width + (duo_x - 1.4 * width) * join + (solo_x - duo_x) * leave
        y = 0.5 * height + 0.05 * height * math.sin(tau * t / 3.0 + 2.0)
        if join > 0.0:
            homography = _place(
                self.astronaut,
                (x, y),
                scale=(1.0 + 0.2 * leave * math.sin(tau * t / 2.8)) * (0.9 + 0.1 * leave),
                roll_deg=-16.0 * math.sin(tau * t / 2.2 + 0.7),
                yaw_deg=35.0 * math.sin(tau * t / 1.9 + 1.3),
            )
            _draw(frame, self.astronaut, homography)

        return np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8)


def make_clip(
    path: str | os.PathLike[str],
    size_wh: tuple[int, int] = (1280, 720),
    seconds: float = 6.0,
    fps: Fraction = Fraction(30000, 1001),
    *,
    audio: bool = True,
    crf: int = 20,
) -> Path:
    """Make a clip of public-domain faces that move, tilt, zoom and turn, with music.

    Args:
        path: Where to write the clip (``.mp4``, ``.mov`` or ``.mkv``). Replaced if it
            exists.
        size_wh: Width and height of the frames, in pixels. The scene scales with the
            height; 480 and up keep the faces big enough for FaceMesh.
        seconds: Length of the clip.
        fps: Exact frame rate.
        audio: Add the synthesised tune as an AAC stereo track.
        crf: x264 quality: lower is better and bigger.

    Returns:
        The path written.
    """
    path = Path(path)
    frame_count = round(seconds * fps)
    scene = _Scene(size_wh, seconds)
    with tempfile.TemporaryDirectory() as tmp:
        tune = None
        if audio:
            tune = Path(tmp) / "tune.m4a"
            write_audio(tune, _chime_tune(float(frame_count / fps)))
        with VideoWriter(path, size_wh, fps, audio_from=tune, crf=crf) as writer:
            for index in range(frame_count):
                writer.write(scene.render(float(index / fps)))
    return path


def make_portrait(path: str | os.PathLike[str]) -> Path:
    """Write Grace Hopper's portrait (512x600) as a JPEG."""
    path = Path(path)
    write_image(path, hopper_photo())
    return path


def make_swap_faces(folder: str | os.PathLike[str]) -> list[Path]:
    """Write the built-in ``swap`` filter's source faces: head-and-shoulders crops of the
    two public-domain portraits, as JPEGs."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    crops = {
        "astronaut.jpg": (astronaut_photo(), (96, 0, 384, 320)),
        "hopper.jpg": (hopper_photo(), (86, 40, 446, 440)),
    }
    written = []
    for name, (photo, (x0, y0, x1, y1)) in crops.items():
        write_image(folder / name, np.ascontiguousarray(photo[y0:y1, x0:x1]))
        written.append(folder / name)
    return written


def face_counts(path: str | os.PathLike[str]) -> tuple[int, int, int, float]:
    """Track faces through a video with MediaPipe FaceMesh, as the live pipeline would.

    Returns:
        Frame count, frames with at least one face, frames with two faces, and the
        smallest distance between the iris centres of any face found, in pixels.
    """
    import mediapipe as mp

    frames = any_face = two_faces = 0
    min_eyes = math.inf
    mesh = mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False, refine_landmarks=True, max_num_faces=2
    )
    with mesh, VideoReader(path) as reader:
        width, height = reader.info.size_wh
        for frame in reader:
            frames += 1
            result = mesh.process(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB))
            faces = result.multi_face_landmarks or []
            any_face += len(faces) >= 1
            two_faces += len(faces) >= 2
            for face in faces:
                left, right = face.landmark[468], face.landmark[473]
                eyes = math.hypot((left.x - right.x) * width, (left.y - right.y) * height)
                min_eyes = min(min_eyes, eyes)
    return frames, any_face, two_faces, min_eyes


def main() -> None:
    portrait = make_portrait(HERE / "portrait.jpg")
    for face in make_swap_faces(HERE.parent / "filters" / "swap"):
        print(f"wrote {face}")
    demo = make_clip(HERE / "demo.mp4", size_wh=(640, 480), seconds=6.0)
    for path in (portrait, demo):
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB")
    frames, any_face, two_faces, min_eyes = face_counts(demo)
    print(
        f"{demo.name}: a face in {any_face}/{frames} frames ({any_face / frames:.1%}), "
        f"two faces in {two_faces} ({two_faces / frames:.1%}); "
        f"smallest eye distance {min_eyes:.0f} px"
    )
    if any_face < 0.95 * frames:
        raise SystemExit("FaceMesh lost the face too often; make the motion gentler")


if __name__ == "__main__":
    main()
