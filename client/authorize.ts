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
 * sees it. It is built from the call's arguments alone, before anything is
 * read: `resourceIds` holds the owner the call names (ids are unique per owner,
 * so the call can only reach that owner's rows), and `touchesUnowned` is true
 * when it names none and so addresses rows that belong to no resource.
 */
export interface Operation {
  /** The exposed function's name, e.g. "getThread". */
  name: string;
  domain: Domain;
  access: "read" | "write";
  /** The resource (tenant) ids whose rows the call reads or writes, deduplicated (one per call for owned domains). */
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

/** The identity claim that marks a service under the default policy. */
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
      // Neither the message nor the data names the resource: a refusal tells nothing about it.
      if (resourceId !== own) fail("FORBIDDEN", `${operation.name}: the caller may act only on its own resource`);
    }
  };
}
