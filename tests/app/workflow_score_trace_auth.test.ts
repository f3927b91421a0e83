/**
 * Authorization of the workflows, scores and traces domains through the
 * example app's exposed functions (default policy): a user acts only on its
 * own resource id; unowned rows and cross-owner sets are for services.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { anyApi } from "convex/server";
import { exposeScores } from "../../client/scores.js";
import { exposeTraces } from "../../client/traces.js";
import { exposeWorkflows } from "../../client/workflows.js";
import { defaultPolicy } from "../../client/authorize.js";
import { appTest, codeOf, runInComponent, SERVICE, userIdentity } from "../convex.js";

const m = anyApi.memory;
const page = { numItems: 10, cursor: null };

type Kind = "query" | "mutation";
/** Calls as alice that touch bob's rows, unowned rows, or sets spanning owners — each must be refused. */
const refused: Array<[string, Kind, Record<string, unknown>]> = [
  ["persistWorkflowSnapshot", "mutation", { workflowName: "wf", runId: "rb", resourceId: "alice", snapshot: "{}" }],
  ["persistWorkflowSnapshot", "mutation", { workflowName: "wf", runId: "rb", snapshot: "{}" }],
  ["persistWorkflowSnapshot", "mutation", { workflowName: "wf", runId: "ru", resourceId: "alice", snapshot: "{}" }],
  ["persistWorkflowSnapshot", "mutation", { workflowName: "wf", runId: "new", resourceId: "bob", snapshot: "{}" }],
  ["persistWorkflowSnapshot", "mutation", { workflowName: "wf", runId: "new", snapshot: "{}" }],
  ["loadWorkflowSnapshot", "query", { workflowName: "wf", runId: "rb" }],
  ["loadWorkflowSnapshot", "query", { workflowName: "wf", runId: "ru" }],
  ["getWorkflowRunById", "query", { runId: "rb" }],
  ["getWorkflowRunById", "query", { runId: "ru" }],
  ["listWorkflowRuns", "query", { resourceId: "bob", paginationOpts: page }],
  ["listWorkflowRuns", "query", { workflowName: "wf", paginationOpts: page }],
  ["countWorkflowRuns", "query", { resourceId: "bob" }],
  ["countWorkflowRuns", "query", { workflowName: "wf" }],
  ["deleteWorkflowRunById", "mutation", { runId: "rb" }],
  ["deleteWorkflowRunById", "mutation", { runId: "ru" }],
  ["updateWorkflowResults", "mutation", { workflowName: "wf", runId: "rb", stepId: "s", result: "1", resourceId: "alice" }],
  ["updateWorkflowResults", "mutation", { workflowName: "wf", runId: "ru", stepId: "s", result: "1" }],
  ["updateWorkflowState", "mutation", { workflowName: "wf", runId: "rb", opts: '{"status":"failed"}' }],
  ["watchWorkflowRun", "query", { runId: "rb" }],
  ["watchWorkflowRuns", "query", { resourceId: "bob" }],
  ["watchWorkflowRuns", "query", { workflowName: "wf" }],
  ["saveScore", "mutation", { scorerId: "sc", entityId: "e", entityType: "agent", runId: "x", score: 1, source: "LIVE", resourceId: "bob" }],
  ["saveScore", "mutation", { scorerId: "sc", entityId: "e", entityType: "agent", runId: "x", score: 1, source: "LIVE" }],
  ["getScoreById", "query", { id: "sb" }],
  ["getScoreById", "query", { id: "su" }],
  ["listScoresByScorerId", "query", { scorerId: "sc", paginationOpts: page }],
  ["listScoresByScorerId", "query", { scorerId: "sc", resourceId: "bob", paginationOpts: page }],
  ["listScoresByRunId", "query", { runId: "runB", paginationOpts: page }],
  ["listScoresByEntityId", "query", { entityId: "agentB", entityType: "agent", paginationOpts: page }],
  ["listScoresBySpan", "query", { traceId: "trB", spanId: "root", paginationOpts: page }],
  ["createSpans", "mutation", { spans: [{ traceId: "trB", spanId: "x", name: "n", spanType: "t", startedAt: 1, resourceId: "alice" }] }],
  ["createSpans", "mutation", { spans: [{ traceId: "newT", spanId: "x", name: "n", spanType: "t", startedAt: 1, resourceId: "bob" }] }],
  ["createSpans", "mutation", { spans: [{ traceId: "newT", spanId: "x", name: "n", spanType: "t", startedAt: 1 }] }],
  ["updateSpans", "mutation", { updates: [{ traceId: "trB", spanId: "root", endedAt: 5 }] }],
  ["updateSpans", "mutation", { updates: [{ traceId: "trU", spanId: "root", endedAt: 5 }] }],
  ["getTrace", "query", { traceId: "trB" }],
  ["getTrace", "query", { traceId: "trU" }],
  ["listTraces", "query", { paginationOpts: page }],
  ["listTraces", "query", { resourceId: "bob", paginationOpts: page }],
  ["deleteTraces", "mutation", { traceIds: ["trB"] }],
  ["deleteTraces", "mutation", { traceIds: ["trA", "trU"] }],
];

describe("workflows, scores and traces through the example app", () => {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  const alice = t.withIdentity(userIdentity("alice"));
  const dump = () =>
    runInComponent(t, async (ctx) => {
      const out: Record<string, unknown[]> = {};
      for (const table of ["workflowRuns", "workflowSnapshotChunks", "scores", "spans", "traceTombstones", "counters"] as const) {
        out[table] = (await ctx.db.query(table).collect()).map(({ _creationTime, ...row }: any) => row);
      }
      return out;
    });

  beforeAll(async () => {
    await service.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "rb", resourceId: "bob", snapshot: '{"status":"running","$k":1}' });
    await service.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "ru", snapshot: '{"status":"running"}' });
    const score = { scorerId: "sc", entityId: "agentB", entityType: "agent", runId: "runB", traceId: "trB", spanId: "root", score: 1, source: "LIVE" };
    await service.mutation(m.saveScore, { ...score, id: "sb", resourceId: "bob" });
    await service.mutation(m.saveScore, { ...score, id: "su" });
    await service.mutation(m.createSpans, {
      spans: [
        { traceId: "trB", spanId: "root", name: "n", spanType: "agent_run", startedAt: 1, resourceId: "bob" },
        { traceId: "trU", spanId: "root", name: "n", spanType: "agent_run", startedAt: 2 },
      ],
    });
    // alice's own rows
    await alice.mutation(m.persistWorkflowSnapshot, { workflowName: "wf", runId: "ra", resourceId: "alice", snapshot: '{"status":"running"}' });
    await alice.mutation(m.createSpans, { spans: [{ traceId: "trA", spanId: "root", name: "n", spanType: "agent_run", startedAt: 3, resourceId: "alice" }] });
  });

  test("the refusal table covers every exposed function of the three domains", () => {
    const fake = { workflows: {}, scores: {}, traces: {} } as any;
    const options = { authorize: defaultPolicy() };
    const exposed = [...Object.keys(exposeWorkflows(fake, options)), ...Object.keys(exposeScores(fake, options)), ...Object.keys(exposeTraces(fake, options))];
    expect(new Set(refused.map(([name]) => name))).toEqual(new Set(exposed));
  });

  test("cross-tenant reads and writes are refused through every exposed function, and nothing changes", async () => {
    const before = await dump();
    for (const [name, kind, args] of refused) {
      const call = kind === "query" ? alice.query(m[name], args) : alice.mutation(m[name], args);
      expect(await codeOf(call), `${name} ${JSON.stringify(args)}`).toBe("FORBIDDEN");
      const anonymous = kind === "query" ? t.query(m[name], args) : t.mutation(m[name], args);
      expect(await codeOf(anonymous), `anonymous ${name}`).toBe("UNAUTHENTICATED");
    }
    expect(await dump()).toEqual(before);
  });

  test("a user works on its own rows; a service sees everything", async () => {
    expect(await alice.mutation(m.updateWorkflowResults, { workflowName: "wf", runId: "ra", stepId: "s1", result: '{"$ok":true}' })).toBe('{"s1":{"$ok":true}}');
    expect(JSON.parse(await alice.query(m.loadWorkflowSnapshot, { workflowName: "wf", runId: "ra" })).context.s1).toEqual({ $ok: true });
    expect((await alice.query(m.listWorkflowRuns, { resourceId: "alice", paginationOpts: page })).page.map((r: any) => r.runId)).toEqual(["ra"]);
    expect((await alice.query(m.watchWorkflowRuns, { resourceId: "alice" })).length).toBe(1);
    expect(await alice.query(m.countWorkflowRuns, { resourceId: "alice" })).toBe(1);
    expect(await alice.query(m.getWorkflowRunById, { runId: "nothing" })).toBeNull();
    const score = await alice.mutation(m.saveScore, { scorerId: "sc", entityId: "e", entityType: "agent", runId: "runA", score: 1, source: "LIVE", resourceId: "alice" });
    expect((await alice.query(m.getScoreById, { id: score.id })).resourceId).toBe("alice");
    expect((await alice.query(m.listScoresByScorerId, { scorerId: "sc", resourceId: "alice", paginationOpts: page })).page.length).toBe(1);
    expect((await alice.query(m.listScoresByRunId, { runId: "runA", paginationOpts: page })).page.length).toBe(1);
    expect((await alice.query(m.listTraces, { resourceId: "alice", paginationOpts: page })).page.map((s: any) => s.traceId)).toEqual(["trA"]);
    await alice.mutation(m.updateSpans, { updates: [{ traceId: "trA", spanId: "root", endedAt: 10 }] });
    expect((await alice.query(m.getTrace, { traceId: "trA" })).spans[0].status).toBe("success");
    await alice.mutation(m.deleteTraces, { traceIds: ["trA"] });
    expect(await alice.query(m.getTrace, { traceId: "trA" })).toBeNull();
    await alice.mutation(m.deleteWorkflowRunById, { runId: "ra" });

    expect(await service.query(m.countWorkflowRuns, {})).toBe(2);
    expect((await service.query(m.listScoresByScorerId, { scorerId: "sc", paginationOpts: page })).page.length).toBe(3);
    expect((await service.query(m.getWorkflowRunById, { runId: "rb" })).snapshot).toBe('{"status":"running","$k":1}');
    expect((await service.query(m.listTraces, { paginationOpts: page })).page.length).toBe(2);
  });
});
