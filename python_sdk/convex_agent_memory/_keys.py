"""Service keys: ``convex-agent-memory keys new | rotate | remove``.

``keys new`` makes a key pair and prints its private half (for the Python service's secret
store) and the public half as a JWKS data URI (for the deployment's environment, which the
app's ``serviceAuthProvider()`` reads)::

    convex-agent-memory keys new                      # ES256; --alg RS256, --kid K, --json
    npx convex env set AGENT_MEMORY_JWKS 'data:text/plain;charset=utf-8;base64,...'

``keys rotate`` adds a new key beside the current ones (tokens of both verify while the
deployment holds both); ``keys remove --kid OLD`` drops the old one once no service uses it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from ._auth import algorithm_of, key_id, public_jwk

__all__ = ["JWKS_ENV", "ServiceKey", "jwks_data_uri", "main", "new_key", "parse_jwks_data_uri"]

#: The deployment environment variable ``serviceAuthProvider()`` reads by default.
JWKS_ENV: Final = "AGENT_MEMORY_JWKS"
_DATA_URI_PREFIX: Final = "data:text/plain;charset=utf-8;base64,"
_ALGORITHMS: Final = ("ES256", "RS256")


@dataclass(frozen=True)
class ServiceKey:
    """A new key: its private half (PEM, PKCS#8) and the public JWK (with kid, alg, use)."""

    private_key: str
    kid: str
    alg: str
    public_jwk: dict[str, Any]


def new_key(*, alg: str = "ES256", kid: str | None = None) -> ServiceKey:
    """A new signing key for service tokens: EC P-256 (ES256, the default) or RSA 2048 (RS256)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    if alg not in _ALGORITHMS:
        raise ValueError(f"alg must be one of {', '.join(_ALGORITHMS)}, not {alg!r}")
    key: PrivateKeyTypes = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    assert algorithm_of(key) == alg
    kid = kid if kid is not None else key_id(key)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ServiceKey(
        private_key=pem,
        kid=kid,
        alg=alg,
        public_jwk={**public_jwk(key), "kid": kid, "alg": alg, "use": "sig"},
    )


def jwks_data_uri(keys: Sequence[dict[str, Any]]) -> str:
    """``{"keys": [...]}`` as the data URI a Convex ``customJwt`` provider takes as ``jwks``."""
    body = json.dumps({"keys": list(keys)}, separators=(",", ":"))
    return _DATA_URI_PREFIX + base64.b64encode(body.encode()).decode()


def parse_jwks_data_uri(uri: str) -> list[dict[str, Any]]:
    """The keys of a JWKS data URI made by :func:`jwks_data_uri` (ValueError otherwise)."""
    uri = uri.strip()
    if not uri.startswith(_DATA_URI_PREFIX):
        raise ValueError(f"not a JWKS data URI (it starts with {_DATA_URI_PREFIX!r})")
    try:
        keys = json.loads(base64.b64decode(uri[len(_DATA_URI_PREFIX) :], validate=True))["keys"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"not a JWKS data URI: {error}") from error
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise ValueError("not a JWKS data URI: 'keys' is not a list of keys")
    return keys


# --- the command ------------------------------------------------------------------------


def _print_result(args: argparse.Namespace, key: ServiceKey | None, jwks: str, note: str) -> None:
    if args.json:
        out: dict[str, Any] = {"jwks": jwks}
        if key is not None:
            out.update(kid=key.kid, alg=key.alg, private_key=key.private_key)
        print(json.dumps(out, indent=2))
        return
    if key is not None:
        print(f"# Private key ({key.alg}, kid {key.kid}): keep it secret, in the Python")
        print(
            "# service's secret store (e.g. AGENT_MEMORY_PRIVATE_KEY); ServiceCredentials takes it."
        )
        print(key.private_key.rstrip("\n"))
        print()
    print(f"# {note}")
    print(f"#   npx convex env set {JWKS_ENV} '<the line below>'")
    print(jwks)


def _current_jwks(args: argparse.Namespace) -> list[dict[str, Any]]:
    uri = args.jwks if args.jwks is not None else os.environ.get(JWKS_ENV)
    if uri is None:
        raise SystemExit(f"error: give --jwks (the current {JWKS_ENV} value) or set {JWKS_ENV}")
    try:
        return parse_jwks_data_uri(uri)
    except ValueError as error:
        raise SystemExit(f"error: --jwks: {error}") from error


def _cmd_new(args: argparse.Namespace) -> int:
    key = new_key(alg=args.alg or "ES256", kid=args.kid)
    _print_result(
        args, key, jwks_data_uri([key.public_jwk]), "The deployment's public keys (JWKS):"
    )
    return 0


def _cmd_rotate(args: argparse.Namespace) -> int:
    keys = _current_jwks(args)
    algorithms = {k.get("alg") for k in keys}
    if len(algorithms) > 1:
        raise SystemExit(f"error: the JWKS mixes algorithms {sorted(map(str, algorithms))}")
    current = next(iter(algorithms), None)
    alg = args.alg or current or "ES256"
    if current is not None and alg != current:
        raise SystemExit(
            f"error: the deployment's keys are {current}; a provider checks one algorithm, "
            f"so rotate to another {current} key"
        )
    if args.kid is not None and any(k.get("kid") == args.kid for k in keys):
        raise SystemExit(f"error: the JWKS already has a key {args.kid!r}")
    key = new_key(alg=alg, kid=args.kid)
    jwks = jwks_data_uri([*keys, key.public_jwk])
    _print_result(
        args,
        key,
        jwks,
        "The deployment's public keys, old and new (tokens of both verify); after every "
        "service uses the new key, drop the old: keys remove --kid OLD",
    )
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    keys = _current_jwks(args)
    kept = [k for k in keys if k.get("kid") != args.kid]
    if len(kept) == len(keys):
        raise SystemExit(
            f"error: no key {args.kid!r} in the JWKS (kids: {[k.get('kid') for k in keys]})"
        )
    if not kept:
        raise SystemExit("error: that is the last key; make a new one first (keys rotate)")
    _print_result(
        args, None, jwks_data_uri(kept), f"The deployment's public keys without {args.kid}:"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convex-agent-memory",
        description="Service identities for convex-agent-memory (no admin key at runtime).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="make, rotate and remove service signing keys")
    actions = keys.add_subparsers(dest="action", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--json", action="store_true", help="print one JSON object instead")

    new = actions.add_parser("new", help="a new key pair: private key + JWKS data URI")
    new.add_argument("--alg", choices=_ALGORITHMS, help="ES256 (default) or RS256")
    new.add_argument("--kid", help="key id (default: from the key's thumbprint)")
    common(new)
    new.set_defaults(run=_cmd_new)

    rotate = actions.add_parser("rotate", help="add a new key beside the current ones")
    rotate.add_argument("--jwks", help=f"the current JWKS data URI (default: ${JWKS_ENV})")
    rotate.add_argument("--alg", choices=_ALGORITHMS, help="must match the current keys'")
    rotate.add_argument("--kid", help="key id of the new key")
    common(rotate)
    rotate.set_defaults(run=_cmd_rotate)

    remove = actions.add_parser("remove", help="drop a key from the JWKS")
    remove.add_argument("--jwks", help=f"the current JWKS data URI (default: ${JWKS_ENV})")
    remove.add_argument("--kid", required=True, help="key id to drop")
    common(remove)
    remove.set_defaults(run=_cmd_remove)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
