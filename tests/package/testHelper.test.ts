/// <reference types="vite/client" />
import { convexTest } from "convex-test";
import { expect, test } from "vitest";
import agentMemoryTest, { modules } from "../../client/test.js";
import { api } from "../../example/convex/_generated/api.js";
import { componentModules } from "../convex.js";

type Registered = { isQuery?: boolean; isMutation?: boolean; isAction?: boolean };

test("the ./test helper lists every component module that defines functions", async () => {
  const withFunctions: string[] = [];
  for (const [key, load] of Object.entries(componentModules)) {
    if (key.includes("/_generated/")) continue;
    const exports = (await load()) as Record<string, Registered>;
    if (Object.values(exports).some((value) => value?.isQuery || value?.isMutation || value?.isAction)) {
      withFunctions.push(key.replace("../component/", "./component/").replace(/\.ts$/, ".js"));
    }
  }
  const listed = Object.keys(modules).filter((key) => !key.includes("/_generated/"));
  expect(listed.sort()).toEqual(withFunctions.sort());
  expect(Object.keys(modules).some((key) => key.includes("_generated"))).toBe(true);
});

test("register(t) installs the component under its name, as app.use(agentMemory) does", async () => {
  const t = convexTest(undefined, import.meta.glob("../../example/convex/**/*.ts"));
  agentMemoryTest.register(t);
  const user = t.withIdentity({ subject: "user-1" });
  await user.mutation(api.memory.saveThread, { resourceId: "user-1", id: "t-1", title: "Hi" });
  expect((await user.query(api.memory.getThread, { resourceId: "user-1", id: "t-1" }))?.title).toBe("Hi");
});
