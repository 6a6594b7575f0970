"""Content Credentials (C2PA) on files a face swap made, where ``c2pa-python`` is installed.

The visible label and the metadata note (:mod:`.provenance`) are always there. This adds
the third, machine-checkable layer of the industry standard: a signed C2PA manifest whose
``c2pa.actions`` assertion declares the file ``c2pa.created`` with the IPTC digital source
type *composite with trained algorithmic media* (a picture in which a trained model, here
MediaPipe's face mesh, placed another person's face). Any C2PA reader (``c2patool``,
``contentcredentials.org/verify``, :func:`read_credentials`) shows it.

The package is an optional extra (``pip install 'facefilters[c2pa]'``): without it,
:func:`add_credentials` does nothing and says so by returning False.

Who signs: C2PA needs an X.509 certificate chain. facefilters has no certificate from a
trusted authority, and must not pretend to; so each process makes its own small chain
(a local root and a signing certificate, ES256 keys that never leave memory). A reader
therefore reports the signature as *valid* (the file was not changed since) but the
signer as *untrusted* (``signingCredential.untrusted``): the declaration is readable, it
is not a proof of identity. Nothing is fetched from the network: no timestamp authority,
no OCSP.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import OutputError, os_reason
from .atomic import temporary_name

__all__ = [
    "COMPOSITE",
    "Credentials",
    "add_credentials",
    "available",
    "read_credentials",
]

COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
"""The IPTC digital source type a face swap's output declares."""

_MIME_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
}
_SIGNER_NAME = "facefilters (self-issued, not a trusted authority)"


def _c2pa() -> Any:
    """The ``c2pa`` module, or None where the optional extra is not installed."""
    try:
        import c2pa
    except ImportError:
        return None
    return c2pa


def available() -> bool:
    """True where ``c2pa-python`` is installed, so outputs get a C2PA manifest."""
    return _c2pa() is not None


def _mime_type(path: Path) -> str | None:
    return _MIME_TYPES.get(path.suffix.lower())


@functools.lru_cache(maxsize=1)
def _signing_chain() -> tuple[bytes, bytes]:
    """A fresh local root and signing certificate: ``(chain PEM, private key PEM)``."""
    # cryptography comes with c2pa-python, so it is imported only here.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "facefilters"),
            ]
        )

    def usage(*, sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not sign,
            crl_sign=not sign,
            encipher_only=False,
            decipher_only=False,
        )

    now = datetime.datetime.now(datetime.timezone.utc)
    valid_from, valid_to = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(name("facefilters local root"))
        .issuer_name(name("facefilters local root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign=False), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(_SIGNER_NAME))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=True), critical=True)
        # C2PA's certificate profile asks for one of a few purposes; e-mail protection is
        # the one any X.509 library can write.
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    chain = leaf.public_bytes(pem) + root.public_bytes(pem)
    private = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, private


def _manifest(title: str, note: str) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": "facefilters", "version": __version__}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": COMPOSITE,
                            "softwareAgent": {"name": "facefilters", "version": __version__},
                            "description": note,
                        }
                    ]
                },
            }
        ],
    }


def add_credentials(path: str | os.PathLike[str], note: str, *, title: str | None = None) -> bool:
    """Sign a C2PA manifest declaring the face swap into the file, in place.

    Call it last: any later change to the file's bytes breaks the signature. The signed
    copy is written beside the file and renamed over it, so a failure leaves the file as
    it was.

    Args:
        path: a finished JPEG, PNG, MP4 or MOV file.
        note: what the manifest's action says, e.g. ``Messages()("deepfake.note")``.
        title: the name the manifest gives the file; the file's own name by default
            (pass the final name when ``path`` is a temporary one).

    Returns:
        True when the manifest was added; False where ``c2pa-python`` is not installed or
        the format is not one C2PA can sign here (see ``_MIME_TYPES``).

    Raises:
        OutputError: ``c2pa-python`` is installed but the file could not be signed.
    """
    c2pa = _c2pa()
    path = Path(path)
    mime_type = _mime_type(Path(title) if title else path)
    if c2pa is None or mime_type is None:
        return False
    chain, private = _signing_chain()
    tmp = temporary_name(path, "c2pa")
    try:
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, private, None))
        with (
            signer,
            c2pa.Builder(_manifest(title or path.name, note)) as builder,
            open(path, "rb") as source,
            open(tmp, "w+b") as dest,
        ):
            builder.sign(signer, mime_type, source, dest)
        os.replace(tmp, path)
    except (c2pa.C2paError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise OutputError.said("error.credentials", path=title or path, reason=reason) from None
    return True


@dataclass(frozen=True)
class Credentials:
    """What a file's C2PA manifest declares, as far as facefilters reads it.

    Attributes:
        generator: the program that made the manifest, e.g. ``"facefilters 0.1.0"``.
        source_types: the IPTC digital source types its actions declare.
        signer: the signing certificate's common name.
        state: the reader's verdict: ``"Trusted"``, ``"Valid"`` (intact, signer not
            trusted) or ``"Invalid"`` (the file was changed after signing).
    """

    generator: str
    source_types: tuple[str, ...]
    signer: str
    state: str

    @property
    def ai_composite(self) -> bool:
        """True when an action declares a composite made with a trained model."""
        return COMPOSITE in self.source_types

    def summary(self) -> str:
        """One line for ``facefilters inspect``."""
        what = (
            "composite with trained algorithmic media"
            if self.ai_composite
            else (", ".join(t.rsplit("/", 1)[-1] for t in self.source_types) or "no actions")
        )
        verdict = {
            "Trusted": "intact, signed by a trusted authority",
            "Valid": "intact, signer not a trusted authority",
        }.get(self.state, "the file was changed after it was signed")
        return f"C2PA manifest by {self.generator}: {what} ({verdict})"


def read_credentials(path: str | os.PathLike[str]) -> Credentials | None:
    """The active C2PA manifest of a file, or None (none there, or no ``c2pa-python``)."""
    c2pa = _c2pa()
    if c2pa is None:
        return None
    try:
        with c2pa.Reader(str(path)) as reader:
            store = json.loads(reader.json())
    except (c2pa.C2paError, OSError, ValueError):
        return None
    manifest = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
    if not manifest:
        return None
    generators = manifest.get("claim_generator_info") or [{}]
    generator = " ".join(str(generators[0].get(k, "")) for k in ("name", "version")).strip()
    types = tuple(
        action.get("digitalSourceType", "")
        for assertion in manifest.get("assertions", [])
        if str(assertion.get("label", "")).startswith("c2pa.actions")
        for action in assertion.get("data", {}).get("actions", [])
        if action.get("digitalSourceType")
    )
    signer = str((manifest.get("signature_info") or {}).get("common_name", ""))
    return Credentials(
        generator or "an unknown program",
        types,
        signer,
        str(store.get("validation_state", "Invalid")),
    )
