/**
 * Registers the component in your own convex-test, as official components ship it
 * (`@convex-dev/rag/test`):
 *
 * ```ts
 * import { convexTest } from "convex-test";
 * import agentMemoryTest from "convex-agent-memory/test";
 * import schema from "./schema";
 *
 * const t = convexTest(schema, import.meta.glob("./**\/*.ts"));
 * agentMemoryTest.register(t); // then call your functions that use components.agentMemory
 * ```
 *
 * The modules are listed rather than globbed so the helper also runs from the compiled
 * package (`dist/`), where `import.meta.glob` is not transformed.
 */
import schema from "../component/schema.js";

/** The component's function modules, keyed as convex-test expects (the `_generated` key marks the root). */
export const modules: Record<string, () => Promise<unknown>> = {
  "./component/_generated/api.js": () => import("../component/_generated/api.js"),
  "./component/checkpoints.js": () => import("../component/checkpoints.js"),
  "./component/messages.js": () => import("../component/messages.js"),
  "./component/recall.js": () => import("../component/recall.js"),
  "./component/resources.js": () => import("../component/resources.js"),
  "./component/scores.js": () => import("../component/scores.js"),
  "./component/store.js": () => import("../component/store.js"),
  "./component/threads.js": () => import("../component/threads.js"),
  "./component/traces.js": () => import("../component/traces.js"),
  "./component/vectors.js": () => import("../component/vectors.js"),
  "./component/workflows.js": () => import("../component/workflows.js"),
};

/** What `register` needs of a `convexTest(...)` instance. */
export interface ComponentRegistry {
  registerComponent(name: string, schema: typeof import("../component/schema.js").default, modules: Record<string, () => Promise<unknown>>): void;
}

/**
 * Registers the component in `t` under `name` (the name `app.use(agentMemory)` gives it,
 * "agentMemory" unless you passed `{ name }`).
 */
export function register(t: ComponentRegistry, name = "agentMemory"): void {
  t.registerComponent(name, schema, modules);
}

export { schema };
export default { register, schema, modules };
