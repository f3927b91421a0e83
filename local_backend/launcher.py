"""Starts the local backend from Python, with a signing key, and mints tokens for it.

Used by the end-to-end tests, the benchmarks and the demo::

    with LocalBackend.start() as backend:
        client = Client(url=backend.url, token=backend.token("user-a"))
        service = Client(url=backend.url, token=backend.token("svc", service=True))

or, to run a command against a fresh backend (``CONVEX_URL``, ``CONVEX_AUTH_TOKEN`` for a
user and ``AGENT_MEMORY_SERVICE_TOKEN`` for a service are set for it)::

    python -m local_backend.launcher run [--user demo-user] -- python examples/quickstart.py

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

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
READY_PREFIX = "LOCAL_BACKEND_URL="
ISSUER = "https://auth.local-backend.test"
AUDIENCE = "convex-agent-memory"
SERVICE_CLAIM = "agent_memory_service"


@dataclass
class LocalBackend:
    url: str
    process: subprocess.Popen[str]
    private_key: rsa.RSAPrivateKey
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
        redact_errors: bool = False,
        timeout: float = 90.0,
    ) -> LocalBackend:
        """Starts a backend on a free port and waits for its ready line.

        ``redact_errors``: answer as a production deployment answers clients (function errors
        say only ``[Request ID: …] Server Error``; ``errorData`` is kept).
        """
        workdir = Path(tempfile.mkdtemp(prefix="local-backend-"))
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
        jwks_file = workdir / "jwks.json"
        jwks_file.write_text(json.dumps({"keys": [{**jwk, "kid": "local", "alg": "RS256"}]}))
        log_path = workdir / "backend.log"
        args = [
            "node", "--import", "tsx", "local_backend/main.ts",
            "--port", "0", "--exit-on-stdin-close",
            "--jwks", str(jwks_file), "--issuer", ISSUER, "--application-id", AUDIENCE,
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
            url=url, process=process, private_key=private_key, workdir=workdir, log_path=log_path
        )

    def token(
        self,
        subject: str,
        *,
        service: bool = False,
        expires_in: float = 3600.0,
        **claims: Any,
    ) -> str:
        """A JWT the backend accepts: a user's (``subject`` is its resource id) or a service's."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "exp": now + int(expires_in),
            **claims,
        }
        if service:
            payload[SERVICE_CLAIM] = True
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": "local"})

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
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="-- command ...")
    options = parser.parse_args(argv)
    cmd = [c for c in options.cmd if c != "--"] if options.cmd[:1] == ["--"] else options.cmd
    if not cmd:
        parser.error("run needs a command after --")
    print("starting the local backend ...", file=sys.stderr, flush=True)
    with LocalBackend.start() as backend:
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
