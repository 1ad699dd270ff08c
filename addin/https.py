"""A locally generated, self-signed certificate for 127.0.0.1 and localhost.

Office only loads add-ins over HTTPS. For a machine's own use, ``concord run`` serves with a
certificate made here once and kept in the instance folder (``cert.pem``, ``key.pem``); the README
explains how to trust it. A real deployment puts the server behind a proxy with a real certificate.
"""
from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 825  # the longest validity macOS and browsers accept for a TLS server certificate
RENEW_BEFORE = timedelta(days=30)


def make_certificate(hosts: tuple[str, ...] = ("localhost", "127.0.0.1")) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) of a new self-signed server certificate for the hosts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Concord local server"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Concord (self-signed)")])
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    start = datetime.now(timezone.utc) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_certificate(instance_path: str | Path) -> tuple[Path, Path]:
    """Paths of the instance's certificate and key, made now if absent or about to expire."""
    folder = Path(instance_path)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - datetime.now(timezone.utc) > RENEW_BEFORE:
            return cert_path, key_path
    cert_pem, key_pem = make_certificate()
    folder.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    cert_path.write_bytes(cert_pem)
    return cert_path, key_path
