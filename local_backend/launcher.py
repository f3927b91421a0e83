"""Starts the local backend from Python, configured as a deployment is, and mints tokens for it.

The served app's own ``auth.config.ts`` decides which tokens are valid. The example app's
reads ``AGENT_MEMORY_JWKS``: the launcher makes a key with ``convex-agent-memory keys new``
and gives the backend that environment variable, exactly the recipe for a deployment
(``npx convex env set AGENT_MEMORY_JWKS ...``). Tokens are then signed with that key, as a
Python service does with :class:`convex_agent_memory.ServiceCredentials`.

Used by the end-to-end tests, the benchmarks and the demo::

    with LocalBackend.start() as backend:
        client = Client(url=backend.url, token=backend.token("user-a"))
        service = Client(url=backend.url, token_provider=backend.credentials("svc"))

or, to run a command against a fresh backend (``CONVEX_URL``, ``CONVEX_AUTH_TOKEN`` for a
user and ``AGENT_MEMORY_SERVICE_TOKEN`` for a service are set for it)::

    python -m local_backend.launcher run [--user demo-user] -- python examples/quickstart.py

(``--app DIR`` and ``--component NAME=DIR`` serve another app, e.g. one that installed the
package: ``--component agentMemory=APP/node_modules/convex-agent-memory/dist/component``)

The backend runs as ``node --import tsx local_backend/main.ts --port 0
--exit-on-stdin-close``: it can never outlive this process.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import jwt
from convex_agent_memory import ServiceCredentials
from convex_agent_memory._auth import (
    DEFAULT_SERVICE_APPLICATION_ID,
    DEFAULT_SERVICE_ISSUER,
    SERVICE_CLAIM,
)
from convex_agent_memory._keys import JWKS_ENV, ServiceKey, jwks_data_uri

ROOT = Path(__file__).resolve().parents[1]
READY_PREFIX = "LOCAL_BACKEND_URL="
ISSUER = DEFAULT_SERVICE_ISSUER
AUDIENCE = DEFAULT_SERVICE_APPLICATION_ID


def make_key(*, alg: str = "ES256", kid: str | None = None) -> ServiceKey:
    """A key pair made by the ``convex-agent-memory keys new`` command (run as a user runs it)."""
    command = [sys.executable, "-m", "convex_agent_memory._keys", "keys", "new", "--json"]
    command += ["--alg", alg] + (["--kid", kid] if kid is not None else [])
    out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    private_key = out["private_key"]
    keys = json.loads(_decode_data_uri(out["jwks"]))["keys"]
    return ServiceKey(private_key=private_key, kid=out["kid"], alg=out["alg"], public_jwk=keys[0])


def _decode_data_uri(uri: str) -> str:
    import base64

    return base64.b64decode(uri.split(",", 1)[1]).decode()


@dataclass
class LocalBackend:
    url: str
    process: subprocess.Popen[str]
    key: ServiceKey
    env: dict[str, str]
    workdir: Path
    log_path: Path
    issuer: str = ISSUER
    audience: str = AUDIENCE
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def start(
        cls,
        *,
        app_dir: Path | None = None,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
        key: ServiceKey | None = None,
        redact_errors: bool = False,
        timeout: float = 90.0,
    ) -> LocalBackend:
        """Starts a backend on a free port and waits for its ready line.

        The deployment environment is ``AGENT_MEMORY_JWKS`` (the public half of ``key``, a
        new key from ``keys new`` by default) plus ``env``; the app's auth.config.ts reads it.
        ``redact_errors``: answer as a production deployment answers clients (function errors
        say only ``[Request ID: …] Server Error``; ``errorData`` is kept).
        """
        workdir = Path(tempfile.mkdtemp(prefix="local-backend-"))
        key = key if key is not None else make_key()
        deployment_env = {JWKS_ENV: jwks_data_uri([key.public_jwk]), **(env or {})}
        env_file = workdir / "deployment.env"
        env_file.write_text("".join(f"{name}={value}\n" for name, value in deployment_env.items()))
        log_path = workdir / "backend.log"
        args = [
            "node", "--import", "tsx", "local_backend/main.ts",
            "--port", "0", "--exit-on-stdin-close", "--env-file", str(env_file),
        ]  # fmt: skip
        if app_dir is not None:
            args += ["--app", str(app_dir)]
        if redact_errors:
            args.append("--redact-errors")
        args += extra_args or []
        log = log_path.open("w")
        process = subprocess.Popen(
            args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
        )
        url = _await_ready_line(process, log_path, timeout)
        return cls(
            url=url, process=process, key=key, env=deployment_env, workdir=workdir,
            log_path=log_path,
        )  # fmt: skip

    def credentials(
        self, subject: str, *, service: bool = True, ttl: float = 300.0, **options: Any
    ) -> ServiceCredentials:
        """Credentials signing with the backend's key (``service=False``: a user's tokens)."""
        return ServiceCredentials(
            private_key=self.key.private_key, kid=self.key.kid, subject=subject,
            service=service, ttl=ttl, **options,
        )  # fmt: skip

    def token(
        self,
        subject: str,
        *,
        service: bool = False,
        expires_in: float = 3600.0,
        **claims: Any,
    ) -> str:
        """A JWT the backend accepts: a user's (``subject`` is its resource id) or a service's.

        ``claims`` may override any claim (``exp``, ``iss``, ...), to make tokens to refuse.
        """
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "exp": now + int(expires_in),
            **({SERVICE_CLAIM: True} if service else {}),
            **claims,
        }
        token: str = jwt.encode(
            payload, self.key.private_key, algorithm=self.key.alg, headers={"kid": self.key.kid}
        )
        return token

    def set_env(self, **changes: str | None) -> None:
        """Sets (or, with None, unsets) deployment environment variables, as ``npx convex env
        set`` does: the app's auth config is evaluated again with them; a change that makes
        it invalid raises and changes nothing."""
        body = {"changes": [{"name": n, "value": v} for n, v in changes.items()]}
        reply = httpx.post(f"{self.url}/_local_backend/environment", json=body, timeout=30)
        if reply.status_code != 200:
            raise RuntimeError(f"environment update refused: {reply.text}")
        for name, value in changes.items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _await_ready_line(process: subprocess.Popen[str], log_path: Path, timeout: float) -> str:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            process.kill()
            raise RuntimeError(
                f"local backend: no ready line in {timeout}s\n{log_path.read_text()}"
            ) from None
        if line is None:
            raise RuntimeError(f"local backend exited ({process.wait()}):\n{log_path.read_text()}")
        if line.startswith(READY_PREFIX):
            return line[len(READY_PREFIX) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_backend.launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start a backend, run a command against it, stop it")
    run.add_argument("--user", default="demo-user", help="subject of CONVEX_AUTH_TOKEN")
    run.add_argument("--app", type=Path, help="the app functions folder (default: example/convex)")
    run.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="register a component from DIR (repeatable; default: agentMemory=component)",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="-- command ...")
    options = parser.parse_args(argv)
    cmd = [c for c in options.cmd if c != "--"] if options.cmd[:1] == ["--"] else options.cmd
    if not cmd:
        parser.error("run needs a command after --")
    print("starting the local backend ...", file=sys.stderr, flush=True)
    extra_args = [arg for spec in options.component for arg in ("--component", spec)]
    with LocalBackend.start(app_dir=options.app, extra_args=extra_args) as backend:
        print(f"local backend at {backend.url}", file=sys.stderr, flush=True)
        env = {
            **os.environ,
            "CONVEX_URL": backend.url,
            "CONVEX_AUTH_TOKEN": backend.token(options.user),
            "AGENT_MEMORY_SERVICE_TOKEN": backend.token("demo-service", service=True),
        }
        return subprocess.call(cmd, env=env, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
