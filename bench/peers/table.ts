/**
 * The bench/peers table from its results: `npx tsx bench/peers/table.ts` re-renders
 * results.md from results.json (run.test.ts writes both).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Cost } from "./measure.js";

export const OURS = "convex-agent-memory";

/** The operations in table order, with what the answer needs at the least (kept in step with ours.ts). */
export const ROWS = [
  { key: "listMessages", label: "list a page of 50 messages (thread of 5,000)", physical: "50 documents" },
  { key: "listThreads", label: "list a page of 50 threads (user with 1,000)", physical: "50 documents" },
  { key: "countMessages", label: "count a thread's 5,000 messages", physical: "1 document (a counter)" },
  { key: "query384", label: "top-10 vector query, 384 dims, 10,000 vectors", physical: "10 documents" },
  { key: "query384filter", label: "same, with a filter (lang = en)", physical: "10 documents" },
  { key: "query1536", label: "top-10 vector query, 1,536 dims, 10,000 vectors", physical: "10 documents" },
  { key: "query1536filter", label: "same, with a filter (lang = en)", physical: "10 documents" },
  { key: "persistSnapshot", label: "persist a 2 MiB workflow snapshot", physical: "2 MiB in 3 documents (1 MiB each at most)" },
  { key: "loadSnapshot", label: "load it", physical: "2 MiB in 3 documents" },
  { key: "deleteThread", label: "delete a 5,000-message thread", physical: "5,000 documents written" },
] as const;

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KB`;
}

export function cell(cost: Cost | undefined, ours: Cost | undefined): string {
  if (cost === undefined) return "—";
  if (cost.outcome === "unsupported") return `unsupported (${cost.note})`;
  const figures = `${cost.documentsRead.toLocaleString("en")} docs · ${size(cost.bytesRead)}`;
  const ratio =
    ours !== undefined && ours.outcome === "ok" && cost !== ours && ours.bytesRead > 0 && cost.outcome === "ok"
      ? ` (**${(cost.bytesRead / ours.bytesRead).toFixed(cost.bytesRead >= 10 * ours.bytesRead ? 0 : 1)}×**)`
      : "";
  const spread = cost.transactions > 1 ? `, ${cost.transactions} transactions` : "";
  const broke = cost.outcome === "breaks a limit" ? `; **breaks a limit**: ${cost.note}` : cost.note ? `; ${cost.note}` : "";
  return `${figures}${ratio}${spread}${broke}`;
}

export function renderTable(results: Record<string, Record<string, Cost>>): string {
  const columns = Object.keys(results);
  return [
    `| operation | physical limit | ${columns.join(" | ")} |`,
    `|---|---|${columns.map(() => "---").join("|")}|`,
    ...ROWS.map(({ key, label, physical }) => {
      const ours = results[OURS]?.[key];
      return `| ${label} | ${physical} | ${columns.map((c) => cell(results[c][key], ours)).join(" | ")} |`;
    }),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL(".", import.meta.url);
  const { results } = JSON.parse(readFileSync(new URL("results.json", dir), "utf8"));
  const table = renderTable(results);
  writeFileSync(new URL("results.md", dir), `${table}\n`);
  console.log(table);
}
