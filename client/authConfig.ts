/**
 * The `auth.config.ts` entry for service identities: JWTs that a Python
 * service signs itself with a key made by `convex-agent-memory keys new`,
 * verified by the deployment against the public keys (a JWKS data URI) kept
 * in one environment variable. No identity provider to run, no admin key.
 *
 * ```ts
 * // convex/auth.config.ts
 * import { serviceAuthProvider } from "convex-agent-memory/client";
 * export default { providers: [serviceAuthProvider()] };
 * ```
 *
 * and, once: `npx convex env set AGENT_MEMORY_JWKS 'data:text/plain;charset=utf-8;base64,...'`.
 *
 * A deployment evaluates `auth.config.ts` in a sandbox where reading an unset
 * environment variable fails the push (AuthConfigMissingEnvironmentVariable),
 * and where `Date`, `Math.random` and imports are unavailable
 * (crates/isolate/src/environment/auth_config.rs): this module reads one
 * variable and decodes it with plain code.
 */

// What a deployment's auth-config sandbox provides (crates/isolate/src/environment/auth_config.rs):
// declared here so the package builds without Node's types (tsconfig.build.json: `types: []`).
declare const process: { env: Record<string, string | undefined> };

/** Issuer (`iss`) of service tokens; the Python `ServiceCredentials` uses the same default. */
export const DEFAULT_SERVICE_ISSUER = "https://convex-agent-memory.invalid";
/** Audience (`aud`) of service tokens, Convex's `applicationID`. */
export const DEFAULT_SERVICE_APPLICATION_ID = "convex-agent-memory";
/** The environment variable holding the JWKS data URI. */
export const DEFAULT_JWKS_ENV = "AGENT_MEMORY_JWKS";

export type ServiceAlgorithm = "RS256" | "ES256";

/** A `customJwt` provider of `auth.config.ts` (the shape `convex/server`'s `AuthProvider` takes). */
export interface CustomJwtProvider {
  type: "customJwt";
  issuer: string;
  applicationID: string;
  jwks: string;
  algorithm: ServiceAlgorithm;
}

export interface ServiceAuthProviderOptions {
  /** The environment variable that holds the JWKS data URI. Default `AGENT_MEMORY_JWKS`. */
  env?: string;
  /** Tokens' `iss`. Default {@link DEFAULT_SERVICE_ISSUER}. */
  issuer?: string;
  /** Tokens' `aud`. Default {@link DEFAULT_SERVICE_APPLICATION_ID}. */
  applicationID?: string;
  /** Default: the `alg` of the keys in the JWKS (they must agree; Convex checks one algorithm per provider). */
  algorithm?: ServiceAlgorithm;
}

const DATA_URI_PREFIX = "data:text/plain;charset=utf-8;base64,";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 → text without `atob`/`Buffer` (neither is promised while auth.config.ts is evaluated). */
function decodeBase64(text: string): string {
  const clean = text.replace(/=+$/, "");
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE64.indexOf(char);
    if (value === -1) throw new Error(`not base64: ${JSON.stringify(char)}`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  // UTF-8 decode (a JWKS is ASCII in practice; this keeps any other text intact).
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const extra = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let code = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) code = (code << 6) | (bytes[i + k] & 0x3f);
    out += String.fromCodePoint(code);
    i += extra + 1;
  }
  return out;
}

/** The signing algorithm shared by the keys of a JWKS data URI; throws when it is malformed or mixed. */
export function jwksAlgorithm(dataUri: string, name = DEFAULT_JWKS_ENV): ServiceAlgorithm {
  if (!dataUri.startsWith(DATA_URI_PREFIX)) {
    throw new Error(`${name} must be a JWKS data URI (${DATA_URI_PREFIX}...), as \`convex-agent-memory keys new\` prints it`);
  }
  let keys: unknown;
  try {
    keys = (JSON.parse(decodeBase64(dataUri.slice(DATA_URI_PREFIX.length))) as { keys?: unknown }).keys;
  } catch (error) {
    throw new Error(`${name} does not hold a JWKS: ${(error as Error).message}`);
  }
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${name} holds no keys`);
  const algorithms = new Set(keys.map((key) => (key as { alg?: unknown }).alg));
  if (algorithms.size !== 1) {
    throw new Error(`${name}: every key must name the same "alg" (RS256 or ES256), got ${JSON.stringify([...algorithms])}`);
  }
  const [alg] = algorithms;
  if (alg !== "RS256" && alg !== "ES256") throw new Error(`${name}: unsupported "alg" ${JSON.stringify(alg)}`);
  for (const key of keys) {
    if (typeof (key as { kid?: unknown }).kid !== "string") throw new Error(`${name}: every key needs a "kid"`);
  }
  return alg;
}

/**
 * The `customJwt` provider that accepts service tokens signed with the keys
 * whose public half is in the environment variable `env` (a JWKS data URI).
 */
export function serviceAuthProvider(options: ServiceAuthProviderOptions = {}): CustomJwtProvider {
  const name = options.env ?? DEFAULT_JWKS_ENV;
  const jwks = process.env[name];
  if (jwks === undefined || jwks === "") {
    throw new Error(`Environment variable ${name} is not set: npx convex env set ${name} "$(convex-agent-memory keys new ...)"`);
  }
  const detected = jwksAlgorithm(jwks, name);
  if (options.algorithm !== undefined && options.algorithm !== detected) {
    throw new Error(`${name} holds ${detected} keys, but the provider is configured for ${options.algorithm}`);
  }
  return {
    type: "customJwt",
    issuer: options.issuer ?? DEFAULT_SERVICE_ISSUER,
    applicationID: options.applicationID ?? DEFAULT_SERVICE_APPLICATION_ID,
    jwks,
    algorithm: detected,
  };
}
