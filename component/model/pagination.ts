/** Cursor pagination shared by every domain's list functions. */
import type { PaginationOptions } from "convex/server";
import { v, type Validator } from "convex/values";
import { invalidArgument } from "./errors.js";
import { MAX_PAGE_SIZE } from "./limits.js";

/** The `{page, isDone, continueCursor}` result validator for pages of `item`. */
export function vPage<T extends Validator<any, "required", any>>(item: T) {
  return v.object({ page: v.array(item), isDone: v.boolean(), continueCursor: v.string() });
}

/**
 * Checks `paginationOpts.numItems`: an integer from 1 to MAX_PAGE_SIZE, else
 * INVALID_ARGUMENT (NaN, infinities, fractions, 0, negatives, too large). The
 * caller's other options (cursor, endCursor, ...) are kept.
 */
export function boundedPage(opts: PaginationOptions): PaginationOptions {
  const numItems = opts.numItems;
  if (!Number.isInteger(numItems) || numItems < 1 || numItems > MAX_PAGE_SIZE) {
    invalidArgument(
      `paginationOpts.numItems must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(numItems).slice(0, 32)}`,
      { field: "paginationOpts" },
    );
  }
  return opts;
}

/**
 * Runs `query.paginate(opts)`; a cursor the list cannot read (not one it returned)
 * is INVALID_ARGUMENT instead of the database's own parse error.
 */
export async function paginateChecked<R>(query: { paginate(opts: PaginationOptions): Promise<R> }, opts: PaginationOptions): Promise<R> {
  try {
    return await query.paginate(opts);
  } catch (error) {
    // Duck-typed: the error may come from another realm (the database syscall layer).
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    const text = typeof message === "string" ? message : "";
    if (opts.cursor !== null && (name === "SyntaxError" || /cursor|JSON/i.test(text))) {
      invalidArgument("paginationOpts.cursor is not a cursor this list returned", { field: "paginationOpts" });
    }
    throw error;
  }
}
