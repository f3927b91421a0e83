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
 * Checks `paginationOpts` and caps numItems at MAX_PAGE_SIZE; the caller's other options
 * (cursor, endCursor, maximumRowsRead, ...) are kept.
 */
export function boundedPage(opts: PaginationOptions): PaginationOptions {
  const numItems = opts.numItems;
  if (!Number.isInteger(numItems) || numItems < 1) {
    invalidArgument(`paginationOpts.numItems must be a positive integer, got ${numItems}`, {
      field: "paginationOpts",
    });
  }
  return { ...opts, numItems: Math.min(numItems, MAX_PAGE_SIZE) };
}
