/** Cursor pagination shared by every domain's list functions. */
import { paginationResultValidator, type PaginationOptions, type PaginationResult } from "convex/server";
import type { Validator } from "convex/values";
import { invalidArgument } from "./errors.js";
import { MAX_PAGE_SIZE } from "./limits.js";

/**
 * The result validator for pages of `item`: convex's own `paginationResultValidator`,
 * `{page, isDone, continueCursor, splitCursor?, pageStatus?}`. A page the backend cut short
 * at a read limit comes back with `pageStatus: "SplitRequired"` and a `splitCursor` (or
 * "SplitRecommended" near the limit; crates/isolate/src/environment/udf/async_syscall.rs
 * `read_page_from_query`), which clients split on as `usePaginatedQuery` does.
 */
export function vPage<T extends Validator<any, "required", any>>(item: T) {
  return paginationResultValidator(item);
}

/**
 * `result` (what `.paginate()` returned) with `page` as its items: `isDone`,
 * `continueCursor`, and `splitCursor`/`pageStatus` when the backend set them, passed through.
 */
export function pageOf<T>(result: PaginationResult<unknown>, page: T[]): PaginationResult<T> {
  const { isDone, continueCursor, splitCursor, pageStatus } = result;
  return {
    page,
    isDone,
    continueCursor,
    ...(splitCursor !== undefined ? { splitCursor } : {}),
    ...(pageStatus !== undefined ? { pageStatus } : {}),
  };
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
