import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The resources domain's functions, as public functions of the host app. */
export function exposeResources(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
