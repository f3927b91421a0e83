/**
 * What one operation costs a peer under convex-test: documents and bytes read (and
 * written) over all the transactions it ran, or why it could not run.
 */
import { recordTransactions, type TransactionRecord } from "../../tests/transactionMetrics.js";

export interface Cost {
  outcome: "ok" | "breaks a limit" | "unsupported";
  /** What broke, or how the peer does the operation when it is not plain. */
  note?: string;
  transactions: number;
  documentsRead: number;
  bytesRead: number;
  documentsWritten: number;
  bytesWritten: number;
  /** The most documents one transaction read. */
  mostDocumentsRead: number;
  largestDocumentWritten: number;
}

export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export function unsupported(note: string): Cost {
  return {
    outcome: "unsupported",
    note,
    transactions: 0,
    documentsRead: 0,
    bytesRead: 0,
    documentsWritten: 0,
    bytesWritten: 0,
    mostDocumentsRead: 0,
    largestDocumentWritten: 0,
  };
}

function summarize(transactions: TransactionRecord[]): Omit<Cost, "outcome" | "note"> {
  const sum = (f: (t: TransactionRecord) => number) => transactions.reduce((n, t) => n + f(t), 0);
  return {
    transactions: transactions.length,
    documentsRead: sum((t) => t.documentsRead),
    bytesRead: sum((t) => t.bytesRead),
    documentsWritten: sum((t) => t.documentsWritten),
    bytesWritten: sum((t) => t.bytesWritten),
    mostDocumentsRead: Math.max(0, ...transactions.map((t) => t.documentsRead)),
    largestDocumentWritten: Math.max(0, ...transactions.map((t) => t.largestDocumentWritten)),
  };
}

const LIMIT_ERROR = /Convex limit|too many|too much|too large|limit/i;

/** Runs `fn` and returns its cost; a limit error (or a document over 1 MiB) is "breaks a limit". */
export async function measure(fn: () => Promise<unknown>, note?: string): Promise<Cost> {
  let failure: Error | null = null;
  const { transactions } = await recordTransactions(async () => {
    try {
      await fn();
    } catch (error) {
      failure = error as Error;
    }
  });
  const cost: Cost = { outcome: "ok", ...(note === undefined ? {} : { note }), ...summarize(transactions) };
  const error = failure as Error | null;
  if (error !== null) {
    const message = String(error.message ?? error).split("\n")[0].slice(0, 160);
    if (!LIMIT_ERROR.test(message)) throw error;
    return { ...cost, outcome: "breaks a limit", note: message };
  }
  if (cost.largestDocumentWritten > MAX_DOCUMENT_BYTES) {
    return { ...cost, outcome: "breaks a limit", note: `writes a ${cost.largestDocumentWritten.toLocaleString("en")}-byte document (Convex allows 1 MiB)` };
  }
  return cost;
}
