import type { Auth, UserIdentity } from "convex/server";
import { fail } from "../component/model/errors.js";

/** The component's domains, one per module (and one namespace in the Python SDK). */
export type Domain =
  | "threads"
  | "messages"
  | "resources"
  | "vectors"
  | "workflows"
  | "scores"
  | "traces"
  | "checkpoints"
  | "store";

/**
 * What an exposed function is about to do, as the host app's `authorize` hook
 * sees it. Reads by id are authorized after the rows are fetched, so
 * `resourceIds` names the owners of what would be returned.
 */
export interface Operation {
  /** The exposed function's name, e.g. "getThread". */
  name: string;
  domain: Domain;
  access: "read" | "write";
  /** The resource (tenant) ids whose rows the call reads or writes, deduplicated. */
  resourceIds: string[];
  /** True when the call reads or writes rows that belong to no resource. */
  touchesUnowned?: boolean;
  /** Vector operations: the index the call names. */
  indexName?: string;
}

export interface AuthorizeCtx {
  auth: Auth;
}

/** Throws (a ConvexError with UNAUTHENTICATED or FORBIDDEN) to refuse the operation. */
export type Authorize = (ctx: AuthorizeCtx, operation: Operation) => Promise<void>;

export interface DefaultPolicyOptions {
  /** The identity field that holds a user's resource id. Default: "subject". */
  resourceIdClaim?: string;
  /** A claim that, when true (or "true"), marks a service identity that may act on any resource. Default: "agent_memory_service". */
  serviceClaim?: string;
}

export const DEFAULT_SERVICE_CLAIM = "agent_memory_service";

/** Whether the identity carries the service claim. */
export function isServiceIdentity(identity: UserIdentity, serviceClaim = DEFAULT_SERVICE_CLAIM): boolean {
  const value = (identity as Record<string, unknown>)[serviceClaim];
  return value === true || value === "true";
}

/**
 * The default policy:
 * - an identity is required (UNAUTHENTICATED otherwise);
 * - a service identity may do anything;
 * - a user acts only on its own resource id, and never on rows that belong to no resource;
 * - vector indexes are shared: users may read (query, describe, list, get); only services write.
 */
export function defaultPolicy(options: DefaultPolicyOptions = {}): Authorize {
  const resourceIdClaim = options.resourceIdClaim ?? "subject";
  const serviceClaim = options.serviceClaim ?? DEFAULT_SERVICE_CLAIM;
  return async (ctx, operation) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      fail("UNAUTHENTICATED", `${operation.name} needs an authenticated caller`);
    }
    if (isServiceIdentity(identity, serviceClaim)) return;
    if (operation.domain === "vectors") {
      if (operation.access === "read") return;
      fail("FORBIDDEN", `${operation.name}: only a service identity may change vector indexes`, {
        indexName: operation.indexName ?? null,
      });
    }
    const own = (identity as Record<string, unknown>)[resourceIdClaim];
    if (typeof own !== "string" || own.length === 0) {
      fail("FORBIDDEN", `${operation.name}: the identity has no "${resourceIdClaim}" claim to act as a resource`);
    }
    if (operation.touchesUnowned) {
      fail("FORBIDDEN", `${operation.name}: rows that belong to no resource are for service identities only`);
    }
    for (const resourceId of operation.resourceIds) {
      if (resourceId !== own) {
        fail("FORBIDDEN", `${operation.name}: the caller may not act on resource "${resourceId}"`, {
          resourceId,
        });
      }
    }
  };
}

/** Deduplicated resource ids of the given rows (null/undefined owners are dropped). */
export function ownersOf(rows: Array<{ resourceId?: string | null } | null | undefined>): {
  resourceIds: string[];
  touchesUnowned: boolean;
} {
  const ids = new Set<string>();
  let touchesUnowned = false;
  for (const row of rows) {
    if (row === null || row === undefined) continue;
    if (typeof row.resourceId === "string") ids.add(row.resourceId);
    else touchesUnowned = true;
  }
  return { resourceIds: [...ids].sort(), touchesUnowned };
}
