import type { FunctionReference } from "convex/server";
import type { Authorize } from "./authorize.js";

/**
 * The host app's reference to the installed component, `components.agentMemory`.
 * Offline (without a deployment's analysis) it is untyped; each exposed
 * function carries its own validators, so the app's clients are still typed.
 */
export type AgentMemoryComponent = Record<string, Record<string, FunctionReference<any, "internal">>>;

export interface ExposeOptions {
  authorize: Authorize;
}
