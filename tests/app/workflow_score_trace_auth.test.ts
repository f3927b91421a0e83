/**
 * Workflows, scores and traces through the example app's exposed functions
 * (default policy): a user works on its own rows; a service on any owner's and
 * on the unowned namespace. Refusals of other owners' rows, of the unowned
 * namespace and of anonymous callers are in tests/app/tenancy.test.ts.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { anyApi } from "convex/server";
import { appTest, codeOf, SERVICE, userIdentity } from "../convex.js";

const m = anyApi.memory;
const page = { numItems: 10, cursor: null };

describe("workflows, scores and traces through the example app", () => {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  const alice = t.withIdentity(userIdentity("alice"));

  beforeAll(async () => {
    await service.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "rb", resourceId: "bob", snapshot: '{"status":"running","$k":1}' });
    await service.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "ru", snapshot: '{"status":"running"}' });
    const score = { scorerId: "sc", entityId: "agentB", entityType: "agent", runId: "runB", traceId: "trB", spanId: "root", score: 1, source: "LIVE" };
    await service.mutation(m.saveScore, { ...score, id: "sb", resourceId: "bob" });
    await service.mutation(m.saveScore, { ...score, id: "su" });
    await service.mutation(m.createSpans, { resourceId: "bob", spans: [{ traceId: "trB", spanId: "root", name: "n", spanType: "agent_run", startedAt: 1 }] });
    await service.mutation(m.createSpans, { spans: [{ traceId: "trU", spanId: "root", name: "n", spanType: "agent_run", startedAt: 2 }] });
    // alice's own rows
    await alice.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "ra", resourceId: "alice", snapshot: '{"status":"running"}' });
    await alice.mutation(m.createSpans, { resourceId: "alice", spans: [{ traceId: "trA", spanId: "root", name: "n", spanType: "agent_run", startedAt: 3 }] });
  });

  test("a user works on its own rows; a service sees everything", async () => {
    const a = { resourceId: "alice" };
    expect(await alice.mutation(m.updateWorkflowResults, { ...a, workflowName: "wf", runId: "ra", stepId: "s1", result: '{"$ok":true}' })).toBe('{"s1":{"$ok":true}}');
    expect(JSON.parse(await alice.query(m.loadWorkflowSnapshot, { ...a, workflowName: "wf", runId: "ra" })).context.s1).toEqual({ $ok: true });
    expect((await alice.query(m.listWorkflowRuns, { ...a, paginationOpts: page })).page.map((r: any) => r.runId)).toEqual(["ra"]);
    expect((await alice.query(m.watchWorkflowRuns, a)).length).toBe(1);
    expect(await alice.query(m.countWorkflowRuns, a)).toBe(1);
    expect(await alice.query(m.getWorkflowRunById, { ...a, runId: "nothing" })).toBeNull();
    expect(await alice.query(m.getWorkflowRunById, { ...a, runId: "rb" })).toBeNull();
    const score = await alice.mutation(m.saveScore, { ...a, scorerId: "sc", entityId: "e", entityType: "agent", runId: "runA", score: 1, source: "LIVE" });
    expect((await alice.query(m.getScoreById, { ...a, id: score.id })).resourceId).toBe("alice");
    expect((await alice.query(m.listScoresByScorerId, { ...a, scorerId: "sc", paginationOpts: page })).page.length).toBe(1);
    expect((await alice.query(m.listScoresByRunId, { ...a, runId: "runA", paginationOpts: page })).page.length).toBe(1);
    expect((await alice.query(m.listTraces, { ...a, paginationOpts: page })).page.map((s: any) => s.traceId)).toEqual(["trA"]);
    await alice.mutation(m.updateSpans, { ...a, updates: [{ traceId: "trA", spanId: "root", endedAt: 10 }] });
    expect((await alice.query(m.getTrace, { ...a, traceId: "trA" })).spans[0].status).toBe("success");
    await alice.mutation(m.deleteTraces, { ...a, traceIds: ["trA"] });
    expect(await alice.query(m.getTrace, { ...a, traceId: "trA" })).toBeNull();
    await alice.mutation(m.deleteWorkflowRunById, { ...a, runId: "ra" });
    expect(await codeOf(alice.query(m.countWorkflowRuns, {}))).toBe("FORBIDDEN");

    expect(await service.query(m.countWorkflowRuns, {})).toBe(1);
    expect(await service.query(m.countWorkflowRuns, { resourceId: "bob" })).toBe(1);
    expect((await service.query(m.listScoresByScorerId, { scorerId: "sc", paginationOpts: page })).page.map((s: any) => s.id)).toEqual(["su"]);
    expect((await service.query(m.listScoresByScorerId, { resourceId: "bob", scorerId: "sc", paginationOpts: page })).page.map((s: any) => s.id)).toEqual(["sb"]);
    expect((await service.query(m.getWorkflowRunById, { resourceId: "bob", runId: "rb" })).snapshot).toBe('{"status":"running","$k":1}');
    expect((await service.query(m.listTraces, { paginationOpts: page })).page.map((s: any) => s.traceId)).toEqual(["trU"]);
  });
});
