import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { codeOf, componentTest } from "../convex.js";

const span = (traceId: string, spanId: string, extra: object = {}) => ({ traceId, spanId, name: "step", spanType: "tool_call", startedAt: 1000, ...extra });

describe("traces", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("create, update, getTrace; payloads with $ keys round-trip; status follows end and error", async () => {
    const t = componentTest(true);
    await t.mutation(api.traces.createSpans, {
      resourceId: "u",
      spans: [
        span("tr", "root", { name: "agent run", spanType: "agent_run", entityType: "agent", entityId: "a1", input: '{"$schema":"x"}' }),
        span("tr", "child", { parentSpanId: "root", startedAt: 1001 }),
      ],
    });
    let trace = (await t.query(api.traces.getTrace, { resourceId: "u", traceId: "tr" }))!;
    expect(trace.spans.every((s: any) => s.resourceId === "u")).toBe(true);
    expect(await t.query(api.traces.getTrace, { traceId: "tr" })).toBeNull(); // not in the unowned namespace
    expect(trace.truncated).toBe(false);
    expect(trace.spans.map((s: any) => [s.spanId, s.status])).toEqual([["root", "running"], ["child", "running"]]);
    expect(trace.spans[0].input).toBe('{"$schema":"x"}');
    await t.mutation(api.traces.updateSpans, { resourceId: "u", updates: [{ traceId: "tr", spanId: "child", endedAt: 1005, error: '{"message":"boom"}' }, { traceId: "tr", spanId: "root", endedAt: 1010, output: '{"_x":1}' }] });
    trace = (await t.query(api.traces.getTrace, { resourceId: "u", traceId: "tr" }))!;
    expect(trace.spans.map((s: any) => [s.spanId, s.status])).toEqual([["root", "success"], ["child", "error"]]);
    expect((await t.query(api.traces.getTrace, { resourceId: "u", traceId: "tr", limit: 1 }))!).toMatchObject({ truncated: true });
    expect(await t.query(api.traces.getTrace, { traceId: "none" })).toBeNull();
    const roots = await t.query(api.traces.listTraces, { resourceId: "u", status: "success", paginationOpts: { numItems: 10, cursor: null } });
    expect(roots.page.map((s: any) => s.spanId)).toEqual(["root"]);
  });

  test("bad input gets a typed error and changes nothing", async () => {
    const t = componentTest(true);
    await t.mutation(api.traces.createSpans, { resourceId: "u", spans: [span("tr", "a")] });
    const snapshot = () => t.run(async (ctx) => (await ctx.db.query("spans").collect()).map(({ _creationTime, ...s }) => s));
    const before = await snapshot();
    const cases: Array<[string, Promise<unknown>]> = [
      ["CONFLICT", t.mutation(api.traces.createSpans, { resourceId: "u", spans: [span("tr2", "x"), span("tr", "a")] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.createSpans, { resourceId: "", spans: [span("tr2", "x")] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.createSpans, { spans: [span("tr3", "x"), span("tr3", "x")] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.createSpans, { spans: [span("tr3", "x"), span("tr3", "y", { attributes: "{nope" })] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.createSpans, { spans: [span("tr3", "x", { endedAt: 1 })] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.createSpans, { spans: [] })],
      ["LIMIT_EXCEEDED", t.mutation(api.traces.createSpans, { spans: Array.from({ length: 1001 }, (_, i) => span("big", `s${i}`)) })],
      ["LIMIT_EXCEEDED", t.mutation(api.traces.createSpans, { spans: [span("tr3", "x", { output: JSON.stringify("x".repeat(1_100_000)) })] })],
      ["NOT_FOUND", t.mutation(api.traces.updateSpans, { resourceId: "u", updates: [{ traceId: "tr", spanId: "a", endedAt: 5000 }, { traceId: "tr", spanId: "missing", endedAt: 5000 }] })],
      ["NOT_FOUND", t.mutation(api.traces.updateSpans, { updates: [{ traceId: "tr", spanId: "a", endedAt: 5000 }] })],
      ["INVALID_ARGUMENT", t.mutation(api.traces.updateSpans, { resourceId: "u", updates: [{ traceId: "tr", spanId: "a", endedAt: 1 }] })],
      ["INVALID_ARGUMENT", t.query(api.traces.listTraces, { paginationOpts: { numItems: 0, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.traces.getTrace, { traceId: "tr", limit: 0.5 })],
      ["INVALID_ARGUMENT", t.query(api.traces.listTraces, { name: "x", status: "error", paginationOpts: { numItems: 5, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.traces.listTraces, { entityType: "agent", paginationOpts: { numItems: 5, cursor: null } })],
      ["INVALID_ARGUMENT", t.query(api.traces.getTrace, { traceId: "tr", limit: 5000 })],
      ["LIMIT_EXCEEDED", t.mutation(api.traces.deleteTraces, { traceIds: Array.from({ length: 101 }, (_, i) => `t${i}`) })],
    ];
    for (const [code, call] of cases) expect(await codeOf(call)).toBe(code);
    expect(await snapshot()).toEqual(before);
  });

  test("deleteTraces: gone for readers at once, spans removed in bounded scheduled batches", async () => {
    vi.useFakeTimers();
    const t = componentTest(true);
    for (let b = 0; b < 3; b++) {
      await t.mutation(api.traces.createSpans, {
        resourceId: "u",
        spans: Array.from({ length: 600 }, (_, i) => span("huge", `s${b}_${i}`, b === 0 && i === 0 ? {} : { parentSpanId: "s0_0" })),
      });
    }
    await t.mutation(api.traces.createSpans, { resourceId: "u", spans: [span("small", "r"), span("keep", "r")] });
    // Another owner's (and the unowned) trace of the same id is untouched by u's deletion.
    await t.mutation(api.traces.createSpans, { resourceId: "v", spans: [span("huge", "r")] });
    await t.mutation(api.traces.deleteTraces, { resourceId: "u", traceIds: ["huge", "small"] });
    expect(await t.query(api.traces.getTrace, { resourceId: "u", traceId: "huge" })).toBeNull();
    expect(await t.query(api.traces.getTrace, { resourceId: "u", traceId: "small" })).toBeNull();
    expect((await t.query(api.traces.getTrace, { resourceId: "v", traceId: "huge" }))!.spans.length).toBe(1);
    const roots = await t.query(api.traces.listTraces, { resourceId: "u", paginationOpts: { numItems: 10, cursor: null } });
    expect(roots.page.map((s: any) => s.traceId)).toEqual(["keep"]);
    const left = () => t.run(async (ctx) => (await ctx.db.query("spans").collect()).map((s: any) => s.traceId));
    expect((await left()).length).toBeGreaterThan(1); // the rest waits for the scheduled batches
    expect(await codeOf(t.mutation(api.traces.createSpans, { resourceId: "u", spans: [span("huge", "late")] }))).toBe("CONFLICT");
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect((await left()).sort()).toEqual(["huge", "keep"]);
    expect(await t.run(async (ctx) => (await ctx.db.query("traceTombstones").collect()).length)).toBe(0);
  });
});

describe("on a table of 10,000+ spans", () => {
  const PAGE = 20;
  const t = componentTest({ documentsRead: PAGE + 10 });
  type Row = { traceId: string; spanId: string; parentSpanId?: string; name: string; resourceId?: string; entityType?: string; entityId?: string; status: string; startedAt: number };
  const rows: Row[] = [];
  const statuses = ["running", "success", "error"];

  test("seed 10,000 spans of other traces; 40 traces under test", async () => {
    for (let batch = 0; batch < 4; batch++) {
      const seeded: Row[] = [];
      for (let i = batch * 2500; i < (batch + 1) * 2500; i++) {
        const root = i % 4 === 0;
        const trace = Math.floor(i / 4);
        seeded.push({
          traceId: `trace${trace}`,
          spanId: `span${i}`,
          ...(root ? {} : { parentSpanId: `span${trace * 4}` }),
          name: `name${trace % 15}`,
          ...(trace % 6 ? { resourceId: `r${trace % 25}` } : {}),
          entityType: "agent",
          entityId: `agent${trace % 12}`,
          status: statuses[trace % 3],
          startedAt: 1_000_000 + i * 10,
        });
      }
      await t.run(async (ctx) => {
        for (const r of seeded) {
          await ctx.db.insert("spans", { ...r, spanType: "x", isRoot: r.parentSpanId === undefined, status: r.status as any, createdAt: r.startedAt, updatedAt: r.startedAt });
        }
      });
      rows.push(...seeded);
    }
    for (let i = 0; i < 40; i++) {
      const startedAt = 1_000_007 + i * 2_500;
      const resourceId = i % 2 ? "rt" : "r3";
      const spans = [
        { traceId: `T${i}`, spanId: "root", name: "target", spanType: "agent_run", entityType: "agent", entityId: "agentT", startedAt, ...(i % 3 === 0 ? { endedAt: startedAt + 1 } : {}) },
        { traceId: `T${i}`, spanId: "child", parentSpanId: "root", name: "target", spanType: "tool_call", startedAt: startedAt + 1 },
      ];
      await t.mutation(api.traces.createSpans, { resourceId, spans });
      rows.push({ ...spans[0], resourceId, status: i % 3 === 0 ? "success" : "running" } as Row, { ...spans[1], resourceId, status: "running" } as Row);
    }
  });

  const filters: any[] = [];
  for (const resourceId of [undefined, "rt", "r3"]) {
    for (const f of [{}, { name: "target" }, { name: "name4" }, { entityType: "agent", entityId: "agentT" }, { entityType: "agent", entityId: "agent5" }, { status: "success" }, { status: "error" }]) {
      filters.push({ ...(resourceId ? { resourceId } : {}), ...f });
    }
  }

  test("listTraces: every filter reads at most a page + 10 documents, root spans only, newest first", async () => {
    for (const filter of filters) {
      for (const range of [{}, { fromDate: 1_010_000, toDate: 1_060_000 }]) {
        const expected = rows
          .filter(
            (r) =>
              r.parentSpanId === undefined &&
              r.resourceId === filter.resourceId &&
              Object.entries(filter).every(([k, v]) => (r as any)[k] === v) &&
              ((range as any).fromDate === undefined || (r.startedAt >= (range as any).fromDate && r.startedAt <= (range as any).toDate)),
          )
          .sort((a, b) => b.startedAt - a.startedAt)
          .map((r) => r.traceId);
        const got: string[] = [];
        let cursor: string | null = null;
        for (let p = 0; p < 3; p++) {
          const result: any = await t.query(api.traces.listTraces, { ...filter, ...range, paginationOpts: { numItems: PAGE, cursor } });
          got.push(...result.page.map((s: Row) => s.traceId));
          if (result.isDone) break;
          cursor = result.continueCursor;
        }
        expect(got, JSON.stringify({ filter, range })).toEqual(expected.slice(0, got.length));
        expect(got.length).toBe(Math.min(expected.length, 3 * PAGE));
      }
    }
  });

  test("getTrace reads only its trace; the read budget is enforced", async () => {
    const trace = (await t.query(api.traces.getTrace, { resourceId: "rt", traceId: "T5" }))!;
    expect(trace.spans.map((s: any) => s.spanId)).toEqual(["root", "child"]);
    expect((await t.query(api.traces.getTrace, { resourceId: "r7", traceId: "trace7" }))!.spans.length).toBe(4);
    expect((await t.query(api.traces.getTrace, { traceId: "trace6" }))!.spans.length).toBe(4);
    await expect(t.query(api.traces.listTraces, { paginationOpts: { numItems: PAGE + 11, cursor: null } })).rejects.toThrow(/too many documents/);
  });
});
