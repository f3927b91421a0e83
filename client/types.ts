import type { ComponentApi } from "../component/_generated/component.js";
import type { Authorize } from "./authorize.js";

/**
 * The host app's reference to the installed component, `components.agentMemory`: the
 * component's `ComponentApi` (component/_generated/component.ts, the type the convex CLI
 * writes into the app's generated `api.d.ts`), so every call into it is typed.
 */
export type AgentMemoryComponent = ComponentApi;

export interface ExposeOptions {
  authorize: Authorize;
}
