"""Where a client's bearer token comes from: a fixed token, a provider, or service credentials.

A provider is any callable returning a JWT (or None). The clients ask it before the first
call, again before the token it gave expires (when the token is a JWT with ``exp``), and
once more when the deployment refuses it. :class:`ServiceCredentials` is such a provider:
it signs short-lived service tokens with a key made by ``convex-agent-memory keys new``, so
a Python service never needs an admin key nor an identity provider of its own.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = [
    "DEFAULT_SERVICE_APPLICATION_ID",
    "DEFAULT_SERVICE_ISSUER",
    "READ_ONLY_CLAIM",
    "RESOURCES_CLAIM",
    "SERVICE_CLAIM",
    "AsyncTokenProvider",
    "AsyncTokenSource",
    "ServiceCredentials",
    "TokenProvider",
    "TokenSource",
    "refresh_due_at",
]

#: Returns the token to send (a JWT), or None to call without one. Called for the first
#: call, again before that token expires, and once more whenever the deployment answers
#: UNAUTHENTICATED, so it should return a fresh token when asked.
TokenProvider = Callable[[], str | None]
#: Same, for the async client: a plain callable or a coroutine function.
AsyncTokenProvider = Callable[[], str | None] | Callable[[], Awaitable[str | None]]

#: Service tokens' ``iss`` and ``aud``: the defaults of ``serviceAuthProvider()`` in the
#: app's auth.config.ts (client/authConfig.ts).
DEFAULT_SERVICE_ISSUER: Final = "https://convex-agent-memory.invalid"
DEFAULT_SERVICE_APPLICATION_ID: Final = "convex-agent-memory"
#: The claim ``defaultPolicy`` reads to tell a service from a user.
SERVICE_CLAIM: Final = "agent_memory_service"
#: Optional scoping that ``defaultPolicy`` enforces on service identities.
RESOURCES_CLAIM: Final = "agent_memory_resources"
READ_ONLY_CLAIM: Final = "agent_memory_read_only"

#: A token is renewed this share of its lifetime before it expires, at most _MAX_MARGIN s.
_MARGIN_SHARE: Final = 0.2
_MAX_MARGIN: Final = 60.0
#: The margin for a token whose lifetime is unknown (no ``iat``).
_DEFAULT_MARGIN: Final = 30.0


def _claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, unverified (None when ``token`` is not one)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None


def refresh_due_at(token: str | None) -> float | None:
    """When (``time.time()``) a provider should be asked for a token to replace ``token``:
    a share of the token's lifetime before its ``exp``. None when it does not expire (or
    is not a JWT)."""
    claims = _claims(token) if token is not None else None
    exp = claims.get("exp") if claims is not None else None
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return None
    iat = claims.get("iat") if claims is not None else None
    if isinstance(iat, int | float) and not isinstance(iat, bool) and iat < exp:
        margin = min(_MAX_MARGIN, (exp - iat) * _MARGIN_SHARE)
    else:
        margin = _DEFAULT_MARGIN
    return float(exp) - margin


class _Cached:
    """A provider's token and when to ask for the next one (decoded once per token)."""

    __slots__ = ("due", "token")

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.due = refresh_due_at(token)

    def stale(self) -> bool:
        return self.due is not None and time.time() >= self.due


class TokenSource:
    """Caches the provider's token; asks again when it is about to expire or was refused."""

    def __init__(self, token: str | None, provider: TokenProvider | None) -> None:
        self._cached = _Cached(token)
        self._provider = provider
        self._asked = provider is None
        self._lock = threading.Lock()

    @property
    def can_refresh(self) -> bool:
        return self._provider is not None

    def fixed_token(self) -> str | None:
        """The token given at construction (None when a provider supplies them)."""
        return None if self._provider is not None else self._cached.token

    def _needs_asking(self) -> bool:
        return self._provider is not None and (not self._asked or self._cached.stale())

    def get(self) -> str | None:
        if self._needs_asking():
            with self._lock:
                if self._needs_asking():
                    assert self._provider is not None
                    self._cached = _Cached(self._provider())
                    self._asked = True
        return self._cached.token

    def refresh(self, refused: str | None) -> str | None:
        """A fresh token after ``refused`` was refused (another caller may have got it)."""
        if self._provider is None:
            return self._cached.token
        with self._lock:
            if self._cached.token == refused:
                self._cached = _Cached(self._provider())
                self._asked = True
            return self._cached.token


class AsyncTokenSource:
    """The async twin of :class:`TokenSource`; the provider may be sync or async."""

    def __init__(self, token: str | None, provider: AsyncTokenProvider | None) -> None:
        self._cached = _Cached(token)
        self._provider = provider
        self._asked = provider is None
        self._lock: asyncio.Lock | None = None

    @property
    def can_refresh(self) -> bool:
        return self._provider is not None

    def fixed_token(self) -> str | None:
        """The token given at construction (None when a provider supplies them)."""
        return None if self._provider is not None else self._cached.token

    def _needs_asking(self) -> bool:
        return self._provider is not None and (not self._asked or self._cached.stale())

    async def _ask(self) -> str | None:
        assert self._provider is not None
        result = self._provider()
        if inspect.isawaitable(result):
            return await result
        return result

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def get(self) -> str | None:
        if self._needs_asking():
            async with self._get_lock():
                if self._needs_asking():
                    self._cached = _Cached(await self._ask())
                    self._asked = True
        return self._cached.token

    async def refresh(self, refused: str | None) -> str | None:
        if self._provider is None:
            return self._cached.token
        async with self._get_lock():
            if self._cached.token == refused:
                self._cached = _Cached(await self._ask())
                self._asked = True
            return self._cached.token


# --- service credentials ----------------------------------------------------------------


def _require_jwt() -> Any:
    try:
        import jwt
    except ImportError as error:  # pragma: no cover - depends on the environment
        from ._exceptions import AgentMemoryError

        raise AgentMemoryError(
            "service credentials need PyJWT with cryptography: "
            "pip install 'convex-agent-memory[service]'"
        ) from error
    return jwt


def load_private_key(private_key: str | bytes | PrivateKeyTypes) -> PrivateKeyTypes:
    """A private key from PEM text (PKCS#8 or traditional) or a key object."""
    if not isinstance(private_key, str | bytes):
        return private_key
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = private_key.encode() if isinstance(private_key, str) else private_key
    return load_pem_private_key(data, password=None)


def algorithm_of(key: PrivateKeyTypes) -> str:
    """RS256 for an RSA key, ES256 for an EC P-256 key (what Convex's customJwt accepts)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError("a service key must be RSA (RS256) or EC P-256 (ES256)")


def public_jwk(key: PrivateKeyTypes) -> dict[str, Any]:
    """The public half of ``key`` as a JWK (no kid, alg or use)."""
    jwt = _require_jwt()
    algorithm = algorithm_of(key)
    impl = jwt.algorithms.RSAAlgorithm if algorithm == "RS256" else jwt.algorithms.ECAlgorithm
    jwk: dict[str, Any] = impl.to_jwk(key.public_key(), as_dict=True)
    return jwk


def key_id(key: PrivateKeyTypes) -> str:
    """The default ``kid`` of a key: the start of its RFC 7638 JWK thumbprint.

    ``keys new`` names a key this way unless told otherwise, so credentials built from the
    private key alone find their key in the JWKS.
    """
    import hashlib

    jwk = public_jwk(key)
    required = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:16]


class ServiceCredentials:
    """Signs short-lived tokens for a service identity; pass it as a ``token_provider``::

        credentials = ServiceCredentials(
            private_key=os.environ["AGENT_MEMORY_PRIVATE_KEY"],  # from `keys new`
            subject="svc-indexer",
        )
        client = Client(url=..., token_provider=credentials)

    Each token carries ``kid`` (header), ``iss``, ``sub``, ``aud``, ``iat``, ``exp`` (``ttl``
    seconds later), the service claim (``agent_memory_service: true``, unless
    ``service=False``: then it is a user's token for ``subject``), the optional scoping
    claims (``resources``: only these resource ids; ``read_only``) and ``claims``. A token
    is reused until a fifth of its lifetime (at most a minute) is left, then a new one is
    signed; safe to share between threads, clients and event loops.

    ``issuer`` and ``audience`` default to those of ``serviceAuthProvider()`` in the app's
    auth.config.ts; ``kid`` defaults to the key's own id (what ``keys new`` names it).
    """

    def __init__(
        self,
        *,
        private_key: str | bytes | PrivateKeyTypes,
        subject: str,
        kid: str | None = None,
        issuer: str = DEFAULT_SERVICE_ISSUER,
        audience: str = DEFAULT_SERVICE_APPLICATION_ID,
        ttl: float = 300.0,
        service: bool = True,
        resources: Sequence[str] | None = None,
        read_only: bool = False,
        claims: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        _require_jwt()
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if isinstance(resources, str):
            raise TypeError("resources is a list of resource ids, not one string")
        self._key = load_private_key(private_key)
        self.algorithm = algorithm_of(self._key)
        self.kid = kid if kid is not None else key_id(self._key)
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.ttl = float(ttl)
        extra: dict[str, Any] = dict(claims or {})
        if service:
            extra[SERVICE_CLAIM] = True
        if resources is not None:
            extra[RESOURCES_CLAIM] = list(resources)
        if read_only:
            extra[READ_ONLY_CLAIM] = True
        reserved = {"iss", "sub", "aud", "iat", "exp", "nbf"} & extra.keys()
        if reserved:
            raise ValueError(f"claims may not set {sorted(reserved)}: use the arguments")
        self._extra = extra
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: _Cached | None = None

    def mint(self) -> str:
        """A new token, valid from now for ``ttl`` seconds."""
        jwt = _require_jwt()
        now = self._clock()
        iat = math.floor(now)
        payload = {
            **self._extra,
            "iss": self.issuer,
            "sub": self.subject,
            "aud": self.audience,
            "iat": iat,
            "exp": math.floor(now + self.ttl),
        }
        token: str = jwt.encode(
            payload, self._key, algorithm=self.algorithm, headers={"kid": self.kid}
        )
        return token

    def token(self) -> str:
        """The current token, signed anew when it is about to expire."""
        with self._lock:
            cached = self._cached
            if cached is None or (cached.due is not None and self._clock() >= cached.due):
                cached = self._cached = _Cached(self.mint())
            assert cached.token is not None
            return cached.token

    def __call__(self) -> str:
        return self.token()

    def __repr__(self) -> str:
        return (
            f"ServiceCredentials(subject={self.subject!r}, kid={self.kid!r}, "
            f"algorithm={self.algorithm!r}, issuer={self.issuer!r}, ttl={self.ttl})"
        )
