/**
 * The Convex app the local backend serves: an app (default: example/convex)
 * with its components (default: agentMemory from component/) loaded into one
 * long-lived convex-test instance, state in memory.
 *
 * Transport-independent: the HTTP server (server.ts) calls `run`; a
 * WebSocket sync endpoint can call the same `run` and listen to `onCommit`.
 */
import { randomBytes } from "node:crypto";
import { convexTest } from "convex-test";
import { makeFunctionReference, type SchemaDefinition, type GenericSchema } from "convex/server";
import type { Value } from "convex/values";
import type { Identity } from "./auth.js";
import { installFastQueries } from "./fast_queries.js";
import { DEFAULT_APP_DIR, DEFAULT_COMPONENT, loadModules, loadSchema, type FunctionInfo, type FunctionKind } from "./modules.js";
import type { FunctionPath } from "./wire.js";

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
   * How often (ms) the commit watcher looks for writes made outside client
   * calls (scheduled functions): `[fast, idle]`. Fast for a few seconds after
   * any write, idle otherwise. Default [10, 100].
   */
  commitPollMs?: [number, number];
}

export type RunResult =
  | { status: "success"; value: Value }
  | { status: "error"; errorMessage: string; errorData?: Value };

type TestInstance = Accessor & { withIdentity: (identity: Identity) => Accessor };

type Accessor = {
  /** A function reference, or an inline handler (convex-test runs it as a query that writes nothing). */
  query: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
  mutation: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
  action: (ref: unknown, args: Record<string, Value>) => Promise<Value>;
};

const KIND_LABEL: Record<FunctionKind, string> = {
  query: "Query",
  mutation: "Mutation",
  action: "Action",
  httpAction: "HttpAction",
};

function requestId(): string {
  return randomBytes(8).toString("hex");
}

function isConvexError(error: unknown): error is Error & { data: Value } {
  return typeof error === "object" && error !== null && Symbol.for("ConvexError") in error;
}

/** A function error as the backend reports it (HTTP 200, status "error"). */
function functionError(message: string, errorData?: Value): RunResult {
  const reply: RunResult = { status: "error", errorMessage: `[Request ID: ${requestId()}] Server Error\n${message}` };
  if (errorData !== undefined) reply.errorData = errorData;
  return reply;
}

/** How long the commit watcher stays in its fast mode after a write. */
const FAST_POLL_WINDOW_MS = 5_000;

/** Reads convex-test's last commit timestamp (`_lastCommitTs`, what `getSnapshotTs()` sees). */
function snapshotTsInQuery(): bigint {
  const convex = (globalThis as { Convex?: { syscall(op: string, args: string): string } }).Convex;
  if (convex === undefined) throw new Error("convex-test's syscall global is missing");
  const encoded = JSON.parse(convex.syscall("1.0/getSnapshotTs", "{}")) as { $integer: string };
  return Buffer.from(encoded.$integer, "base64").readBigInt64LE();
}

export class AppRuntime {
  private mutationTail: Promise<unknown> = Promise.resolve();
  private readonly commitListeners = new Set<() => void>();
  private readonly byPath: Map<string, FunctionInfo>;
  /** Last commit ts the listeners were told about. */
  private seenCommitTs = 0n;
  private commitCheck: Promise<void> | null = null;
  private commitCheckAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private fastPollUntil = 0;
  private closed = false;
  private pollMs: [number, number] = [10, 100];

  private constructor(
    private readonly t: TestInstance,
    /** The app's directory (absolute). */
    readonly appDir: string,
    /** The app's function modules ("memory", "dir/notes"). */
    readonly modules: string[],
    /** Every function the app exports (public and internal). */
    readonly functions: FunctionInfo[],
    /** The registered components and their modules. */
    readonly components: Array<{ name: string; dir: string; modules: string[]; functions: FunctionInfo[] }>,
  ) {
    this.byPath = new Map(functions.map((fn) => [fn.path, fn]));
  }

  static async create(options: RuntimeOptions = {}): Promise<AppRuntime> {
    const app = await loadModules(options.appDir ?? DEFAULT_APP_DIR);
    const schema = (await loadSchema(app)) as SchemaDefinition<GenericSchema, boolean> | undefined;
    const t = convexTest({
      schema,
      modules: app.modules,
      transactionLimits: options.transactionLimits ?? true,
    } as Parameters<typeof convexTest>[0]);
    const components = [];
    for (const spec of options.components ?? [DEFAULT_COMPONENT]) {
      const loaded = await loadModules(spec.dir);
      const componentSchema = await loadSchema(loaded);
      t.registerComponent(spec.name, componentSchema as SchemaDefinition<GenericSchema, boolean>, loaded.modules);
      components.push({ name: spec.name, dir: loaded.dir, modules: loaded.moduleNames, functions: loaded.functions });
    }
    if (!(await installFastQueries(t as unknown as Parameters<typeof installFastQueries>[0]))) {
      process.stderr.write("local backend: index lookups could not be installed; every query scans its component\n");
    }
    const runtime = new AppRuntime(t as unknown as TestInstance, app.dir, app.moduleNames, app.functions, components);
    if (options.commitPollMs !== undefined) runtime.pollMs = options.commitPollMs;
    runtime.seenCommitTs = await runtime.lastCommitTs();
    return runtime;
  }

  /** The public function at `path`, if any. */
  lookup(path: FunctionPath): FunctionInfo | undefined {
    const fn = this.byPath.get(path.canonical);
    return fn !== undefined && fn.visibility === "public" ? fn : undefined;
  }

  /**
   * Runs a public function as a client call: `kind` is what the endpoint
   * expects ("any" for /api/run and /api/function). Function errors (thrown
   * errors, ConvexErrors, argument or return validation, limits, unknown or
   * internal function, wrong kind) come back as `{status: "error"}`, like the
   * real backend's HTTP 200 replies.
   */
  async run(kind: FunctionKind | "any", path: FunctionPath, args: Record<string, Value>, identity: Identity | null): Promise<RunResult> {
    const fn = this.lookup(path);
    if (fn === undefined || fn.kind === "httpAction") {
      return functionError(
        `Could not find public function for '${path.canonical}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      );
    }
    if (kind !== "any" && fn.kind !== kind) {
      return functionError(`Trying to execute ${path.canonical} as ${KIND_LABEL[kind]}, but it is defined as ${KIND_LABEL[fn.kind]}.`);
    }
    const accessor: Accessor = identity === null ? this.t : this.t.withIdentity(identity);
    const call = async (): Promise<RunResult> => {
      try {
        if (fn.kind === "query") return { status: "success", value: await accessor.query(makeFunctionReference<"query">(path.canonical), args) };
        if (fn.kind === "mutation") return { status: "success", value: await accessor.mutation(makeFunctionReference<"mutation">(path.canonical), args) };
        return { status: "success", value: await accessor.action(makeFunctionReference<"action">(path.canonical), args) };
      } catch (error) {
        if (isConvexError(error)) return functionError(`Uncaught ConvexError: ${error.message}`, error.data ?? null);
        const name = error instanceof Error ? error.name : "Error";
        const message = error instanceof Error ? error.message : String(error);
        return functionError(`Uncaught ${name}: ${message}`);
      }
    };
    if (fn.kind === "query") return call();
    // Mutations one at a time (Convex transactions are serializable); actions
    // run concurrently, their inner mutations are serialized by convex-test.
    const result = fn.kind === "mutation" ? await this.serialized(call) : await call();
    // Listeners hear of the write before the caller gets its reply.
    this.fastPollUntil = Date.now() + FAST_POLL_WINDOW_MS;
    await this.checkCommits();
    return result;
  }

  /**
   * Called after every committed write: a client's mutation (or an action's
   * inner mutations), before its reply is sent; and a scheduled function's
   * writes, within one poll interval (see `commitPollMs`). A failed mutation
   * commits nothing and is not reported. Returns an unsubscribe function.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    this.startPolling();
    return () => {
      this.commitListeners.delete(listener);
      if (this.commitListeners.size === 0) this.stopPolling();
    };
  }

  /** Stops the commit watcher (the state stays readable). */
  close(): void {
    this.closed = true;
    this.stopPolling();
  }

  /**
   * convex-test's last commit timestamp. Read with an inline query (which
   * commits nothing, so reading it does not move it); every committed
   * top-level mutation moves it, scheduled ones included.
   */
  async lastCommitTs(): Promise<bigint> {
    return (await this.t.query(() => snapshotTsInQuery() as unknown as Value, {})) as unknown as bigint;
  }

  /** Tells the listeners if anything committed since they were last told. One check at a time. */
  checkCommits(): Promise<void> {
    if (this.commitCheck !== null) {
      this.commitCheckAgain = true;
      return this.commitCheck;
    }
    const check = async () => {
      do {
        this.commitCheckAgain = false;
        let ts: bigint;
        try {
          ts = await this.lastCommitTs();
        } catch (error) {
          console.error("local backend: could not read the commit timestamp", error);
          return;
        }
        if (ts > this.seenCommitTs) {
          this.seenCommitTs = ts;
          // A write (maybe a scheduled function that schedules more): watch closely for a while.
          this.fastPollUntil = Math.max(this.fastPollUntil, Date.now() + FAST_POLL_WINDOW_MS);
          this.notifyCommit();
        }
      } while (this.commitCheckAgain);
    };
    this.commitCheck = check().finally(() => {
      this.commitCheck = null;
    });
    return this.commitCheck;
  }

  private startPolling(): void {
    if (this.pollTimer !== null || this.closed) return;
    const tick = () => {
      void this.checkCommits().finally(() => {
        if (this.pollTimer === null) return;
        const [fast, idle] = this.pollMs;
        this.pollTimer = setTimeout(tick, Date.now() < this.fastPollUntil ? fast : idle);
        this.pollTimer.unref();
      });
    };
    this.pollTimer = setTimeout(tick, this.pollMs[1]);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private notifyCommit(): void {
    for (const listener of this.commitListeners) {
      try {
        listener();
      } catch (error) {
        console.error("local backend: a commit listener failed", error);
      }
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutationTail.then(fn, fn);
    this.mutationTail = run.catch(() => undefined);
    return run;
  }
}
