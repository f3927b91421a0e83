/**
 * The exposed (authorized) list functions keep the component's read budget:
 * a page costs at most its size + 10 documents, on tables of 10,000+ rows
 * that mostly belong to other owners, workflows, scorers and traces.
 */
import { beforeAll, expect, test } from "vitest";
import { anyApi } from "convex/server";
import { appTest, runInComponent, userIdentity } from "../convex.js";

const m = anyApi.memory;
const PAGE = 20;
const t = appTest({ documentsRead: PAGE + 10 });
const alice = t.withIdentity(userIdentity("alice"));

beforeAll(async () => {
  for (let batch = 0; batch < 4; batch++) {
    await runInComponent(t, async (ctx) => {
      for (let i = batch * 2500; i < (batch + 1) * 2500; i++) {
        const resourceId = `r${i % 50}`;
        await ctx.db.insert("workflowRuns", { workflowName: `w${i % 10}`, runId: `seed${i}`, resourceId, status: "running", chunkCount: 0, snapshotBytes: 0, createdAt: i, updatedAt: i });
        await ctx.db.insert("scores", { id: `s${i}`, scorerId: `sc${i % 10}`, entityId: `e${i % 30}`, entityType: "agent", runId: `run${i % 500}`, traceId: `tr${i % 300}`, spanId: "root", resourceId, score: 1, source: "TEST", createdAt: i });
        await ctx.db.insert("spans", { traceId: `tr${i}`, spanId: "root", isRoot: true, name: `n${i % 10}`, spanType: "agent_run", resourceId, status: "running", startedAt: i, createdAt: i, updatedAt: i });
      }
    });
  }
  for (let i = 0; i < 30; i++) {
    await alice.mutation(m.persistWorkflowSnapshot, { workflowName: "w1", runId: `a${i}`, resourceId: "alice", snapshot: '{"status":"running"}', createdAt: 100 + i * 300 });
    await alice.mutation(m.saveScore, { scorerId: "sc1", entityId: "eA", entityType: "agent", runId: "runA", traceId: "trA", spanId: "root", score: i, source: "LIVE", resourceId: "alice", createdAt: 100 + i * 300 });
    await alice.mutation(m.createSpans, { resourceId: "alice", spans: [{ traceId: `trA${i}`, spanId: "root", name: "n1", spanType: "agent_run", startedAt: 100 + i * 300 }] });
  }
}, 120_000);

async function allPages(name: string, args: Record<string, unknown>) {
  const rows: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const result: any = await alice.query(m[name], { ...args, paginationOpts: { numItems: PAGE, cursor } });
    rows.push(...result.page);
    if (result.isDone) return rows;
    cursor = result.continueCursor;
  }
}

test("alice pages through her rows within page + 10 reads per call", async () => {
  expect((await allPages("listWorkflowRuns", { resourceId: "alice" })).length).toBe(30);
  expect((await allPages("listWorkflowRuns", { resourceId: "alice", workflowName: "w1", status: "running", fromDate: 0, toDate: 5_000 })).length).toBe(17);
  expect((await alice.query(m.watchWorkflowRuns, { resourceId: "alice", limit: PAGE })).length).toBe(PAGE);
  expect(await alice.query(m.countWorkflowRuns, { resourceId: "alice", workflowName: "w1" })).toBe(30);
  expect((await allPages("listScoresByScorerId", { scorerId: "sc1", resourceId: "alice" })).length).toBe(30);
  expect((await allPages("listScoresByRunId", { resourceId: "alice", runId: "runA" })).length).toBe(30);
  expect((await allPages("listScoresByEntityId", { resourceId: "alice", entityId: "eA", entityType: "agent" })).length).toBe(30);
  expect((await allPages("listScoresBySpan", { resourceId: "alice", traceId: "trA", spanId: "root" })).length).toBe(30);
  const traces = await allPages("listTraces", { resourceId: "alice", name: "n1" });
  expect(traces.map((s) => s.traceId)).toEqual(Array.from({ length: 30 }, (_, i) => `trA${29 - i}`));
  await expect(alice.query(m.listTraces, { resourceId: "alice", paginationOpts: { numItems: PAGE + 11, cursor: null } })).resolves.toBeTruthy(); // only 30 of hers
  // The budget is enforced: a page of PAGE + 11 of another owner's scores reads too many documents.
  const service = t.withIdentity({ subject: "service", agent_memory_service: true });
  await expect(service.query(m.listScoresByScorerId, { resourceId: "r1", scorerId: "sc1", paginationOpts: { numItems: PAGE + 11, cursor: null } })).rejects.toThrow(/too many documents/);
});
