import { generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURE_APP = path.join(REPO, "tests/fixtures/basic_app/convex");
/** The issuer and audience of service tokens (client/authConfig.ts defaults), which the fixture apps accept. */
export const ISSUER = "https://convex-agent-memory.invalid";
export const AUDIENCE = "convex-agent-memory";

export interface RawReply {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

/** POSTs a JSON body (a string is sent verbatim) and returns status, raw text and parsed JSON. */
export async function post(
  base: string,
  endpoint: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const response = await fetch(`${base}${endpoint}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: leave empty, the test looks at `text`
  }
  return { status: response.status, text, json };
}

export function rsaKeys() {
  return generateKeyPairSync("rsa", { modulusLength: 2048 });
}

export function ecKeys() {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

/** A compact JWS signed with RS256 or ES256 (raw r||s signature for ES256, as JOSE wants). */
export function signJwt(
  payload: Record<string, unknown>,
  privateKey: KeyObject,
  options: { alg?: "RS256" | "ES256"; kid?: string; header?: Record<string, unknown> } = {},
): string {
  const alg = options.alg ?? "RS256";
  const header = { alg, typ: "JWT", ...(options.kid ? { kid: options.kid } : {}), ...options.header };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const data = `${encode(header)}.${encode(payload)}`;
  const signature = sign("sha256", Buffer.from(data), {
    key: privateKey,
    dsaEncoding: alg === "ES256" ? "ieee-p1363" : "der",
  });
  return `${data}.${signature.toString("base64url")}`;
}

export function claims(sub: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, sub, iat: now, exp: now + 600, ...extra };
}

/** A JWKS as the data URI `convex-agent-memory keys new` prints. */
export function jwksDataUri(keys: JsonWebKey[]): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(JSON.stringify({ keys })).toString("base64")}`;
}

export interface ServiceKeys {
  privateKey: KeyObject;
  publicJwk: JsonWebKey;
  alg: "RS256" | "ES256";
  kid: string;
  /** The deployment environment that the fixture apps' auth.config.ts reads. */
  env: Record<string, string>;
  /** A token signed with this key (kid and alg set). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
}

/** A signing key and the env (AGENT_MEMORY_JWKS) under which the fixture apps accept its tokens. */
export function serviceKeys(alg: "RS256" | "ES256" = "ES256", kid = "k1"): ServiceKeys {
  const { privateKey, publicKey } = alg === "RS256" ? rsaKeys() : ecKeys();
  const publicJwk = { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return {
    privateKey,
    publicJwk,
    alg,
    kid,
    env: { AGENT_MEMORY_JWKS: jwksDataUri([publicJwk]) },
    sign: (payload, header = {}) => signJwt(payload, privateKey, { alg, kid, header }),
  };
}

/** Keys shared by tests that only need some accepted token: `startLocalBackend({env: TEST_KEYS.env})`. */
export const TEST_KEYS = serviceKeys("ES256", "test-key");

export type SyncMessage = Record<string, unknown> & { type: string };

/**
 * A raw WebSocket on the sync endpoint, connected (Connect sent): `send`,
 * `receive` (the next message that is not a Ping), `closed`.
 */
export async function syncSocket(base: string, path = "/api/sync") {
  const { WebSocket } = await import("ws");
  const ws = new WebSocket(base.replace("http", "ws") + path);
  const inbox: SyncMessage[] = [];
  const waiters: (() => void)[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as SyncMessage;
    if (message.type !== "Ping") inbox.push(message);
    waiters.splice(0).forEach((w) => w());
  });
  ws.on("close", (code, reason) => {
    closed = { code, reason: reason.toString() };
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const send = (message: SyncMessage) => ws.send(JSON.stringify(message));
  const receive = async (): Promise<SyncMessage> => {
    while (inbox.length === 0) {
      if (closed) throw new Error(`closed ${JSON.stringify(closed)}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return inbox.shift() as SyncMessage;
  };
  /** The next message of one of `types` (Transitions that do not matter are skipped). */
  const receiveType = async (...types: string[]): Promise<SyncMessage> => {
    for (;;) {
      const message = await receive();
      if (types.includes(message.type)) return message;
    }
  };
  send({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000000", connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: 0 });
  return { ws, send, receive, receiveType, close: () => ws.close() };
}
