import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { codeOf, componentTest } from "../convex.js";

const base = { scorerId: "s", entityId: "e", entityType: "agent", runId: "run", score: 0.5, source: "LIVE" };

describe("scores", () => {
  test("save, get by id, JSON payloads with $ keys round-trip", async () => {
    const t = componentTest(true);
    const input = '{"$schema":"x","_meta":[1,{"$ref":"#"}]}';
    const saved = await t.mutation(api.scores.saveScore, { ...base, id: "sc1", input, output: '"ok"', metadata: "{}", reason: "fine", traceId: "tr", spanId: "sp", resourceId: "u" });
    expect(saved).toMatchObject({ id: "sc1", input, resourceId: "u" });
    expect(await t.query(api.scores.getScoreById, { resourceId: "u", id: "sc1" })).toEqual(saved);
    expect(await t.query(api.scores.getScoreById, { id: "sc1" })).toBeNull(); // the unowned namespace has none
    expect(await t.query(api.scores.getScoreById, { id: "nope" })).toBeNull();
    const generated = await t.mutation(api.scores.saveScore, base);
    expect(generated.id.length).toBeGreaterThan(0);
    expect((await t.query(api.scores.listScoresBySpan, { resourceId: "u", traceId: "tr", spanId: "sp", paginationOpts: { numItems: 5, cursor: null } })).page.map((s: any) => s.id)).toEqual(["sc1"]);
  });

  test("bad input gets a typed error and changes nothing", async () => {
    const t = componentTest(true);
    await t.mutation(api.scores.saveScore, { ...base, id: "taken" });
    const rows = () => t.run(async (ctx) => (await ctx.db.query("scores").collect()).length);
    const cases: Array<[string, Promise<unknown>]> = [
      ["CONFLICT", t.mutation(api.scores.saveScore, { ...base, id: "taken" })],
      ["INVALID_ARGUMENT", t.mutation(api.scores.saveScore, { ...base, score: NaN })],
      ["INVALID_ARGUMENT", t.mutation(api.scores.saveScore, { ...base, input: "{bad" })],
      ["INVALID_ARGUMENT", t.mutation(api.scores.saveScore, { ...base, spanId: "sp" })],
      ["INVALID_ARGUMENT", t.mutation(api.scores.saveScore, { ...base, scorerId: "" })],
      ["LIMIT_EXCEEDED", t.mutation(api.scores.saveScore, { ...base, output: JSON.stringify("x".repeat(1_100_000)) })],
      ["INVALID_ARGUMENT", t.query(api.scores.listScoresByRunId, { runId: "run", paginationOpts: { numItems: -1, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.scores.listScoresByRunId, { runId: "run", paginationOpts: { numItems: Number.NaN, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.scores.listScoresByRunId, { runId: "run", paginationOpts: { numItems: 2.5, cursor: null } })],
      ["INVALID_ARGUMENT", t.mutation(api.scores.saveScore, { ...base, resourceId: "" })],
      ["INVALID_ARGUMENT", t.query(api.scores.getScoreById, { id: "x".repeat(513) })],
    ];
    for (const [code, call] of cases) expect(await codeOf(call)).toBe(code);
    expect(await rows()).toBe(1);
  });
});

describe("on a table of 10,000+ scores", () => {
  const PAGE = 20;
  const t = componentTest({ documentsRead: PAGE + 10 });
  type Row = { id: string; scorerId: string; entityId: string; entityType: string; runId: string; traceId?: string; spanId?: string; resourceId?: string; createdAt: number };
  const rows: Row[] = [];

  test("seed 10,000 scores of other scorers, runs, entities and spans; 45 under test", async () => {
    for (let batch = 0; batch < 4; batch++) {
      const seeded: Row[] = [];
      for (let i = batch * 2500; i < (batch + 1) * 2500; i++) {
        seeded.push({
          id: `seed${i}`,
          scorerId: `scorer${i % 20}`,
          entityId: `agent${i % 30}`,
          entityType: i % 2 ? "agent" : "workflow",
          runId: `run${i % 500}`,
          traceId: `trace${i % 400}`,
          spanId: `span${i % 3}`,
          ...(i % 5 ? { resourceId: `r${i % 40}` } : {}),
          createdAt: 1_000_000 + i * 10,
        });
      }
      await t.run(async (ctx) => {
        for (const row of seeded) await ctx.db.insert("scores", { ...row, score: 1, source: "TEST" });
      });
      rows.push(...seeded);
    }
    for (let i = 0; i < 45; i++) {
      const row: Row = { id: `t${i}`, scorerId: "scorerT", entityId: "agentT", entityType: "agent", runId: "runT", traceId: "traceT", spanId: "spanT", resourceId: i % 3 ? "rt" : "r7", createdAt: 1_000_003 + i * 2_000 };
      await t.mutation(api.scores.saveScore, { ...row, score: i, source: "LIVE" });
      rows.push(row);
    }
  });

  // Every list reads one owner's scores (no resourceId: the unowned ones).
  const lists: Array<[string, any, (r: Row) => boolean]> = [];
  for (const resourceId of [undefined, "rt", "r7"]) {
    const owned = (r: Row) => r.resourceId === resourceId;
    const o = resourceId === undefined ? {} : { resourceId };
    lists.push(
      ["listScoresByScorerId", { ...o, scorerId: "scorerT" }, (r) => owned(r) && r.scorerId === "scorerT"],
      ["listScoresByScorerId", { ...o, scorerId: "scorer7" }, (r) => owned(r) && r.scorerId === "scorer7"],
      ["listScoresByRunId", { ...o, runId: "runT" }, (r) => owned(r) && r.runId === "runT"],
      ["listScoresByRunId", { ...o, runId: "run17" }, (r) => owned(r) && r.runId === "run17"],
      ["listScoresByEntityId", { ...o, entityId: "agentT", entityType: "agent" }, (r) => owned(r) && r.entityId === "agentT" && r.entityType === "agent"],
      ["listScoresByEntityId", { ...o, entityId: "agent3", entityType: "agent" }, (r) => owned(r) && r.entityId === "agent3" && r.entityType === "agent"],
      ["listScoresBySpan", { ...o, traceId: "traceT", spanId: "spanT" }, (r) => owned(r) && r.traceId === "traceT" && r.spanId === "spanT"],
      ["listScoresBySpan", { ...o, traceId: "trace5", spanId: "span2" }, (r) => owned(r) && r.traceId === "trace5" && r.spanId === "span2"],
    );
  }

  test("every list reads at most a page + 10 documents, newest first, all pages", async () => {
    for (const [name, args, match] of lists) {
      const expected = rows.filter(match).sort((a, b) => b.createdAt - a.createdAt).map((r) => r.id);
      const got: string[] = [];
      let cursor: string | null = null;
      for (;;) {
        const result: any = await t.query((api.scores as any)[name], { ...args, paginationOpts: { numItems: PAGE, cursor } });
        got.push(...result.page.map((s: Row) => s.id));
        if (result.isDone) break;
        cursor = result.continueCursor;
      }
      expect(got, `${name} ${JSON.stringify(args)}`).toEqual(expected);
    }
    expect(await t.query(api.scores.getScoreById, { resourceId: "r7", id: "t3" })).toMatchObject({ id: "t3", score: 3 });
  });

  test("the read budget is enforced", async () => {
    await expect(t.query(api.scores.listScoresByScorerId, { scorerId: "scorer0", paginationOpts: { numItems: PAGE + 11, cursor: null } })).rejects.toThrow(/too many documents/);
  });
});
