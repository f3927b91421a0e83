/**
 * Bearer-token verification as a Convex deployment does it, against the
 * providers of the app's `auth.config.ts` (evaluated by authConfig.ts). One
 * verifier for the HTTP API and the WebSocket sync protocol.
 *
 * Reference: crates/authentication/src/lib.rs (`validate_id_token`,
 * `fetch_jwks`), crates/common/src/auth.rs (`AuthInfo::matches_token`), the
 * JWT library it pins (get-convex/biscuit@05bdaab: `decode_with_jwks`,
 * `ValidationOptions`, `numeric_type`), get-convex/openidconnect-rs@15a9c55
 * (`IdTokenVerifier`) for OIDC providers, and crates/keybroker/src/broker.rs
 * (`UserIdentity::from_custom_jwt` / `from_token`) for the identity built.
 *
 * customJwt, step by step:
 *  1. the payload is read unverified; `iss` is required;
 *  2. the token goes to the first provider whose issuer matches `iss` (a
 *     missing "https://" on the token's side added, trailing "/" trimmed on
 *     both) and, when it has an applicationID, whose audience is in `aud`
 *     (else 401 NoAuthProvider);
 *  3. the JWKS comes from the provider's `jwks`: a data URI, or a URL fetched
 *     (200, JSON content type);
 *  4. `kid` is required and must name a key of the JWKS; the header's `alg`
 *     must be the provider's algorithm (and the key's `alg`, when it has one);
 *     the signature must verify;
 *  5. `exp`, `nbf`, `iat` (when present) are checked with 5 s of leeway
 *     against the clock in whole seconds; then `sub` and `exp` are required.
 * OIDC (`domain`) providers: the keys come from OpenID discovery of the
 * token's issuer over HTTP, or from keys given to the local backend for that
 * domain; RS256 or EdDSA; `aud` must hold the applicationID and no other
 * audience; `exp` is checked without leeway.
 */
import { createPublicKey, createSecretKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from "node:crypto";

/** A provider of `auth.config.ts`, as the backend holds it (`AuthInfo`). */
export type AuthProvider =
  | {
      type: "customJwt";
      applicationID: string | null;
      /** With its scheme (https:// added when the config had none). */
      issuer: string;
      /** A URL or a data URI. */
      jwks: string;
      algorithm: "RS256" | "ES256";
    }
  | { type: "oidc"; applicationID: string; domain: string };

export interface Jwks {
  keys: JsonWebKey[];
}

export interface VerifierOptions {
  /** OIDC providers' keys given locally, by domain (instead of discovery over HTTP). */
  oidcJwks?: Record<string, Jwks>;
  /** Redact error details as a production deployment does. Default false (a dev deployment). */
  redactErrors?: boolean;
  /** How URLs (JWKS, OIDC discovery) are fetched. Default: global fetch. */
  fetch?: typeof fetch;
}

/** A refused token: the backend answers HTTP 401 with `{code, message}`. */
export class AuthError extends Error {
  readonly status = 401;
  constructor(
    readonly code: "InvalidAuthHeader" | "NoAuthProvider" | "BadAdminKey" | "Unauthenticated",
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

/** What a verified token gives: the identity functions see, and when it stops being valid. */
export interface VerifiedToken {
  identity: Identity;
  /** `exp` in ms since the epoch (whole seconds). */
  expiresAtMs: number;
}

const LEEWAY_SECONDS = 5;

const invalid = (message: string) => new AuthError("InvalidAuthHeader", message);

function decodeJsonPart(part: string | undefined): Record<string, unknown> {
  if (part === undefined) throw new Error("missing part");
  const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
  return value as Record<string, unknown>;
}

/** biscuit's `numeric_type`: a non-negative number, fractions rounded. */
function numericDate(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new Error(`${name} is not a NumericDate`);
  return Math.round(value);
}

interface RegisteredClaims {
  iss?: string;
  sub?: string;
  aud: string[] | undefined;
  exp?: number;
  nbf?: number;
  iat?: number;
}

/** The registered claims with the types biscuit's `RegisteredClaims` requires (throws otherwise). */
function registeredClaims(payload: Record<string, unknown>): RegisteredClaims {
  const optionalString = (name: string) => {
    const value = payload[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new Error(`${name} is not a string`);
    return value;
  };
  let aud: string[] | undefined;
  if (typeof payload.aud === "string") aud = [payload.aud];
  else if (Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === "string")) aud = payload.aud as string[];
  else if (payload.aud !== undefined && payload.aud !== null) throw new Error("aud is not a string or a list of strings");
  optionalString("jti");
  return {
    iss: optionalString("iss"),
    sub: optionalString("sub"),
    aud,
    exp: numericDate(payload.exp, "exp"),
    nbf: numericDate(payload.nbf, "nbf"),
    iat: numericDate(payload.iat, "iat"),
  };
}

function withProtocol(issuer: string): string {
  return issuer.startsWith("https://") || issuer.startsWith("http://") ? issuer : `https://${issuer}`;
}

const trimSlash = (s: string) => s.replace(/\/+$/, "");

/** crates/common/src/auth.rs: `AuthInfo::matches_token`. */
function matchesToken(provider: AuthProvider, audiences: string[], issuer: string): boolean {
  const applicationID = provider.applicationID;
  if (applicationID !== null && !audiences.includes(applicationID)) return false;
  const domain = provider.type === "customJwt" ? provider.issuer : provider.domain;
  return trimSlash(domain) === trimSlash(withProtocol(issuer));
}

function noProviderMessage(providers: AuthProvider[], redact: boolean): string {
  if (redact) return "No auth provider found matching the given token";
  if (providers.length === 0) {
    return "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.";
  }
  const listed = providers.map((p) =>
    p.type === "oidc"
      ? `OIDC(domain=${p.domain}, app_id=${p.applicationID})`
      : `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? "none"})`,
  );
  return `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${listed.join(", ")}]`;
}

// Registered claims are not copied into the identity (biscuit's RegisteredClaims takes them);
// `fva` is dropped (crates/keybroker/src/broker.rs).
const REGISTERED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);

/** `extract_custom_jwt_claims`: nested objects flattened with dots; other values kept as JSON. */
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

// OIDC: the ID token's standard claims, surfaced as the identity's typed fields
// (`UserIdentity::from_token`); the rest (but the ID token's own fields) are custom claims.
const OIDC_STANDARD: Record<string, string> = {
  name: "name",
  given_name: "givenName",
  family_name: "familyName",
  nickname: "nickname",
  preferred_username: "preferredUsername",
  profile: "profileUrl",
  picture: "pictureUrl",
  website: "websiteUrl",
  email: "email",
  email_verified: "emailVerified",
  gender: "gender",
  birthdate: "birthday",
  zoneinfo: "timezone",
  locale: "language",
  phone_number: "phoneNumber",
  phone_number_verified: "phoneNumberVerified",
  address: "address",
  updated_at: "updatedAt",
};
const OIDC_TOKEN_FIELDS = new Set([
  "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "jti", "nbf", "fva",
]);

interface SigningKey {
  key: KeyObject;
  kty: string;
  alg?: string;
  kid?: string;
  use?: string;
  crv?: string;
}

function importJwks(jwks: unknown): SigningKey[] {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new Error("not a JWK set");
  }
  const keys: SigningKey[] = [];
  for (const jwk of (jwks as Jwks).keys) {
    try {
      const key = jwk.kty === "oct" ? createSecretKey(Buffer.from(String(jwk.k ?? ""), "base64url")) : createPublicKey({ key: jwk, format: "jwk" });
      keys.push({
        key,
        kty: String(jwk.kty),
        alg: jwk.alg as string | undefined,
        kid: jwk.kid as string | undefined,
        use: jwk.use as string | undefined,
        crv: jwk.crv as string | undefined,
      });
    } catch {
      // A key this verifier cannot read can match no token.
    }
  }
  return keys;
}

/** Verifies a JWS signature with `alg` (RS256, ES256 with raw r||s, or EdDSA). */
function signatureValid(alg: string, key: SigningKey, signingInput: string, signature: Buffer): boolean {
  try {
    const data = Buffer.from(signingInput);
    if (alg === "RS256") return key.kty === "RSA" && cryptoVerify("sha256", data, key.key, signature);
    if (alg === "ES256") {
      return key.kty === "EC" && key.crv === "P-256" && cryptoVerify("sha256", data, { key: key.key, dsaEncoding: "ieee-p1363" }, signature);
    }
    if (alg === "EdDSA") return key.kty === "OKP" && key.crv === "Ed25519" && cryptoVerify(null, data, key.key, signature);
    return false;
  } catch {
    return false;
  }
}

/** The data of a `data:` URL (crates/authentication: `fetch_jwks`, which accepts any media type). */
function dataUrlBody(uri: string): Buffer | null {
  const match = /^data:([^,]*),(.*)$/s.exec(uri);
  if (match === null) return null;
  const base64 = /;\s*base64\s*$/i.test(match[1]);
  return base64 ? Buffer.from(match[2].replace(/\s+/g, ""), "base64") : Buffer.from(decodeURIComponent(match[2]), "utf8");
}

export class TokenVerifier {
  private readonly fetchUrl: typeof fetch;
  private readonly redact: boolean;
  private readonly oidcJwks: Map<string, Jwks>;
  private readonly dataUriKeys = new Map<string, SigningKey[]>();

  constructor(
    readonly providers: AuthProvider[],
    options: VerifierOptions = {},
  ) {
    this.fetchUrl = options.fetch ?? fetch;
    this.redact = options.redactErrors ?? false;
    this.oidcJwks = new Map(Object.entries(options.oidcJwks ?? {}).map(([domain, jwks]) => [trimSlash(withProtocol(domain)), jwks]));
  }

  /**
   * The identity carried by an `Authorization` header value: null for no
   * header (an unauthenticated call); throws {@link AuthError} for a header
   * the backend refuses.
   */
  async fromHeader(header: string | undefined, nowMs: number = Date.now()): Promise<VerifiedToken | null> {
    if (header === undefined || header === "") return null;
    if (/^convex\s/i.test(header)) {
      throw new AuthError("BadAdminKey", "The local backend accepts no admin key; use a Bearer token");
    }
    // crates/authentication/src/lib.rs: extract_bearer_token.
    if (header.length <= 7 || header.slice(0, 7).toLowerCase() !== "bearer ") {
      throw invalid("Header must begin with `bearer `");
    }
    return await this.verify(header.slice(7).trim(), nowMs);
  }

  /** Verifies `token` against the providers; throws {@link AuthError} when a deployment would refuse it. */
  async verify(token: string, nowMs: number = Date.now()): Promise<VerifiedToken> {
    const parts = token.split(".");
    let claims: RegisteredClaims;
    try {
      claims = registeredClaims(decodeJsonPart(parts[1]));
    } catch {
      throw invalid(
        "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.",
      );
    }
    if (claims.iss === undefined) {
      throw invalid(
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
      );
    }
    const issuer = claims.iss;
    const provider = this.providers.find((p) => matchesToken(p, claims.aud ?? [], issuer));
    if (provider === undefined) throw new AuthError("NoAuthProvider", noProviderMessage(this.providers, this.redact));
    const nowSeconds = Math.floor(nowMs / 1000);
    return provider.type === "customJwt"
      ? await this.verifyCustomJwt(token, provider, nowSeconds)
      : await this.verifyOidc(token, provider, nowSeconds);
  }

  private async fetchJson(url: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchUrl(url, { headers: { Accept: "application/json" } });
    } catch (error) {
      throw invalid(`Could not fetch ${what} from URL '${url}': ${(error as Error).message}. Check that the URL is correct and accessible.`);
    }
    if (response.status !== 200) {
      throw invalid(
        `Could not fetch ${what} from URL '${url}': HTTP ${response.status} ${response.statusText || "Unknown"}. Check that the URL is correct and accessible.`,
      );
    }
    const contentType = response.headers.get("content-type") ?? "unknown";
    const [essence, ...params] = contentType.split(";").map((s) => s.trim().toLowerCase());
    const charset = params.find((p) => p.startsWith("charset="));
    if (!["application/json", "application/jwk-set+json"].includes(essence) || (charset !== undefined && charset !== "charset=utf-8")) {
      throw invalid(
        `Invalid Content-Type '${contentType}' when fetching ${what} from '${url}'. Expected 'application/json' or 'application/jwk-set+json'.`,
      );
    }
    const body = await response.text();
    try {
      return JSON.parse(body);
    } catch {
      throw invalid(`Invalid ${what} response body from '${url}'. The response is not valid JSON or doesn't match the expected JWKS format.`);
    }
  }

  /** crates/authentication/src/lib.rs: `fetch_jwks` (data URI or URL), then parsed as a JWK set. */
  private async customJwks(jwksUri: string): Promise<SigningKey[]> {
    // A data URI cannot change: its keys are imported once (a URL is fetched every time).
    const known = this.dataUriKeys.get(jwksUri);
    if (known !== undefined) return known;
    const data = dataUrlBody(jwksUri);
    let parsed: unknown;
    if (data !== null) {
      try {
        parsed = JSON.parse(data.toString("utf8"));
      } catch {
        parsed = undefined;
      }
    } else {
      parsed = await this.fetchJson(jwksUri, "JWKS");
    }
    let keys: SigningKey[];
    try {
      keys = importJwks(parsed);
    } catch {
      throw invalid(
        `Invalid JWKS response body from '${jwksUri}'. The response is not valid JSON or doesn't match the expected JWKS format.`,
      );
    }
    if (data !== null) this.dataUriKeys.set(jwksUri, keys);
    return keys;
  }

  private async verifyCustomJwt(token: string, provider: Extract<AuthProvider, { type: "customJwt" }>, now: number): Promise<VerifiedToken> {
    const keys = await this.customJwks(provider.jwks);
    const parts = token.split(".");
    let header: Record<string, unknown> = {};
    try {
      header = decodeJsonPart(parts[0]);
    } catch {
      // reported below as a decode failure
    }
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const decodeFailure = () => {
      // The backend's message, redacted as a production deployment redacts it.
      if (kid === undefined) {
        return invalid(
          this.redact
            ? "Could not decode token. The JWT is missing a 'kid' (key ID) header, or the JWT signature is invalid."
            : "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
        );
      }
      return invalid(
        this.redact
          ? "Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid."
          : `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the provider's JWKS?`,
      );
    };
    // biscuit `Compact::decode_with_jwks(jwks, Some(algorithm))`.
    if (parts.length !== 3 || typeof header.alg !== "string" || kid === undefined) throw decodeFailure();
    const jwk = keys.find((k) => k.kid !== undefined && k.kid === kid);
    if (jwk === undefined) throw decodeFailure();
    if (jwk.alg !== undefined ? header.alg !== jwk.alg || jwk.alg !== provider.algorithm : header.alg !== provider.algorithm) {
      throw decodeFailure();
    }
    if (!signatureValid(provider.algorithm, jwk, `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], "base64url"))) {
      throw decodeFailure();
    }
    let payload: Record<string, unknown>;
    let claims: RegisteredClaims;
    try {
      payload = decodeJsonPart(parts[1]);
      claims = registeredClaims(payload);
    } catch {
      throw decodeFailure();
    }

    const tokenIssuer = claims.iss as string;
    if (trimSlash(withProtocol(tokenIssuer)) !== trimSlash(provider.issuer)) {
      throw invalid(`Invalid issuer: ${tokenIssuer} != ${provider.issuer}`);
    }
    if (provider.applicationID !== null) {
      if (claims.aud === undefined) {
        throw invalid("Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your configured application ID.");
      }
      if (!claims.aud.includes(provider.applicationID)) {
        throw invalid(`Invalid audience: ${provider.applicationID} not in ${JSON.stringify(claims.aud)}`);
      }
    }
    // biscuit ValidationOptions with `epsilon: 5s` (validate_exp / validate_nbf / validate_iat).
    const temporal = (message: string) => invalid(`Could not validate token: ${message}`);
    if (claims.exp !== undefined && now - claims.exp > LEEWAY_SECONDS) throw temporal(`Token expired ${now - claims.exp} seconds ago`);
    if (claims.nbf !== undefined && claims.nbf - now > LEEWAY_SECONDS) throw temporal(`Token will be valid in ${claims.nbf - now} seconds`);
    if (claims.iat !== undefined && claims.iat - now > LEEWAY_SECONDS) throw temporal(`Token will be valid in ${claims.iat - now} seconds`);

    // UserIdentity::from_custom_jwt.
    if (claims.sub === undefined) throw invalid("Missing subject");
    if (claims.exp === undefined) throw invalid("Missing expiry");
    const custom: Record<string, unknown> = {};
    flattenClaims(payload, "", custom);
    delete custom.fva;
    return {
      identity: { ...custom, subject: claims.sub, issuer: tokenIssuer, tokenIdentifier: `${tokenIssuer}|${claims.sub}` },
      expiresAtMs: claims.exp * 1000,
    };
  }

  private async oidcKeys(issuer: string): Promise<SigningKey[]> {
    const given = this.oidcJwks.get(trimSlash(withProtocol(issuer)));
    if (given !== undefined) return importJwks(given);
    // OpenID discovery of the token's issuer (CoreProviderMetadata::discover_async).
    const discovery = `${trimSlash(issuer)}/.well-known/openid-configuration`;
    const fail = (why: string) => invalid(`Auth provider discovery of ${issuer} failed: ${why}`);
    let metadata: unknown;
    try {
      metadata = await this.fetchJson(discovery, "OpenID configuration");
    } catch (error) {
      throw fail((error as Error).message);
    }
    const meta = metadata as { issuer?: unknown; jwks_uri?: unknown };
    if (meta.issuer !== issuer) throw fail(`unexpected issuer URI \`${String(meta.issuer)}\` (expected \`${issuer}\`)`);
    if (typeof meta.jwks_uri !== "string") throw fail("no jwks_uri");
    try {
      return importJwks(await this.fetchJson(meta.jwks_uri, "JWKS"));
    } catch (error) {
      throw fail((error as Error).message);
    }
  }

  private async verifyOidc(token: string, provider: Extract<AuthProvider, { type: "oidc" }>, now: number): Promise<VerifiedToken> {
    const parts = token.split(".");
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      if (parts.length !== 3) throw new Error("three parts");
      header = decodeJsonPart(parts[0]);
      payload = decodeJsonPart(parts[1]);
      // The ID token's required claims (openidconnect's IdTokenClaims).
      for (const name of ["iss", "sub"]) if (typeof payload[name] !== "string") throw new Error(name);
      for (const name of ["exp", "iat"]) if (typeof payload[name] !== "number") throw new Error(name);
      if (typeof payload.aud !== "string" && !Array.isArray(payload.aud)) throw new Error("aud");
    } catch {
      throw invalid("Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.");
    }
    const refused = () =>
      new AuthError("Unauthenticated", "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.");
    const issuer = payload.iss as string;
    const keys = await this.oidcKeys(issuer);
    const alg = header.alg;
    if (alg !== "RS256" && alg !== "EdDSA") throw refused();
    const audiences = typeof payload.aud === "string" ? [payload.aud] : (payload.aud as unknown[]);
    if (!audiences.includes(provider.applicationID) || audiences.some((a) => a !== provider.applicationID)) throw refused();
    // Keys with the header's kid (when it has one) and of the algorithm's type; exactly one.
    const kty = alg === "RS256" ? "RSA" : "OKP";
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const eligible = keys.filter(
      (k) => k.kty === kty && (k.use === undefined || k.use === "sig") && (k.alg === undefined || k.alg === alg) && (kid === undefined || k.kid === kid),
    );
    if (eligible.length !== 1 || !signatureValid(alg, eligible[0], `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], "base64url"))) {
      throw refused();
    }
    const exp = Math.floor(payload.exp as number);
    if (now >= exp) throw refused();

    const identity: Record<string, unknown> = {};
    for (const [claim, value] of Object.entries(payload)) {
      if (claim in OIDC_STANDARD) identity[OIDC_STANDARD[claim]] = value;
      else if (!OIDC_TOKEN_FIELDS.has(claim)) identity[claim] = value;
    }
    const sub = payload.sub as string;
    return {
      identity: { ...identity, subject: sub, issuer, tokenIdentifier: `${issuer}|${sub}` },
      expiresAtMs: exp * 1000,
    };
  }
}
