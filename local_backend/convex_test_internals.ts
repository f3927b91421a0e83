/**
 * The one place the local backend reaches into convex-test's internals: its
 * in-memory database class (`DatabaseFake`), which it does not export.
 * fast_queries.ts (index lookups) and documents.ts (the checks a deployment
 * makes on stored documents) patch its prototype.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type ConvexTestInstance = { run: (fn: (ctx: unknown) => Promise<null>) => Promise<unknown> };

/**
 * convex-test's `DatabaseFake.prototype`, found through the store convex-test
 * hands to its AsyncLocalStorage when a function runs; undefined if this
 * version of convex-test is laid out differently.
 */
export async function databasePrototype(t: ConvexTestInstance): Promise<object | undefined> {
  type Global = { components: Record<string, { db: object }> };
  const found: Global[] = [];
  const run = AsyncLocalStorage.prototype.run;
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, store: unknown, ...rest: unknown[]) {
    if (found.length === 0 && typeof store === "object" && store !== null && "components" in store && "transactionManager" in store) {
      found.push(store as Global);
    }
    return (run as (...a: unknown[]) => unknown).call(this, store, ...rest);
  } as typeof run;
  try {
    await t.run(async () => null);
  } finally {
    AsyncLocalStorage.prototype.run = run;
  }
  const db = found.length === 0 ? undefined : Object.values(found[0].components)[0]?.db;
  return db === undefined ? undefined : (Object.getPrototypeOf(db) as object);
}
