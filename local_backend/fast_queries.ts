/**
 * Index-backed reads for convex-test's in-memory database.
 *
 * convex-test answers every `withIndex` query by scanning every document of the
 * component (all tables), filtering and sorting them. That is fine for unit
 * tests but quadratic for a long-lived backend: an upsert of 1,000 vectors by id
 * (1,000 index lookups) into a table of 20,000 took ~100 s. This module patches
 * convex-test's `DatabaseFake` so that
 *
 * - a table scan visits only that table's documents (a per-table id set), and
 * - an index range whose leading fields are `eq` visits only the documents with
 *   those values (a hash map per index and prefix length),
 *
 * plus, always, the ids written by transactions in progress. The documents found
 * are then filtered and sorted by convex-test's own code exactly as before, so
 * results are unchanged: the maps only narrow the candidates, they never decide.
 * The maps follow committed writes (`commit` of a top-level transaction).
 *
 * Set LOCAL_BACKEND_CHECK_FAST_QUERIES=1 to run every narrowed query a second
 * time the original way and fail loudly on any difference.
 */
import { jsonToConvex, type Value } from "convex/values";
import { databasePrototype, type ConvexTestInstance } from "./convex_test_internals.js";

type Doc = Record<string, Value> & { _id: string };
type RangeFilter = { type: string; fieldPath: string; value: unknown };
type QuerySource = { type: string; indexName?: string; range?: RangeFilter[] };
type IndexInfo = { indexDescriptor: string; fields: string[] };

/** The parts of convex-test's DatabaseFake this module uses. */
interface DatabaseFake {
  _documents: Record<string, Doc>;
  _writes: Array<Record<string, Doc | null>>;
  _schema: { tables: Map<string, { indexes: IndexInfo[] }> } | null;
  get(tableName: string, id: string): Doc | null;
  _iterateDocs(tableName: string, callback: (doc: Doc) => void): void;
  _resolveQuerySource(query: { source: QuerySource }): { sortedDocs: Doc[] };
  commit(commitTs?: unknown): void;
  rollbackWrites(): void;
  _addWrite(id: string, value: Doc | null): void;
}

interface Hint {
  table: string;
  /** Committed ids whose first `fields.length` index values have this key. */
  ids: Set<string>;
  fields: string[];
  key: string;
}

class IndexState {
  readonly tables = new Map<string, Set<string>>();
  /** Ids written by the transactions in progress, by table (a superset after a nested rollback). */
  readonly pending = new Map<string, Set<string>>();
  /** table -> index descriptor -> one map per prefix length (key of the first k values -> ids). */
  readonly indexes = new Map<string, Map<string, { fields: string[]; byPrefix: Array<Map<string, Set<string>>> }>>();

  constructor(db: DatabaseFake) {
    for (const [table, info] of db._schema?.tables ?? []) {
      const byName = new Map<string, { fields: string[]; byPrefix: Array<Map<string, Set<string>>> }>();
      for (const index of info.indexes ?? []) {
        byName.set(index.indexDescriptor, { fields: index.fields, byPrefix: index.fields.map(() => new Map()) });
      }
      this.indexes.set(table, byName);
    }
    for (const [id, doc] of Object.entries(db._documents)) this.add(id, doc);
  }

  add(id: string, doc: Doc | undefined | null): void {
    if (doc === undefined || doc === null) return;
    const table = tableOf(id);
    if (table === null) return;
    let ids = this.tables.get(table);
    if (ids === undefined) this.tables.set(table, (ids = new Set()));
    ids.add(id);
    for (const { fields, byPrefix } of this.indexes.get(table)?.values() ?? []) {
      let key = "";
      for (let k = 0; k < fields.length; k++) {
        const part = valueKey(fieldValue(doc, fields[k]));
        if (part === null) break; // never equal to a keyable query value
        key += part;
        const map = byPrefix[k];
        let set = map.get(key);
        if (set === undefined) map.set(key, (set = new Set()));
        set.add(id);
      }
    }
  }

  remove(id: string, doc: Doc | undefined | null): void {
    if (doc === undefined || doc === null) return;
    const table = tableOf(id);
    if (table === null) return;
    this.tables.get(table)?.delete(id);
    for (const { fields, byPrefix } of this.indexes.get(table)?.values() ?? []) {
      let key = "";
      for (let k = 0; k < fields.length; k++) {
        const part = valueKey(fieldValue(doc, fields[k]));
        if (part === null) break;
        key += part;
        const set = byPrefix[k].get(key);
        if (set !== undefined) {
          set.delete(id);
          if (set.size === 0) byPrefix[k].delete(key);
        }
      }
    }
  }

  /** The committed ids that can match this index range, or null to scan the table. */
  hint(source: QuerySource): Hint | null {
    if (source.type !== "IndexRange" || source.indexName === undefined || source.range === undefined) return null;
    const [table, indexName] = source.indexName.split(".");
    const index = this.indexes.get(table)?.get(indexName);
    if (index === undefined) return null;
    let key = "";
    let k = 0;
    for (const filter of source.range) {
      if (filter.type !== "Eq" || k >= index.fields.length || filter.fieldPath !== index.fields[k]) break;
      const part = valueKey(queryValue(filter.value));
      if (part === null) break;
      key += part;
      k++;
    }
    if (k === 0) return null;
    return { table, ids: index.byPrefix[k - 1].get(key) ?? EMPTY, fields: index.fields.slice(0, k), key };
  }
}

const EMPTY: Set<string> = new Set();
const HINT = Symbol("fastQueriesHint");
const states = new WeakMap<DatabaseFake, IndexState>();

function stateOf(db: DatabaseFake): IndexState {
  let state = states.get(db);
  if (state === undefined) states.set(db, (state = new IndexState(db)));
  return state;
}

function tableOf(id: string): string | null {
  let i = 0;
  while (i < id.length && id.charCodeAt(i) >= 48 && id.charCodeAt(i) <= 57) i++;
  return i === 0 || i === id.length ? null : id.slice(i);
}

/** convex-test's evaluateFieldPath: dotted paths through plain objects. */
function fieldValue(doc: unknown, fieldPath: string): unknown {
  let value: unknown = doc;
  for (const part of fieldPath.split(".")) {
    value =
      value !== undefined && value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof ArrayBuffer)
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value;
}

/** convex-test's evaluateQueryValue, for the value kinds valueKey accepts. */
function queryValue(json: unknown): unknown {
  if (typeof json === "object" && json !== null && "$undefined" in json) return undefined;
  try {
    return jsonToConvex(json as never);
  } catch {
    return NaN; // not keyable: scan
  }
}

/**
 * A key equal for two values whenever Convex's ordering finds them equal, or
 * null for values this module leaves to a scan (zeros, NaN, objects, arrays, bytes).
 */
function valueKey(value: unknown): string | null {
  switch (typeof value) {
    case "string":
      return `s${value.length}:${value}`;
    case "boolean":
      return value ? "t;" : "f;";
    case "bigint":
      return `i${value};`;
    case "undefined":
      return "u;";
    case "number":
      return Number.isFinite(value) && value !== 0 ? `n${value};` : null;
    default:
      return value === null ? "z;" : null;
  }
}

const prefixKeys = new Map<string, WeakMap<Doc, string | null>>();

/** The key of a document's first index values, or null when one is not keyable (cached: documents are never mutated). */
function prefixKey(doc: Doc, fields: string[]): string | null {
  const signature = fields.join("\u0000");
  let cache = prefixKeys.get(signature);
  if (cache === undefined) prefixKeys.set(signature, (cache = new WeakMap()));
  let key = cache.get(doc);
  if (key === undefined) cache.set(doc, (key = computePrefixKey(doc, fields)));
  return key;
}

function computePrefixKey(doc: Doc, fields: string[]): string | null {
  let key = "";
  for (const field of fields) {
    const part = valueKey(fieldValue(doc, field));
    if (part === null) return null;
    key += part;
  }
  return key;
}

let installed = false;

function patch(proto: DatabaseFake): void {
  const iterateDocs = proto._iterateDocs;
  const resolveQuerySource = proto._resolveQuerySource;
  const commit = proto.commit;
  const rollbackWrites = proto.rollbackWrites;
  const addWrite = proto._addWrite;
  const check = process.env.LOCAL_BACKEND_CHECK_FAST_QUERIES === "1";

  proto._iterateDocs = function (this: DatabaseFake & { [HINT]?: Hint | null }, tableName, callback) {
    const hint = this[HINT];
    const base = hint != null && hint.table === tableName ? hint.ids : stateOf(this).tables.get(tableName) ?? EMPTY;
    const ids = new Set(base);
    const narrowed = hint != null && hint.table === tableName ? hint : null;
    for (const id of stateOf(this).pending.get(tableName) ?? EMPTY) {
      if (ids.has(id)) continue;
      // A document written by a transaction in progress: skip it only when its
      // index values are known to differ from the range's.
      if (narrowed !== null) {
        const doc = this.get(tableName, id);
        if (doc === null) continue;
        const key = prefixKey(doc, narrowed.fields);
        if (key !== null && key !== narrowed.key) continue;
      }
      ids.add(id);
    }
    for (const id of ids) {
      const doc = this.get(tableName, id);
      if (doc !== null) callback(doc);
    }
  };

  proto._resolveQuerySource = function (this: DatabaseFake & { [HINT]?: Hint | null }, query) {
    const hint = stateOf(this).hint(query.source);
    if (hint === null) return resolveQuerySource.call(this, query);
    this[HINT] = hint;
    let result: ReturnType<DatabaseFake["_resolveQuerySource"]>;
    try {
      result = resolveQuerySource.call(this, query);
    } finally {
      this[HINT] = null;
    }
    if (check) {
      this._iterateDocs = iterateDocs; // an own property: the original scan of every document
      try {
        const slow = resolveQuerySource.call(this, query).sortedDocs.map((d) => d._id).join(",");
        if (slow !== result.sortedDocs.map((d) => d._id).join(",")) {
          throw new Error(`fast_queries: an index lookup differs from a scan: ${JSON.stringify(query.source)}`);
        }
      } finally {
        delete (this as { _iterateDocs?: unknown })._iterateDocs; // back to the prototype's
      }
    }
    return result;
  };

  proto._addWrite = function (this: DatabaseFake, id, value) {
    addWrite.call(this, id, value);
    const table = tableOf(id);
    if (table === null) return;
    const pending = stateOf(this).pending;
    let ids = pending.get(table);
    if (ids === undefined) pending.set(table, (ids = new Set()));
    ids.add(id);
  };

  proto.commit = function (this: DatabaseFake, commitTs) {
    if (this._writes.length !== 1) return commit.call(this, commitTs);
    const state = stateOf(this);
    const writes = this._writes[0];
    const before = Object.keys(writes).map((id) => [id, this._documents[id]] as const);
    commit.call(this, commitTs);
    for (const [id, old] of before) {
      state.remove(id, old);
      state.add(id, this._documents[id]);
    }
    state.pending.clear(); // the top-level transaction is done
  };

  proto.rollbackWrites = function (this: DatabaseFake) {
    rollbackWrites.call(this);
    if (this._writes.length === 0) stateOf(this).pending.clear();
  };
}

/**
 * Patches convex-test's DatabaseFake (all its instances, in this process) once.
 * Returns whether it applied.
 */
export async function installFastQueries(t: ConvexTestInstance): Promise<boolean> {
  if (installed) return true;
  const proto = (await databasePrototype(t)) as DatabaseFake | undefined;
  if (proto === undefined || typeof proto._iterateDocs !== "function" || typeof proto._resolveQuerySource !== "function" || typeof proto.commit !== "function" || typeof proto.rollbackWrites !== "function" || typeof proto._addWrite !== "function") {
    return false;
  }
  patch(proto);
  installed = true;
  return true;
}
