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
 * Checks `paginationOpts` and caps numItems at MAX_PAGE_SIZE; the caller's other options
 * (cursor, endCursor, ...) are kept.
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
