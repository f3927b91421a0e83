import { defineTable } from "convex/server";
import { v } from "convex/values";
import type { GenericDatabaseReader, GenericDatabaseWriter } from "convex/server";
import type { DataModel } from "../_generated/dataModel.js";

/**
 * Exact counts at O(1) reads: one document per counted set, keyed by a string
 * such as `counterKey("messages", "thread", threadId)`, updated in the same transaction as the
 * write that changes the set.
 */
export const counterTables = {
  counters: defineTable({
    key: v.string(),
    count: v.number(),
  }).index("by_key", ["key"]),
};

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** An unambiguous key for a counted set, e.g. `counterKey("messages", "thread", threadId)`. */
export function counterKey(...parts: string[]): string {
  return JSON.stringify(parts);
}

/** The count of the set `key` names (0 when nothing was ever counted); one read. */
export async function readCounter(db: Reader, key: string): Promise<number> {
  const row = await db
    .query("counters")
    .withIndex("by_key", (q) => q.eq("key", key))
    .unique();
  return row?.count ?? 0;
}

/** Adds `delta` (may be negative) to the counter; returns the new count. */
export async function addToCounter(db: Writer, key: string, delta: number): Promise<number> {
  const row = await db
    .query("counters")
    .withIndex("by_key", (q) => q.eq("key", key))
    .unique();
  if (delta === 0) return row?.count ?? 0;
  const count = Math.max(0, (row?.count ?? 0) + delta);
  if (row === null) {
    if (count > 0) await db.insert("counters", { key, count });
  } else if (count === 0) {
    await db.delete(row._id);
  } else {
    await db.patch(row._id, { count });
  }
  return count;
}

/** Forgets the count of the set `key` names (its set is gone). */
export async function deleteCounter(db: Writer, key: string): Promise<void> {
  const row = await db
    .query("counters")
    .withIndex("by_key", (q) => q.eq("key", key))
    .unique();
  if (row !== null) await db.delete(row._id);
}
