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

export type TransactionRecord = TransactionMetrics & { outcome: "commit" | "rollback" };

type TrackerInternals = { _layers: Array<{ metrics: TransactionMetrics }> };

let sink: TransactionRecord[] | null = null;
let patched = false;

function patchTracker(): void {
  if (patched) return;
  patched = true;
  const proto = TransactionMetricsTracker.prototype as unknown as {
    commit: () => void;
    rollback: () => void;
  };
  for (const outcome of ["commit", "rollback"] as const) {
    const original = proto[outcome];
    proto[outcome] = function (this: TrackerInternals) {
      if (sink !== null && this._layers.length === 1) sink.push({ ...this._layers[0].metrics, outcome });
      return original.call(this);
    };
  }
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
