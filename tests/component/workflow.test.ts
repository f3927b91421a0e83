/// <reference types="vite/client" />
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { runCounterKeys, SNAPSHOT_CHUNK_BYTES, MAX_SNAPSHOT_BYTES } from "../../component/model/workflows.js";
import * as W from "../../component/model/workflows.js";
import { codeOf, componentTest } from "../convex.js";

type T = ReturnType<typeof componentTest>;

/** Documents read by `fn` inside one transaction (convex-test's own metrics). */
async function readsOf<R>(t: T, fn: (ctx: any) => Promise<R>): Promise<{ result: R; reads: number }> {
  const metrics = async () =>
    JSON.parse(await (globalThis as any).Convex.asyncSyscall("1.0/getTransactionMetrics", "{}")).documentsRead.used as number;
  return t.run(async (ctx) => {
    const before = await metrics();
    const result = await fn(ctx);
    return { result, reads: (await metrics()) - before };
  });
}

const snapshotChunks = (t: T) => t.run(async (ctx) => (await ctx.db.query("workflowSnapshotChunks").collect()).length);

describe("snapshots", () => {
  test("a 5 MiB snapshot round-trips byte-exact; overwriting with a small one leaves no stale chunk", async () => {
    const t = componentTest(true);
    const filler = "agent memory é€ 😀 ".repeat(Math.ceil((5.2 * 1024 * 1024) / 24));
    const big = JSON.stringify({ status: "running", $schema: "x", _private: { $ref: "#/a" }, context: { step: filler } });
    expect(new TextEncoder().encode(big).length).toBeGreaterThan(5 * 1024 * 1024);
    const run = await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "r1", resourceId: "u1", snapshot: big });
    expect(run).toMatchObject({ workflowName: "wf", runId: "r1", resourceId: "u1", status: "running" });
    expect(run.snapshotBytes).toBe(new TextEncoder().encode(big).length);
    const chunks = await t.run(async (ctx) => ctx.db.query("workflowSnapshotChunks").collect());
    expect(chunks.length).toBe(Math.ceil(run.snapshotBytes / SNAPSHOT_CHUNK_BYTES));
    for (const c of chunks) expect(new TextEncoder().encode(c.text).length).toBeLessThanOrEqual(SNAPSHOT_CHUNK_BYTES);
    expect(await t.query(api.workflows.loadWorkflowSnapshot, { resourceId: "u1", workflowName: "wf", runId: "r1" })).toBe(big);
    expect((await t.query(api.workflows.getWorkflowRunById, { resourceId: "u1", runId: "r1" }))!.snapshot).toBe(big);

    // A step merge into the 5 MiB run reads and rewrites it in one transaction, within limits.
    const context = JSON.parse(await t.mutation(api.workflows.updateWorkflowResults, { resourceId: "u1", workflowName: "wf", runId: "r1", stepId: "s2", result: '{"$v":1}' }));
    expect(context.step).toBe(filler);
    expect(context.s2).toEqual({ $v: 1 });

    const small = JSON.stringify({ status: "success", $done: true });
    await t.mutation(api.workflows.persistWorkflowSnapshot, { resourceId: "u1", workflowName: "wf", runId: "r1", snapshot: small });
    expect(await t.query(api.workflows.loadWorkflowSnapshot, { resourceId: "u1", workflowName: "wf", runId: "r1" })).toBe(small);
    expect(await snapshotChunks(t)).toBe(1);
    expect(await t.query(api.workflows.getWorkflowRunById, { resourceId: "u1", runId: "r1" })).toMatchObject({ status: "success", resourceId: "u1", snapshot: small });

    await t.mutation(api.workflows.deleteWorkflowRunById, { resourceId: "u1", runId: "r1" });
    expect(await snapshotChunks(t)).toBe(0);
    expect(await t.query(api.workflows.loadWorkflowSnapshot, { resourceId: "u1", workflowName: "wf", runId: "r1" })).toBeNull();
  });

  test("a snapshot at the 7 MiB cap is stored, merged and replaced within transaction limits", async () => {
    const t = componentTest(true);
    const text = JSON.stringify({ status: "running", context: {}, blob: "z".repeat(MAX_SNAPSHOT_BYTES - 200) });
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "max", snapshot: text });
    await t.mutation(api.workflows.updateWorkflowState, { workflowName: "wf", runId: "max", opts: '{"status":"failed"}' });
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "max", snapshot: text });
    expect(await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "wf", runId: "max" })).toBe(text);
  });

  test("keys starting with $ and _ survive a round-trip and a merge", async () => {
    const t = componentTest(true);
    const snapshot = '{"status":"running","$integer":"AQ==","$bytes":"","_id":"x","nested":{"$ref":"#","__proto__x":[{"$float":"AAA="}]},"context":{}}';
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "r", snapshot });
    expect(await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "wf", runId: "r" })).toBe(snapshot);
    await t.mutation(api.workflows.updateWorkflowResults, { workflowName: "wf", runId: "r", stepId: "$step", result: '{"$out":{"_k":1}}' });
    const merged = JSON.parse((await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "wf", runId: "r" }))!);
    expect(merged).toEqual({ ...JSON.parse(snapshot), context: { $step: { $out: { _k: 1 } } } });
    // The merge splices text: every byte outside the changed member stays as stored.
    expect(JSON.stringify(merged)).not.toBe(snapshot);
    expect((await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "wf", runId: "r" }))!).toBe(
      snapshot.replace('"context":{}', '"context":{"$step":{"$out":{"_k":1}}}'),
    );
    const state = JSON.parse((await t.mutation(api.workflows.updateWorkflowState, { workflowName: "wf", runId: "r", opts: '{"status":"suspended","$x":[1]}' }))!);
    expect(state.$x).toEqual([1]);
    expect(state.$integer).toBe("AQ==");
    expect((await t.query(api.workflows.getWorkflowRunById, { runId: "r" }))!.status).toBe("suspended");
  });

  test("twenty concurrent step-result merges into one run all survive", async () => {
    const t = componentTest(true);
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "r", snapshot: '{"status":"running","context":{}}' });
    const returned = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.mutation(api.workflows.updateWorkflowResults, {
          workflowName: "wf",
          runId: "r",
          stepId: `step${i}`,
          result: JSON.stringify({ status: "success", output: { i } }),
          requestContext: JSON.stringify({ [`k${i}`]: i }),
        }),
      ),
    );
    expect(Math.max(...returned.map((c) => Object.keys(JSON.parse(c)).length))).toBe(20);
    const snapshot = JSON.parse((await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "wf", runId: "r" }))!);
    expect(Object.keys(snapshot.context).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `step${i}`).sort());
    for (let i = 0; i < 20; i++) expect(snapshot.context[`step${i}`].output.i).toBe(i);
    expect(Object.keys(snapshot.requestContext).length).toBe(20);
  });

  test("updateWorkflowResults creates a missing run; updateWorkflowState on a missing run returns null", async () => {
    const t = componentTest(true);
    expect(await t.mutation(api.workflows.updateWorkflowState, { workflowName: "wf", runId: "nope", opts: '{"status":"failed"}' })).toBeNull();
    await t.mutation(api.workflows.updateWorkflowResults, { workflowName: "wf", runId: "new", stepId: "a", result: "1", resourceId: "u" });
    expect(await t.query(api.workflows.getWorkflowRunById, { runId: "new" })).toBeNull(); // the unowned namespace has no such run
    expect(await t.query(api.workflows.getWorkflowRunById, { resourceId: "u", runId: "new" })).toMatchObject({ status: "pending", resourceId: "u" });
    expect(await t.query(api.workflows.countWorkflowRuns, { resourceId: "u", status: "pending" })).toBe(1);
  });

  test("runId alone is enough unless ambiguous", async () => {
    const t = componentTest(true);
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "a", runId: "r", snapshot: "{}" });
    expect((await t.query(api.workflows.getWorkflowRunById, { runId: "r" }))!.workflowName).toBe("a");
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "b", runId: "r", snapshot: "{}" });
    expect(await codeOf(t.query(api.workflows.getWorkflowRunById, { runId: "r" }))).toBe("CONFLICT");
    expect((await t.query(api.workflows.getWorkflowRunById, { runId: "r", workflowName: "b" }))!.workflowName).toBe("b");
  });
});

describe("bad input gets a typed error and changes nothing", () => {
  test("workflows", async () => {
    const t = componentTest(true);
    const good = '{"status":"running"}';
    await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "r", resourceId: "u", snapshot: good });
    const state = async () => ({
      snapshot: await t.query(api.workflows.loadWorkflowSnapshot, { resourceId: "u", workflowName: "wf", runId: "r" }),
      runs: await t.run(async (ctx) => (await ctx.db.query("workflowRuns").collect()).map(({ _creationTime, ...r }) => r)),
      chunks: await snapshotChunks(t),
      counters: await t.run(async (ctx) => (await ctx.db.query("counters").collect()).map((c) => [c.key, c.count])),
    });
    const before = await state();
    const cases: Array<[string, Promise<unknown>]> = [
      ["INVALID_ARGUMENT", t.mutation(api.workflows.persistWorkflowSnapshot, { resourceId: "u", workflowName: "wf", runId: "r", snapshot: "{not json" })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "wf", runId: "r2", snapshot: "[1,2]" })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.persistWorkflowSnapshot, { resourceId: "u", workflowName: "wf", runId: "r", snapshot: '{"status":7}' })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "", runId: "r3", snapshot: good })],
      ["LIMIT_EXCEEDED", t.mutation(api.workflows.persistWorkflowSnapshot, { resourceId: "u", workflowName: "wf", runId: "r", snapshot: JSON.stringify({ x: "y".repeat(MAX_SNAPSHOT_BYTES) }) })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowResults, { resourceId: "u", workflowName: "wf", runId: "r", stepId: "s", result: "{oops" })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowResults, { resourceId: "u", workflowName: "wf", runId: "r", stepId: "s", result: "1", requestContext: "[]" })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowState, { resourceId: "u", workflowName: "wf", runId: "r", opts: '{"status":false}' })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowState, { resourceId: "u", workflowName: "wf", runId: "r", opts: "null" })],
      ["INVALID_ARGUMENT", t.query(api.workflows.listWorkflowRuns, { paginationOpts: { numItems: 0, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.workflows.listWorkflowRuns, { paginationOpts: { numItems: 1.5, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.workflows.listWorkflowRuns, { paginationOpts: { numItems: Number.POSITIVE_INFINITY, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.workflows.listWorkflowRuns, { paginationOpts: { numItems: 1001, cursor: null } })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowState, { resourceId: "u", workflowName: "wf", runId: "r", opts: '{"a":1,"a":2}' })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.updateWorkflowResults, { resourceId: "u", workflowName: "wf", runId: "r", stepId: "s", result: "1", requestContext: '{"k":1,"k":1}' })],
      ["INVALID_ARGUMENT", t.mutation(api.workflows.persistWorkflowSnapshot, { resourceId: "", workflowName: "wf", runId: "r", snapshot: good })],
      ["INVALID_ARGUMENT", t.query(api.workflows.listWorkflowRuns, { fromDate: NaN, paginationOpts: { numItems: 5, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.workflows.watchWorkflowRuns, { limit: 1000 })],
    ];
    for (const [code, call] of cases) expect(await codeOf(call)).toBe(code);
    expect(await state()).toEqual(before);
  });
});

describe("on a table of 10,000+ runs", () => {
  const PAGE = 20;
  const t = componentTest({ documentsRead: PAGE + 10 });
  type Row = { workflowName: string; runId: string; resourceId?: string; status: string; createdAt: number };
  const rows: Row[] = [];
  const statuses = ["running", "success", "failed"];

  test("seed 10,000 other runs (direct inserts, counters maintained alongside)", async () => {
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 4; batch++) {
      const seeded: Row[] = [];
      for (let i = batch * 2500; i < (batch + 1) * 2500; i++) {
        const row: Row = { workflowName: `w${i % 10}`, runId: `seed${i}`, status: statuses[i % 3], createdAt: 1_000_000 + i * 10 };
        if (i % 7 !== 0) row.resourceId = `r${i % 50}`;
        seeded.push(row);
      }
      await t.run(async (ctx) => {
        for (const row of seeded) await ctx.db.insert("workflowRuns", { ...row, chunkCount: 0, snapshotBytes: 0, updatedAt: row.createdAt });
      });
      for (const row of seeded) for (const key of runCounterKeys(row)) counts.set(key, (counts.get(key) ?? 0) + 1);
      rows.push(...seeded);
    }
    await t.run(async (ctx) => {
      for (const [key, count] of counts) await ctx.db.insert("counters", { key, count });
    });
    // The runs under test, through the real write path: 40 runs of workflow "target", owned by "rt".
    for (let i = 0; i < 40; i++) {
      const row: Row = { workflowName: "target", runId: `t${i}`, resourceId: "rt", status: i % 2 ? "success" : "failed", createdAt: 1_000_005 + i * 2_500 };
      const { status, ...target } = row;
      await t.mutation(api.workflows.persistWorkflowSnapshot, { ...target, snapshot: JSON.stringify({ status }) });
      rows.push(row);
    }
  });

  const combos: Array<{ workflowName?: string; resourceId?: string; status?: string }> = [];
  for (const workflowName of [undefined, "target", "w3"])
    for (const resourceId of [undefined, "rt", "r13"])
      for (const status of [undefined, "success"]) combos.push({ workflowName, resourceId, status });

  test("listWorkflowRuns: every filter combination reads at most a page + 10 documents, newest first", async () => {
    for (const filter of combos) {
      for (const range of [{}, { fromDate: 1_020_000, toDate: 1_080_000 }]) {
        const expected = rows
          .filter(
            (r) =>
              (filter.workflowName === undefined || r.workflowName === filter.workflowName) &&
              r.resourceId === filter.resourceId &&
              (filter.status === undefined || r.status === filter.status) &&
              ((range as any).fromDate === undefined || (r.createdAt >= (range as any).fromDate && r.createdAt <= (range as any).toDate)),
          )
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((r) => r.runId);
        const got: string[] = [];
        let cursor: string | null = null;
        for (let pageNo = 0; pageNo < 3; pageNo++) {
          const result: { page: Row[]; isDone: boolean; continueCursor: string } = await t.query(api.workflows.listWorkflowRuns, {
            ...filter,
            ...range,
            paginationOpts: { numItems: PAGE, cursor },
          });
          got.push(...result.page.map((r) => r.runId));
          if (result.isDone) break;
          cursor = result.continueCursor;
        }
        expect(got, JSON.stringify({ filter, range })).toEqual(expected.slice(0, got.length));
        expect(got.length).toBe(Math.min(expected.length, 3 * PAGE));
      }
      const watched = await t.query(api.workflows.watchWorkflowRuns, { ...filter, limit: PAGE });
      expect(watched.length).toBeLessThanOrEqual(PAGE);
    }
  });

  test("the read budget is enforced (a page of PAGE + 11 runs is refused by the limit)", async () => {
    await expect(t.query(api.workflows.listWorkflowRuns, { paginationOpts: { numItems: PAGE + 11, cursor: null } })).rejects.toThrow(/too many documents/);
  });

  test("countWorkflowRuns is exact for every combination at one read", async () => {
    for (const filter of combos) {
      const expected = rows.filter(
        (r) =>
          (filter.workflowName === undefined || r.workflowName === filter.workflowName) &&
          r.resourceId === filter.resourceId &&
          (filter.status === undefined || r.status === filter.status),
      ).length;
      const { result, reads } = await readsOf(t, (ctx) => W.countWorkflowRuns(ctx.db, filter));
      expect(result, JSON.stringify(filter)).toBe(expected);
      expect(reads).toBeLessThanOrEqual(5);
      expect(await t.query(api.workflows.countWorkflowRuns, filter)).toBe(expected);
    }
  });

  test("counts stay exact when a status changes on overwrite, and on delete", async () => {
    const count = (f: object) => t.query(api.workflows.countWorkflowRuns, f);
    const rt = { resourceId: "rt" };
    const before = {
      unowned: await count({}),
      total: await count(rt),
      success: await count({ ...rt, status: "success" }),
      tSuccess: await count({ workflowName: "target", ...rt, status: "success" }),
    };
    await t.mutation(api.workflows.persistWorkflowSnapshot, { ...rt, workflowName: "target", runId: "t0", snapshot: '{"status":"success"}' }); // was failed
    expect(await count(rt)).toBe(before.total);
    expect(await count({ ...rt, status: "success" })).toBe(before.success + 1);
    expect(await count({ workflowName: "target", ...rt, status: "success" })).toBe(before.tSuccess + 1);
    expect(await count({ workflowName: "target", ...rt, status: "failed" })).toBe(19);
    await t.mutation(api.workflows.deleteWorkflowRunById, { ...rt, runId: "t0", workflowName: "target" });
    expect(await count(rt)).toBe(before.total - 1);
    expect(await count({ ...rt, workflowName: "target" })).toBe(39);
    expect(await count({ ...rt, status: "success" })).toBe(before.success);
    expect(await count({})).toBe(before.unowned);
  });
});
