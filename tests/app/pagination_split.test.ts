/**
 * A page the backend cuts short at a read limit (`maximumRowsRead`, or the transaction's own
 * limits) comes back with `pageStatus: "SplitRequired"` and a `splitCursor`
 * (crates/isolate/src/environment/udf/async_syscall.rs `read_page_from_query`): every list
 * function carries both through, from the component through the app's exposed functions, so
 * clients can split the page as `usePaginatedQuery` does; and following `continueCursor`
 * still reaches every row once.
 */
import { anyApi } from "convex/server";
import { expect, test } from "vitest";
import { appTest, SERVICE } from "../convex.js";
import { text } from "../component/core-fixtures.js";

const app = anyApi.memory;

type Page = { page: unknown[]; isDone: boolean; continueCursor: string; splitCursor?: string | null; pageStatus?: string | null };

async function walk(list: (cursor: string | null) => Promise<Page>): Promise<{ pages: Page[]; items: unknown[] }> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await list(cursor);
    pages.push(page);
    if (page.isDone) break;
    cursor = page.continueCursor;
  }
  return { pages, items: pages.flatMap((p) => p.page) };
}

test("list functions pass splitCursor and pageStatus through the app", async () => {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  await service.mutation(app.saveThread, { resourceId: "alice", id: "t1" });
  for (let i = 2; i <= 5; i++) await service.mutation(app.saveThread, { resourceId: "alice", id: `t${i}` });
  await service.mutation(app.saveMessages, {
    resourceId: "alice",
    messages: [1, 2, 3, 4, 5].map((i) => ({ id: `m${i}`, threadId: "t1", role: "user", content: text(`${i}`), createdAt: i })),
  });
  for (const name of ["a", "b", "c"]) await service.mutation(app.createIndex, { name, dimension: 128 });

  const opts = (cursor: string | null) => ({ numItems: 10, cursor, maximumRowsRead: 2 });
  const lists: Array<[string, (cursor: string | null) => Promise<Page>, number]> = [
    ["listThreads", (cursor) => service.query(app.listThreads, { resourceId: "alice", paginationOpts: opts(cursor) }), 5],
    ["listMessages", (cursor) => service.query(app.listMessages, { resourceId: "alice", threadId: "t1", paginationOpts: opts(cursor) }), 5],
    ["listMessagesByResource", (cursor) => service.query(app.listMessagesByResource, { resourceId: "alice", paginationOpts: opts(cursor) }), 5],
    ["listIndexes", (cursor) => service.query(app.listIndexes, { paginationOpts: opts(cursor) }), 3],
  ];
  for (const [name, list, total] of lists) {
    const first = await list(null);
    expect(first.pageStatus, name).toBe("SplitRequired");
    expect(typeof first.splitCursor, name).toBe("string");
    expect(first.page.length, name).toBeLessThanOrEqual(2);
    const { items } = await walk(list);
    expect(items, name).toHaveLength(total);
  }
  // A page that was not cut short says so too.
  const whole = (await service.query(app.listThreads, { resourceId: "alice", paginationOpts: { numItems: 10, cursor: null } })) as Page;
  expect(whole).toMatchObject({ isDone: true, pageStatus: null, splitCursor: null });
  expect(whole.page).toHaveLength(5);
});
