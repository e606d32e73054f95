"""Dev certificates for mTLS: ``python -m recommender.certs [DIR]`` (default ``.certs``) writes
a throw-away CA (``ca.pem``), a server certificate for localhost/127.0.0.1 (``server.pem``,
``server-key.pem``) and a client certificate (``client.pem``, ``client-key.pem``). The folder
is git-ignored; never commit keys. Then run the server with::

    RECOMMENDER_TLS_CERT=.certs/server.pem RECOMMENDER_TLS_KEY=.certs/server-key.pem \\
    RECOMMENDER_TLS_CLIENT_CA=.certs/ca.pem python -m recommender
"""

import datetime
import ipaddress
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=30)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _issue(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    usage: x509.ObjectIdentifier | None = None,
    sans: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def generate(directory: Path) -> dict[str, Path]:
    """Write the CA, server and client files into ``directory``; returns their paths by name."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("language-tracks dev CA")
    ca = _issue("language-tracks dev CA", ca_key, ca_name, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue(
        "localhost",
        server_key,
        ca_name,
        ca_key,
        ca=False,
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        sans=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue(
        "gateway", client_key, ca_name, ca_key, ca=False, usage=ExtendedKeyUsageOID.CLIENT_AUTH
    )
    files = {
        "ca": (directory / "ca.pem", ca.public_bytes(serialization.Encoding.PEM)),
        "server_cert": (directory / "server.pem", server.public_bytes(serialization.Encoding.PEM)),
        "server_key": (directory / "server-key.pem", _pem_key(server_key)),
        "client_cert": (directory / "client.pem", client.public_bytes(serialization.Encoding.PEM)),
        "client_key": (directory / "client-key.pem", _pem_key(client_key)),
    }
    for path, data in files.values():
        path.write_bytes(data)
        if path.name.endswith("-key.pem"):
            path.chmod(0o600)
    return {name: path for name, (path, _) in files.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else ".certs")
    for name, path in generate(directory).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
