/**
 * Writes `python_sdk/convex_agent_memory/_limits.py`: the component's caps the Python SDK
 * splits large writes by (and the adapters check arguments by), read from their one definition
 * in component/model/, so the SDK never holds a copy that can drift:
 *
 *   npx tsx codegen/pythonLimits.ts            # (re)write it
 *   npx tsx codegen/pythonLimits.ts --check    # exit 1 when the committed file is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS, MAX_PAGE_SIZE } from "../component/model/limits.js";
import * as vectors from "../component/model/vectors.js";
import { MAX_UPSERT_STORED_BYTES } from "../component/model/vectors.js";
import { BYTES_PER_STORED_FLOAT, EMBEDDING_DOC_OVERHEAD, MAX_SEARCH_LIMIT, VECTOR_DIMENSIONS } from "../component/model/vectorStorage.js";
import { MAX_EMBEDDING_BYTES_PER_CALL, MAX_SEARCH_TEXT, SEARCH_ROW_OVERHEAD } from "../component/model/recallEmbeddings.js";
import * as checkpoints from "../component/model/checkpoints.js";
import * as store from "../component/model/store.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUTPUT = join(ROOT, "python_sdk", "convex_agent_memory", "_limits.py");

const constants: Array<[name: string, value: number | readonly number[], doc: string]> = [
  ["MAX_BATCH_ITEMS", MAX_BATCH_ITEMS, "Most items in one batch write (component/model/limits.ts)."],
  ["MAX_BATCH_BYTES", MAX_BATCH_BYTES, "Most encoded bytes in one batch write (component/model/limits.ts)."],
  ["MAX_PAGE_SIZE", MAX_PAGE_SIZE, "Most items one page read returns (component/model/limits.ts)."],
  [
    "MAX_UPSERT_STORED_BYTES",
    MAX_UPSERT_STORED_BYTES,
    "Most bytes one vector upsert stores: embeddings and entries (component/model/vectors.ts).",
  ],
  ["MAX_SEARCH_LIMIT", MAX_SEARCH_LIMIT, "Most results one vector search returns (component/model/vectorStorage.ts)."],
  ["BYTES_PER_STORED_FLOAT", BYTES_PER_STORED_FLOAT, "Bytes Convex counts per stored float (component/model/vectorStorage.ts)."],
  [
    "EMBEDDING_DOC_OVERHEAD",
    EMBEDDING_DOC_OVERHEAD,
    "Bytes one stored embedding counts besides its floats (component/model/vectorStorage.ts).",
  ],
  ["VECTOR_DIMENSIONS", VECTOR_DIMENSIONS, "The vector lengths the component stores (component/model/vectorStorage.ts)."],
  ["VECTORS_MAX_TOP_K", vectors.MAX_TOP_K, "Most results one vector query returns (component/model/vectors.ts)."],
  ["VECTORS_IDS_PER_CALL", vectors.MAX_IDS_PER_CALL, "Most ids one getVectors / deleteVectors call takes (component/model/vectors.ts)."],
  ["MAX_KEYWORD_TERMS", vectors.MAX_KEYWORD_TERMS, "Most words in a keyword query (component/model/vectors.ts)."],
  [
    "MAX_KEYWORD_QUERY_LENGTH",
    vectors.MAX_KEYWORD_QUERY_LENGTH,
    "Longest keyword query, in characters (component/model/vectors.ts).",
  ],
  // recall (message embeddings)
  [
    "MAX_EMBEDDING_BYTES_PER_CALL",
    MAX_EMBEDDING_BYTES_PER_CALL,
    "Embedding bytes one call of saveMessages or setMessageEmbeddings stores (recallEmbeddings.ts).",
  ],
  [
    "SEARCH_ROW_OVERHEAD",
    SEARCH_ROW_OVERHEAD,
    "Bytes an embedded message's search-text row counts besides its text (recallEmbeddings.ts).",
  ],
  [
    "MAX_SEARCH_TEXT",
    MAX_SEARCH_TEXT,
    "UTF-16 units of a message's text keyword recall indexes, 3 bytes each (recallEmbeddings.ts).",
  ],
  // convex_agent_memory.langgraph (ConvexSaver, ConvexStore)
  [
    "CHECKPOINT_CALL_VALUE_BYTES",
    checkpoints.MAX_CALL_VALUE_BYTES,
    "Value bytes one checkpoint put carries (component/model/checkpoints.ts).",
  ],
  ["CHECKPOINT_MAX_CHANNELS", checkpoints.MAX_CHANNELS, "Most channels of a checkpoint, blobs of one call (component/model/checkpoints.ts)."],
  ["CHECKPOINT_WRITES_PER_CALL", checkpoints.MAX_WRITES_PER_CALL, "Most pending writes one call saves (component/model/checkpoints.ts)."],
  ["CHECKPOINT_KEYS_PER_CALL", checkpoints.MAX_KEYS_PER_CALL, "Most keys one getCheckpointValues call takes (component/model/checkpoints.ts)."],
  ["CHECKPOINT_IDS_PER_CALL", checkpoints.MAX_IDS_PER_CALL, "Most runs or threads one call names (component/model/checkpoints.ts)."],
  ["STORE_OPS_PER_CALL", store.MAX_OPS_PER_CALL, "Most operations in one store call (component/model/store.ts)."],
  ["STORE_PUT_BYTES", store.MAX_PUT_BYTES, "Bytes one putStoreItems call may read and write (component/model/store.ts)."],
];

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
/** A number, or a tuple of numbers (one line: every tuple here fits in 100 columns). */
const literal = (value: number | readonly number[]) =>
  typeof value === "number" ? grouped(value) : `(${value.map(grouped).join(", ")})`;

/** `__all__` as ruff format writes it: one line when it fits in 100 columns, else one name a line. */
function allLines(names: string[]): string[] {
  const oneLine = `__all__ = [${names.map((name) => `"${name}"`).join(", ")}]`;
  if (oneLine.length <= 100) return [oneLine];
  return ["__all__ = [", ...names.map((name) => `    "${name}",`), "]"];
}

export function render(): string {
  const lines = [
    '"""The component\'s caps the SDK splits large writes by.',
    "",
    "Generated by codegen/pythonLimits.ts from the component's own definitions; do not edit.",
    '"""',
    "",
    "from typing import Final",
    "",
    ...allLines([...constants].map(([name]) => name).sort()),
    "",
  ];
  for (const [name, value, doc] of constants) lines.push(`#: ${doc}`, `${name}: Final = ${literal(value)}`);
  return `${lines.join("\n")}\n`;
}

const check = process.argv.includes("--check");
const text = render();
if (check) {
  let current = "";
  try {
    current = readFileSync(OUTPUT, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    process.stderr.write(`${OUTPUT} is stale: run npx tsx codegen/pythonLimits.ts\n`);
    process.exit(1);
  }
} else {
  writeFileSync(OUTPUT, text);
}
