import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The scores domain's functions, as public functions of the host app. */
export function exposeScores(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
