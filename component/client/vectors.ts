import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/** The vectors domain's functions, as public functions of the host app. */
export function exposeVectors(_component: AgentMemoryComponent, _options: ExposeOptions) {
  return {};
}
