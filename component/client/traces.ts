import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The traces domain's functions, as public functions of the host app. */
export function exposeTraces(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
