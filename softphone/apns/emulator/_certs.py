"""Certificates for the emulator: a private CA, the server's cert (127.0.0.1/localhost
and Apple's host names) and APNs-style client certificates (UID = bundle id).

``cryptography`` is imported only to make or read certificates: a state dir that already
holds them is served by the stdlib ``ssl`` module from the PEM files (a phone's start-up
does not load it)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._files import write_private

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "CertFiles",
    "client_cert_identity",
    "ensure_server_certs",
    "issue_client_cert",
    "server_ssl_context",
]

SANDBOX_CN = "Apple Development IOS Push Services"
PRODUCTION_CN = "Apple Push Services"
SERVER_NAMES = (
    "localhost",
    "api.push.apple.com",
    "api.development.push.apple.com",
    "api.sandbox.push.apple.com",
)


@dataclass(frozen=True)
class CertFiles:
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    write_private(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _load(cert: Path, key: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = serialization.load_pem_private_key(key.read_bytes(), None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return x509.load_pem_x509_certificate(cert.read_bytes()), private


def ensure_server_certs(state_dir: Path) -> CertFiles:
    """Create (once) the CA and server certificate in ``state_dir``; reuse them after."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = CertFiles(
        state_dir / "ca.pem",
        state_dir / "ca.key",
        state_dir / "server.pem",
        state_dir / "server.key",
    )
    if all(p.exists() for p in (files.ca_cert, files.ca_key, files.server_cert, files.server_key)):
        return files
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Softphone APNs emulator CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(days=1))
        .not_valid_after(_now() + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_NAMES]
    sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(days=1))
        .not_valid_after(_now() + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.ca_key, ca_key)
    write_private(files.ca_cert, ca.public_bytes(serialization.Encoding.PEM))
    _write_key(files.server_key, server_key)
    write_private(files.server_cert, server.public_bytes(serialization.Encoding.PEM))
    return files


def issue_client_cert(files: CertFiles, bundle_id: str, sandbox_only: bool, out: Path) -> Path:
    """An APNs provider certificate for ``bundle_id`` (PEM cert + key in one file).

    ``sandbox_only`` gives Apple's "Development IOS Push Services" kind (sandbox only);
    otherwise the universal "Apple Push Services" kind (both environments)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca, ca_key = _load(files.ca_cert, files.ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    cn = f"{SANDBOX_CN if sandbox_only else PRODUCTION_CN}: {bundle_id}"
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.USER_ID, bundle_id),
                    x509.NameAttribute(NameOID.COMMON_NAME, cn),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(days=1))
        .not_valid_after(_now() + datetime.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    write_private(
        out,
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return out


def client_cert_identity(der: bytes) -> tuple[str, bool]:
    """(bundle id, sandbox_only) of a provider certificate presented by a client."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    uid = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    bundle = str(uid[0].value) if uid else ""
    common = str(cn[0].value) if cn else ""
    return bundle, common.startswith(SANDBOX_CN)


def server_ssl_context(cert: str, key: str, client_ca: str) -> ssl.SSLContext:
    """TLS 1.2+ offering ALPN h2 (clients without ALPN, like aioapns, are accepted);
    client certificates optional, verified against our CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["h2"])
    return ctx
