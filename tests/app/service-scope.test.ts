// defaultPolicy's scoping of service tokens: a resources claim limits a service to those
// resources (vector indexes: read only), a read-only claim to reads. Unscoped services and
// users are unchanged. (End to end, every exposed function: tests/e2e/test_identity.py.)
import { describe, expect, test } from "vitest";
import type { UserIdentity } from "convex/server";
import { ConvexError } from "convex/values";
import { defaultPolicy, type Operation } from "../../client/authorize.js";

const policy = defaultPolicy();
const identity = (claims: Record<string, unknown>): UserIdentity =>
  ({ subject: "svc", issuer: "https://i", tokenIdentifier: "https://i|svc", agent_memory_service: true, ...claims }) as UserIdentity;
const ctx = (id: UserIdentity | null) => ({ auth: { getUserIdentity: async () => id } });

async function outcome(id: UserIdentity, op: Partial<Operation>): Promise<string> {
  const operation: Operation = { name: "op", domain: "threads", access: "read", resourceIds: [], ...op };
  try {
    await policy(ctx(id), operation);
    return "allowed";
  } catch (error) {
    return (error as ConvexError<{ code: string }>).data.code;
  }
}

describe("scoped service tokens", () => {
  const scoped = identity({ agent_memory_resources: ["r1", "r2"] });
  test.each([
    ["its own resources", { resourceIds: ["r1", "r2"], access: "write" as const }, "allowed"],
    ["another resource", { resourceIds: ["r1", "r3"], access: "read" as const }, "FORBIDDEN"],
    ["rows of no resource", { touchesUnowned: true }, "FORBIDDEN"],
    ["a vector query", { domain: "vectors" as const, access: "read" as const }, "allowed"],
    ["a vector write", { domain: "vectors" as const, access: "write" as const }, "FORBIDDEN"],
  ])("resources claim: %s", async (_name, op, expected) => {
    expect(await outcome(scoped, op)).toBe(expected);
  });

  test("read-only claim: reads anywhere, no writes", async () => {
    const readOnly = identity({ agent_memory_read_only: true });
    expect(await outcome(readOnly, { resourceIds: ["any"], touchesUnowned: true })).toBe("allowed");
    expect(await outcome(readOnly, { resourceIds: ["any"], access: "write" })).toBe("FORBIDDEN");
    expect(await outcome(readOnly, { domain: "vectors", access: "write" })).toBe("FORBIDDEN");
  });

  test("a malformed resources claim refuses everything owned", async () => {
    expect(await outcome(identity({ agent_memory_resources: "r1" }), { resourceIds: ["r1"] })).toBe("FORBIDDEN");
  });

  test("unscoped services and users are unchanged", async () => {
    expect(await outcome(identity({}), { resourceIds: ["x"], access: "write", touchesUnowned: true })).toBe("allowed");
    const user = { subject: "u1", issuer: "https://i", tokenIdentifier: "https://i|u1" } as UserIdentity;
    expect(await outcome(user, { resourceIds: ["u1"], access: "write" })).toBe("allowed");
    expect(await outcome(user, { resourceIds: ["u2"] })).toBe("FORBIDDEN");
  });
});
