"""HTTPS on localhost: a certificate authority made once per machine, and a leaf certificate it signs.

aws-amplify builds ``https://<oauth.domain>/oauth2/authorize`` and ``.../oauth2/token``, so the engine serves
managed login over TLS. Browsers and HTTP clients trust that only through a CA they were told about: the CA
lives in the user's data folder (``$AMPLIFY_PY_CA_DIR``, else ``$XDG_DATA_HOME/amplify-py/ca``, else
``~/.local/share/amplify-py/ca``), its key readable by its owner only, and ``ampy local ca`` prints how to
trust it. The leaf (``localhost``, ``127.0.0.1``, ``::1``) is made fresh for each engine start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import base64
import os
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["LocalCa", "LeafCertificate", "default_ca_dir", "load_or_create_ca", "issue_leaf", "CA_FILE",
           "CA_KEY_FILE", "spki_sha256"]

CA_FILE = "amplify-py-local-ca.pem"
CA_KEY_FILE = "amplify-py-local-ca.key"
_CA_NAME = "amplify-py local CA"
_CA_YEARS = 10
_LEAF_DAYS = 397  # under the 398 days browsers accept for a server certificate


def default_ca_dir() -> Path:
    """Where the machine's local CA lives (see the module docstring)."""
    override = os.environ.get("AMPLIFY_PY_CA_DIR")
    if override:
        return Path(override).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "amplify-py" / "ca"


@dataclass(frozen=True)
class LocalCa:
    """The machine's CA: its certificate file (what users trust) and the loaded key that signs leaves."""

    cert_path: Path
    key_path: Path
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    created: bool  # made by this call (the first time on this machine)


@dataclass(frozen=True)
class LeafCertificate:
    cert_path: Path  # the leaf followed by the CA, as a TLS server presents its chain
    key_path: Path
    certificate: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "amplify-py")])


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by its owner only (the file never exists with wider permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_or_create_ca(ca_dir: Path | None = None, *, now: dt.datetime | None = None) -> LocalCa:
    """The CA in ``ca_dir`` (default ``default_ca_dir()``), created there the first time."""
    folder = Path(ca_dir) if ca_dir is not None else default_ca_dir()
    cert_path, key_path = folder / CA_FILE, folder / CA_KEY_FILE
    now = now or dt.datetime.now(dt.timezone.utc)
    if cert_path.is_file() and key_path.is_file():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and certificate.not_valid_after_utc > now:
            return LocalCa(cert_path, key_path, certificate, key, created=False)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(_CA_NAME)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _pem_key(key))  # the key first: a certificate without its key is useless
    folder.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return LocalCa(cert_path, key_path, certificate, key, created=True)


def issue_leaf(ca: LocalCa, folder: Path, *, now: dt.datetime | None = None) -> LeafCertificate:
    """A server certificate for localhost, 127.0.0.1 and ::1, signed by ``ca``, written into ``folder``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.certificate.subject)
        .public_key(public).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=_LEAF_DAYS), ca.certificate.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1")), x509.IPAddress(IPv6Address("::1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    cert_path, key_path = folder / "localhost.pem", folder / "localhost.key"
    _write_private(key_path, _pem_key(key))
    chain = certificate.public_bytes(serialization.Encoding.PEM) + ca.certificate.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(chain)
    return LeafCertificate(cert_path, key_path, certificate)


def spki_sha256(certificate: x509.Certificate) -> str:
    """Base64 SHA-256 of the certificate's public key (what Chromium's --ignore-certificate-errors-spki-list takes)."""
    der = certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()
