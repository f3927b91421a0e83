/**
 * The context of recalled messages: each hit with up to `before` messages before it
 * and `after` after it in its thread, read in one bounded transaction, then grouped
 * as an LLM context wants them.
 *
 * Reading (readContext, one internal query): hits in score order, until `want` of
 * them are found; for each, the hit itself, then its neighbours on each side, one
 * document at a time (streamed, so a side stops at its count or at the byte budget).
 * Documents read are at most `want × (1 + before + after)`, plus the hits skipped;
 * bytes read at most RECALL_BYTES (plus the one
 * document that crosses it), after which the remaining hits are left out and the
 * result says `truncated`. Hits whose message is gone, or whose thread is being
 * deleted (its messages are still being removed by scheduled batches), are skipped;
 * checking the deletion marker reads no document when there is none.
 *
 * Grouping (groupContext, pure): per thread, each hit's range of messages is an
 * interval of the thread's order (createdAt, then insertion); ranges that share a
 * message merge into one group. Messages appear once. Threads are ordered by their
 * earliest recalled message, a thread's groups and each group's messages
 * chronologically; a group's score is its best hit's.
 */
import type { GenericDatabaseReader } from "convex/server";
import { v, type Infer } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { approximateSize } from "./limits.js";
import { toMessage, vMessage, type Message } from "./messages.js";

type Reader = GenericDatabaseReader<DataModel>;

/** Bytes of messages one recall reads at most (then it stops and says `truncated`). */
export const RECALL_BYTES = 8 * 1024 * 1024;

/** Where a message sits in its thread: createdAt, then insertion (`_creationTime`). */
export const vPosition = v.object({ createdAt: v.number(), creationTime: v.number() });
export type Position = Infer<typeof vPosition>;

/** A message with its place in the thread. */
export const vPlaced = v.object({ message: vMessage, position: vPosition });
export type Placed = Infer<typeof vPlaced>;

/** A hit to read: a key that `locate` reads as a message (a message id, an embedding id). */
export const vHitRef = v.object({ key: v.string() });
export type HitRef = Infer<typeof vHitRef>;

export const vHitContext = v.object({
  /** The hit's message (absent: gone, or its thread is being deleted). */
  hit: v.optional(vPlaced),
  /** Neighbours before the hit, nearest first. */
  before: v.array(vPlaced),
  /** Neighbours after the hit, nearest first. */
  after: v.array(vPlaced),
});
export type HitContext = Infer<typeof vHitContext>;

export const vContextRead = v.object({
  /** One entry per hit read, in the order of the hits asked (those after a truncation are absent). */
  hits: v.array(vHitContext),
  /** Whether the byte budget left hits (or neighbours) out. */
  truncated: v.boolean(),
  /** Documents read (for the read-cost tests and the budget). */
  documentsRead: v.number(),
});
export type ContextRead = Infer<typeof vContextRead>;

function positionOf(doc: Doc<"messages">): Position {
  return { createdAt: doc.createdAt, creationTime: doc._creationTime };
}

function placed(doc: Doc<"messages">): Placed {
  return { message: toMessage(doc), position: positionOf(doc) };
}

export function comparePositions(a: Position, b: Position): number {
  return a.createdAt - b.createdAt || a.creationTime - b.creationTime;
}

/**
 * The owner's thread's messages on one side of `doc`, nearest first: those with the
 * same createdAt inserted before (after) it, then those strictly earlier (later).
 */
async function* beside(db: Reader, doc: Doc<"messages">, side: "before" | "after"): AsyncGenerator<Doc<"messages">> {
  const order = side === "before" ? "desc" : "asc";
  const sameTime = db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const at = q.eq("resourceId", doc.resourceId).eq("threadId", doc.threadId).eq("createdAt", doc.createdAt);
      return side === "before" ? at.lt("_creationTime", doc._creationTime) : at.gt("_creationTime", doc._creationTime);
    })
    .order(order);
  for await (const next of sameTime) yield next;
  const rest = db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const inThread = q.eq("resourceId", doc.resourceId).eq("threadId", doc.threadId);
      return side === "before" ? inThread.lt("createdAt", doc.createdAt) : inThread.gt("createdAt", doc.createdAt);
    })
    .order(order);
  for await (const next of rest) yield next;
}

/** Whether the owner's thread is being deleted (its marker exists). No document read when it is not. */
export async function isBeingDeleted(db: Reader, resourceId: string, threadId: string): Promise<boolean> {
  const marker = await db
    .query("threadDeletions")
    .withIndex("by_resource_thread", (q) => q.eq("resourceId", resourceId).eq("threadId", threadId))
    .first();
  return marker !== null;
}

export interface ContextRequest {
  resourceId: string;
  hits: HitRef[];
  before: number;
  after: number;
  /** Stop once this many hits were found (the rest are spares for hits that are gone). Default: all. */
  want?: number;
  /** Override of RECALL_BYTES (tests). */
  byteBudget?: number;
}

/** Reads each hit and its neighbours (see the top of this file). */
export async function readContext(
  db: Reader,
  request: ContextRequest,
  locate: (db: Reader, resourceId: string, hit: HitRef) => Promise<Doc<"messages"> | null> = findOwnMessage,
): Promise<ContextRead> {
  const budget = request.byteBudget ?? RECALL_BYTES;
  const deleting = new Map<string, boolean>();
  let bytes = 0;
  let documentsRead = 0;
  const out: HitContext[] = [];
  const over = () => bytes >= budget;
  const want = request.want ?? request.hits.length;
  let found = 0;
  for (const ref of request.hits) {
    if (found >= want) break;
    if (over()) return { hits: out, truncated: true, documentsRead };
    const doc = await locate(db, request.resourceId, ref);
    if (doc !== null) {
      documentsRead++;
      bytes += approximateSize(doc);
    }
    if (doc === null || doc.resourceId !== request.resourceId) {
      out.push({ before: [], after: [] });
      continue;
    }
    if (!deleting.has(doc.threadId)) deleting.set(doc.threadId, await isBeingDeleted(db, doc.resourceId, doc.threadId));
    if (deleting.get(doc.threadId)) {
      out.push({ before: [], after: [] });
      continue;
    }
    const context: HitContext = { hit: placed(doc), before: [], after: [] };
    out.push(context);
    found++;
    for (const [side, count] of [
      ["before", request.before],
      ["after", request.after],
    ] as const) {
      if (count === 0) continue;
      for await (const next of beside(db, doc, side)) {
        if (over()) return { hits: out, truncated: true, documentsRead };
        documentsRead++;
        bytes += approximateSize(next);
        context[side].push(placed(next));
        if (context[side].length >= count) break;
      }
    }
  }
  return { hits: out, truncated: false, documentsRead };
}

/** Hits by message id (the default `locate`). */
async function findOwnMessage(db: Reader, resourceId: string, hit: HitRef): Promise<Doc<"messages"> | null> {
  return db
    .query("messages")
    .withIndex("by_resource_id", (q) => q.eq("resourceId", resourceId).eq("id", hit.key))
    .unique();
}

// ---------------------------------------------------------------------------
// Grouping

export const vRecallGroup = v.object({
  threadId: v.string(),
  /** The best score of the group's hits. */
  score: v.number(),
  /** The ids of the group's hits, best first. */
  hitIds: v.array(v.string()),
  /** The hits and their neighbours, chronological, each once. */
  messages: v.array(vMessage),
});
export type RecallGroup = Infer<typeof vRecallGroup>;

interface Range {
  threadId: string;
  start: Position;
  end: Position;
  score: number;
  hitIds: string[];
  messages: Map<string, Placed>;
}

/**
 * Groups hits with their neighbours: `scores[i]` is the score of `contexts[i]`'s hit,
 * and the hits come best first (see the top of this file).
 */
export function groupContext(contexts: HitContext[], scores: number[]): RecallGroup[] {
  const byThread = new Map<string, Range[]>();
  contexts.forEach((context, i) => {
    if (context.hit === undefined) return;
    const all = [...context.before, context.hit, ...context.after];
    const positions = all.map((p) => p.position).sort(comparePositions);
    const range: Range = {
      threadId: context.hit.message.threadId,
      start: positions[0],
      end: positions[positions.length - 1],
      score: scores[i],
      hitIds: [context.hit.message.id],
      messages: new Map(all.map((p) => [p.message.id, p])),
    };
    const ranges = byThread.get(range.threadId) ?? [];
    ranges.push(range);
    byThread.set(range.threadId, ranges);
  });
  const rank = new Map<string, number>();
  contexts.forEach((c, i) => c.hit !== undefined && !rank.has(c.hit.message.id) && rank.set(c.hit.message.id, i));
  const threads: RecallGroup[][] = [];
  for (const ranges of byThread.values()) {
    ranges.sort((a, b) => comparePositions(a.start, b.start));
    const merged: Range[] = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      // Ranges are intervals of one thread's order: they share a message iff they overlap.
      if (last !== undefined && comparePositions(range.start, last.end) <= 0) {
        if (comparePositions(range.end, last.end) > 0) last.end = range.end;
        last.score = Math.max(last.score, range.score);
        last.hitIds.push(...range.hitIds);
        for (const [id, p] of range.messages) last.messages.set(id, p);
      } else {
        merged.push({ ...range, hitIds: [...range.hitIds], messages: new Map(range.messages) });
      }
    }
    threads.push(
      merged.map((range) => ({
        threadId: range.threadId,
        score: range.score,
        hitIds: [...new Set(range.hitIds)].sort((a, b) => rank.get(a)! - rank.get(b)!),
        messages: [...range.messages.values()]
          .sort((a, b) => comparePositions(a.position, b.position))
          .map((p) => p.message as Message),
      })),
    );
  }
  const firstAt = (groups: RecallGroup[]) => groups[0].messages[0].createdAt;
  return threads.sort((a, b) => firstAt(a) - firstAt(b) || (a[0].threadId < b[0].threadId ? -1 : 1)).flat();
}
