import { expect, test } from "vitest";
import { ConvexError } from "convex/values";
import { api } from "../../component/_generated/api.js";
import { componentTest } from "../convex.js";

const text = (t: string) => ({ format: 2 as const, parts: [{ type: "text", text: t }] });

test("smoke", async () => {
  const t = componentTest();
  const th = await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r1", title: "hi" });
  expect(th).toMatchObject({ id: "t1", resourceId: "r1", title: "hi" });
  const saved = await t.mutation(api.messages.saveMessages, {
    messages: [
      { id: "m1", threadId: "t1", role: "user", content: text("a"), createdAt: 1 },
      { id: "m2", threadId: "t1", role: "assistant", content: text("b"), createdAt: 2 },
    ],
  });
  expect(saved.map((m: any) => m.resourceId)).toEqual(["r1", "r1"]);
  expect(await t.query(api.messages.countMessages, { threadId: "t1" })).toBe(2);
  const page = await t.query(api.messages.listMessages, {
    threadId: "t1",
    paginationOpts: { numItems: 10, cursor: null },
    include: [{ id: "m2", withPreviousMessages: 1 }],
  });
  expect(page.page.map((m: any) => m.id)).toEqual(["m1", "m2"]);
  expect(page.included.map((m: any) => m.id)).toEqual(["m1", "m2"]);
  const err = await t.mutation(api.messages.saveMessages, {
    messages: [{ id: "m3", threadId: "nope", role: "user", content: text("a") }],
  }).catch((e) => e);
  expect(err).toBeInstanceOf(ConvexError);
  expect(err.data.code).toBe("NOT_FOUND");
  const bad = await t.mutation(api.messages.saveMessages, {
    messages: [{ id: "m3", threadId: "t1", role: "robot", content: text("a") } as any],
  }).catch((e) => e);
  console.log(String(bad), bad?.constructor?.name, bad?.data);
});
