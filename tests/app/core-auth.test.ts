import { describe, expect, test } from "vitest";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import * as memory from "../../example/convex/memory.js";
import { MAX_BATCH_ITEMS } from "../../component/model/limits.js";
import { appTest, runInComponent, SERVICE, userIdentity } from "../convex.js";
import { text } from "../component/core-fixtures.js";

const app = anyApi.memory;
const page = { numItems: 10, cursor: null };


async function seeded() {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  for (const owner of ["alice", "bob"]) {
    const thread = `${owner}-thread`;
    await service.mutation(app.saveThread, { id: thread, resourceId: owner, title: owner, metadata: { owner } });
    await service.mutation(app.saveMessages, {
      resourceId: owner,
      messages: [1, 2, 3].map((i) => ({ id: `${owner}-${i}`, threadId: thread, role: "user", content: text(`${owner} ${i}`), createdAt: i })),
    });
    await service.mutation(app.saveResource, { resourceId: owner, workingMemory: `${owner}'s notes` });
  }
  return { t, service, alice: t.withIdentity(userIdentity("alice")) };
}

/** Every document of the component, system fields included. */
function snapshot(t: ReturnType<typeof appTest>) {
  return runInComponent(t, async ({ db }) => ({
    threads: await db.query("threads").take(1_000),
    messages: await db.query("messages").take(1_000),
    resources: await db.query("resources").take(1_000),
    counters: await db.query("counters").take(1_000),
    threadDeletions: await db.query("threadDeletions").take(1_000),
    jobs: await db.system.query("_scheduled_functions").take(1_000),
  }));
}

type Case = [name: string, args: Record<string, unknown>];

const isQuery = (name: string) => (memory as Record<string, { isQuery?: boolean }>)[name].isQuery === true;

function call(caller: { query: any; mutation: any }, [name, args]: Case) {
  return isQuery(name) ? caller.query(app[name], args) : caller.mutation(app[name], args);
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(ConvexError);
    return (e as ConvexError<{ code: string }>).data.code;
  }
  return "allowed";
}

test("each user acts on its own data, and a service on everyone's", async () => {
  const { t, service, alice } = await seeded();
  const bob = t.withIdentity(userIdentity("bob"));
  const messageCount: Record<string, number> = { alice: 3, bob: 3 };
  for (const [caller, owner] of [[alice, "alice"], [bob, "bob"], [service, "alice"], [service, "bob"]] as const) {
    const thread = `${owner}-thread`;
    const own = { resourceId: owner };
    expect(await caller.query(app.getThread, { ...own, id: thread })).toMatchObject({ resourceId: owner });
    expect(await caller.query(app.countThreads, { resourceId: owner })).toBe(1);
    expect(await caller.query(app.countMessages, { ...own, threadId: thread })).toBe(messageCount[owner]);
    const listed = await caller.query(app.listMessages, { ...own, threadId: thread, paginationOpts: page });
    expect(listed.page).toHaveLength(messageCount[owner]);
    expect(await caller.query(app.getMessagesByIds, { ...own, ids: [`${owner}-1`] })).toHaveLength(1);
    expect(await caller.query(app.getResource, own)).toMatchObject({ workingMemory: `${owner}'s notes` });
    await caller.mutation(app.updateThread, { ...own, id: thread, metadata: { seen: true } });
    await caller.mutation(app.saveMessages, {
      ...own,
      messages: [{ id: `${owner}-${caller === service ? "s" : "u"}`, threadId: thread, role: "assistant", content: text("ok") }],
    });
    messageCount[owner]++;
  }
  const a = { resourceId: "alice" };
  expect(await alice.query(app.countMessages, { ...a, threadId: "alice-thread" })).toBe(5);
  await alice.mutation(app.deleteThread, { ...a, id: "alice-thread" });
  expect(await bob.query(app.countMessages, { resourceId: "bob", threadId: "bob-thread" })).toBe(5);
  // Her own missing ids, and bob's ids asked under her own owner, find nothing.
  expect(await alice.query(app.getThread, { ...a, id: "alice-thread" })).toBeNull();
  expect(await alice.query(app.getThread, { ...a, id: "bob-thread" })).toBeNull();
  // Naming another owner is refused before anything is read, whether it has rows or not.
  expect(await refusal(alice.query(app.getResource, { resourceId: "carol" }))).toBe("FORBIDDEN");
  expect(await refusal(alice.query(app.getResource, { resourceId: "bob" }))).toBe("FORBIDDEN");
});

describe("bad input is refused with a typed error and changes nothing", () => {
  const message = { id: "new", threadId: "alice-thread", role: "user", content: text("x") };
  const a = { resourceId: "alice" };
  const BAD: Array<[label: string, name: string, args: Record<string, unknown>, expected: string | RegExp]> = [
    ["a missing thread", "saveMessages", { ...a, messages: [{ ...message, threadId: "missing" }] }, "NOT_FOUND"],
    ["an oversize batch", "saveMessages", { ...a, messages: Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) => ({ ...message, id: `n${i}` })) }, "LIMIT_EXCEEDED"],
    ["a duplicate id in a batch", "saveMessages", { ...a, messages: [message, message] }, "INVALID_ARGUMENT"],
    ["a part that is not an object", "saveMessages", { ...a, messages: [{ ...message, content: { format: 2, parts: [42] } }] }, "INVALID_ARGUMENT"],
    ["an unknown role", "saveMessages", { ...a, messages: [{ ...message, role: "wizard" }] }, /Validator error/],
    ["a wrong type", "saveMessages", { ...a, messages: [{ ...message, createdAt: "yesterday" }] }, /Validator error/],
    ["an extra field", "saveThread", { id: "t", resourceId: "alice", colour: "red" }, /Validator error/],
    ["a missing thread to update", "updateThread", { ...a, id: "missing", title: "x" }, "NOT_FOUND"],
    ["a missing message to update", "updateMessages", { ...a, messages: [{ id: "alice-1", role: "tool" }, { id: "missing", role: "tool" }] }, "NOT_FOUND"],
    ["a page size of 0", "listMessages", { ...a, threadId: "alice-thread", paginationOpts: { numItems: 0, cursor: null } }, "INVALID_ARGUMENT"],
    ["a message of bob's thread id", "saveMessages", { ...a, messages: [{ ...message, threadId: "bob-thread" }] }, "NOT_FOUND"],
    ["an empty id", "saveThread", { ...a, id: "" }, "INVALID_ARGUMENT"],
    ["an id of 10,000 characters", "getThread", { ...a, id: "x".repeat(10_000) }, "INVALID_ARGUMENT"],
    ["a page size of 2.5", "listThreads", { ...a, paginationOpts: { numItems: 2.5, cursor: null } }, "INVALID_ARGUMENT"],
    ["a page size of 1,001", "listMessagesByResource", { ...a, paginationOpts: { numItems: 1_001, cursor: null } }, "INVALID_ARGUMENT"],
    ["a watch limit of NaN", "watchMessages", { ...a, threadId: "alice-thread", limit: Number.NaN }, "INVALID_ARGUMENT"],
    ["a negative neighbour count", "listMessages", { ...a, threadId: "alice-thread", paginationOpts: page, include: [{ id: "alice-1", withNextMessages: -1 }] }, "INVALID_ARGUMENT"],
  ];
  test.each(BAD)("%s", async (_label, name, args, expected) => {
    const { t, alice } = await seeded();
    const before = await snapshot(t);
    let error: unknown;
    try {
      await call(alice, [name, args]);
    } catch (e) {
      error = e;
    }
    if (typeof expected === "string") {
      expect(error).toBeInstanceOf(ConvexError);
      expect((error as ConvexError<{ code: string; message: string }>).data).toMatchObject({ code: expected, message: expect.any(String) });
    } else {
      expect(String(error)).toMatch(expected);
    }
    expect(await snapshot(t)).toEqual(before);
  });
});
