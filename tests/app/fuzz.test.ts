/**
 * Fuzz (fast-check): every exposed function of the example app, called by a
 * service (so authorization passes and the component's own checks decide)
 * with generated bad arguments. A value of the right type that the function
 * refuses gets a ConvexError with a known code; a value of the wrong type is
 * refused by Convex's validators; a refused call writes nothing, and the deployment keeps
 * answering.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { anyApi } from "convex/server";
import { exposeApi, type AgentMemoryComponent } from "../../client/index.js";
import componentSchema from "../../component/schema.js";
import { ERROR_CODES, errorCodeOf, isConvexError } from "../../component/model/errors.js";
import { appTest, runInComponent, SERVICE } from "../convex.js";
import { CALLS, VECTOR_CALLS, type Args } from "./exposed-calls.js";

const app = anyApi.memory;
const OWNER = "fuzz-owner";
const ID = "fuzz-id";
const exposed = exposeApi(anyApi as unknown as AgentMemoryComponent) as Record<string, { isQuery?: boolean; isAction?: boolean }>;
const NAMES = Object.keys(exposed).sort();
const argsOf = (name: string): Args => (name in CALLS ? CALLS[name](OWNER, ID) : VECTOR_CALLS[name]);

/**
 * Refusals of the vector domain (owned by the vectors work) that are not typed yet:
 * a cursor listIndexes did not return fails with the database's parse error. Listed
 * here so the rest of the run still holds every other function to the rule.
 */
const KNOWN_UNTYPED = [{ name: "listIndexes", path: '["paginationOpts","cursor"]' }];

const BAD_STRINGS = ["", " ", "x".repeat(600), "x".repeat(100_000), "{", "[1,", '{"a":1,"a":2}', "NaN", "\u0000", "null", "[]", "-1", "__proto__", "😀".repeat(300)];
const BAD_NUMBERS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, 0.5, -0, 1e300, -1e300, 2 ** 53 + 2, 1001, 257, 4097];
const WRONG_TYPES: unknown[] = [null, true, 7, "text", [], {}, [{}], { $bad: 1 }];

type Path = Array<string | number>;
/** Every path to a value inside the arguments (containers included). */
function paths(value: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length === 0 ? [] : [at];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...at, i])));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}
const getAt = (value: any, path: Path) => path.reduce((v, k) => v?.[k], value);
function setAt(value: any, path: Path, replacement: unknown): any {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  copy[head as any] = setAt(value[head as any], rest, replacement);
  return copy;
}

/** A bad value for the one at `path`: of the same type (`sameType`) or of another. */
function badValues(original: unknown): { sameType: unknown[]; otherType: unknown[] } {
  if (typeof original === "string") return { sameType: BAD_STRINGS, otherType: WRONG_TYPES.filter((v) => typeof v !== "string") };
  if (typeof original === "number") return { sameType: BAD_NUMBERS, otherType: WRONG_TYPES.filter((v) => typeof v !== "number") };
  if (Array.isArray(original)) {
    const first = original[0];
    return { sameType: [[], Array.from({ length: 1_001 }, () => first), [first, first]], otherType: [{}, "list", 1] };
  }
  if (typeof original === "object" && original !== null) return { sameType: [], otherType: [{}, [], "object", 1] };
  return { sameType: [], otherType: ["x", 1] };
}

const caseArb = fc
  .constantFrom(...NAMES)
  .chain((name) => {
    const args = argsOf(name);
    return fc.record({ name: fc.constant(name), path: fc.constantFrom(...paths(args)), pick: fc.nat(), wrongType: fc.boolean() });
  })
  .map(({ name, path, pick, wrongType }) => {
    const args = argsOf(name);
    const { sameType, otherType } = badValues(getAt(args, path));
    const pool = wrongType && otherType.length > 0 ? otherType : sameType.length > 0 ? sameType : otherType;
    const bad = pool[pick % pool.length];
    return { name, path, wrongType: pool === otherType, args: setAt(args, path, bad) as Args };
  });

/** Every row of every component table, and the scheduled functions. */
function dump(t: ReturnType<typeof appTest>) {
  return runInComponent(t, async (ctx) => {
    const out: Record<string, unknown[]> = {};
    for (const table of Object.keys(componentSchema.tables)) out[table] = await (ctx.db as any).query(table).take(10_000);
    out._scheduled = await (ctx.db as any).system.query("_scheduled_functions").take(10_000);
    return out;
  });
}

test("every exposed function refuses generated bad arguments with a typed error, writes nothing and keeps answering", async () => {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  // Rows for the ids the calls name, so refusals are about the arguments, not a missing row.
  for (const name of ["saveThread", "saveMessages", "saveResource", "persistWorkflowSnapshot", "saveScore", "createSpans"]) {
    await service.mutation(app[name], argsOf(name));
  }
  await service.mutation(app.createIndex, VECTOR_CALLS.createIndex);
  await service.mutation(app.upsert, VECTOR_CALLS.upsert);

  const counts = { typed: 0, validator: 0, accepted: 0 };
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ name, path, args }) => {
      const where = `${name} ${JSON.stringify(path)} ${JSON.stringify(args).slice(0, 200)}`;
      const before = await dump(t);
      const call = exposed[name].isAction ? service.action(app[name], args) : exposed[name].isQuery ? service.query(app[name], args) : service.mutation(app[name], args);
      let error: unknown;
      try {
        await call;
      } catch (e) {
        error = e;
      }
      if (error === undefined) {
        // Some "bad" values are fine for some arguments (a score of -1, `{}` as metadata, ...).
        counts.accepted++;
        return;
      }
      const message = String((error as Error).message ?? error);
      expect(message.length, `${where}: the refusal echoes its input`).toBeLessThan(20_000);
      if (isConvexError(error)) {
        counts.typed++;
        expect(message, where).not.toMatch(/\[object Object\]/);
        expect(ERROR_CODES, where).toContain(errorCodeOf(error));
        expect(typeof (error.data as { message?: unknown }).message, where).toBe("string");
      } else if (KNOWN_UNTYPED.some((k) => k.name === name && k.path === JSON.stringify(path))) {
        counts.validator++;
      } else {
        // Only Convex's own argument validation (wrong types, literals, missing fields, field
        // names a Convex value cannot have) may
        // refuse without a code. (convex-test's validator prints objects as `[object Object]`;
        // the real backend prints their JSON.)
        counts.validator++;
        expect(message, where).toMatch(/^(Validator error|ArgumentValidationError|Field name )/);
      }
      expect(await dump(t), `${where}: a refused call wrote something`).toEqual(before);
      expect(typeof (await service.query(app.countThreads, { resourceId: OWNER }))).toBe("number");
    }),
    { numRuns: 500, seed: 1318 },
  );
  // The run exercised each kind of answer.
  expect(counts.typed).toBeGreaterThan(50);
  expect(counts.validator).toBeGreaterThan(20);
});
