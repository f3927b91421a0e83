// @vitest-environment node
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadAuthConfig, verifyToken, AuthError } from "../../local_backend/auth.js";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { AUDIENCE, FIXTURE_APP, ISSUER, claims, ecKeys, post, rsaKeys, signJwt } from "./helpers.js";

const rsa = rsaKeys();
const otherRsa = rsaKeys();
const ec = ecKeys();

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "lb-auth-"));
  const jwksFile = path.join(dir, "jwks.json");
  const jwk = rsa.publicKey.export({ format: "jwk" });
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...jwk, kid: "k1", alg: "RS256", use: "sig" }] }));
  backend = await startLocalBackend({
    appDir: FIXTURE_APP,
    components: [],
    auth: { jwksFile, issuer: ISSUER, applicationId: AUDIENCE },
  });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const whoami = (headers: Record<string, string> = {}) => post(url, "/api/query", { path: "auth:whoami", args: {} }, headers);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe("bearer tokens over HTTP", () => {
  test("no token: an unauthenticated call", async () => {
    const reply = await whoami();
    expect(reply.json).toMatchObject({ status: "success", value: null });
  });

  test("a valid token gives ctx.auth the identity Convex builds", async () => {
    const token = signJwt(
      claims("user-a", { agent_memory_service: true, email: "a@example.com", properties: { team: "t1", n: 2 } }),
      rsa.privateKey,
      { kid: "k1" },
    );
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
    const token = signJwt(claims("user-b"), rsa.privateKey, { kid: "k1" });
    await post(url, "/api/mutation", { path: "notes:add", args: { text: "mine" } }, bearer(token));
    const list = await post(url, "/api/query", { path: "notes:list", args: {} });
    expect(list.json.value).toContainEqual({ text: "mine", author: "user-b" });
  });

  test.each([
    ["a bad signature", () => signJwt(claims("u"), otherRsa.privateKey, { kid: "k1" }), "InvalidAuthHeader"],
    ["an unknown kid", () => signJwt(claims("u"), rsa.privateKey, { kid: "k2" }), "InvalidAuthHeader"],
    ["an expired token", () => signJwt(claims("u", { exp: Math.floor(Date.now() / 1000) - 5 }), rsa.privateKey), "InvalidAuthHeader"],
    ["a token not valid yet", () => signJwt(claims("u", { nbf: Math.floor(Date.now() / 1000) + 600 }), rsa.privateKey), "InvalidAuthHeader"],
    ["no exp", () => signJwt(claims("u", { exp: undefined }), rsa.privateKey), "InvalidAuthHeader"],
    ["no sub", () => signJwt(claims("u", { sub: undefined }), rsa.privateKey), "InvalidAuthHeader"],
    ["another issuer", () => signJwt(claims("u", { iss: "https://evil.test" }), rsa.privateKey), "NoAuthProvider"],
    ["another audience", () => signJwt(claims("u", { aud: "other-app" }), rsa.privateKey), "NoAuthProvider"],
    ["alg none", () => signJwt(claims("u"), rsa.privateKey, { header: { alg: "none" } }), "InvalidAuthHeader"],
    ["an ES256 token for an RS256 provider", () => signJwt(claims("u"), ec.privateKey, { alg: "ES256" }), "InvalidAuthHeader"],
    ["not a JWT", () => "abc.def", "InvalidAuthHeader"],
  ])("%s is refused with 401", async (_name, makeToken, code) => {
    const reply = await whoami(bearer(makeToken()));
    expect(reply.status).toBe(401);
    expect(reply.json.code).toBe(code);
    expect(typeof reply.json.message).toBe("string");
  });

  test("a refused token runs nothing", async () => {
    const before = (await post(url, "/api/query", { path: "notes:count", args: {} })).json.value;
    const token = signJwt(claims("u"), otherRsa.privateKey, { kid: "k1" });
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: "no" } }, bearer(token));
    expect(reply.status).toBe(401);
    expect((await post(url, "/api/query", { path: "notes:count", args: {} })).json.value).toBe(before);
  });

  test("an Authorization header that is not Bearer, and an admin key, are refused", async () => {
    expect((await whoami({ Authorization: "Basic dTpw" })).json.code).toBe("InvalidAuthHeader");
    expect((await whoami({ Authorization: "Convex some-admin-key" })).json.code).toBe("BadAdminKey");
  });
});

describe("verifyToken", () => {
  test("ES256 with a PEM key; an issuer without https:// matches as Convex does", () => {
    const config = loadAuthConfig({
      publicKeyPem: ec.publicKey.export({ format: "pem", type: "spki" }).toString(),
      issuer: "auth.local.test",
    });
    const token = signJwt(claims("ec-user"), ec.privateKey, { alg: "ES256" });
    expect(verifyToken(token, config)).toMatchObject({ subject: "ec-user", tokenIdentifier: `${ISSUER}|ec-user` });
  });

  test("no configured key refuses every token; exp is checked against the clock given", () => {
    const token = signJwt(claims("u"), rsa.privateKey);
    expect(() => verifyToken(token, null)).toThrow(AuthError);
    const config = loadAuthConfig({ jwks: rsa.publicKey.export({ format: "jwk" }) });
    expect(verifyToken(token, config).subject).toBe("u");
    expect(() => verifyToken(token, config, Date.now() + 3_600_000)).toThrow(/expired/);
  });

  test("keys other than RSA and EC P-256 are rejected at start", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    expect(() => loadAuthConfig({ publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString() })).toThrow(
      /RS256 \(RSA\) or ES256/,
    );
  });
});
