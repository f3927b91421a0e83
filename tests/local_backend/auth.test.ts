// @vitest-environment node
// Bearer tokens as a deployment verifies them, against the served app's own auth.config.ts
// evaluated with the deployment's environment (local_backend/auth.ts, authConfig.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AuthError, TokenVerifier, type AuthProvider } from "../../local_backend/auth.js";
import { AuthConfigError, loadAuthProviders, parseAuthConfig } from "../../local_backend/authConfig.js";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { AUDIENCE, FIXTURE_APP, ISSUER, REPO, claims, ecKeys, jwksDataUri, post, rsaKeys, serviceKeys, signJwt } from "./helpers.js";

const AUTH_APP = path.join(REPO, "tests/fixtures/auth_app/convex");
const keys = serviceKeys("ES256", "k1");
const otherRsa = rsaKeys();
const otherEc = ecKeys();
const now = () => Math.floor(Date.now() / 1000);

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: keys.env });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const whoami = (headers: Record<string, string> = {}) => post(url, "/api/query", { path: "auth:whoami", args: {} }, headers);

describe("bearer tokens over HTTP, against the app's auth.config.ts", () => {
  test("no token: an unauthenticated call", async () => {
    expect((await whoami()).json).toMatchObject({ status: "success", value: null });
  });

  test("a valid token gives ctx.auth the identity Convex builds", async () => {
    const token = keys.sign(claims("user-a", { agent_memory_service: true, email: "a@example.com", properties: { team: "t1", n: 2 }, fva: [1, 2] }));
    const reply = await whoami(bearer(token));
    expect(reply.json.status).toBe("success");
    expect(reply.json.value).toEqual({
      subject: "user-a",
      issuer: ISSUER,
      tokenIdentifier: `${ISSUER}|user-a`,
      agent_memory_service: true,
      email: "a@example.com",
      "properties.team": "t1",
      "properties.n": 2,
    });
  });

  test("the identity reaches mutations too", async () => {
    await post(url, "/api/mutation", { path: "notes:add", args: { text: "mine" } }, bearer(keys.sign(claims("user-b"))));
    const list = await post(url, "/api/query", { path: "notes:list", args: {} });
    expect(list.json.value).toContainEqual({ text: "mine", author: "user-b" });
  });

  test.each([
    ["3 s past exp (within the 5 s leeway)", () => ({ exp: now() - 3 })],
    ["nbf 3 s ahead", () => ({ nbf: now() + 3 })],
    ["iat 3 s ahead", () => ({ iat: now() + 3 })],
    ["a fractional exp", () => ({ exp: now() + 60.4 })],
    ["the issuer with a trailing slash", () => ({ iss: `${ISSUER}/` })],
    ["the issuer without https://", () => ({ iss: ISSUER.replace("https://", "") })],
    ["the audience among others", () => ({ aud: ["other-app", AUDIENCE] })],
  ])("accepted: %s", async (_name, extra) => {
    const reply = await whoami(bearer(keys.sign(claims("ok", extra()))));
    expect(reply.status).toBe(200);
    expect((reply.json.value as { subject: string }).subject).toBe("ok");
  });

  test.each([
    ["a bad signature", () => signJwt(claims("u"), otherEc.privateKey, { alg: "ES256", kid: "k1" }), "InvalidAuthHeader", /'kid' \(key ID\) header is 'k1'/],
    ["an unknown kid", () => keys.sign(claims("u"), { kid: "k2" }), "InvalidAuthHeader", /header is 'k2'/],
    ["no kid", () => keys.sign(claims("u"), { kid: undefined }), "InvalidAuthHeader", /missing a 'kid'/],
    ["another algorithm (RS256 under the kid of an ES256 key)", () => signJwt(claims("u"), otherRsa.privateKey, { alg: "RS256", kid: "k1" }), "InvalidAuthHeader", /Could not decode token/],
    ["alg none", () => keys.sign(claims("u"), { alg: "none" }), "InvalidAuthHeader", /Could not decode token/],
    ["10 s past exp", () => keys.sign(claims("u", { exp: now() - 10 })), "InvalidAuthHeader", /Could not validate token: Token expired 1[01] seconds ago/],
    ["6 s past exp", () => keys.sign(claims("u", { exp: now() - 6 })), "InvalidAuthHeader", /Token expired [67] seconds ago/],
    ["nbf 10 s ahead", () => keys.sign(claims("u", { nbf: now() + 10 })), "InvalidAuthHeader", /Token will be valid in (9|10) seconds/],
    ["iat 10 s ahead", () => keys.sign(claims("u", { iat: now() + 10 })), "InvalidAuthHeader", /Token will be valid in (9|10) seconds/],
    ["no exp", () => keys.sign(claims("u", { exp: undefined })), "InvalidAuthHeader", /^Missing expiry$/],
    ["no sub", () => keys.sign(claims("u", { sub: undefined })), "InvalidAuthHeader", /^Missing subject$/],
    ["no iss", () => keys.sign(claims("u", { iss: undefined })), "InvalidAuthHeader", /Missing issuer claim/],
    ["exp as a string", () => keys.sign(claims("u", { exp: "tomorrow" })), "InvalidAuthHeader", /Could not parse JWT payload/],
    ["another issuer", () => keys.sign(claims("u", { iss: "https://evil.example.com" })), "NoAuthProvider", /CustomJWT\(issuer=https:\/\/convex-agent-memory.invalid, app_id=convex-agent-memory\)/],
    ["another audience", () => keys.sign(claims("u", { aud: "other-app" })), "NoAuthProvider", /No auth provider found/],
    ["no audience", () => keys.sign(claims("u", { aud: undefined })), "NoAuthProvider", /No auth provider found/],
    ["not a JWT", () => "abc.def", "InvalidAuthHeader", /Could not parse JWT payload/],
  ])("refused with 401: %s", async (_name, makeToken, code, message) => {
    const reply = await whoami(bearer(makeToken()));
    expect(reply.status).toBe(401);
    expect(reply.json.code).toBe(code);
    expect(reply.json.message).toMatch(message);
  });

  test("a refused token runs nothing", async () => {
    const before = (await post(url, "/api/query", { path: "notes:count", args: {} })).json.value;
    const token = signJwt(claims("u"), otherEc.privateKey, { alg: "ES256", kid: "k1" });
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: "no" } }, bearer(token));
    expect(reply.status).toBe(401);
    expect((await post(url, "/api/query", { path: "notes:count", args: {} })).json.value).toBe(before);
  });

  test("an Authorization header that is not Bearer, and an admin key, are refused", async () => {
    expect((await whoami({ Authorization: "Basic dTpw" })).json.code).toBe("InvalidAuthHeader");
    expect((await whoami({ Authorization: "Convex some-admin-key" })).json.code).toBe("BadAdminKey");
  });
});

describe("the deployment environment", () => {
  test("an app whose auth config reads an unset variable does not start", async () => {
    await expect(startLocalBackend({ appDir: FIXTURE_APP, components: [] })).rejects.toMatchObject({
      code: "AuthConfigMissingEnvironmentVariable",
      message: "Environment variable AGENT_MEMORY_JWKS is used in auth config file but its value was not set",
    });
  });

  test("rotation: old and new keys while both are in the JWKS, then only the new", async () => {
    const old = serviceKeys("ES256", "old");
    const next = serviceKeys("ES256", "new");
    const own = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: old.env });
    try {
      const status = async (k: typeof old) =>
        (await post(own.url, "/api/query", { path: "auth:whoami", args: {} }, bearer(k.sign(claims("svc"))))).status;
      const setJwks = (jwks: string) =>
        post(own.url, "/_local_backend/environment", { changes: [{ name: "AGENT_MEMORY_JWKS", value: jwks }] });
      expect([await status(old), await status(next)]).toEqual([200, 401]);
      expect((await setJwks(jwksDataUri([old.publicJwk, next.publicJwk]))).status).toBe(200);
      expect([await status(old), await status(next)]).toEqual([200, 200]);
      expect((await setJwks(jwksDataUri([next.publicJwk]))).status).toBe(200);
      expect([await status(old), await status(next)]).toEqual([401, 200]);
      // A change that breaks the auth config is refused and changes nothing.
      const broken = await post(own.url, "/_local_backend/environment", { changes: [{ name: "AGENT_MEMORY_JWKS", value: null }] });
      expect(broken.status).toBe(400);
      expect(broken.json.code).toBe("AuthConfigMissingEnvironmentVariable");
      expect(broken.json.message).toMatch(/^This change would make the auth config invalid/);
      expect(await status(next)).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe("auth.config.ts checked as the backend checks it", () => {
  test.each([
    [{ providers: [{ domain: "https://a.example.com", applicationId: "x" }] }, /applicationID property spelled/],
    [{ providers: [{ type: "customJwt", domain: "https://a.example.com", issuer: "https://a", jwks: "j", algorithm: "RS256" }] }, /cannot have a 'domain'/],
    [{ providers: [{ type: "customJwt", issuer: "https://a.example.com", jwks: "j" }] }, /missing field `algorithm`/],
    [{ providers: [{ type: "customJwt", issuer: "https://a.example.com", jwks: "j", algorithm: "HS256" }] }, /unknown variant `HS256`/],
    [{ providers: [{ type: "saml", applicationID: "x" }] }, /unexpected 'type' value 'saml'/],
    [{ providers: [{ domain: "not a url", applicationID: "x" }] }, /Invalid provider domain URL/],
    [{ providers: [{ domain: "ftp://a.example.com", applicationID: "x" }] }, /scheme should be http or https/],
    [{}, /missing field `providers`/],
  ])("refused: %j", (config, message) => {
    expect(() => parseAuthConfig(config)).toThrow(message);
  });

  test("an issuer without a scheme gets https://", () => {
    expect(parseAuthConfig({ providers: [{ domain: "auth.example.com", applicationID: "x" }] })).toEqual([
      { type: "oidc", applicationID: "x", domain: "https://auth.example.com" },
    ]);
  });

  // Without a scheme the host must end with a top-level domain on IANA's list (the backend's
  // `tld::exist`), compared as the URL parser gives it: lowercase, IDNs in punycode.
  const domain = (d: string) => () => parseAuthConfig({ providers: [{ domain: d, applicationID: "x" }] });
  test.each(["auth.example.COM", "auth.example.рф", "auth.example.xn--p1ai", "login.example.dev", "localhost:3000"])(
    "a scheme-less domain with a top-level domain: %s",
    (d) => {
      expect(domain(d)()).toEqual([{ type: "oidc", applicationID: "x", domain: `https://${d}` }]);
    },
  );
  test.each(["auth.example.zz", "auth.example.notatld", "10.0.0.1", "auth.example.com.", "example"])(
    "a scheme-less domain without one: %s",
    (d) => {
      expect(domain(d)).toThrow(/Does not look like a URL \(must have a scheme or end with a top-level domain\)/);
      // With a scheme the same host is taken as it is.
      expect(domain(`https://${d}`)()).toEqual([{ type: "oidc", applicationID: "x", domain: `https://${d}` }]);
    },
  );

  test("the example app's three-line config gives the service provider", async () => {
    const providers = await loadAuthProviders(path.join(REPO, "example/convex"), serviceKeys("ES256").env);
    expect(providers).toEqual([
      expect.objectContaining({ type: "customJwt", issuer: ISSUER, applicationID: AUDIENCE, algorithm: "ES256" }),
    ]);
    await expect(loadAuthProviders(path.join(REPO, "example/convex"), {})).rejects.toBeInstanceOf(AuthConfigError);
  });
});

describe("providers with a JWKS URL and OIDC domains", () => {
  const urlKeys = serviceKeys("RS256", "url-k");
  const oidcKeys = serviceKeys("RS256", "oidc-k");
  const noAud = serviceKeys("ES256", "na");
  let idp: http.Server;
  let base: string;
  let jwksContentType = "application/json";
  let providers: AuthProvider[];

  beforeAll(async () => {
    idp = http.createServer((req, res) => {
      const json = (body: unknown, type = "application/json") => {
        res.writeHead(200, { "Content-Type": type });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/jwks.json") return json({ keys: [urlKeys.publicJwk] }, jwksContentType);
      if (req.url === "/oidc/.well-known/openid-configuration") return json({ issuer: `${base}/oidc`, jwks_uri: `${base}/oidc/keys` });
      if (req.url === "/oidc/keys") return json({ keys: [oidcKeys.publicJwk] });
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    providers = await loadAuthProviders(AUTH_APP, {
      URL_ISSUER: `${base}/url`,
      URL_JWKS: `${base}/jwks.json`,
      OIDC_DOMAIN: `${base}/oidc`,
      NO_AUD_JWKS: noAud.env.AGENT_MEMORY_JWKS,
    });
  });
  afterAll(() => new Promise<void>((resolve) => idp.close(() => resolve())));

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  };

  test("customJwt with a JWKS URL: fetched, and its content type checked", async () => {
    const verifier = new TokenVerifier(providers);
    const token = urlKeys.sign(claims("url-user", { iss: `${base}/url`, aud: "url-app" }));
    expect((await verifier.verify(token)).identity.subject).toBe("url-user");
    jwksContentType = "text/html";
    try {
      expect((await refusal(verifier.verify(token))).message).toMatch(/Invalid Content-Type 'text\/html'/);
    } finally {
      jwksContentType = "application/json";
    }
  });

  test("customJwt without applicationID: any audience; a scheme-less issuer with a trailing slash", async () => {
    const verifier = new TokenVerifier(providers);
    const token = noAud.sign(claims("na-user", { iss: "https://no-aud.example.com", aud: undefined }));
    const verified = await verifier.verify(token);
    expect(verified.identity.tokenIdentifier).toBe("https://no-aud.example.com|na-user");
    expect(verified.expiresAtMs).toBe(claims("x").exp as number * 1000);
  });

  test("OIDC: keys by discovery, standard claims as the identity's fields, no leeway on exp", async () => {
    const verifier = new TokenVerifier(providers);
    const oidc = (extra: Record<string, unknown>) =>
      oidcKeys.sign(claims("oidc-user", { iss: `${base}/oidc`, aud: "oidc-app", email: "o@example.com", given_name: "Olga", org: "acme", ...extra }));
    expect((await verifier.verify(oidc({}))).identity).toEqual({
      subject: "oidc-user",
      issuer: `${base}/oidc`,
      tokenIdentifier: `${base}/oidc|oidc-user`,
      email: "o@example.com",
      givenName: "Olga",
      org: "acme",
    });
    expect((await refusal(verifier.verify(oidc({ exp: now() - 1 })))).code).toBe("Unauthenticated");
    expect((await refusal(verifier.verify(oidc({ aud: ["oidc-app", "other"] })))).code).toBe("Unauthenticated");
    expect((await refusal(verifier.verify(oidc({ iat: undefined })))).message).toMatch(/Could not parse as OIDC ID token/);
  });

  test("OIDC: keys given locally for a domain that cannot be reached", async () => {
    const offline = parseAuthConfig({ providers: [{ domain: "https://login.example.com", applicationID: "oidc-app" }] });
    const verifier = new TokenVerifier(offline, { oidcJwks: { "https://login.example.com/": { keys: [oidcKeys.publicJwk] } } });
    const token = oidcKeys.sign(claims("local", { iss: "https://login.example.com", aud: "oidc-app" }));
    expect((await verifier.verify(token)).identity.subject).toBe("local");
  });

  test("no providers: NoAuthProvider, saying so", async () => {
    const error = await refusal(new TokenVerifier([]).verify(keys.sign(claims("u"))));
    expect(error.code).toBe("NoAuthProvider");
    expect(error.message).toMatch(/no providers configured/);
    const redacted = await refusal(new TokenVerifier([], { redactErrors: true }).verify(keys.sign(claims("u"))));
    expect(redacted.message).toBe("No auth provider found matching the given token");
  });
});
