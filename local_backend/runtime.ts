/**
 * The Convex app the local backend serves: an app (default: example/convex)
 * with its components (default: agentMemory from component/) loaded into one
 * long-lived convex-test instance, state in memory.
 *
 * Transport-independent: the HTTP API (http_api.ts) and the WebSocket sync
 * protocol (sync/) both call `run`, which answers as a deployment's
 * application layer does (`crates/udf/src/validation.rs`,
 * `crates/application/src/lib.rs`): the function looked up among the public
 * ones, its kind checked, its arguments decoded and validated, then run, its
 * error redacted when the deployment redacts errors. `commits` tells
 * listeners when data changed (commits.ts).
 */
import { convexTest } from "convex-test";
import { makeFunctionReference, type GenericSchema, type SchemaDefinition } from "convex/server";
import type { Value } from "convex/values";
import type { Identity } from "./auth.js";
import {
  FunctionError,
  RequestError,
  type CallResult,
  decodeArgs,
  errorMessage,
  functionErrorOf,
  newRequestId,
  parseFunctionPath,
  type FunctionPath,
} from "./calls.js";
import { alreadyChecked, checkFunction, validatorsOf } from "./checked_functions.js";
import { CommitWatcher } from "./commits.js";
import { installDocumentChecks } from "./documents.js";
import { installFastQueries } from "./fast_queries.js";
import { installLogCapture, withLogLines } from "./log_lines.js";
import { argsShapeProblem, checkArgs } from "./validator.js";
import {
  DEFAULT_APP_DIR,
  DEFAULT_COMPONENT,
  loadModules,
  loadSchema,
  type FunctionInfo,
  type FunctionKind,
  type LoadedModules,
  type RegisteredFunction,
} from "./modules.js";

export interface ComponentSpec {
  /** The name the app installs it under (`components.<name>`), e.g. "agentMemory". */
  name: string;
  /** The component's directory (holding its schema.ts and `_generated/`). */
  dir: string;
}

export interface RuntimeOptions {
  /** The app's Convex functions directory. Default: example/convex of this repository. */
  appDir?: string;
  /** Components to register. Default: agentMemory from component/. Pass [] for none. */
  components?: ComponentSpec[];
  /** convex-test transaction limits: true (production limits, the default), false, or custom figures. */
  transactionLimits?: boolean | Record<string, number>;
  /**
   * Answer as a production deployment answers callers without an admin key:
   * function errors say only `[Request ID: …] Server Error` (a `ConvexError`'s
   * data is kept) and no log lines are sent (`crates/application/src/redaction.rs`).
   */
  redactErrors?: boolean;
  /** The commit watcher's poll intervals in ms, `[fast, idle]` (commits.ts). Default [10, 100]. */
  commitPollMs?: [number, number];
}

/** The outcome of a client's call, before it is put on the wire (calls.ts). */
export type RunResult = CallResult;

type TestInstance = Accessor & { withIdentity: (identity: Identity) => Accessor };

type Accessor = {
  /** A function reference, or an inline handler (convex-test runs it as a query that writes nothing). */
  query: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
  mutation: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
  action: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
};

/** `UdfType`'s Display (`crates/common/src/types/functions.rs`). */
const KIND_LABEL: Record<FunctionKind, string> = {
  query: "Query",
  mutation: "Mutation",
  action: "Action",
  httpAction: "HttpAction",
};

/** Reads convex-test's last commit timestamp (`_lastCommitTs`, what `getSnapshotTs()` sees). */
function snapshotTsInQuery(): bigint {
  const convex = (globalThis as { Convex?: { syscall(op: string, args: string): string } }).Convex;
  if (convex === undefined) throw new Error("convex-test's syscall global is missing");
  const encoded = JSON.parse(convex.syscall("1.0/getSnapshotTs", "{}")) as { $integer: string };
  return Buffer.from(encoded.$integer, "base64").readBigInt64LE();
}

/** Every function of an app or component checks its arguments and return value as a deployment does. */
function checkAllFunctions(loaded: LoadedModules): void {
  for (const [canonical, fn] of loaded.registered) {
    checkFunction(fn as RegisteredFunction & { _handler?: unknown }, parseFunctionPath(canonical));
  }
}

export class AppRuntime {
  private mutationTail: Promise<unknown> = Promise.resolve();
  private readonly byPath: Map<string, FunctionInfo>;
  /** Tells listeners when data changed (after client writes, and scheduled functions' writes). */
  readonly commits: CommitWatcher;

  private constructor(
    private readonly t: TestInstance,
    private readonly registered: Map<string, RegisteredFunction>,
    /** The app's directory (absolute). */
    readonly appDir: string,
    /** The app's function modules ("memory", "dir/notes"). */
    readonly modules: string[],
    /** Every function the app exports (public and internal). */
    readonly functions: FunctionInfo[],
    /** The registered components and their modules. */
    readonly components: Array<{ name: string; dir: string; modules: string[]; functions: FunctionInfo[] }>,
    /** Whether function errors are redacted (production) or detailed (development). */
    readonly redactErrors: boolean,
    commitPollMs: [number, number] | undefined,
  ) {
    this.byPath = new Map(functions.map((fn) => [fn.path, fn]));
    this.commits = new CommitWatcher(() => this.lastCommitTs(), commitPollMs);
  }

  static async create(options: RuntimeOptions = {}): Promise<AppRuntime> {
    installLogCapture();
    const app = await loadModules(options.appDir ?? DEFAULT_APP_DIR);
    const schema = (await loadSchema(app)) as SchemaDefinition<GenericSchema, boolean> | undefined;
    const t = convexTest({
      schema,
      modules: app.modules,
      transactionLimits: options.transactionLimits ?? true,
    } as Parameters<typeof convexTest>[0]);
    checkAllFunctions(app);
    const components = [];
    for (const spec of options.components ?? [DEFAULT_COMPONENT]) {
      const loaded = await loadModules(spec.dir);
      const componentSchema = await loadSchema(loaded);
      t.registerComponent(spec.name, componentSchema as SchemaDefinition<GenericSchema, boolean>, loaded.modules);
      checkAllFunctions(loaded);
      components.push({ name: spec.name, dir: loaded.dir, modules: loaded.moduleNames, functions: loaded.functions });
    }
    const internals = t as unknown as Parameters<typeof installFastQueries>[0];
    if (!(await installFastQueries(internals))) {
      process.stderr.write("local backend: index lookups could not be installed; every query scans its component\n");
    }
    if (!(await installDocumentChecks(internals))) {
      process.stderr.write("local backend: stored documents could not be checked against a deployment's limits\n");
    }
    const runtime = new AppRuntime(
      t as unknown as TestInstance,
      app.registered,
      app.dir,
      app.moduleNames,
      app.functions,
      components,
      options.redactErrors ?? false,
      options.commitPollMs,
    );
    await runtime.commits.start();
    return runtime;
  }

  /** The public function at `path`, if any. */
  lookup(path: FunctionPath): FunctionInfo | undefined {
    const fn = this.byPath.get(path.canonical);
    return fn !== undefined && fn.visibility === "public" ? fn : undefined;
  }

  /**
   * Runs a public function as a client call: `kind` is what the endpoint
   * expects ("any" for /api/run), `args` the call's arguments as JSON (the
   * arguments object, or the positional array `[{...}]`). Function errors
   * (thrown errors, ConvexErrors, argument or return validation, limits,
   * unknown or internal function, wrong kind) come back as `{status:
   * "error"}`, like the backend's HTTP 200 replies; a refusal the backend
   * answers with a 4xx (arguments it cannot even parse, for an action) throws
   * a {@link RequestError}.
   */
  async run(kind: FunctionKind | "any", path: FunctionPath, args: unknown, identity: Identity | null): Promise<RunResult> {
    const requestId = newRequestId();
    const failed = (error: FunctionError, logLines: string[] = []): RunResult => {
      const result: RunResult = {
        status: "error",
        errorMessage: errorMessage(requestId, error.detail, this.redactErrors),
        logLines: this.redactErrors ? [] : logLines,
      };
      if (error.data !== undefined) result.errorData = error.data;
      return result;
    };
    const fn = this.lookup(path);
    if (fn === undefined || fn.kind === "httpAction") {
      // `missing_or_internal_error` (validation.rs); /api/run words it as `any_udf` does (lib.rs).
      return failed(
        new FunctionError(
          kind === "any"
            ? `Could not find function for '${path.stripped}'. Did you forget to run \`npx convex dev\`?`
            : `Could not find public function for '${path.stripped}'.`,
        ),
      );
    }
    if (kind !== "any" && fn.kind !== kind) {
      return failed(new FunctionError(`Trying to execute ${path.display} as ${KIND_LABEL[kind]}, but it is defined as ${KIND_LABEL[fn.kind]}.`));
    }
    let argsObject: Record<string, Value>;
    try {
      const positional = decodeArgs(path, args);
      const registered = this.registered.get(fn.path);
      const validator = registered === undefined ? null : validatorsOf(registered).args;
      // convex-test takes one arguments object: a function without an args
      // validator is held to that shape too (a deployment would hand it its
      // positional arguments as they are).
      const problem = validator?.type === "object" ? checkArgs(validator, positional) : argsShapeProblem(positional);
      if (problem !== null) return failed(new FunctionError(`ArgumentValidationError: ${problem}`));
      argsObject = positional[0] as Record<string, Value>;
    } catch (error) {
      if (error instanceof FunctionError) return failed(error);
      // Arguments serde_json cannot parse: a function error for queries and
      // mutations (a deterministic user error, `read_only_udf_at_ts` and
      // `mutation_udf`), a 400 for actions (`action_udf` passes it on).
      if (error instanceof RequestError && fn.kind !== "action") return failed(new FunctionError(error.message));
      throw error;
    }
    const accessor: Accessor = identity === null ? this.t : this.t.withIdentity(identity);
    const reference = makeFunctionReference(path.canonical);
    const call = async (): Promise<RunResult> => {
      const { result, logLines } = await withLogLines(async () => {
        try {
          const value = await alreadyChecked(() => accessor[fn.kind as "query" | "mutation" | "action"](reference, argsObject));
          return { ok: true as const, value };
        } catch (error) {
          return { ok: false as const, error: functionErrorOf(error) };
        }
      });
      if (!result.ok) return failed(result.error, logLines);
      return { status: "success", value: result.value, logLines: this.redactErrors ? [] : logLines };
    };
    if (fn.kind === "query") return call();
    // Mutations one at a time (Convex transactions are serializable); actions
    // run concurrently, their inner mutations are serialized by convex-test.
    const result = fn.kind === "mutation" ? await this.serialized(call) : await call();
    // Listeners hear of the write before the caller gets its reply.
    await this.commits.noteWrite();
    return result;
  }

  /** Adds a listener called after every committed write (see commits.ts); returns its unsubscribe function. */
  onCommit(listener: () => void): () => void {
    return this.commits.onCommit(listener);
  }

  /** Stops the commit watcher (the state stays readable). */
  close(): void {
    this.commits.close();
  }

  /**
   * convex-test's last commit timestamp. Read with an inline query (which
   * commits nothing, so reading it does not move it); every committed
   * top-level mutation moves it, scheduled ones included.
   */
  async lastCommitTs(): Promise<bigint> {
    return (await this.t.query(() => snapshotTsInQuery() as unknown as Value, {})) as unknown as bigint;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutationTail.then(fn, fn);
    this.mutationTail = run.catch(() => undefined);
    return run;
  }
}
