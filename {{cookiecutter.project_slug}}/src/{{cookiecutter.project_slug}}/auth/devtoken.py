"""Development tokens: `make token` signs them with a local key, so the API can be called
with no identity provider. The service trusts that key only while
`ENVIRONMENT=development`, and production refuses to start with it configured.

    python -m {{ cookiecutter.project_slug }}.auth.devtoken --scope items:write --subject alice
"""

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

DEV_ISSUER = "urn:{{ cookiecutter.project_slug }}:development"
DEFAULT_KEY_FILE = Path(".dev-auth-key.pem")
ALGORITHM = "ES256"


def load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The key in `path`, created (readable by its owner only) when there is none."""
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
    return load_key(path)


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: not an EC private key")
    return key


def public_jwk(key: ec.EllipticCurvePrivateKey) -> jwt.PyJWK:
    """The verifying half, with a `kid` derived from it (so a new key gets a new id)."""
    data: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    data |= {"kid": "dev-" + hashlib.sha256(public).hexdigest()[:16], "alg": ALGORITHM}
    return jwt.PyJWK(data, ALGORITHM)


def mint(
    key: ec.EllipticCurvePrivateKey,
    *,
    audience: str,
    subject: str,
    scopes: list[str],
    lifetime: int = 3600,
) -> str:
    issued = int(time.time())
    claims = {
        "iss": DEV_ISSUER,
        "aud": audience,
        "sub": subject,
        "scope": " ".join(scopes),
        "iat": issued,
        "exp": issued + lifetime,
    }
    kid = public_jwk(key).key_id
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


def main(argv: list[str] | None = None) -> None:
    from ..startup import read_settings  # here: the settings import this module

    parser = argparse.ArgumentParser(description="Print a development bearer token.")
    parser.add_argument("--subject", default="developer")
    parser.add_argument("--scope", action="append", default=[], help="repeat for several")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")
    args = parser.parse_args(argv)
    settings = read_settings()
    path = settings.auth_dev_key_file or DEFAULT_KEY_FILE
    key = load_or_create_key(path)
    audience = settings.auth_audience or "{{ cookiecutter.project_slug }}"
    token = mint(
        key, audience=audience, subject=args.subject, scopes=args.scope, lifetime=args.lifetime
    )
    print(token)
    if settings.auth_dev_key_file is None:
        variable = "{{ cookiecutter.project_slug.upper() }}_AUTH_DEV_KEY_FILE"
        print(f"set {variable}={path} (in .env) so the service accepts it", file=sys.stderr)


if __name__ == "__main__":
    main()
