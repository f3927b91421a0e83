import { expect, test } from "vitest";
import { ConvexError } from "convex/values";
import { appTest, componentTest, runInComponent } from "../convex.js";
import { fail, errorCodeOf } from "../../component/model/errors.js";
import { addToCounter, counterKey, readCounter } from "../../component/model/counters.js";

test("counters are exact and cost one read", async () => {
  const t = componentTest({ documentsRead: 3 });
  const key = counterKey("things", "a/b");
  await t.run(async (ctx) => {
    expect(await addToCounter(ctx.db, key, 5)).toBe(5);
  });
  await t.run(async (ctx) => {
    expect(await addToCounter(ctx.db, key, -2)).toBe(3);
    expect(await readCounter(ctx.db, key)).toBe(3);
    expect(await readCounter(ctx.db, counterKey("things", "a", "b"))).toBe(0);
  });
});

test("errors carry a code", () => {
  try {
    fail("CONFLICT", "taken", { id: "x" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConvexError);
    expect(errorCodeOf(e)).toBe("CONFLICT");
    expect((e as ConvexError<Record<string, string>>).data).toEqual({ code: "CONFLICT", message: "taken", id: "x" });
  }
  expect.assertions(3);
});

test("the example app installs the component", async () => {
  const t = appTest();
  const counted = await runInComponent(t, async (ctx) => {
    await addToCounter(ctx.db, counterKey("x"), 2);
    return readCounter(ctx.db, counterKey("x"));
  });
  expect(counted).toBe(2);
});

test("host apps get the component's validators from one module", async () => {
  const validators = await import("../../component/validators.js");
  for (const name of ["vThread", "vMessage", "vResource", "vIndexDescription", "vWorkflowRun", "vScore", "vSpan"]) {
    const validator = (validators as Record<string, { kind?: string; isConvexValidator?: boolean }>)[name];
    expect(validator?.isConvexValidator, name).toBe(true);
    expect(validator.kind, name).toBe("object");
  }
  expect(validators.ERROR_CODES).toContain("LIMIT_EXCEEDED");
});
