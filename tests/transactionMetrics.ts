/**
 * Documents and bytes read (and written) by each transaction, as convex-test counts
 * them for its `transactionLimits` (deterministic, so tests may assert them).
 *
 * `recordTransactions(fn)` lists every top-level transaction committed (or rolled
 * back) while `fn` runs: a query or mutation called by the test, and each
 * `ctx.runQuery` / `ctx.runMutation` of an action. Calls into a component from an
 * app function are part of the app function's transaction, as on Convex.
 */
import { TransactionMetricsTracker } from "convex-test/dist/transactionMetrics.js";
import type { TransactionMetrics } from "convex-test/dist/transactionMetrics.js";

export type TransactionRecord = TransactionMetrics & {
  outcome: "commit" | "rollback";
  /** The largest document this transaction wrote, in bytes (Convex allows 1 MiB; convex-test does not check). */
  largestDocumentWritten: number;
};

type TrackerInternals = { _layers: Array<{ metrics: TransactionMetrics }>; _largestWrite?: number };

let sink: TransactionRecord[] | null = null;
let patched = false;

function patchTracker(): void {
  if (patched) return;
  patched = true;
  const proto = TransactionMetricsTracker.prototype as unknown as {
    commit: () => void;
    rollback: () => void;
    trackWrite: (bytes: number) => void;
  };
  for (const outcome of ["commit", "rollback"] as const) {
    const original = proto[outcome];
    proto[outcome] = function (this: TrackerInternals) {
      if (sink !== null && this._layers.length === 1) {
        sink.push({ ...this._layers[0].metrics, outcome, largestDocumentWritten: this._largestWrite ?? 0 });
      }
      return original.call(this);
    };
  }
  const trackWrite = proto.trackWrite;
  proto.trackWrite = function (this: TrackerInternals, bytes: number) {
    this._largestWrite = Math.max(this._largestWrite ?? 0, bytes);
    return trackWrite.call(this, bytes);
  };
}

/** Runs `fn`, returning its result and the metrics of every top-level transaction it ran. */
export async function recordTransactions<T>(fn: () => Promise<T>): Promise<{ result: T; transactions: TransactionRecord[] }> {
  patchTracker();
  if (sink !== null) throw new Error("recordTransactions does not nest");
  const transactions: TransactionRecord[] = [];
  sink = transactions;
  try {
    const result = await fn();
    return { result, transactions };
  } finally {
    sink = null;
  }
}

/** Sums of the read (and write) metrics over transactions. */
export function totals(transactions: TransactionRecord[]) {
  const sum = (key: keyof TransactionMetrics) => transactions.reduce((n, t) => n + t[key], 0);
  return {
    transactions: transactions.length,
    documentsRead: sum("documentsRead"),
    bytesRead: sum("bytesRead"),
    documentsWritten: sum("documentsWritten"),
    bytesWritten: sum("bytesWritten"),
  };
}
