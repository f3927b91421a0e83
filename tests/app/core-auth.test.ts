import { describe, expect, test } from "vitest";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import * as memory from "../../example/convex/memory.js";
import { defaultPolicy } from "../../client/authorize.js";
import { exposeMessages } from "../../client/messages.js";
import { exposeResources } from "../../client/resources.js";
import { exposeThreads } from "../../client/threads.js";
import { MAX_BATCH_ITEMS } from "../../component/model/limits.js";
import { appTest, runInComponent, SERVICE, userIdentity } from "../convex.js";
import { text } from "../component/core-fixtures.js";

const app = anyApi.memory;
const page = { numItems: 10, cursor: null };

// Every function of the three domains, as the example app exposes it.
const fakeComponent = new Proxy({}, { get: () => new Proxy({}, { get: () => ({}) }) }) as any;
const options = { authorize: defaultPolicy() };
const EXPOSED = [
  ...Object.keys(exposeThreads(fakeComponent, options)),
  ...Object.keys(exposeMessages(fakeComponent, options)),
  ...Object.keys(exposeResources(fakeComponent, options)),
].sort();

async function seeded() {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  for (const owner of ["alice", "bob"]) {
    const thread = `${owner}-thread`;
    await service.mutation(app.saveThread, { id: thread, resourceId: owner, title: owner, metadata: { owner } });
    await service.mutation(app.saveMessages, {
      messages: [1, 2, 3].map((i) => ({ id: `${owner}-${i}`, threadId: thread, role: "user", content: text(`${owner} ${i}`), createdAt: i })),
    });
    await service.mutation(app.saveResource, { id: owner, workingMemory: `${owner}'s notes` });
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
type Attempt = [name: string, args: Record<string, unknown>, asService: string];

// Alice's attempts on Bob's data: every exposed function, some several ways. The
// last column is what the same call gets as a service: a service may act on any
// resource, and only the data's own rules can still refuse it.
const ON_BOBS_DATA: Attempt[] = [
  ["getThread", { id: "bob-thread" }, "allowed"],
  ["saveThread", { id: "bob-thread", resourceId: "alice" }, "CONFLICT"],
  ["saveThread", { id: "bob-new-thread", resourceId: "bob" }, "allowed"],
  ["updateThread", { id: "bob-thread", title: "mine now" }, "allowed"],
  ["deleteThread", { id: "bob-thread" }, "allowed"],
  ["listThreads", { resourceId: "bob", paginationOpts: page }, "allowed"],
  ["countThreads", { resourceId: "bob" }, "allowed"],
  ["watchThread", { id: "bob-thread" }, "allowed"],
  ["watchThreadsByResource", { resourceId: "bob" }, "allowed"],
  ["saveMessages", { messages: [{ id: "sneaky", threadId: "bob-thread", role: "user", content: text("hi") }] }, "allowed"],
  ["saveMessages", { messages: [{ id: "bob-1", threadId: "alice-thread", role: "user", content: text("taken") }] }, "CONFLICT"],
  [
    "saveMessages",
    { messages: [{ id: "x", threadId: "alice-thread", resourceId: "bob", role: "user", content: text("x") }] },
    "INVALID_ARGUMENT",
  ],
  ["getMessagesByIds", { ids: ["bob-1"] }, "allowed"],
  ["getMessagesByIds", { ids: ["alice-1", "bob-2"] }, "allowed"],
  ["listMessages", { threadId: "bob-thread", paginationOpts: page }, "allowed"],
  ["listMessagesByResource", { resourceId: "bob", paginationOpts: page }, "allowed"],
  ["updateMessages", { messages: [{ id: "bob-1", role: "tool" }] }, "allowed"],
  ["updateMessages", { messages: [{ id: "alice-1", role: "tool" }, { id: "bob-1", role: "tool" }] }, "allowed"],
  ["deleteMessages", { ids: ["bob-1"] }, "allowed"],
  ["deleteMessages", { ids: ["alice-1", "bob-1"] }, "allowed"],
  ["countMessages", { threadId: "bob-thread" }, "allowed"],
  ["watchMessages", { threadId: "bob-thread" }, "allowed"],
  ["getResource", { id: "bob" }, "allowed"],
  ["saveResource", { id: "bob", workingMemory: "overwritten" }, "allowed"],
  ["updateResource", { id: "bob", metadata: { pwned: true } }, "allowed"],
];

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

test("the cases cover every exposed function of threads, messages and resources", () => {
  expect(EXPOSED).toHaveLength(19);
  expect([...new Set(ON_BOBS_DATA.map(([name]) => name))].sort()).toEqual(EXPOSED);
  for (const name of EXPOSED) expect(name in memory, name).toBe(true);
});

describe.each(ON_BOBS_DATA)("%s %j", (name, args, asService) => {
  test("refused to another user (FORBIDDEN) and to no identity (UNAUTHENTICATED), nothing changed; a service may", async () => {
    const { t, service, alice } = await seeded();
    const before = await snapshot(t);
    expect(await refusal(call(alice, [name, args]))).toBe("FORBIDDEN");
    expect(await snapshot(t)).toEqual(before);
    expect(await refusal(call(t, [name, args]))).toBe("UNAUTHENTICATED");
    expect(await snapshot(t)).toEqual(before);
    expect(await refusal(call(service, [name, args]))).toBe(asService);
  });
});

test("each user acts on its own data, and a service on everyone's", async () => {
  const { t, service, alice } = await seeded();
  const bob = t.withIdentity(userIdentity("bob"));
  const messageCount: Record<string, number> = { alice: 3, bob: 3 };
  for (const [caller, owner] of [[alice, "alice"], [bob, "bob"], [service, "alice"], [service, "bob"]] as const) {
    const thread = `${owner}-thread`;
    expect(await caller.query(app.getThread, { id: thread })).toMatchObject({ resourceId: owner });
    expect(await caller.query(app.countThreads, { resourceId: owner })).toBe(1);
    expect(await caller.query(app.countMessages, { threadId: thread })).toBe(messageCount[owner]);
    const listed = await caller.query(app.listMessages, { threadId: thread, paginationOpts: page });
    expect(listed.page).toHaveLength(messageCount[owner]);
    expect(await caller.query(app.getMessagesByIds, { ids: [`${owner}-1`] })).toHaveLength(1);
    expect(await caller.query(app.getResource, { id: owner })).toMatchObject({ workingMemory: `${owner}'s notes` });
    await caller.mutation(app.updateThread, { id: thread, metadata: { seen: true } });
    await caller.mutation(app.saveMessages, {
      messages: [{ id: `${owner}-${caller === service ? "s" : "u"}`, threadId: thread, role: "assistant", content: text("ok") }],
    });
    messageCount[owner]++;
  }
  expect(await alice.query(app.countMessages, { threadId: "alice-thread" })).toBe(5);
  await alice.mutation(app.deleteThread, { id: "alice-thread" });
  expect(await bob.query(app.countMessages, { threadId: "bob-thread" })).toBe(5);
  // Missing rows have no owner to check: reading them is allowed and finds nothing.
  expect(await alice.query(app.getThread, { id: "alice-thread" })).toBeNull();
  expect(await alice.query(app.getThread, { id: "never-existed" })).toBeNull();
  // A resource's id is its owner: another id is refused even when nothing is stored under it.
  expect(await refusal(alice.query(app.getResource, { id: "carol" }))).toBe("FORBIDDEN");
});

describe("bad input is refused with a typed error and changes nothing", () => {
  const message = { id: "new", threadId: "alice-thread", role: "user", content: text("x") };
  const BAD: Array<[label: string, name: string, args: Record<string, unknown>, expected: string | RegExp]> = [
    ["a missing thread", "saveMessages", { messages: [{ ...message, threadId: "missing" }] }, "NOT_FOUND"],
    ["an oversize batch", "saveMessages", { messages: Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) => ({ ...message, id: `n${i}` })) }, "LIMIT_EXCEEDED"],
    ["a duplicate id in a batch", "saveMessages", { messages: [message, message] }, "INVALID_ARGUMENT"],
    ["a part that is not an object", "saveMessages", { messages: [{ ...message, content: { format: 2, parts: [42] } }] }, "INVALID_ARGUMENT"],
    ["an unknown role", "saveMessages", { messages: [{ ...message, role: "wizard" }] }, /Validator error/],
    ["a wrong type", "saveMessages", { messages: [{ ...message, createdAt: "yesterday" }] }, /Validator error/],
    ["an extra field", "saveThread", { id: "t", resourceId: "alice", colour: "red" }, /Validator error/],
    ["a missing thread to update", "updateThread", { id: "missing", title: "x" }, "NOT_FOUND"],
    ["a missing message to update", "updateMessages", { messages: [{ id: "alice-1", role: "tool" }, { id: "missing", role: "tool" }] }, "NOT_FOUND"],
    ["a page size of 0", "listMessages", { threadId: "alice-thread", paginationOpts: { numItems: 0, cursor: null } }, "INVALID_ARGUMENT"],
    ["a negative neighbour count", "listMessages", { threadId: "alice-thread", paginationOpts: page, include: [{ id: "alice-1", withNextMessages: -1 }] }, "INVALID_ARGUMENT"],
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
