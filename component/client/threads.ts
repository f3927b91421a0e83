import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The threads domain's functions, as public functions of the host app. */
export function exposeThreads(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
