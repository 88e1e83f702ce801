"""The local CA behind managed login's HTTPS: made once, kept private, signing a leaf for localhost; and the
outputs that point apps at it."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from amplify_py.local.certificates import CA_FILE, default_ca_dir, issue_leaf, load_or_create_ca, spki_sha256
from amplify_py.outputs.convert import local_engine_custom, local_oauth_domain


def test_the_ca_is_created_once_with_a_private_key(tmp_path: Path) -> None:
    first = load_or_create_ca(tmp_path)
    again = load_or_create_ca(tmp_path)
    assert first.created and not again.created
    assert again.certificate == first.certificate and first.cert_path == tmp_path / CA_FILE
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    constraints = first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is True and constraints.path_length == 0


def test_an_expired_ca_is_replaced(tmp_path: Path) -> None:
    old = load_or_create_ca(tmp_path, now=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    new = load_or_create_ca(tmp_path)
    assert new.created and new.certificate != old.certificate


def test_the_leaf_names_localhost_and_the_loopback_addresses(tmp_path: Path) -> None:
    authority = load_or_create_ca(tmp_path / "ca")
    leaf = issue_leaf(authority, tmp_path / "tls")
    names = leaf.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    assert leaf.certificate.issuer == authority.certificate.subject
    public = authority.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    leaf.certificate.verify_directly_issued_by(authority.certificate)
    lifetime = leaf.certificate.not_valid_after_utc - leaf.certificate.not_valid_before_utc
    assert lifetime <= dt.timedelta(days=398)  # what browsers accept for a server certificate
    assert stat.S_IMODE(leaf.key_path.stat().st_mode) == 0o600
    chain = leaf.cert_path.read_bytes()
    assert chain.count(b"BEGIN CERTIFICATE") == 2  # the leaf, then the CA
    assert len(spki_sha256(leaf.certificate)) == 44


def test_the_ca_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AMPLIFY_PY_CA_DIR", str(tmp_path / "mine"))
    assert default_ca_dir() == tmp_path / "mine"
    monkeypatch.delenv("AMPLIFY_PY_CA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_ca_dir() == tmp_path / "data" / "amplify-py" / "ca"


def test_outputs_name_the_local_domain_only_for_a_backend_with_one() -> None:
    with_domain = {"userPoolId": "p", "oauthCognitoDomain": "myapp.auth.us-east-1.amazoncognito.com"}
    assert local_oauth_domain(with_domain, "localhost:9326")["oauthCognitoDomain"] == "localhost:9326"
    assert with_domain["oauthCognitoDomain"] == "myapp.auth.us-east-1.amazoncognito.com"  # not changed in place
    assert local_oauth_domain({"userPoolId": "p", "oauthCognitoDomain": ""}, "localhost:9326")["oauthCognitoDomain"] == ""
    assert local_oauth_domain(with_domain, None) is with_domain
    assert local_engine_custom("http://127.0.0.1:9325", ca_certificate="/ca.pem")["local_engine"] == {
        "user_pool_endpoint": "http://127.0.0.1:9325", "identity_pool_endpoint": "http://127.0.0.1:9325",
        "ca_certificate": "/ca.pem"}
