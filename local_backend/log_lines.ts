/**
 * `logLines`: what a function printed with `console.*`, sent back with its
 * reply as a deployment does for callers that may see logs.
 *
 * As the backend writes them:
 * - each argument formatted by `object-inspect` with the options of the
 *   isolate's console (`npm-packages/udf-runtime/src/02_console.ts`), the
 *   line `[LEVEL] arg1 arg2` (`crates/common/src/log_lines.rs`
 *   `to_pretty_string`), cut at 32,768 bytes with " (truncated due to length)";
 * - at most 256 lines per call, the last one saying the rest was dropped
 *   (`crates/isolate/src/environment/udf/mod.rs`, MAX_LOG_LINES);
 * - lines of the functions a call runs (an action's `ctx.runQuery`) belong to
 *   the call.
 * Output is also still written to the process's console (stderr), as a
 * deployment also keeps it in its logs.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import inspect from "object-inspect";

const MAX_LOG_LINES = 256;
const MAX_LOG_LINE_LENGTH = 32768;
const TRUNCATED_LINE_SUFFIX = " (truncated due to length)";

type Level = "DEBUG" | "ERROR" | "WARN" | "INFO" | "LOG";

class LogCollector {
  readonly lines: string[] = [];
  /** Set when the call has replied: later output (a scheduled function started by it) is not its. */
  closed = false;

  add(level: Level, args: unknown[]): void {
    if (this.closed) return;
    if (this.lines.length > MAX_LOG_LINES - 1) return;
    if (this.lines.length === MAX_LOG_LINES - 1) {
      this.lines.push(`[ERROR] Log overflow (maximum ${MAX_LOG_LINES}). Remaining log lines omitted.`);
      return;
    }
    const messages = args.map((arg) => inspect(arg, { maxStringLength: 32768, indent: 2, customInspect: true }));
    this.lines.push(prettyLine(level, messages));
  }
}

/** `LogLineStructured::new_developer_log_line` + `to_pretty_string`. */
function prettyLine(level: Level, messages: string[]): string {
  const total = messages.reduce((sum, m) => sum + Buffer.byteLength(m) + 1, 0) - 1;
  if (total <= MAX_LOG_LINE_LENGTH) return `[${level}] ${messages.join(" ")}`;
  const kept: string[] = [];
  let used = 0;
  for (const message of messages) {
    const room = MAX_LOG_LINE_LENGTH - used;
    const bytes = Buffer.from(message);
    if (bytes.length <= room) {
      used += bytes.length + 1;
      kept.push(message);
    } else {
      // Cut at a character boundary, as `floor_char_boundary` does.
      kept.push(bytes.subarray(0, room).toString("utf8").replace(/\uFFFD$/, ""));
      break;
    }
  }
  return `[${level}] ${kept.join(" ")}${TRUNCATED_LINE_SUFFIX}`;
}

const current = new AsyncLocalStorage<LogCollector>();
let installed = false;

/** Routes `console.*` output made during a call into that call's log lines too (once per process). */
export function installLogCapture(): void {
  if (installed) return;
  installed = true;
  const levels: Array<[keyof Console, Level]> = [
    ["log", "LOG"],
    ["info", "INFO"],
    ["warn", "WARN"],
    ["error", "ERROR"],
    ["debug", "DEBUG"],
  ];
  for (const [method, level] of levels) {
    const original = console[method] as (...args: unknown[]) => void;
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      current.getStore()?.add(level, args);
      original.apply(console, args);
    };
  }
}

/** Runs a call and returns what it logged with what it returned. */
export async function withLogLines<T>(call: () => Promise<T>): Promise<{ result: T; logLines: string[] }> {
  const collector = new LogCollector();
  try {
    const result = await current.run(collector, call);
    return { result, logLines: collector.lines };
  } finally {
    collector.closed = true;
  }
}
