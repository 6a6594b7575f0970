"""Content Credentials (C2PA) on a face swap's files: signed, read back, tamper-evident."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from facefilters.errors import OutputError
from facefilters.i18n import Messages
from facefilters.io import credentials
from facefilters.io.credentials import COMPOSITE, add_credentials, read_credentials
from facefilters.io.provenance import add_note_to_image_file, read_note, video_metadata
from facefilters.io.video import VideoWriter

pytest.importorskip("c2pa", reason="c2pa-python (the optional extra) is not installed")

NOTE = Messages("en")("deepfake.note")


def picture() -> np.ndarray:
    """Noise, so a changed pixel anywhere would show: ndarray (48, 64, 3), uint8."""
    return np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)


def photo(path: Path) -> Path:
    ok, data = cv2.imencode(path.suffix, picture())
    assert ok
    path.write_bytes(data.tobytes())
    add_note_to_image_file(path, NOTE)
    return path


def video(path: Path) -> Path:
    with VideoWriter(path, (64, 48), 30, metadata=video_metadata(NOTE)) as writer:
        for _ in range(5):
            writer.write(picture())
    return path


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


@pytest.mark.parametrize("name", ["swapped.jpg", "swapped.png", "swapped.mp4", "swapped.mov"])
def test_signed_file_declares_the_face_swap(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    make = video if path.suffix in (".mp4", ".mov") else photo
    make(path)
    before = cv2.imread(str(path)) if make is photo else frames(path)

    assert add_credentials(path, NOTE) is True

    found = read_credentials(path)
    assert found is not None
    assert found.ai_composite and found.source_types == (COMPOSITE,)
    assert found.generator.startswith("facefilters ")
    assert "self-issued" in found.signer
    # Intact, but signed by no authority a reader trusts: valid, not trusted.
    assert found.state == "Valid"
    assert found.summary() == (
        f"C2PA manifest by {found.generator}: composite with trained algorithmic media "
        "(intact, signer not a trusted authority)"
    )
    # The note and the pictures are untouched by the manifest.
    assert read_note(path) == NOTE
    after = cv2.imread(str(path)) if make is photo else frames(path)
    assert np.array_equal(np.asarray(before), np.asarray(after))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_title_names_the_final_file_not_the_temporary_one(tmp_path: Path) -> None:
    import c2pa

    path = photo(tmp_path / ".out.tmp-1234.jpg")
    assert add_credentials(path, NOTE, title="out.jpg")
    with c2pa.Reader(str(path)) as reader:
        assert '"title":"out.jpg"' in reader.json().replace(" ", "")


def test_a_changed_file_reads_as_invalid(tmp_path: Path) -> None:
    path = photo(tmp_path / "swapped.png")
    add_credentials(path, NOTE)
    # Someone paints over the picture (one byte of the image data) after signing.
    data = bytearray(path.read_bytes())
    at = data.index(b"IDAT") + 20
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    found = read_credentials(path)
    assert found is not None and found.state == "Invalid"
    assert "changed after it was signed" in found.summary()


def test_files_without_a_manifest_read_as_none(tmp_path: Path) -> None:
    assert read_credentials(photo(tmp_path / "plain.jpg")) is None
    assert read_credentials(video(tmp_path / "plain.mp4")) is None
    (tmp_path / "junk.jpg").write_bytes(b"not a picture")
    assert read_credentials(tmp_path / "junk.jpg") is None


def test_formats_c2pa_cannot_sign_are_left_alone(tmp_path: Path) -> None:
    path = video(tmp_path / "swapped.mkv")
    data = path.read_bytes()
    assert add_credentials(path, NOTE) is False
    assert path.read_bytes() == data


def test_without_the_extra_nothing_happens(tmp_path: Path, monkeypatch) -> None:
    path = photo(tmp_path / "swapped.jpg")
    data = path.read_bytes()
    monkeypatch.setattr(credentials, "_c2pa", lambda: None)
    assert credentials.available() is False
    assert add_credentials(path, NOTE) is False
    assert path.read_bytes() == data
    assert read_credentials(path) is None


def test_a_file_that_cannot_be_signed_is_one_line_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8 this is no JPEG")
    with pytest.raises(OutputError, match=r"^cannot add Content Credentials to 'out\.jpg': "):
        add_credentials(path, NOTE, title="out.jpg")
    assert path.read_bytes() == b"\xff\xd8 this is no JPEG"
    assert [p.name for p in tmp_path.iterdir()] == ["broken.jpg"]


def test_one_signing_chain_per_process() -> None:
    chain, key = credentials._signing_chain()
    assert chain.count(b"BEGIN CERTIFICATE") == 2 and b"PRIVATE KEY" in key
    assert credentials._signing_chain() == (chain, key)
