/**
 * Every function the local backend loads checks its arguments and its return
 * value as a deployment does, including when another function calls it
 * (`ctx.runQuery`, `ctx.runMutation`, `ctx.runAction`, the scheduler), where
 * convex-test's own, looser checks are all there would be otherwise.
 *
 * convex-test runs a function through its `_handler`; the handler is wrapped:
 * - arguments: `validator.ts` (`ArgumentValidationError: …`), except for the
 *   top-level call of a client request, which the runtime has checked already
 *   before convex-test saw it (see `alreadyChecked`);
 * - return value: at most 1,024 fields, 8,192 items, 64 levels and 16 MiB
 *   (`deserialize_udf_result_inner` in `crates/isolate/src/helpers.rs`), then
 *   the `returns` validator (`ReturnsValidationError: …`,
 *   `crates/model/src/modules/function_validators.rs`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Value } from "convex/values";
import { FunctionError, MAX_ARGS_SIZE, type FunctionPath } from "./calls.js";
import type { RegisteredFunction } from "./modules.js";
import { checkArgs, checkValue, ValidationError, type ValidatorJson } from "./validator.js";
import { formatSize, measureValue, valueSize } from "./values.js";

/** `FUNCTION_MAX_RESULT_SIZE` (`crates/common/src/knobs.rs`). */
export const MAX_RESULT_SIZE = 1 << 24;

const WRAPPED = Symbol.for("localBackend.checkedHandler");

/** Set around a client's top-level call: its arguments were checked before convex-test ran it. */
const topLevel = new AsyncLocalStorage<{ argsChecked: boolean }>();

/** Runs `call` (a client's call into convex-test) telling the first handler its arguments are checked. */
export function alreadyChecked<T>(call: () => Promise<T>): Promise<T> {
  return topLevel.run({ argsChecked: true }, call);
}

/** The validators of a registered function, parsed once. */
export function validatorsOf(fn: RegisteredFunction): { args: ValidatorJson; returns: ValidatorJson | null } {
  const args = JSON.parse(fn.exportArgs?.() ?? '{"type":"any"}') as ValidatorJson;
  const returns = JSON.parse(fn.exportReturns?.() ?? "null") as ValidatorJson | null;
  return { args, returns };
}

/** The return value's checks; throws a {@link FunctionError} with the backend's message. */
export function checkReturnValue(path: FunctionPath, returns: ValidatorJson | null, result: unknown): void {
  const value = (result === undefined ? null : result) as Value;
  // The limits of any value, as the backend applies them when it reads the result.
  const { size, problem } = measureValue(value);
  if (problem !== null) throw new FunctionError(`Function ${path.display} return value invalid: ${problem}`);
  if (size > MAX_RESULT_SIZE) {
    throw new FunctionError(
      `Function ${path.display} return value is too large (actual: ${formatSize(size)}, limit: ${formatSize(MAX_RESULT_SIZE)})`,
    );
  }
  if (returns === null || returns.type === "any") return;
  try {
    checkValue(returns, value);
  } catch (error) {
    if (error instanceof ValidationError) throw new FunctionError(`ReturnsValidationError: ${error.describe()}`);
    throw error;
  }
}

/** The checks on arguments a function is called with; throws a {@link FunctionError}. */
export function checkCallArgs(path: FunctionPath, args: ValidatorJson, value: unknown): void {
  const positional = [value as Value];
  const size = valueSize(positional);
  if (size > MAX_ARGS_SIZE) {
    throw new FunctionError(`Arguments for ${path.display} are too large (actual: ${formatSize(size)}, limit: ${formatSize(MAX_ARGS_SIZE)})`);
  }
  const problem = checkArgs(args, positional);
  if (problem !== null) throw new FunctionError(`ArgumentValidationError: ${problem}`);
}

/** Wraps a registered function's handler with the checks above (once per function object). */
export function checkFunction(fn: RegisteredFunction & { _handler?: unknown }, path: FunctionPath): void {
  const handler = fn._handler;
  if (typeof handler !== "function" || (handler as { [WRAPPED]?: boolean })[WRAPPED]) return;
  const { args, returns } = validatorsOf(fn);
  const checked = async (ctx: unknown, callArgs: unknown, ...rest: unknown[]) => {
    const store = topLevel.getStore();
    if (store?.argsChecked) store.argsChecked = false;
    else checkCallArgs(path, args, callArgs);
    const result = await (handler as (...a: unknown[]) => unknown)(ctx, callArgs, ...rest);
    checkReturnValue(path, returns, result);
    return result;
  };
  Object.defineProperty(checked, WRAPPED, { value: true });
  fn._handler = checked;
}
