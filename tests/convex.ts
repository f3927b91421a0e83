/// <reference types="vite/client" />
import { convexTest } from "convex-test";
import type { TransactionMetrics } from "convex-test/dist/transactionMetrics.js";
import componentSchema from "../component/schema.js";
import { errorCodeOf } from "../component/model/errors.js";
import appSchema from "../example/convex/schema.js";

export const componentModules = import.meta.glob("../component/**/*.ts");
export const appModules = import.meta.glob("../example/convex/**/*.ts");

type Limits = Partial<TransactionMetrics> | boolean;

/** The component alone, its functions called directly (as the host app would). */
export function componentTest(transactionLimits: Limits = true) {
  return convexTest({ schema: componentSchema, modules: componentModules, transactionLimits });
}

/** The example app with the component installed, called as a client would. */
export function appTest(transactionLimits: Limits = true) {
  const t = convexTest({ schema: appSchema, modules: appModules, transactionLimits });
  t.registerComponent("agentMemory", componentSchema, componentModules);
  return t;
}

export const SERVICE = { subject: "service:tests", agent_memory_service: true } as const;
export const userIdentity = (subject: string) => ({ subject, tokenIdentifier: `test|${subject}` });

type ComponentCtx = {
  db: import("convex/server").GenericDatabaseWriter<import("../component/_generated/dataModel.js").DataModel>;
};

/** Runs `fn` with a database writer inside the installed component (seeding, inspection). */
export function runInComponent<T>(
  t: ReturnType<typeof appTest>,
  fn: (ctx: ComponentCtx) => Promise<T>,
): Promise<T> {
  const withComponent = t as unknown as {
    runInComponent: (path: string, fn: (ctx: ComponentCtx) => Promise<T>) => Promise<T>;
  };
  return withComponent.runInComponent("agentMemory", fn);
}

/** The error code of a rejected call (our ConvexError's `data.code`), `untyped: ...` for any
 * other error, or "no error" when the call succeeded. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return errorCodeOf(e) ?? `untyped: ${(e as Error).message}`;
  }
  return "no error";
}
