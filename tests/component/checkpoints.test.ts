/// <reference types="vite/client" />
import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { CHUNK_BYTES, MAX_CHECKPOINT_BYTES, READ_BUDGET_BYTES } from "../../component/model/checkpoints.js";
import { MAX_DOCUMENT_BYTES } from "../../component/model/limits.js";
import { codeOf, componentTest } from "../convex.js";

type T = ReturnType<typeof componentTest>;
const c = api.checkpoints;
const owner = { resourceId: "alice", threadId: "t1" };

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const text = (data: ArrayBuffer | undefined) => (data === undefined ? undefined : new TextDecoder().decode(data));
/** Byte equality without vitest's element-by-element diffing (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const id = (i: number) => `cp-${String(i).padStart(6, "0")}`;

async function put(
  t: T,
  i: number,
  extra: { ns?: string; parent?: string; values?: Record<string, string>; versions?: Record<string, string>; metadata?: object; thread?: string; resourceId?: string } = {},
) {
  const versions = extra.versions ?? Object.fromEntries(Object.keys(extra.values ?? {}).map((k) => [k, "1"]));
  await t.mutation(c.putCheckpoint, {
    resourceId: extra.resourceId ?? owner.resourceId,
    threadId: extra.thread ?? owner.threadId,
    checkpointNs: extra.ns ?? "",
    checkpointId: id(i),
    ...(extra.parent === undefined ? {} : { parentCheckpointId: extra.parent }),
    type: "msgpack",
    checkpoint: bytes(`checkpoint ${i}`),
    metadata: JSON.stringify(extra.metadata ?? { source: "loop", step: i, parents: {} }),
    channelVersions: Object.entries(versions).map(([channel, version]) => ({ channel, version })),
    blobs: Object.entries(extra.values ?? {}).map(([channel, value]) => ({ channel, version: versions[channel], type: "msgpack", data: bytes(value) })),
  });
}

async function listAll(t: T, args: Record<string, unknown>, numItems = 2) {
  const rows: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const result: any = await t.query(c.listCheckpoints, { ...owner, checkpointNs: "", ...args, paginationOpts: { numItems, cursor } });
    rows.push(...result.page);
    if (result.isDone) return rows;
    cursor = result.continueCursor;
  }
}

describe("put and get", () => {
  test("channel values are stored once per version and reassembled per checkpoint", async () => {
    const t = componentTest();
    await put(t, 1, { values: { a: "v1", b: "v2" } });
    await put(t, 2, { parent: id(1), values: { a: "v1-updated" }, versions: { a: "2", b: "1" } });
    const latest = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" });
    expect(latest.checkpoint).toMatchObject({ checkpointId: id(2), parentCheckpointId: id(1), threadId: "t1" });
    expect(Object.fromEntries(latest.blobs.map((b: any) => [b.channel, text(b.data)]))).toEqual({ a: "v1-updated", b: "v2" });
    const first = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "", checkpointId: id(1) });
    expect(Object.fromEntries(first.blobs.map((b: any) => [b.channel, text(b.data)]))).toEqual({ a: "v1", b: "v2" });
    expect(await t.run(async (ctx) => (await ctx.db.query("checkpointBlobs").collect()).length)).toBe(3);
    expect(await t.query(c.countCheckpoints, { ...owner, checkpointNs: "" })).toBe(2);
    // The same id again replaces the checkpoint (and is not counted twice).
    await put(t, 2, { parent: id(1), metadata: { source: "update", step: 9 } });
    expect(await t.query(c.countCheckpoints, { ...owner, checkpointNs: "" })).toBe(2);
    expect(JSON.parse((await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" })).checkpoint.metadata)).toEqual({ source: "update", step: 9 });
  });

  test("a missing thread, namespace or id is null; namespaces and owners are apart", async () => {
    const t = componentTest();
    await put(t, 1, { ns: "child:1" });
    expect(await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" })).toBeNull();
    expect(await t.query(c.getCheckpoint, { ...owner, checkpointNs: "child:1", checkpointId: id(2) })).toBeNull();
    expect(await t.query(c.getCheckpoint, { resourceId: "bob", threadId: "t1", checkpointNs: "child:1" })).toBeNull();
    expect((await t.query(c.getCheckpoint, { ...owner, checkpointNs: "child:1" })).checkpoint.checkpointId).toBe(id(1));
  });

  test("a 5 MiB value is chunked and comes back byte-exact", async () => {
    const t = componentTest(true);
    const big = new Uint8Array(5 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    await t.mutation(c.putCheckpoint, {
      ...owner,
      checkpointNs: "",
      checkpointId: id(1),
      type: "msgpack",
      checkpoint: bytes("cp"),
      metadata: "{}",
      channelVersions: [{ channel: "big", version: "1" }],
      blobs: [{ channel: "big", version: "1", type: "bytes", data: big.buffer }],
    });
    const chunks = await t.run(async (ctx) => (await ctx.db.query("checkpointChunks").collect()).length);
    expect(chunks).toBe(Math.ceil(big.length / CHUNK_BYTES) - 1);
    const got = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" });
    expect(got.blobs[0].size).toBe(big.length);
    expect(sameBytes(new Uint8Array(got.blobs[0].data), big)).toBe(true);
  });

  test("reads stop at the read budget and say what is left", async () => {
    const t = componentTest(true);
    const value = "x".repeat(CHUNK_BYTES - 100);
    const channels = Math.ceil(READ_BUDGET_BYTES / value.length) + 3;
    const values = Object.fromEntries(Array.from({ length: channels }, (_, i) => [`c${i}`, value]));
    // More than one call may carry: the first blobs go ahead with putCheckpointBlobs.
    const names = Object.keys(values);
    await t.mutation(c.putCheckpointBlobs, {
      ...owner,
      checkpointNs: "",
      blobs: names.slice(0, 6).map((channel) => ({ channel, version: "1", type: "s", data: bytes(value) })),
    });
    await put(t, 1, { values: Object.fromEntries(names.slice(6).map((n) => [n, value])), versions: Object.fromEntries(names.map((n) => [n, "1"])) });
    const got = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" });
    expect(got.blobs.length + got.unreadBlobs.length).toBe(channels);
    expect(got.unreadBlobs.length).toBeGreaterThan(0);
    const rest = await t.query(c.getCheckpointValues, { ...owner, blobs: got.unreadBlobs, writes: [] });
    expect(rest.blobs.length).toBeGreaterThan(0);
    expect(rest.blobs.every((b: any) => text(b.data) === value)).toBe(true);
    expect(await codeOf(t.mutation(c.putCheckpointBlobs, { ...owner, checkpointNs: "", blobs: names.map((channel) => ({ channel, version: "2", type: "s", data: bytes(value) })) }))).toBe("LIMIT_EXCEEDED");
  });

  test("bad input is refused with a code and writes nothing", async () => {
    const t = componentTest();
    const base = { ...owner, checkpointNs: "", checkpointId: id(1), type: "msgpack", checkpoint: bytes("x"), channelVersions: [], blobs: [] };
    expect(await codeOf(t.mutation(c.putCheckpoint, { ...base, metadata: "[1]" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(c.putCheckpoint, { ...base, metadata: "not json" }))).toBe("INVALID_ARGUMENT");
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])));
    expect(await codeOf(t.mutation(c.putCheckpoint, { ...base, metadata: many }))).toBe("LIMIT_EXCEEDED");
    expect(await codeOf(t.mutation(c.putCheckpoint, { ...base, metadata: "{}", threadId: "" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(c.putCheckpoint, { ...base, metadata: "{}", checkpoint: new Uint8Array(CHUNK_BYTES + 1).buffer }))).toBe("LIMIT_EXCEEDED");
    expect(await t.run(async (ctx) => (await ctx.db.query("checkpointThreads").collect()).length)).toBe(0);
  });

  test("refusals carry the one LIMIT_EXCEEDED shape; a row Convex could not store is refused before any write", async () => {
    const t = componentTest();
    const data = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return (error as { data?: Record<string, unknown> }).data;
      }
      throw new Error("the call succeeded");
    };
    const base = { ...owner, checkpointNs: "", checkpointId: id(1), type: "msgpack", checkpoint: bytes("x"), metadata: "{}", channelVersions: [], blobs: [] };
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])));
    expect(await data(t.mutation(c.putCheckpoint, { ...base, metadata: many }))).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "metadataKeys", max: 64, actual: 65 });
    expect(await data(t.mutation(c.putCheckpoint, { ...base, checkpoint: new Uint8Array(MAX_CHECKPOINT_BYTES + 1).buffer }))).toMatchObject({
      limit: "checkpointBytes",
      max: MAX_CHECKPOINT_BYTES,
      actual: MAX_CHECKPOINT_BYTES + 1,
    });
    const writes = Array.from({ length: 1001 }, (_, idx) => ({ idx, channel: "c", type: "s", data: bytes("v") }));
    expect(await data(t.mutation(c.putCheckpointWrites, { ...owner, checkpointNs: "", checkpointId: id(1), taskId: "t", taskPath: "", writes }))).toMatchObject({
      limit: "batchItems",
      max: 1000,
      actual: 1001,
    });
    // 4,096 channels with long names and versions: each within its own limits, 3 MiB as a row.
    const channelVersions = Array.from({ length: 4096 }, (_, i) => ({ channel: `${i}`.padEnd(512, "c"), version: "v".repeat(256) }));
    const refused = await data(t.mutation(c.putCheckpoint, { ...base, channelVersions }));
    expect(refused).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "documentBytes", max: MAX_DOCUMENT_BYTES });
    expect(refused!.actual as number).toBeGreaterThan(3_000_000);
    expect(await t.run(async (ctx) => (await ctx.db.query("checkpointThreads").collect()).length)).toBe(0);
  });
});

describe("writes", () => {
  test("regular writes are kept, special ones replaced, read back in LangGraph's order", async () => {
    const t = componentTest();
    await put(t, 1);
    const w = (taskId: string, taskPath: string, writes: Array<[number, string, string]>) =>
      t.mutation(c.putCheckpointWrites, {
        ...owner,
        checkpointNs: "",
        checkpointId: id(1),
        taskId,
        taskPath,
        writes: writes.map(([idx, channel, value]) => ({ idx, channel, type: "s", data: bytes(value) })),
      });
    await w("task-b", "~0", [[0, "ch", "b0"], [1, "ch", "b1"]]);
    await w("task-a", "~1", [[0, "ch", "a0"]]);
    await w("task-b", "~0", [[0, "ch", "again"], [-1, "__error__", "boom"]]);
    await w("task-b", "~0", [[-1, "__error__", "boom2"]]);
    const got = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" });
    expect(got.writes.map((x: any) => [x.taskId, x.idx, text(x.data)])).toEqual([
      ["task-b", -1, "boom2"],
      ["task-b", 0, "b0"],
      ["task-b", 1, "b1"],
      ["task-a", 0, "a0"],
    ]);
    expect(got.writesCursor).toBeNull();
  });
});

describe("list", () => {
  test("newest first, before, limit by pages, metadata filters by index", async () => {
    const t = componentTest();
    for (let i = 1; i <= 6; i++) {
      await put(t, i, { parent: i > 1 ? id(i - 1) : undefined, metadata: { source: i % 2 ? "input" : "loop", step: i, run_id: `run-${i % 3}`, score: { n: i % 2 } } });
    }
    const all = await listAll(t, {});
    expect(all.map((r) => r.checkpointId)).toEqual([6, 5, 4, 3, 2, 1].map(id));
    expect((await listAll(t, { before: id(4) })).map((r) => r.checkpointId)).toEqual([3, 2, 1].map(id));
    expect((await listAll(t, { filter: JSON.stringify({ source: "input" }) })).map((r) => r.checkpointId)).toEqual([5, 3, 1].map(id));
    expect((await listAll(t, { filter: JSON.stringify({ source: "input", run_id: "run-1" }) })).map((r) => r.checkpointId)).toEqual([1].map(id));
    expect((await listAll(t, { filter: JSON.stringify({ score: { n: 0 } }), before: id(6) })).map((r) => r.checkpointId)).toEqual([4, 2].map(id));
    expect(await listAll(t, { filter: JSON.stringify({ step: 99 }) })).toEqual([]);
    expect(await codeOf(t.query(c.listCheckpoints, { ...owner, checkpointNs: "", paginationOpts: { numItems: 2, cursor: "bogus" } }))).toBe("INVALID_ARGUMENT");
  });
});

describe("whole threads", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("delete: gone at once, purged in scheduled batches, other threads untouched", async () => {
    vi.useFakeTimers();
    const t = componentTest(true);
    for (let i = 1; i <= 3; i++) await put(t, i, { values: { a: `v${i}` }, versions: { a: String(i) } });
    await put(t, 1, { thread: "t2", values: { a: "other" } });
    await t.mutation(c.deleteCheckpointThread, owner);
    expect(await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" })).toBeNull();
    expect(await listAll(t, {})).toEqual([]);
    // The id is free again at once: a new thread starts empty.
    await put(t, 9);
    expect((await listAll(t, {})).map((r) => r.checkpointId)).toEqual([id(9)]);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const left = await t.run(async (ctx) => (await ctx.db.query("checkpoints").collect()).map((r) => r.checkpointId).sort());
    expect(left).toEqual([id(1), id(9)]);
    expect((await t.query(c.getCheckpoint, { ...owner, threadId: "t2", checkpointNs: "" })).blobs.map((b: any) => text(b.data))).toEqual(["other"]);
  });

  test("copy: every namespace, value and write; the target appears when complete", async () => {
    const t = componentTest(true);
    await put(t, 1, { values: { a: "v1" } });
    await put(t, 2, { parent: id(1), values: { a: "v2" }, versions: { a: "2" } });
    await put(t, 3, { ns: "child:1", values: { c: "child" } });
    await t.mutation(c.putCheckpointWrites, { ...owner, checkpointNs: "", checkpointId: id(2), taskId: "t", taskPath: "", writes: [{ idx: 0, channel: "ch", type: "s", data: bytes("w") }] });
    let progress = await t.mutation(c.copyCheckpointThread, { resourceId: "alice", sourceThreadId: "t1", targetThreadId: "copy" });
    let calls = 1;
    while (!progress.done) {
      expect(await t.query(c.getCheckpoint, { ...owner, threadId: "copy", checkpointNs: "" })).toBeNull();
      progress = await t.mutation(c.copyCheckpointThread, { resourceId: "alice", sourceThreadId: "t1", targetThreadId: "copy", cursor: progress.cursor });
      calls++;
    }
    expect(calls).toBeGreaterThan(1);
    const copied = await t.query(c.getCheckpoint, { ...owner, threadId: "copy", checkpointNs: "" });
    expect(copied.checkpoint.checkpointId).toBe(id(2));
    expect(text(copied.blobs[0].data)).toBe("v2");
    expect(text(copied.writes[0].data)).toBe("w");
    expect((await t.query(c.getCheckpoint, { ...owner, threadId: "copy", checkpointNs: "child:1" })).checkpoint.checkpointId).toBe(id(3));
    expect(await t.query(c.countCheckpoints, { ...owner, threadId: "copy", checkpointNs: "" })).toBe(2);
    expect(await codeOf(t.mutation(c.copyCheckpointThread, { resourceId: "alice", sourceThreadId: "t1", targetThreadId: "copy" }))).toBe("CONFLICT");
    // Another owner's thread of the same name is not a source.
    expect(await t.mutation(c.copyCheckpointThread, { resourceId: "bob", sourceThreadId: "t1", targetThreadId: "x" })).toEqual({ done: true });
    expect(await t.query(c.getCheckpoint, { resourceId: "bob", threadId: "x", checkpointNs: "" })).toBeNull();
  });

  test("prune keep_latest: older checkpoints vanish at once, purge keeps what the latest uses", async () => {
    vi.useFakeTimers();
    const t = componentTest(true);
    await put(t, 1, { values: { a: "a1", b: "b1" } });
    await put(t, 2, { parent: id(1), values: { a: "a2" }, versions: { a: "2", b: "1" } });
    await put(t, 3, { parent: id(2), values: { a: "a3" }, versions: { a: "3", b: "1" } });
    await put(t, 4, { ns: "child:1", values: { c: "c4" } });
    await put(t, 5, { ns: "child:1", parent: id(4), versions: { c: "1" } });
    await t.mutation(c.putCheckpointWrites, { ...owner, checkpointNs: "", checkpointId: id(2), taskId: "t", taskPath: "", writes: [{ idx: 0, channel: "ch", type: "s", data: bytes("old") }] });
    await t.mutation(c.putCheckpointWrites, { ...owner, checkpointNs: "", checkpointId: id(3), taskId: "t", taskPath: "", writes: [{ idx: 0, channel: "ch", type: "s", data: bytes("new") }] });
    // Blobs younger than a minute are kept (one may belong to a checkpoint still being put).
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(await t.mutation(c.pruneCheckpoints, { resourceId: "alice", threadIds: ["t1", "missing"], strategy: "keep_latest" })).toEqual({ done: true });
    expect((await listAll(t, {})).map((r) => r.checkpointId)).toEqual([id(3)]);
    expect((await listAll(t, { checkpointNs: "child:1" })).map((r) => r.checkpointId)).toEqual([id(5)]);
    expect(await t.query(c.getCheckpoint, { ...owner, checkpointNs: "", checkpointId: id(1) })).toBeNull();
    expect(await t.query(c.countCheckpoints, { ...owner, checkpointNs: "" })).toBe(1);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const rows = await t.run(async (ctx) => ({
      checkpoints: (await ctx.db.query("checkpoints").collect()).map((r) => r.checkpointId).sort(),
      blobs: (await ctx.db.query("checkpointBlobs").collect()).map((b) => `${b.channel}@${b.version}`).sort(),
      writes: (await ctx.db.query("checkpointWrites").collect()).map((w) => w.checkpointId),
      tags: [...new Set((await ctx.db.query("checkpointTags").collect()).map((tag) => tag.checkpointId))],
    }));
    expect(rows.checkpoints).toEqual([id(3), id(5)]);
    expect(rows.blobs).toEqual(["a@3", "b@1", "c@1"]);
    expect(rows.writes).toEqual([id(3)]);
    expect([...rows.tags].sort()).toEqual([id(3), id(5)]);
    const latest = await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" });
    expect(latest.blobs.map((b: any) => text(b.data)).sort()).toEqual(["a3", "b1"]);
    // New checkpoints after a prune are listed as usual.
    await put(t, 6, { parent: id(3) });
    expect((await listAll(t, {})).map((r) => r.checkpointId)).toEqual([id(6), id(3)]);
  });

  test("prune delete and delete for runs", async () => {
    const t = componentTest(true);
    await put(t, 1, { metadata: { run_id: "r1" } });
    await put(t, 2, { metadata: { run_id: "r2" } });
    await put(t, 3, { ns: "child:1", metadata: { run_id: "r1" } });
    await put(t, 4, { thread: "t2", metadata: { run_id: "r1" } });
    await put(t, 5, { resourceId: "bob", metadata: { run_id: "r1" } });
    expect(await t.mutation(c.deleteCheckpointsForRuns, { resourceId: "alice", runIds: ["r1", "nope"] })).toEqual({ done: true });
    expect((await listAll(t, {})).map((r) => r.checkpointId)).toEqual([id(2)]);
    expect(await listAll(t, { checkpointNs: "child:1" })).toEqual([]);
    expect(await t.query(c.countCheckpoints, { ...owner, checkpointNs: "" })).toBe(1);
    expect(await listAll(t, { threadId: "t2" })).toEqual([]);
    expect((await listAll(t, { resourceId: "bob" })).map((r) => r.checkpointId)).toEqual([id(5)]);
    await t.mutation(c.pruneCheckpoints, { resourceId: "alice", threadIds: ["t1"], strategy: "delete" });
    expect(await t.query(c.getCheckpoint, { ...owner, checkpointNs: "" })).toBeNull();
  });
});
