import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The workflows domain's functions, as public functions of the host app. */
export function exposeWorkflows(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
