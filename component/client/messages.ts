import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The messages domain's functions, as public functions of the host app. */
export function exposeMessages(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
