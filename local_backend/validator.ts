/**
 * Argument validation as a deployment does it, where convex-test is looser
 * (it skips `v.record`, lets an extra field named like an `Object.prototype`
 * member through, and words its errors its own way).
 *
 * A port of `Validator::check_value` and `ValidationError` from
 * `crates/common/src/schemas/validator.rs`, over the validator JSON that
 * `exportArgs()` gives (the same JSON the CLI pushes), with the checks of
 * `ArgsValidator::check_args` (`crates/model/src/modules/function_validators.rs`).
 */
import { jsonToConvex, type Value } from "convex/values";
import { compareFieldNames, displayValue, isPlainObject, ownField } from "./values.js";

/** The validator JSON of `exportArgs()` / `exportReturns()`. */
export type ValidatorJson =
  | { type: "null" | "number" | "bigint" | "boolean" | "string" | "bytes" | "any" }
  | { type: "literal"; value: unknown }
  | { type: "id"; tableName: string }
  | { type: "array"; value: ValidatorJson }
  | { type: "record"; keys: ValidatorJson; values: { fieldType: ValidatorJson; optional?: boolean } }
  | { type: "object"; value: Record<string, { fieldType: ValidatorJson; optional: boolean }> }
  | { type: "union"; value: ValidatorJson[] };

/** How table names are read from ids (convex-test's ids are `<counter><table>`). */
export function tableNameFromId(id: string): string | null {
  const match = /^[0-9]+/.exec(id);
  if (match === null || match[0].length === id.length) return null;
  const table = id.slice(match[0].length);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(table) ? table : null;
}

// --- Display for Validator ------------------------------------------------------------------

function literalValue(json: unknown): Value {
  return jsonToConvex(json as never);
}

/** `LiteralValidator`'s Display: JSON for strings, numbers and booleans, `<bigint>` for int64. */
function displayLiteral(value: Value): string {
  if (typeof value === "bigint") return "<bigint>";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "<number>";
    const text = JSON.stringify(value);
    return /[.eE]/.test(text) ? text : `${text}.0`;
  }
  return JSON.stringify(value);
}

export function displayValidator(validator: ValidatorJson): string {
  switch (validator.type) {
    case "id":
      return `v.id("${validator.tableName}")`;
    case "null":
      return "v.null()";
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "boolean":
      return "v.boolean()";
    case "string":
      return "v.string()";
    case "bytes":
      return "v.bytes()";
    case "any":
      return "v.any()";
    case "literal":
      return `v.literal(${displayLiteral(literalValue(validator.value))})`;
    case "array":
      return `v.array(${displayValidator(validator.value)})`;
    case "record":
      return `v.record(${displayValidator(validator.keys)}, ${displayValidator(validator.values.fieldType)})`;
    case "union":
      return `v.union(${validator.value.map(displayValidator).join(", ")})`;
    case "object":
      return displayObjectValidator(validator);
    default:
      return "v.any()";
  }
}

function displayObjectValidator(validator: Extract<ValidatorJson, { type: "object" }>): string {
  const fields = Object.keys(validator.value)
    .sort(compareFieldNames)
    .map((name) => {
      const field = validator.value[name];
      const shown = displayValidator(field.fieldType);
      return `${name}: ${field.optional ? `v.optional(${shown})` : shown}`;
    });
  return `v.object({${fields.join(", ")}})`;
}

// --- ValidationError --------------------------------------------------------------------------

/** A value that does not match its validator; `message` is the backend's `ValidationError` text. */
export class ValidationError extends Error {
  /** Path segments, innermost first (`ValidationContext.reversed_path`). */
  readonly reversedPath: string[] = [];
  constructor(private readonly render: (context: string) => string) {
    super("a value does not match its validator");
    this.name = "ValidationError";
  }
  withContext(segment: string): this {
    this.reversedPath.push(segment);
    return this;
  }
  /** The backend's message, with the path where the value failed (`ValidationContext`). */
  describe(): string {
    const context = this.reversedPath.length === 0 ? "" : `Path: ${[...this.reversedPath].reverse().join("")}`;
    return this.render(context);
  }
}

function noMatch(value: Value, validator: ValidatorJson): ValidationError {
  return new ValidationError(
    (context) => `Value does not match validator.\n${context}\nValue: ${displayValue(value)}\nValidator: ${displayValidator(validator)}`,
  );
}

function sameValue(a: Value, b: Value): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b);
  return a === b;
}

/** `Validator::check_value_internal`. Throws {@link ValidationError}. */
export function checkValue(validator: ValidatorJson, value: Value): void {
  switch (validator.type) {
    case "id": {
      const table = typeof value === "string" ? tableNameFromId(value) : null;
      if (typeof value !== "string" || table === null) throw noMatch(value, validator);
      if (table !== validator.tableName) {
        if (table.startsWith("_")) {
          throw new ValidationError(
            (context) =>
              `Found ID ${JSON.stringify(value)} from a system table, which does not match the table name in validator \`v.id("${validator.tableName}")\`.${context}`,
          );
        }
        throw new ValidationError(
          (context) =>
            `Found ID ${JSON.stringify(value)} from table \`${table}\`, which does not match the table name in validator \`v.id("${validator.tableName}")\`.${context}`,
        );
      }
      return;
    }
    case "null":
      if (value !== null) throw noMatch(value, validator);
      return;
    case "number":
      if (typeof value !== "number") throw noMatch(value, validator);
      return;
    case "bigint":
      if (typeof value !== "bigint") throw noMatch(value, validator);
      return;
    case "boolean":
      if (typeof value !== "boolean") throw noMatch(value, validator);
      return;
    case "string":
      if (typeof value !== "string") throw noMatch(value, validator);
      return;
    case "bytes":
      if (!(value instanceof ArrayBuffer)) throw noMatch(value, validator);
      return;
    case "any":
      return;
    case "literal": {
      const literal = literalValue(validator.value);
      if (!sameValue(value, literal)) {
        throw new ValidationError(
          (context) => `\`${displayValue(value)}\` does not match literal validator \`v.literal(${displayLiteral(literal)})\`.${context}`,
        );
      }
      return;
    }
    case "array":
      if (!Array.isArray(value)) throw noMatch(value, validator);
      value.forEach((item, i) => {
        try {
          checkValue(validator.value, item);
        } catch (error) {
          throw error instanceof ValidationError ? error.withContext(`[${i}]`) : error;
        }
      });
      return;
    case "record": {
      if (!isPlainObject(value)) throw noMatch(value, validator);
      for (const key of Object.keys(value).sort(compareFieldNames)) {
        const item = ownField(value, key) as Value;
        if (item === undefined) continue;
        try {
          checkValue(validator.keys, key);
        } catch (error) {
          throw error instanceof ValidationError ? error.withContext(".keys()") : error;
        }
        try {
          checkValue(validator.values.fieldType, item);
        } catch (error) {
          throw error instanceof ValidationError ? error.withContext(".values()") : error;
        }
      }
      return;
    }
    case "object": {
      if (!isPlainObject(value)) throw noMatch(value, validator);
      for (const name of Object.keys(validator.value).sort(compareFieldNames)) {
        const field = validator.value[name];
        const item = ownField(value, name) as Value | undefined;
        if (item !== undefined) {
          try {
            checkValue(field.fieldType, item);
          } catch (error) {
            throw error instanceof ValidationError ? error.withContext(`.${name}`) : error;
          }
        } else if (!field.optional) {
          throw new ValidationError(
            (context) =>
              `Object is missing the required field \`${name}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n${context}\nObject: ${displayValue(value)}\nValidator: ${displayObjectValidator(validator)}`,
          );
        }
      }
      for (const name of Object.keys(value).sort(compareFieldNames)) {
        if (ownField(value, name) === undefined) continue;
        if (!Object.prototype.hasOwnProperty.call(validator.value, name)) {
          throw new ValidationError(
            (context) =>
              `Object contains extra field \`${name}\` that is not in the validator.\n${context}\nObject: ${displayValue(value)}\nValidator: ${displayObjectValidator(validator)}`,
          );
        }
      }
      return;
    }
    case "union": {
      if (validator.value.length === 1) return checkValue(validator.value[0], value);
      for (const member of validator.value) {
        try {
          checkValue(member, value);
          return;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
        }
      }
      throw noMatch(value, validator);
    }
    default:
      return;
  }
}

/** The first checks of `check_args`: one argument, an object. */
export function argsShapeProblem(args: Value[]): string | null {
  if (args.length !== 1) {
    return `Expected to receive a single object as the function's argument. Instead received ${args.length} arguments: ${displayValue(args)}`;
  }
  if (!isPlainObject(args[0])) {
    return `Expected to receive an object as the function's argument. Instead received: ${displayValue(args[0])}`;
  }
  return null;
}

/**
 * `ArgsValidator::check_args`: the positional arguments against the
 * function's `args` validator (`{type: "any"}` when it declares none).
 * Returns the error message (without the `ArgumentValidationError: ` prefix)
 * or null.
 */
export function checkArgs(validator: ValidatorJson, args: Value[]): string | null {
  if (validator.type !== "object") return null;
  const shape = argsShapeProblem(args);
  if (shape !== null) return shape;
  const [single] = args;
  try {
    checkValue(validator, single);
    return null;
  } catch (error) {
    if (error instanceof ValidationError) return error.describe();
    throw error;
  }
}
