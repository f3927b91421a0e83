/**
 * Message embeddings for recall, kept in the shared per-dimension embedding tables
 * (vectorStorage.ts) the way the vector store keeps its vectors.
 *
 *   recallSpaces    one row per dimension used by messages: its namespace `ns`
 *                   (allocated on the first embedding of that dimension, never changed)
 *   vectors_<dim>   the embedding: `{ns, key: [ns, '["<owner>","<message id>"]'],
 *                   vector, f0: [ns, owner], f1: [ns, [owner, thread]]}`
 *   messages        the message row names its embedding (`embeddingId`, indexed
 *                   `by_embedding`, so a search hit is read as the message itself, one
 *                   document) and its `embeddingDimension`; both absent otherwise (a
 *                   message without an embedding stores nothing more)
 *   messageSearchTexts  the text of an embedded message (its text parts), for the
 *                   keyword side of hybrid recall: `{resourceId, threadId, messageId,
 *                   embeddingId, embeddingDimension, text}`, searched `by_text`; a match
 *                   names its embedding without reading the message
 *
 * A search is always confined to one owner (f0) or one of its threads (f1), natively.
 * The embedding describes the content it was computed from: saving or updating a
 * message with other content drops it unless a new one is given; deleting the
 * message, or its thread, deletes it. Exact counts per owner and per thread are kept
 * in the same transactions.
 */
import { defineTable, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v } from "convex/values";
import type { DataModel } from "../_generated/dataModel.js";
import { addToCounter, counterKey, readCounter } from "./counters.js";
import { invalidArgument } from "./errors.js";
import { limitExceeded } from "./limits.js";
import {
  allocateNamespace,
  decodeVector,
  deleteEmbedding,
  insertEmbedding,
  isSupportedDimension,
  replaceEmbedding,
  setEmbeddingFilters,
  storedEmbeddingBytes,
  vectorLength,
  VECTOR_DIMENSIONS,
  vEmbeddingId,
  type EmbeddingFilters,
  type EmbeddingId,
  type VectorValue,
} from "./vectorStorage.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

export const recallTables = {
  /** The namespace of message embeddings of each dimension. */
  recallSpaces: defineTable({ dimension: v.number(), ns: v.number() }).index("by_dimension", ["dimension"]),
  /** The searchable text of each embedded message that has text (see the top of this file). */
  messageSearchTexts: defineTable({
    resourceId: v.string(),
    threadId: v.string(),
    messageId: v.string(),
    embeddingId: vEmbeddingId,
    embeddingDimension: v.number(),
    text: v.string(),
  })
    .index("by_embedding", ["embeddingId"])
    .searchIndex("by_text", { searchField: "text", filterFields: ["resourceId", "threadId", "embeddingDimension"] }),
};

/** The fields a message row carries for recall (neither is part of a Message result). */
export const messageRecallFields = {
  /** The message's embedding, in vectors_<embeddingDimension>. */
  embeddingId: v.optional(vEmbeddingId),
  embeddingDimension: v.optional(v.number()),
};
export interface RecallFields {
  embeddingId?: EmbeddingId;
  embeddingDimension?: number;
}

/** Filter slots of message embeddings: the owner, and the owner's thread. */
export const OWNER_SLOT = 0;
export const THREAD_SLOT = 1;
/** Most characters of a message's text that keyword recall indexes. */
export const MAX_SEARCH_TEXT = 16 * 1024;
/**
 * Bytes of embeddings one call may store (and, replacing, read): 12 MiB of the 16 MiB
 * limits, the rest for the messages themselves and look-ups (as the vector store).
 */
export const MAX_EMBEDDING_BYTES_PER_CALL = 12 * 1024 * 1024;

export const embeddingCountKey = (resourceId: string, threadId?: string) =>
  threadId === undefined
    ? counterKey("messageEmbeddings", "resource", resourceId)
    : counterKey("messageEmbeddings", "thread", resourceId, threadId);

/**
 * The owner's embeddings of threads being deleted that the scheduled batches have not
 * removed yet: a recall looks past that many candidates (they are not recalled).
 */
export const deletingEmbeddingsKey = (resourceId: string) => counterKey("messageEmbeddings", "deleting", resourceId);

/** The key that identifies a message's embedding among its namespace's (see scoreByKeys). */
export const embeddingKey = (resourceId: string, messageId: string) => JSON.stringify([resourceId, messageId]);

function filtersOf(resourceId: string, threadId: string): EmbeddingFilters {
  return { f0: resourceId, f1: [resourceId, threadId] };
}

/** The value of the thread slot for a search confined to one thread. */
export const threadSlotValue = (resourceId: string, threadId: string) => [resourceId, threadId];

/** The namespace of message embeddings of `dimension`, or null when none was ever written. One read. */
export async function findSpace(db: Reader, dimension: number): Promise<number | null> {
  const row = await db
    .query("recallSpaces")
    .withIndex("by_dimension", (q) => q.eq("dimension", dimension))
    .unique();
  return row?.ns ?? null;
}

/** Namespaces a transaction has looked up, by its database writer (read once per transaction). */
const spacesSeen = new WeakMap<Writer, Map<number, number>>();

async function spaceFor(db: Writer, dimension: number, allocate = true): Promise<number | null> {
  let seen = spacesSeen.get(db);
  if (seen === undefined) spacesSeen.set(db, (seen = new Map()));
  const known = seen.get(dimension);
  if (known !== undefined) return known;
  let ns = await findSpace(db, dimension);
  if (ns === null) {
    if (!allocate) return null;
    ns = await allocateNamespace(db);
    await db.insert("recallSpaces", { dimension, ns });
  }
  seen.set(dimension, ns);
  return ns;
}

/** The dimension of an embedding as given (checked to be a supported one). */
export function embeddingDimensionOf(input: VectorValue, where: string): number {
  const dimension = vectorLength(input);
  if (!isSupportedDimension(dimension)) {
    invalidArgument(`${where}: an embedding of ${dimension} dimensions; use one of ${VECTOR_DIMENSIONS.join(", ")}`, {
      dimension,
    });
  }
  return dimension;
}

/** An embedding as given, checked (supported dimension, finite numbers), as float64 numbers. */
export function decodeEmbedding(input: VectorValue, where: string): number[] {
  return decodeVector(input, embeddingDimensionOf(input, where), where);
}

/** LIMIT_EXCEEDED when the embeddings of one call would store (or replace) too many bytes. */
export function checkEmbeddingBytes(sizes: number[]): void {
  const bytes = sizes.reduce((total, size) => total + size, 0);
  if (bytes > MAX_EMBEDDING_BYTES_PER_CALL) {
    limitExceeded(
      `the embeddings of this call would store about ${bytes} bytes; at most ${MAX_EMBEDDING_BYTES_PER_CALL} per call: ` +
        `split it into ${Math.ceil(bytes / MAX_EMBEDDING_BYTES_PER_CALL)} or more calls`,
      { limit: "embeddingBytesPerCall", max: MAX_EMBEDDING_BYTES_PER_CALL, actual: bytes },
    );
  }
}

/** The text keyword recall searches in a message: its text parts (else `content.content`), capped. */
export function searchTextOf(content: { parts: unknown[]; content?: string }): string {
  const texts: string[] = [];
  for (const part of content.parts) {
    if (typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text") {
      const text = (part as { text?: unknown }).text;
      if (typeof text === "string") texts.push(text);
    }
  }
  const text = texts.length > 0 ? texts.join("\n") : (content.content ?? "");
  return text.slice(0, MAX_SEARCH_TEXT);
}

/** The recall fields of a message without an embedding. */
export const NO_EMBEDDING: RecallFields = {};

/** Bytes a message's search text row stores at most besides the text. */
export const SEARCH_ROW_OVERHEAD = 200;

/**
 * Bytes one embedding of a message stores (its embedding, and at most its search text: 3 bytes
 * a UTF-16 unit). The Python SDK's `message_embedding_weight` (`_bulk.py`) splits `save_many`
 * calls by this same sum, from the constants `codegen/pythonLimits.ts` exports.
 */
export function messageEmbeddingBytes(dimension: number, content: { parts: unknown[]; content?: string }): number {
  return storedEmbeddingBytes(dimension) + SEARCH_ROW_OVERHEAD + 3 * searchTextOf(content).length;
}

async function searchRowOf(db: Reader, embeddingId: EmbeddingId) {
  return db
    .query("messageSearchTexts")
    .withIndex("by_embedding", (q) => q.eq("embeddingId", embeddingId))
    .unique();
}

/** Writes (or removes, when the text is empty) the search text row of an embedding. */
async function writeSearchRow(
  db: Writer,
  target: EmbeddingTarget,
  embeddingId: EmbeddingId,
  dimension: number,
  existing: boolean,
): Promise<void> {
  const text = searchTextOf(target.content);
  const row = existing ? await searchRowOf(db, embeddingId) : null;
  const fields = {
    resourceId: target.resourceId,
    threadId: target.threadId,
    messageId: target.messageId,
    embeddingId,
    embeddingDimension: dimension,
    text,
  };
  if (row === null) {
    if (text !== "") await db.insert("messageSearchTexts", fields);
  } else if (text === "") {
    await db.delete(row._id);
  } else {
    await db.replace(row._id, fields);
  }
}

export interface EmbeddingTarget {
  resourceId: string;
  messageId: string;
  threadId: string;
  content: { parts: unknown[]; content?: string };
}

/**
 * Stores `vector` as the message's embedding, replacing the one it has (in place when
 * the dimension is the same). Returns the recall fields the message row gets.
 */
export async function writeEmbedding(
  db: Writer,
  target: EmbeddingTarget,
  vector: number[],
  current: RecallFields,
): Promise<RecallFields> {
  const dimension = vector.length;
  const ns = (await spaceFor(db, dimension))!;
  const fields = { ns, key: embeddingKey(target.resourceId, target.messageId), vector, filters: filtersOf(target.resourceId, target.threadId) };
  if (current.embeddingId !== undefined && current.embeddingDimension === dimension) {
    await replaceEmbedding(db, current.embeddingId, fields);
    await writeSearchRow(db, target, current.embeddingId, dimension, true);
    return { embeddingId: current.embeddingId, embeddingDimension: dimension };
  }
  if (current.embeddingId !== undefined) await dropEmbedding(db, current);
  const embeddingId = await insertEmbedding(db, dimension, fields);
  await writeSearchRow(db, target, embeddingId, dimension, false);
  return { embeddingId, embeddingDimension: dimension };
}

/**
 * Deletes the message's embedding and its search text (if any); returns the recall
 * fields of a message without one.
 */
export async function dropEmbedding(db: Writer, current: RecallFields): Promise<RecallFields> {
  if (current.embeddingId === undefined) return { ...NO_EMBEDDING };
  await deleteEmbedding(db, current.embeddingId);
  const row = await searchRowOf(db, current.embeddingId);
  if (row !== null) await db.delete(row._id);
  return { ...NO_EMBEDDING };
}

/** Points the message's embedding (and its search text) at another of the owner's threads. */
export async function moveEmbedding(db: Writer, current: RecallFields, resourceId: string, threadId: string): Promise<void> {
  if (current.embeddingId === undefined || current.embeddingDimension === undefined) return;
  const ns = await spaceFor(db, current.embeddingDimension, false);
  if (ns !== null) await setEmbeddingFilters(db, current.embeddingId, ns, filtersOf(resourceId, threadId));
  const row = await searchRowOf(db, current.embeddingId);
  if (row !== null) await db.patch(row._id, { threadId });
}

/** The recall fields of a stored message row. */
export function recallFieldsOf(doc: RecallFields): RecallFields {
  return {
    ...(doc.embeddingId === undefined ? {} : { embeddingId: doc.embeddingId }),
    ...(doc.embeddingDimension === undefined ? {} : { embeddingDimension: doc.embeddingDimension }),
  };
}

/**
 * Per-thread changes of embedding counts, applied at the end of a write (the owner's
 * total moves by their sum).
 */
export class EmbeddingCounts {
  private readonly deltas = new Map<string, number>();
  private leftDeletions = 0;
  constructor(private readonly resourceId: string) {}
  add(threadId: string, delta: number): void {
    if (delta !== 0) this.deltas.set(threadId, (this.deltas.get(threadId) ?? 0) + delta);
  }
  /**
   * An embedding of a thread being deleted leaves it (its message was saved into another
   * thread): the deletion's batches will not meet it, so the owner's pending count drops now.
   */
  leaveDeletion(): void {
    this.leftDeletions++;
  }
  async apply(db: Writer): Promise<void> {
    if (this.leftDeletions > 0) await addToCounter(db, deletingEmbeddingsKey(this.resourceId), -this.leftDeletions);
    if (this.deltas.size === 0) return;
    let total = 0;
    for (const [threadId, delta] of this.deltas) {
      total += delta;
      await addToCounter(db, embeddingCountKey(this.resourceId, threadId), delta);
    }
    await addToCounter(db, embeddingCountKey(this.resourceId), total);
  }
}

/** The exact number of the owner's embedded messages (of one thread when given). One read. */
export async function countEmbeddings(db: Reader, resourceId: string, threadId?: string): Promise<number> {
  return readCounter(db, embeddingCountKey(resourceId, threadId));
}
