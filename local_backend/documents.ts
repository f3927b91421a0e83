/**
 * The checks a deployment makes on every document written (`db.insert`,
 * `db.patch`, `db.replace`), which convex-test skips: at most 1,024 fields
 * per object, 8,192 items per array, 16 levels of nesting, 1 MiB with the
 * system fields, and no top-level field starting with `_` but `_id` and
 * `_creationTime` (values.ts `documentViolation`, after
 * `crates/common/src/document.rs` and `crates/database/src/transaction.rs`).
 *
 * A refused write throws inside the function, as the syscall does on a
 * deployment, with the backend's message: `Invalid argument \`value\` for
 * \`db.insert\`: …` for a value no Convex value may be (`with_argument_error`
 * in `crates/isolate/src/environment/helpers/mod.rs`), `Document(…) isn't a
 * valid document: …` for a document no table may hold, `Value is too large …`.
 */
import type { Value } from "convex/values";
import { databasePrototype, type ConvexTestInstance } from "./convex_test_internals.js";
import { displayValue, documentViolation, setField } from "./values.js";

type Doc = Record<string, Value | undefined>;

interface DatabaseFake {
  get(tableName: string, id: string): Doc | null;
  insert(table: string, value: Doc): string;
  patch(tableName: string, id: string, value: Doc): void;
  replace(tableName: string, id: string, value: Doc): void;
}

/** The user's fields of a document (without `_id` and `_creationTime`). */
function userFields(document: Doc): Doc {
  const fields: Doc = {};
  for (const key of Object.keys(document)) {
    if (key !== "_id" && key !== "_creationTime") setField(fields, key, document[key]);
  }
  return fields;
}

function check(operation: "db.insert" | "db.patch" | "db.replace", fields: Doc): void {
  const violation = documentViolation(fields);
  if (violation === null) return;
  switch (violation.kind) {
    case "value":
      throw new Error(`Invalid argument \`value\` for \`${operation}\`: ${violation.message}`);
    case "document":
      throw new Error(`Document(value: ${displayValue(fields as Value)}) isn't a valid document: ${violation.message}`);
    default:
      throw new Error(violation.message);
  }
}

let installed = false;

/** Patches convex-test's DatabaseFake (every instance in this process) once; returns whether it applied. */
export async function installDocumentChecks(t: ConvexTestInstance): Promise<boolean> {
  if (installed) return true;
  const proto = (await databasePrototype(t)) as DatabaseFake | undefined;
  if (proto === undefined || typeof proto.insert !== "function" || typeof proto.patch !== "function" || typeof proto.replace !== "function") {
    return false;
  }
  const { insert, patch, replace } = proto;
  proto.insert = function (this: DatabaseFake, table, value) {
    check("db.insert", userFields(value));
    return insert.call(this, table, value);
  };
  proto.patch = function (this: DatabaseFake, tableName, id, value) {
    const document = typeof value === "object" && value !== null ? this.get(tableName, id) : null;
    if (document !== null) {
      const merged = userFields(document);
      for (const key of Object.keys(value)) {
        if (key === "_id" || key === "_creationTime") continue;
        if (value[key] === undefined) delete merged[key];
        else setField(merged, key, value[key]);
      }
      check("db.patch", merged);
    }
    return patch.call(this, tableName, id, value);
  };
  proto.replace = function (this: DatabaseFake, tableName, id, value) {
    if (typeof value === "object" && value !== null) check("db.replace", userFields(value));
    return replace.call(this, tableName, id, value);
  };
  installed = true;
  return true;
}
