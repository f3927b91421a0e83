import { readFileSync } from "node:fs";
import { anyApi } from "convex/server";
import { expect, test } from "vitest";
import { exposeApi, type AgentMemoryComponent } from "../../client/index.js";
import { appModules, componentModules } from "../convex.js";

const DOMAINS = ["threads", "messages", "recall", "resources", "vectors", "workflows", "scores", "traces", "checkpoints", "store"];

type Registered = { isPublic?: boolean; isInternal?: boolean; isQuery?: boolean; isMutation?: boolean; isAction?: boolean };

async function publicComponentFunctions(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const domain of DOMAINS) {
    const mod = (await componentModules[`../component/${domain}.ts`]()) as Record<string, Registered>;
    for (const [name, value] of Object.entries(mod)) {
      if (value && value.isPublic && (value.isQuery || value.isMutation || value.isAction)) {
        found.set(name, domain);
      }
    }
  }
  return found;
}

function notExposedInCodegenConfig(): string[] {
  const toml = readFileSync(new URL("../../codegen/agent_memory.toml", import.meta.url), "utf8");
  const line = /^not_exposed\s*=\s*\[(.*)\]/m.exec(toml);
  return line ? [...line[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
}

test("exposeApi exposes every public component function but those codegen is told to skip", async () => {
  const component = await publicComponentFunctions();
  const exposed = Object.keys(exposeApi(anyApi as unknown as AgentMemoryComponent)).sort();
  const notExposed = notExposedInCodegenConfig();
  for (const name of notExposed) expect(component.has(name), name).toBe(true);
  const expected = [...component.keys()].filter((n) => !notExposed.includes(n)).sort();
  expect(exposed).toEqual(expected);
});

test("the example app exports every exposed function under its own name, with the same kind", async () => {
  const memory = (await appModules["../example/convex/memory.ts"]()) as Record<string, Registered>;
  const exposed = exposeApi(anyApi as unknown as AgentMemoryComponent) as Record<string, Registered>;
  const component = await publicComponentFunctions();
  for (const [name, fn] of Object.entries(exposed)) {
    const exported = memory[name];
    expect(exported, name).toBeDefined();
    expect(exported.isPublic, name).toBe(true);
    const mod = (await componentModules[`../component/${component.get(name)}.ts`]()) as Record<string, Registered>;
    const kind = (f: Registered) => (f.isQuery ? "query" : f.isMutation ? "mutation" : "action");
    expect(kind(exported), name).toBe(kind(mod[name]));
    expect(kind(fn), name).toBe(kind(mod[name]));
  }
});
