import { beforeAll, expect, test } from "vitest";
import { anyApi, componentsGeneric } from "convex/server";
import { appTest, SERVICE, userIdentity } from "../convex.js";
import { text } from "../component/core-fixtures.js";

const app = anyApi.memory;
const component = componentsGeneric().agentMemory as any;

const TOTAL = 1_234;
// Three messages per millisecond: ties on createdAt are ordered by insertion.
const id = (i: number) => `m${String(i).padStart(4, "0")}`;
const all = Array.from({ length: TOTAL }, (_, i) => id(i));

let shared: Awaited<ReturnType<typeof seed>>;
// The tests only read: one seeded instance serves them all.
beforeAll(async () => {
  shared = await seed();
});
const setUp = async () => shared;

async function seed() {
  const t = appTest(true);
  const alice = t.withIdentity(userIdentity("alice"));
  await alice.mutation(app.saveThread, { id: "history", resourceId: "alice" });
  await alice.mutation(app.saveThread, { id: "elsewhere", resourceId: "alice" });
  for (let from = 0; from < TOTAL; from += 1_000) {
    const messages = [];
    for (let i = from; i < Math.min(TOTAL, from + 1_000); i++) {
      messages.push({ id: id(i), threadId: "history", role: "user", content: text(`#${i}`), createdAt: 10_000 + Math.floor(i / 3) });
    }
    await alice.mutation(app.saveMessages, { resourceId: "alice", messages });
  }
  await alice.mutation(app.saveMessages, {
    resourceId: "alice",
    messages: [{ id: "far", threadId: "elsewhere", role: "user", content: text("far"), createdAt: 10_100 }],
  });
  return { t, alice, service: t.withIdentity(SERVICE) };
}

test("a cursor walk over 1,234 messages in pages of 100 returns each once, in order, both ways", async () => {
  const { t, alice, service } = await setUp();
  const callers = {
    alice: (args: object) => alice.query(app.listMessages, args),
    service: (args: object) => service.query(app.listMessages, args),
    component: (args: object) => t.query(component.messages.listMessages, args),
  };
  for (const [who, list] of Object.entries(callers)) {
    for (const order of ["asc", "desc"] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      for (;;) {
        const result: { page: Array<{ id: string }>; isDone: boolean; continueCursor: string } = await list({
          resourceId: "alice",
          threadId: "history",
          order,
          paginationOpts: { numItems: 100, cursor },
        });
        pages++;
        expect(result.page.length, `${who} ${order} page ${pages}`).toBeLessThanOrEqual(100);
        seen.push(...result.page.map((m) => m.id));
        if (result.isDone) break;
        cursor = result.continueCursor;
      }
      expect(seen, `${who} ${order}`).toEqual(order === "asc" ? all : [...all].reverse());
      expect(pages).toBeGreaterThanOrEqual(13);
    }
  }
  expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "history" })).toBe(TOTAL);
});

test("include returns each message with its neighbours, also at the first and last message", async () => {
  const { t, alice } = await setUp();
  const included = async (include: object[]) => {
    const viaApp = await alice.query(app.listMessages, {
      resourceId: "alice",
      threadId: "history",
      paginationOpts: { numItems: 1, cursor: null },
      include,
    });
    const viaComponent = await t.query(component.messages.listMessages, {
      resourceId: "alice",
      threadId: "history",
      paginationOpts: { numItems: 1, cursor: null },
      include,
    });
    expect(viaComponent.included).toEqual(viaApp.included);
    expect(viaApp.page.map((m: { id: string }) => m.id)).toEqual([id(0)]);
    return viaApp.included.map((m: { id: string }) => m.id);
  };
  const range = (from: number, to: number) => all.slice(from, to + 1);

  expect(await included([{ id: id(0), withPreviousMessages: 5, withNextMessages: 2 }])).toEqual(range(0, 2));
  expect(await included([{ id: id(TOTAL - 1), withPreviousMessages: 2, withNextMessages: 5 }])).toEqual(range(TOTAL - 3, TOTAL - 1));
  // m0601 shares its createdAt with m0600 and m0602: neighbours follow insertion order.
  expect(await included([{ id: id(601), withPreviousMessages: 4, withNextMessages: 4 }])).toEqual(range(597, 605));
  expect(await included([{ id: id(600), withPreviousMessages: 1 }])).toEqual(range(599, 600));
  expect(await included([{ id: id(602), withNextMessages: 1 }])).toEqual(range(602, 603));
  expect(await included([{ id: id(500) }])).toEqual([id(500)]);
  // Overlapping windows come back once each, chronologically; ids outside the thread are skipped.
  expect(
    await included([
      { id: id(20), withPreviousMessages: 2, withNextMessages: 2 },
      { id: id(10), withNextMessages: 10 },
      { id: "far", withPreviousMessages: 3 },
      { id: "no-such-message", withNextMessages: 3 },
    ]),
  ).toEqual(range(10, 22));
  expect(await included([])).toEqual([]);

  const tooMany = await alice
    .query(app.listMessages, {
      resourceId: "alice",
      threadId: "history",
      paginationOpts: { numItems: 1, cursor: null },
      include: [{ id: id(1), withPreviousMessages: 101 }],
    })
    .catch((e: { data?: { code?: string } }) => e.data?.code);
  expect(tooMany).toBe("LIMIT_EXCEEDED");
});

test("watchMessages returns the latest N in chronological order", async () => {
  const { alice } = await setUp();
  const latest = await alice.query(app.watchMessages, { resourceId: "alice", threadId: "history", limit: 4 });
  expect(latest.map((m: { id: string }) => m.id)).toEqual(all.slice(-4));
  const watched = await alice.query(app.watchThread, { resourceId: "alice", id: "history" });
  expect(watched).toMatchObject({ thread: { id: "history", resourceId: "alice" }, messageCount: TOTAL });
});

test("re-saving a full batch of 1,000 existing messages through the app fits one transaction and keeps counts", async () => {
  const { alice } = await setUp();
  const messages = Array.from({ length: 1_000 }, (_, i) => ({
    id: id(i),
    threadId: "history",
    role: "user",
    content: text(`#${i}`),
  }));
  const saved = await alice.mutation(app.saveMessages, { resourceId: "alice", messages });
  expect(saved).toHaveLength(1_000);
  // createdAt is kept when a re-save does not give it.
  expect(saved[999].createdAt).toBe(10_000 + Math.floor(999 / 3));
  expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "history" })).toBe(TOTAL);
});
