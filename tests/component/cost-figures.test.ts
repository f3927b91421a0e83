/**
 * This project's column of bench/peers (bench/peers/results.md): the same data and the
 * same operations, and a failure when any figure grows. Documents and bytes read are
 * convex-test's transaction metrics, deterministic for this data; a change that lowers
 * them should lower the figures here too.
 */
import { expect, test } from "vitest";
import { OPERATIONS, setUpOurs, type OperationKey } from "../../bench/peers/ours.js";

/** Documents and bytes read per operation, as bench/peers measured them (2026-11-27, after the tenancy merge:
 * owner-keyed counters and runs read a few bytes more). */
const FIGURES: Record<OperationKey, { documentsRead: number; bytesRead: number; transactions: number }> = {
  listMessages: { documentsRead: 51, bytesRead: 18_076, transactions: 1 },
  listThreads: { documentsRead: 50, bytesRead: 6_952, transactions: 1 },
  countMessages: { documentsRead: 1, bytesRead: 133, transactions: 1 },
  query384: { documentsRead: 11, bytesRead: 6_914, transactions: 1 },
  query384filter: { documentsRead: 11, bytesRead: 7_030, transactions: 1 },
  query1536: { documentsRead: 11, bytesRead: 6_739, transactions: 1 },
  query1536filter: { documentsRead: 11, bytesRead: 6_734, transactions: 1 },
  persistSnapshot: { documentsRead: 2, bytesRead: 432, transactions: 1 },
  loadSnapshot: { documentsRead: 4, bytesRead: 2_077_355, transactions: 1 },
  deleteThread: { documentsRead: 10_008, bytesRead: 3_636_348, transactions: 16 },
};

test("this project's bench/peers figures do not grow", async () => {
  const ours = await setUpOurs();
  const measured: Record<string, { outcome: string; documentsRead: number; bytesRead: number; transactions: number }> = {};
  for (const { key } of OPERATIONS) {
    const { outcome, documentsRead, bytesRead, transactions } = await ours[key]!();
    measured[key] = { outcome, documentsRead, bytesRead, transactions };
  }
  console.table(measured); // every figure, before the first that grew fails the test
  for (const { key } of OPERATIONS) {
    const cost = measured[key];
    expect(cost.outcome, key).toBe("ok");
    expect(cost.documentsRead, key).toBeLessThanOrEqual(FIGURES[key].documentsRead);
    expect(cost.bytesRead, key).toBeLessThanOrEqual(FIGURES[key].bytesRead);
    expect(cost.transactions, key).toBeLessThanOrEqual(FIGURES[key].transactions);
  }
}, 600_000);
