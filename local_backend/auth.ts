/**
 * Bearer-token verification as a Convex `customJwt` auth provider does it:
 * RS256 or ES256 signatures checked against a JWKS or a PEM public key given
 * at start, `exp` required and enforced (`nbf` too when present), issuer and
 * audience (applicationID) checked when configured. The identity is built
 * like Convex builds it: `subject` = sub, `issuer` = iss, `tokenIdentifier` =
 * "iss|sub", and the token's other claims at top level (nested objects
 * flattened with dots, e.g. "properties.id").
 *
 * Implemented with node:crypto (no extra dependency).
 */
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

export type JwtAlgorithm = "RS256" | "ES256";

export interface AuthOptions {
  /** Path of a JWKS file ({"keys": [...]}) or of a single JWK. */
  jwksFile?: string;
  /** A JWKS object ({"keys": [...]}) or a single JWK. */
  jwks?: { keys: JsonWebKey[] } | JsonWebKey;
  /** Path of a PEM public key (SPKI, PKCS#1 RSA, or an X.509 certificate). */
  publicKeyFile?: string;
  /** A PEM public key. */
  publicKeyPem?: string;
  /** Tokens must carry this `iss` (a missing "https://" on the token's side is tolerated, as Convex does). */
  issuer?: string;
  /** Tokens must carry this value in `aud` (Convex's `applicationID`). */
  applicationId?: string;
}

interface VerificationKey {
  key: KeyObject;
  alg: JwtAlgorithm;
  kid?: string;
}

export interface AuthConfig {
  keys: VerificationKey[];
  issuer?: string;
  applicationId?: string;
}

/** A refused token: the backend answers HTTP 401 with `{code, message}`. */
export class AuthError extends Error {
  readonly status = 401;
  constructor(
    readonly code: "InvalidAuthHeader" | "NoAuthProvider" | "BadAdminKey",
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export type Identity = Record<string, unknown> & {
  subject: string;
  issuer: string;
  tokenIdentifier: string;
};

function algorithmOf(key: KeyObject, declared?: string): JwtAlgorithm {
  let alg: JwtAlgorithm;
  if (key.asymmetricKeyType === "rsa") alg = "RS256";
  else if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") alg = "ES256";
  else {
    throw new Error(
      `Unsupported verification key (${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""}): ` +
        "Convex custom JWT providers use RS256 (RSA) or ES256 (EC P-256).",
    );
  }
  if (declared !== undefined && declared !== alg) {
    throw new Error(`The key declares alg ${declared}, but it is a ${alg} key`);
  }
  return alg;
}

/** Reads the verification key(s). Returns null when no key is configured (every token is then refused). */
export function loadAuthConfig(options: AuthOptions): AuthConfig | null {
  const keys: VerificationKey[] = [];
  const jwks = options.jwks ?? (options.jwksFile ? JSON.parse(readFileSync(options.jwksFile, "utf8")) : undefined);
  if (jwks !== undefined) {
    const list: JsonWebKey[] = Array.isArray((jwks as { keys?: unknown }).keys)
      ? (jwks as { keys: JsonWebKey[] }).keys
      : [jwks as JsonWebKey];
    for (const jwk of list) {
      if (jwk.use !== undefined && jwk.use !== "sig") continue;
      const key = createPublicKey({ key: jwk, format: "jwk" });
      keys.push({ key, alg: algorithmOf(key, jwk.alg as string | undefined), kid: jwk.kid as string | undefined });
    }
    if (keys.length === 0) throw new Error("The JWKS holds no signing key");
  }
  const pem = options.publicKeyPem ?? (options.publicKeyFile ? readFileSync(options.publicKeyFile, "utf8") : undefined);
  if (pem !== undefined) {
    const key = createPublicKey(pem);
    keys.push({ key, alg: algorithmOf(key) });
  }
  if (keys.length === 0) return null;
  return { keys, issuer: options.issuer, applicationId: options.applicationId };
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
  return value as Record<string, unknown>;
}

// Registered JWT claims: not copied into the identity (as Convex does), nor
// `fva`, which Convex drops too.
const REGISTERED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "fva"]);

function flattenClaims(claims: Record<string, unknown>, prefix: string, out: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(claims)) {
    if (prefix === "" && REGISTERED_CLAIMS.has(key)) continue;
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      flattenClaims(value as Record<string, unknown>, name, out);
    } else {
      out[name] = value;
    }
  }
}

function withProtocol(issuer: string): string {
  return issuer.startsWith("https://") || issuer.startsWith("http://") ? issuer : `https://${issuer}`;
}

/**
 * Verifies `token` and returns the identity a Convex function would see, or
 * throws an {@link AuthError}. `config` null means no provider is configured.
 */
export function verifyToken(token: string, config: AuthConfig | null, nowMs: number = Date.now()): Identity {
  const parts = token.split(".");
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error("a JWT has three parts");
    header = decodePart(parts[0]);
    payload = decodePart(parts[1]);
  } catch {
    throw new AuthError("InvalidAuthHeader", "Could not parse JWT payload");
  }
  const iss = payload.iss;
  if (typeof iss !== "string") throw new AuthError("InvalidAuthHeader", "Missing issuer in JWT payload");
  const audiences = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  // Route the token to a provider first, like Convex: issuer and audience must match one.
  const noProvider = () => new AuthError("NoAuthProvider", "No auth provider found matching the given token");
  if (config === null) throw noProvider();
  if (config.issuer !== undefined && withProtocol(iss) !== withProtocol(config.issuer)) throw noProvider();
  if (config.applicationId !== undefined && !audiences.includes(config.applicationId)) throw noProvider();

  const alg = header.alg;
  const candidates = config.keys.filter(
    (k) => k.alg === alg && (header.kid === undefined || k.kid === undefined || k.kid === header.kid),
  );
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], "base64url");
  const verified = candidates.some((k) =>
    cryptoVerify("sha256", data, { key: k.key, dsaEncoding: k.alg === "ES256" ? "ieee-p1363" : "der" }, signature),
  );
  if (!verified) throw new AuthError("InvalidAuthHeader", "Could not decode token");

  const now = nowMs / 1000;
  if (typeof payload.exp !== "number") throw new AuthError("InvalidAuthHeader", "Missing expiry");
  if (payload.exp <= now) throw new AuthError("InvalidAuthHeader", "Could not validate token: the token has expired");
  if (typeof payload.nbf === "number" && payload.nbf > now) {
    throw new AuthError("InvalidAuthHeader", "Could not validate token: the token is not valid yet (nbf)");
  }
  const sub = payload.sub;
  if (typeof sub !== "string") throw new AuthError("InvalidAuthHeader", "Missing subject");

  const identity: Record<string, unknown> = {};
  flattenClaims(payload, "", identity);
  return { ...identity, subject: sub, issuer: iss, tokenIdentifier: `${iss}|${sub}` };
}

/**
 * The identity carried by an `Authorization` header value: null for no
 * header (an unauthenticated call); throws {@link AuthError} for a header the
 * backend refuses.
 */
export function identityFromHeader(header: string | undefined, config: AuthConfig | null): Identity | null {
  if (header === undefined || header === "") return null;
  if (/^convex\s/i.test(header)) {
    throw new AuthError("BadAdminKey", "The local backend accepts no admin key; use a Bearer token");
  }
  if (header.length <= 7 || header.slice(0, 7).toLowerCase() !== "bearer ") {
    throw new AuthError("InvalidAuthHeader", "Header must begin with `bearer `");
  }
  return verifyToken(header.slice(7).trim(), config);
}
