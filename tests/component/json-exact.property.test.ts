/**
 * Property-based (fast-check): every JSON-text payload comes back byte-exact,
 * after any sequence of snapshot writes and merges. Documents are generated as
 * text: integers far beyond 2^53, numbers written as `1.0`, `-0`, `1E400`, keys
 * such as `__proto__`, `constructor`, dotted, `$`-prefixed and empty, any
 * unicode, whitespace inside values, and deep and wide shapes.
 *
 * The model of a merge: the snapshot is an ordered list of top-level members;
 * `updateWorkflowState` replaces the value of a member it names in place and
 * appends the others; `updateWorkflowResults` does the same inside `context`
 * (and `requestContext`). Every value's text is kept exactly as it was written.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { codeOf, componentTest } from "../convex.js";

// ---------------------------------------------------------------- JSON text

const KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "a.b", "a.b.c", "$ref", "$integer", "$bytes", "_id", "", " ", "é", "😀", "\u0000", "status2"];
const keyArb = fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: "binary", maxLength: 8 }));
const NUMBERS = ["0", "-0", "1.0", "-0.0", "1e400", "1E-7", "0.1000", "9007199254740993", "-9223372036854775809", "123456789012345678901234567890", "1.7976931348623157e309"];
const numberArb = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const stringArb = fc.string({ unit: "binary", maxLength: 12 }).map((s) => JSON.stringify(s));
const spaceArb = fc.constantFrom("", "", "", " ", "\n", "\t ", "\r\n  ");

/** JSON text of a value, with optional whitespace inside containers. */
const valueArb: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    numberArb,
    stringArb,
    fc.constantFrom("true", "false", "null"),
    fc.tuple(fc.array(tie("value"), { maxLength: 5 }), spaceArb).map(([items, s]) => `[${s}${items.join(`${s},${s}`)}${s}]`),
    fc
      .tuple(fc.array(fc.tuple(keyArb, tie("value")), { maxLength: 5 }), spaceArb)
      .map(([members, s]) => `{${s}${members.map(([k, v]) => `${JSON.stringify(k)}${s}:${s}${v}`).join(`${s},${s}`)}${s}}`),
  ),
})).value;

/** Ordered members with unique keys (the levels merges write into). */
type Members = Array<[key: string, valueText: string]>;
const membersArb = (keys = keyArb, maxLength = 6): fc.Arbitrary<Members> =>
  fc.uniqueArray(fc.tuple(keys, valueArb), { maxLength, selector: ([k]) => k });

const render = (members: Members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;

/** A member's value in a model level: plain JSON text, or a nested level (context, requestContext). */
type Level = Members;

function setMember(level: Level, key: string, value: string): void {
  const at = level.findIndex(([k]) => k === key);
  if (at >= 0) level[at] = [key, value];
  else level.push([key, value]);
}

/** The model of a snapshot: top-level members, with `context` and `requestContext` kept as levels when objects. */
class SnapshotModel {
  top: Members;
  nested = new Map<string, Level>();
  constructor(top: Members, nested: Record<string, Members | undefined>) {
    this.top = top.map(([k, v]) => [k, v]);
    for (const [name, level] of Object.entries(nested)) {
      if (level === undefined) continue;
      this.nested.set(name, level.map(([k, v]) => [k, v]));
      setMember(this.top, name, render(level));
    }
  }
  text(): string {
    return render(this.top.map(([k, v]) => [k, this.nested.has(k) ? render(this.nested.get(k)!) : v]));
  }
  /** Merges members into a nested level, creating it (in place or at the end) when it is not an object. */
  mergeInto(name: string, members: Members): string {
    const level = this.nested.get(name) ?? [];
    for (const [k, v] of members) setMember(level, k, v);
    this.nested.set(name, level);
    setMember(this.top, name, render(level));
    return render(level);
  }
  setTop(members: Members): void {
    for (const [k, v] of members) {
      this.nested.delete(k);
      setMember(this.top, k, v);
    }
  }
}

const STATUSES = ["running", "success", "failed", "suspended", "waiting ⏳"];
const statusMember = fc.option(fc.constantFrom(...STATUSES).map((s) => ["status", JSON.stringify(s)] as [string, string]), { nil: undefined });
const notStatus = keyArb.filter((k) => k !== "status" && k !== "context" && k !== "requestContext");

const snapshotArb = fc.record({
  top: membersArb(notStatus),
  status: statusMember,
  context: fc.option(membersArb(), { nil: undefined }),
  requestContext: fc.option(membersArb(), { nil: undefined }),
});

type Op =
  | { kind: "persist"; snapshot: { top: Members; status: [string, string] | undefined; context: Members | undefined; requestContext: Members | undefined } }
  | { kind: "results"; stepId: string; result: string; requestContext?: Members }
  | { kind: "state"; opts: Members };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  snapshotArb.map((snapshot) => ({ kind: "persist" as const, snapshot })),
  fc
    .record({ stepId: keyArb.filter((k) => k.length > 0 && !/[\ud800-\udfff]/.test(k.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))), result: valueArb, requestContext: fc.option(membersArb(), { nil: undefined }) })
    .map((r) => ({ kind: "results" as const, ...r })),
  fc.tuple(membersArb(notStatus, 4), statusMember).map(([opts, status]) => ({ kind: "state" as const, opts: status ? [...opts, status] : opts })),
);

// ---------------------------------------------------------------- properties

describe("JSON text is byte-exact", () => {
  test("any JSON text stored as a snapshot, a score payload or a span payload comes back byte for byte", async () => {
    const t = componentTest(true);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.tuple(spaceArb, valueArb, spaceArb), fc.tuple(spaceArb, membersArb(), spaceArb), async ([a, value, b], [c, members, d]) => {
        n++;
        const text = `${a}${value}${b}`;
        const object = `${c}${render(members)}${d}`;
        const snapshot = object.replace(/^(\s*)\{/, '$1{"status":"running",').replace('"running",}', '"running"}');
        await t.mutation(api.workflows.persistWorkflowSnapshot, { workflowName: "w", runId: `r${n}`, snapshot });
        expect(await t.query(api.workflows.loadWorkflowSnapshot, { workflowName: "w", runId: `r${n}` })).toBe(snapshot);
        const score = await t.mutation(api.scores.saveScore, {
          id: `s${n}`, scorerId: "s", entityId: "e", entityType: "agent", runId: "r", score: 1, source: "TEST", input: text, output: object, metadata: text,
        });
        expect(await t.query(api.scores.getScoreById, { id: `s${n}` })).toEqual(score);
        expect([score.input, score.output, score.metadata]).toEqual([text, object, text]);
        await t.mutation(api.traces.createSpans, { spans: [{ traceId: `t${n}`, spanId: "s", name: "n", spanType: "x", startedAt: 1, attributes: object, input: text }] });
        const [span] = (await t.query(api.traces.getTrace, { traceId: `t${n}` }))!.spans;
        expect([span.attributes, span.input]).toEqual([object, text]);
      }),
      { numRuns: 60 },
    );
  });

  test("any sequence of snapshot writes and merges leaves every value's text exactly as written", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(snapshotArb, fc.array(opArb, { maxLength: 8 }), async (first, ops) => {
        const t = componentTest(true);
        const key = { resourceId: "owner", workflowName: "wf", runId: `run${run++}` };
        let model: SnapshotModel | null = null;
        const persist = async (s: typeof first) => {
          const top = s.status ? [s.status, ...s.top] : s.top;
          model = new SnapshotModel(top, { context: s.context, requestContext: s.requestContext });
          await t.mutation(api.workflows.persistWorkflowSnapshot, { ...key, snapshot: model.text() });
        };
        for (const op of [{ kind: "persist" as const, snapshot: first }, ...ops]) {
          if (op.kind === "persist") await persist(op.snapshot);
          else if (op.kind === "results") {
            const context = model!.mergeInto("context", [[op.stepId, op.result]]);
            if (op.requestContext !== undefined) model!.mergeInto("requestContext", op.requestContext);
            const returned = await t.mutation(api.workflows.updateWorkflowResults, {
              ...key,
              stepId: op.stepId,
              result: op.result,
              ...(op.requestContext === undefined ? {} : { requestContext: render(op.requestContext) }),
            });
            expect(returned).toBe(context);
          } else {
            model!.setTop(op.opts);
            expect(await t.mutation(api.workflows.updateWorkflowState, { ...key, opts: render(op.opts) })).toBe(model!.text());
          }
          const text = model!.text();
          expect(await t.query(api.workflows.loadWorkflowSnapshot, key)).toBe(text);
          const stored = (await t.query(api.workflows.getWorkflowRunById, key))!;
          expect(stored.snapshot).toBe(text);
          const status = model!.top.find(([k]) => k === "status");
          expect(stored.status).toBe(status === undefined || status[1] === "null" ? "pending" : JSON.parse(status[1]));
        }
      }),
      { numRuns: 40 },
    );
  });

  test("deep and wide documents within the limits round-trip and merge exactly", async () => {
    const t = componentTest(true);
    const key = { workflowName: "wf", runId: "deep" };
    const deep = "[".repeat(50_000) + "12345678901234567890123" + "]".repeat(50_000);
    const wide = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}.$":${i + 1}${"0".repeat(20)}`).join(",")}}`;
    const snapshot = `{"status":"running","deep":${deep},"context":{"wide":${wide}}}`;
    await t.mutation(api.workflows.persistWorkflowSnapshot, { ...key, snapshot });
    const context = await t.mutation(api.workflows.updateWorkflowResults, { ...key, stepId: "__proto__", result: deep });
    expect(context).toBe(`{"wide":${wide},"__proto__":${deep}}`);
    const merged = await t.mutation(api.workflows.updateWorkflowState, { ...key, opts: `{"constructor":${wide},"status":"success"}` });
    expect(merged).toBe(`{"status":"success","deep":${deep},"context":${context},"constructor":${wide}}`);
    expect(await t.query(api.workflows.loadWorkflowSnapshot, key)).toBe(merged);
  });

  test("a merge that cannot be exact is refused with a typed error, and nothing changes", async () => {
    const t = componentTest(true);
    const key = { workflowName: "wf", runId: "dup" };
    const snapshot = '{"status":"running","a":1,"a":2,"context":{"s":1,"s":2}}';
    await t.mutation(api.workflows.persistWorkflowSnapshot, { ...key, snapshot });
    expect(await codeOf(t.mutation(api.workflows.updateWorkflowState, { ...key, opts: '{"a":3}' }))).toBe("CONFLICT");
    expect(await codeOf(t.mutation(api.workflows.updateWorkflowResults, { ...key, stepId: "s", result: "3" }))).toBe("CONFLICT");
    await t.mutation(api.workflows.persistWorkflowSnapshot, { ...key, snapshot: '{"context":{}}' });
    expect(await codeOf(t.mutation(api.workflows.updateWorkflowState, { ...key, opts: '{"b":1,"b":2}' }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(api.workflows.updateWorkflowResults, { ...key, stepId: "s", result: "1", requestContext: '{"k":1,"k":2}' }))).toBe("INVALID_ARGUMENT");
    for (const bad of ["", " ", "{", '{"a":}', "[1,]", "01", "1.", ".5", "+1", "NaN", "Infinity", '"\\x"', '"\u0001"', "tru", "{}}", "{} {}", "'a'"]) {
      expect(await codeOf(t.mutation(api.workflows.updateWorkflowResults, { ...key, stepId: "s", result: bad })), JSON.stringify(bad)).toBe("INVALID_ARGUMENT");
    }
    expect(await t.query(api.workflows.loadWorkflowSnapshot, key)).toBe('{"context":{}}');
  });
});
