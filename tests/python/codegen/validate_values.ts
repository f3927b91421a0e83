/**
 * Checks values against Convex validators with the official packages, for the Python
 * corpus test (tests/python/codegen/test_corpus.py):
 *
 *   node_modules/.bin/tsx tests/python/codegen/validate_values.ts cases.json
 *
 * Each case is {key, validator, value}: a validator as `exportArgs()`/`exportReturns()` print
 * it and a value in `convex_encoded_json`. The validator is rebuilt with `v` from
 * `convex/values` (and must print back exactly the same JSON), the value is decoded with
 * `jsonToConvex` (and must encode back to exactly the same JSON), then checked with
 * convex-helpers' `validate`. Prints {checked, failures: [{key, reason}]}.
 */
import { readFileSync } from "node:fs";
import { type GenericValidator, type Value, convexToJson, jsonToConvex, v } from "convex/values";
import { validate } from "convex-helpers/validators";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Case {
  key: string;
  validator: { type: string; [key: string]: Json };
  value: Json;
}

// biome-ignore lint/suspicious/noExplicitAny: validator JSON is untyped
function build(json: any): GenericValidator {
  switch (json.type) {
    case "null":
      return v.null();
    case "number":
      return v.number();
    case "bigint":
      return v.int64();
    case "commitTs":
      return v.commitTs();
    case "boolean":
      return v.boolean();
    case "string":
      return v.string();
    case "bytes":
      return v.bytes();
    case "any":
      return v.any();
    case "literal":
      return v.literal(jsonToConvex(json.value) as string | number | bigint | boolean);
    case "id":
      return v.id(json.tableName);
    case "array":
      return v.array(build(json.value));
    case "record":
      // biome-ignore lint/suspicious/noExplicitAny: keys are string-like validators
      return v.record(build(json.keys) as any, build(json.values.fieldType));
    case "union":
      return v.union(...json.value.map(build));
    case "object":
      return v.object(
        Object.fromEntries(
          Object.entries(json.value).map(([name, field]) => {
            // biome-ignore lint/suspicious/noExplicitAny: field JSON
            const f = field as any;
            return [name, f.optional ? v.optional(build(f.fieldType)) : build(f.fieldType)];
          }),
        ),
      );
    default:
      throw new Error(`unknown validator type ${json.type}`);
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, item]) => `${JSON.stringify(k)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** validate() knows every kind but commitTs (an int64 on the wire). */
function check(validator: GenericValidator, value: Value): boolean {
  if (validator.kind === "commitTs") return typeof value === "bigint";
  return validate(validator, value);
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Case[];
const failures: Array<{ key: string; reason: string }> = [];
for (const item of cases) {
  try {
    const validator = build(item.validator);
    if (canonical((validator as unknown as { json: unknown }).json) !== canonical(item.validator)) {
      failures.push({ key: item.key, reason: "the rebuilt validator prints other JSON" });
      continue;
    }
    const value = jsonToConvex(item.value as never);
    if (canonical(convexToJson(value)) !== canonical(item.value)) {
      failures.push({ key: item.key, reason: "the value does not encode back to the same JSON" });
      continue;
    }
    if (!check(validator, value)) {
      failures.push({ key: item.key, reason: `refused by the validator: ${JSON.stringify(item.value).slice(0, 300)}` });
    }
  } catch (error) {
    failures.push({ key: item.key, reason: String(error) });
  }
}
process.stdout.write(`${JSON.stringify({ checked: cases.length, failures })}\n`);
