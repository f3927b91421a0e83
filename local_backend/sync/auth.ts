/**
 * How long a WebSocket session's identity stays valid, as the sync worker
 * sees it: a user identity expires at its token's `exp`, with no leeway
 * (crates/keybroker/src/broker.rs: `UserIdentity::is_expired` is
 * `now >= expiration`), and it is re-checked before every query re-run and
 * every mutation or action (crates/sync/src/worker.rs: `revalidate_identity`,
 * crates/sync/src/state.rs: `identity`). An expired identity ends the session
 * with `AuthError {authUpdateAttempted: false}` (crates/local_backend/src/subs/mod.rs).
 */

/** The message of the backend's `ErrorMetadata::unauthenticated("TokenExpired", ...)`. */
export const TOKEN_EXPIRED_MESSAGE = "Convex token identity expired";

/** `exp` of an already verified JWT in ms since the epoch (whole seconds, as the verifier rounds it), or null. */
export function tokenExpiresAtMs(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? Math.round(payload.exp) * 1000 : null;
  } catch {
    return null;
  }
}

/** Whether an identity that expires at `expiresAtMs` is expired at `nowMs`. */
export function identityExpired(expiresAtMs: number | null, nowMs: number = Date.now()): boolean {
  return expiresAtMs !== null && nowMs >= expiresAtMs;
}
