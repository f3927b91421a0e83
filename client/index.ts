import { defaultPolicy, type Authorize } from "./authorize.js";
import { exposeCheckpoints } from "./checkpoints.js";
import { exposeMessages } from "./messages.js";
import { exposeRecall } from "./recall.js";
import { exposeResources } from "./resources.js";
import { exposeScores } from "./scores.js";
import { exposeStore } from "./store.js";
import { exposeThreads } from "./threads.js";
import { exposeTraces } from "./traces.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";
import { exposeVectors } from "./vectors.js";
import { exposeWorkflows } from "./workflows.js";

export * from "./authorize.js";
export * from "./authConfig.js";
export type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * Exposes the whole component as the host app's own public functions, each
 * running `authorize` (default: {@link defaultPolicy}) with the caller's
 * identity before anything is returned or written:
 *
 * ```ts
 * export const { getThread, saveMessages, ... } = exposeApi(components.agentMemory, {
 *   authorize: defaultPolicy({ serviceClaim: "agent_memory_service" }),
 * });
 * ```
 *
 * Each exposed function has the same name, arguments and result as the
 * component function it wraps.
 */
export function exposeApi(component: AgentMemoryComponent, options: Partial<ExposeOptions> = {}) {
  const resolved: ExposeOptions = { authorize: options.authorize ?? defaultPolicy() };
  return {
    ...exposeThreads(component, resolved),
    ...exposeMessages(component, resolved),
    ...exposeRecall(component, resolved),
    ...exposeResources(component, resolved),
    ...exposeVectors(component, resolved),
    ...exposeWorkflows(component, resolved),
    ...exposeScores(component, resolved),
    ...exposeTraces(component, resolved),
    ...exposeCheckpoints(component, resolved),
    ...exposeStore(component, resolved),
  };
}

export type { Authorize };
