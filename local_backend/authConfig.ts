/**
 * The app's `auth.config.ts`, read as a deployment reads it: bundled into one
 * module (the CLI's `bundleAuthConfig`, node_modules/convex/dist/esm/bundler),
 * evaluated in a sandbox with the deployment's environment variables, where an
 * unset variable, `Date`, `Math.random`, randomness and imports are errors
 * (crates/isolate/src/environment/auth_config.rs), then checked against the
 * backend's schema (`check_for_common_confusions`, `SerializedAuthInfo` and
 * `deserialize_issuer_url` in crates/common/src/auth.rs).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { createRequire } from "node:module";
import { domainToASCII, fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { TokenVerifier, type AuthProvider, type VerifierOptions } from "./auth.js";

/** A push-time error of the auth config (the backend's `ErrorMetadata::bad_request`). */
export class AuthConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AuthConfigError";
  }
}

const SEE_AUTH_DOCS = "To learn more, see the auth documentation at https://docs.convex.dev/auth.";

function notMatchingSchema(detail: string): AuthConfigError {
  return new AuthConfigError(
    "AuthConfigNotMatchingSchemaError",
    `auth config file must include a list of provider credentials: ${detail}`,
  );
}

/** The auth config file of a functions directory, or null (then no provider is configured). */
export function authConfigPath(appDir: string): string | null {
  const js = path.join(appDir, "auth.config.js");
  const ts = path.join(appDir, "auth.config.ts");
  if (existsSync(js) && existsSync(ts)) {
    throw new AuthConfigError("InvalidAuthConfig", `Found both ${js} and ${ts}, choose one.`);
  }
  return existsSync(ts) ? ts : existsSync(js) ? js : null;
}

// The package's own sources, as `npx convex dev --live-component-sources` bundles them
// (node_modules/convex/dist/esm/cli/lib/components.js, `extraConditions`): inside this
// repository the example app's `convex-agent-memory/client` resolves to client/*.ts, as
// sourceConditions.mjs does for Node; an installed package (under node_modules) or an app
// outside the repository resolves as the CLI resolves it for a user, to dist/.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
function liveSourceConditions(file: string): string[] {
  const resolved = path.resolve(file);
  const inRepo = resolved.startsWith(REPO_ROOT + path.sep) && !resolved.includes(`${path.sep}node_modules${path.sep}`);
  return inRepo ? ["@convex-dev/component-source"] : [];
}

async function bundle(file: string): Promise<string> {
  // As the CLI bundles it: one ESM module for the isolate ("browser" platform, convex conditions).
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "__authConfigModule",
    target: "esnext",
    conditions: ["convex", "module", ...liveSourceConditions(file)],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function forbidden(code: string, message: string): () => never {
  return () => {
    throw new AuthConfigError(code, message);
  };
}

/** Runs the bundle in a sandbox like the backend's auth-config isolate; returns the default export. */
function evaluate(source: string, env: Readonly<Record<string, string>>): unknown {
  const processEnv = new Proxy(
    {},
    {
      get(_target, prop) {
        if (typeof prop !== "string") return undefined;
        if (Object.prototype.hasOwnProperty.call(env, prop)) return env[prop];
        throw new AuthConfigError(
          "AuthConfigMissingEnvironmentVariable",
          `Environment variable ${prop} is used in auth config file but its value was not set`,
        );
      },
    },
  );
  const context = vm.createContext({
    process: { env: processEnv },
    console: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
  });
  // The isolate's own Date, Math.random and crypto fail while the auth config is evaluated.
  vm.runInContext(
    `(() => {
      const noDate = () => { throw new Error("Date unsupported when evaluating auth config file"); };
      globalThis.Date = new Proxy(Date, { construct: noDate, apply: noDate, get: (t, p) => (p === "now" ? noDate : t[p]) });
      Math.random = () => { throw new Error("Math.random unsupported when evaluating auth config file"); };
      globalThis.self = globalThis;
    })()`,
    context,
  );
  vm.runInContext(source, context, { filename: "auth.config.js", timeout: 1000 });
  const module = (context as { __authConfigModule?: { default?: unknown } }).__authConfigModule;
  return module?.default;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// crates/isolate/src/environment/auth_config.rs: check_for_common_confusions.
function checkCommonConfusions(config: unknown): void {
  if (!isObject(config) || !Array.isArray(config.providers)) return;
  config.providers.forEach((provider, index) => {
    if (!isObject(provider)) return;
    const type = typeof provider.type === "string" ? provider.type : "unknown";
    if ("applicationId" in provider || "applicationid" in provider) {
      throw notMatchingSchema(
        `Provider at index ${index} must have applicationID property spelled lowercase 'application', capital I, capital D.`,
      );
    }
    if (type !== "customJwt" && type !== "oidc" && type !== "unknown") {
      throw notMatchingSchema(`Provider at index ${index} has unexpected 'type' value '${type}'`);
    }
    if (type === "customJwt" && "domain" in provider) {
      throw notMatchingSchema(`Provider at index ${index} is a customJwt so cannot have a 'domain' specified`);
    }
    if ((type === "oidc" || type === "unknown") && "issuer" in provider) {
      throw notMatchingSchema(`Provider at index ${index} is oidc so cannot have an 'issuer' specified.`);
    }
    const issuer = provider.issuer;
    if (!("applicationID" in provider) && (issuer === "https://api.workos.com/" || issuer === "https://api.workos.com")) {
      throw new AuthConfigError(
        "InsecureConfiguration",
        `This auth configuration appears potentially insecure: Provider at index ${index} has an issuer that is shared among many applications, so must to specify an ApplicationID to check against an \`aud\` field of a JWT.`,
      );
    }
  });
}

// crates/common/src/auth.rs: deserialize_issuer_url (a missing scheme means https; then it
// must look like a host name with a top-level domain, or localhost).
function issuerUrl(original: string): string {
  const invalid = (why: string) => new AuthConfigError("InvalidProviderDomainUrl", `Invalid provider domain URL "${original}": ${why}`);
  if (original.startsWith('"')) throw invalid('starts with a double quote (")');
  const hadScheme = /^\w+:\/\//.test(original);
  const url = hadScheme ? original : `https://${original}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalid("scheme should be http or https");
  if (!hadScheme && !endsWithTld(parsed.hostname)) {
    throw invalid("Does not look like a URL (must have a scheme or end with a top-level domain)");
  }
  return url;
}

let topLevelDomains: Set<string> | undefined;

// crates/common/src/auth.rs: ends_with_tld, `tld::exist` on what follows the host's last dot.
// The `tld` crate holds IANA's list in ASCII (IDNs as xn--); the `tlds` package holds the same
// list with IDNs in Unicode, so each is converted as the host already is (WHATWG URL parsing
// lowercases and punycodes it, as the url crate does).
function endsWithTld(host: string): boolean {
  if (host === "localhost") return true;
  const dot = host.lastIndexOf(".");
  if (dot < 0) return false;
  topLevelDomains ??= new Set(
    (createRequire(import.meta.url)("tlds") as string[]).map((tld) => domainToASCII(tld)),
  );
  return topLevelDomains.has(host.slice(dot + 1));
}

function field(provider: Record<string, unknown>, name: string, index: number, optional = false): string | null {
  const value = provider[name];
  if (value === undefined || value === null) {
    if (optional) return null;
    throw notMatchingSchema(`providers[${index}]: missing field \`${name}\``);
  }
  if (typeof value !== "string") throw notMatchingSchema(`providers[${index}].${name}: invalid type, expected a string`);
  return value;
}

/** The providers of an evaluated auth config, checked as the backend checks them. */
export function parseAuthConfig(config: unknown): AuthProvider[] {
  if (config === undefined || config === null) {
    throw new AuthConfigError("AuthConfigMissingExportError", `auth config file is missing default export. ${SEE_AUTH_DOCS}`);
  }
  // What survives JSON (v8::json::stringify in the backend): functions and undefined vanish.
  const json: unknown = JSON.parse(JSON.stringify(config) ?? "null");
  checkCommonConfusions(json);
  if (!isObject(json) || !Array.isArray(json.providers)) throw notMatchingSchema("missing field `providers`");
  return json.providers.map((raw, index): AuthProvider => {
    if (!isObject(raw)) throw notMatchingSchema(`providers[${index}] must be an object`);
    if (raw.type === "customJwt") {
      const algorithm = field(raw, "algorithm", index);
      if (algorithm !== "RS256" && algorithm !== "ES256") {
        throw notMatchingSchema(`providers[${index}].algorithm: unknown variant \`${algorithm}\`, expected \`RS256\` or \`ES256\``);
      }
      return {
        type: "customJwt",
        applicationID: field(raw, "applicationID", index, true),
        issuer: issuerUrl(field(raw, "issuer", index) as string),
        jwks: field(raw, "jwks", index) as string,
        algorithm,
      };
    }
    return {
      type: "oidc",
      applicationID: field(raw, "applicationID", index) as string,
      domain: issuerUrl(field(raw, "domain", index) as string),
    };
  });
}

/**
 * Bundles, evaluates and checks the auth config of `appDir` with the
 * deployment environment `env`. No auth config file: no provider (every token
 * is then refused, as on a deployment).
 */
export async function loadAuthProviders(appDir: string, env: Readonly<Record<string, string>>): Promise<AuthProvider[]> {
  const file = authConfigPath(appDir);
  if (file === null) return [];
  const source = await bundle(file);
  return parseAuthConfig(evaluate(source, env));
}

export interface DeploymentAuthOptions {
  /** The deployment's environment variables (what `npx convex env set` sets). */
  env?: Record<string, string>;
  /** Verifier options: OIDC keys given locally, error redaction, fetch. */
  verifier?: VerifierOptions;
}

/** One environment variable change: a value sets it, null unsets it. */
export interface EnvChange {
  name: string;
  value: string | null;
}

/**
 * The deployment's auth state: its environment variables, the providers the
 * app's auth config gives with them, and the one verifier built from those
 * (used by the HTTP API and the WebSocket sync protocol alike).
 */
export class DeploymentAuth {
  private constructor(
    private readonly appDir: string,
    private env: Record<string, string>,
    private readonly verifierOptions: VerifierOptions,
    public verifier: TokenVerifier,
  ) {}

  static async load(appDir: string, options: DeploymentAuthOptions = {}): Promise<DeploymentAuth> {
    const env = { ...(options.env ?? {}) };
    const verifierOptions = options.verifier ?? {};
    const providers = await loadAuthProviders(appDir, env);
    return new DeploymentAuth(appDir, env, verifierOptions, new TokenVerifier(providers, verifierOptions));
  }

  get providers(): AuthProvider[] {
    return this.verifier.providers;
  }

  environment(): Readonly<Record<string, string>> {
    return { ...this.env };
  }

  /**
   * Applies environment variable changes and re-evaluates the auth config, as
   * a deployment does (`reevaluate_existing_auth_config` in
   * crates/application/src/lib.rs): a change that makes the config invalid
   * is refused and changes nothing.
   */
  async updateEnvironment(changes: EnvChange[]): Promise<void> {
    const next = { ...this.env };
    for (const { name, value } of changes) {
      if (value === null) delete next[name];
      else next[name] = value;
    }
    let providers: AuthProvider[];
    try {
      providers = await loadAuthProviders(this.appDir, next);
    } catch (error) {
      if (error instanceof AuthConfigError) {
        throw new AuthConfigError(error.code, `This change would make the auth config invalid: ${error.message}`);
      }
      throw error;
    }
    this.env = next;
    this.verifier = new TokenVerifier(providers, this.verifierOptions);
  }
}
