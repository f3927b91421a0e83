import type { Auth, UserIdentity } from "convex/server";
import { fail } from "../component/model/errors.js";

/** The component's domains, one per module (and one namespace in the Python SDK). */
export type Domain =
  | "threads"
  | "messages"
  | "recall"
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
  /**
   * A claim that limits a service identity to the listed resource ids (an
   * array of strings): it may act on those only, never on rows that belong to
   * no resource, and may read but not change vector indexes (shared by every
   * resource). Default: "agent_memory_resources".
   */
  resourcesClaim?: string;
  /** A claim that, when true (or "true"), limits a service identity to reads. Default: "agent_memory_read_only". */
  readOnlyClaim?: string;
}

/** The identity claim that marks a service under the default policy. */
export const DEFAULT_SERVICE_CLAIM = "agent_memory_service";
export const DEFAULT_RESOURCES_CLAIM = "agent_memory_resources";
export const DEFAULT_READ_ONLY_CLAIM = "agent_memory_read_only";

/** Whether the identity carries the service claim. */
export function isServiceIdentity(identity: UserIdentity, serviceClaim = DEFAULT_SERVICE_CLAIM): boolean {
  const value = (identity as Record<string, unknown>)[serviceClaim];
  return value === true || value === "true";
}

/**
 * The default policy:
 * - an identity is required (UNAUTHENTICATED otherwise);
 * - a service identity may do anything, unless its token is scoped: with the
 *   resources claim, only on the listed resource ids (vector indexes: read
 *   only); with the read-only claim, reads only;
 * - a user acts only on its own resource id, and never on rows that belong to no resource;
 * - vector indexes are shared: users may read (query, describe, list, get); only services write.
 */
export function defaultPolicy(options: DefaultPolicyOptions = {}): Authorize {
  const resourceIdClaim = options.resourceIdClaim ?? "subject";
  const serviceClaim = options.serviceClaim ?? DEFAULT_SERVICE_CLAIM;
  const scope = {
    resourcesClaim: options.resourcesClaim ?? DEFAULT_RESOURCES_CLAIM,
    readOnlyClaim: options.readOnlyClaim ?? DEFAULT_READ_ONLY_CLAIM,
  };
  return async (ctx, operation) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      fail("UNAUTHENTICATED", `${operation.name} needs an authenticated caller`);
    }
    if (isServiceIdentity(identity, serviceClaim)) {
      enforceServiceScope(identity, operation, scope);
      return;
    }
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

/**
 * The limits a scoped service token carries (see {@link DefaultPolicyOptions}):
 * throws FORBIDDEN when the operation is outside them. An unscoped service
 * identity passes.
 */
export function enforceServiceScope(
  identity: UserIdentity,
  operation: Operation,
  claims: { resourcesClaim: string; readOnlyClaim: string } = {
    resourcesClaim: DEFAULT_RESOURCES_CLAIM,
    readOnlyClaim: DEFAULT_READ_ONLY_CLAIM,
  },
): void {
  const fields = identity as Record<string, unknown>;
  const readOnly = fields[claims.readOnlyClaim];
  if ((readOnly === true || readOnly === "true") && operation.access === "write") {
    fail("FORBIDDEN", `${operation.name}: this service token is read-only`);
  }
  const listed = fields[claims.resourcesClaim];
  if (listed === undefined || listed === null) return;
  if (!Array.isArray(listed) || !listed.every((id) => typeof id === "string")) {
    fail("FORBIDDEN", `${operation.name}: the "${claims.resourcesClaim}" claim must list resource ids`);
  }
  if (operation.domain === "vectors") {
    if (operation.access === "read") return;
    fail("FORBIDDEN", `${operation.name}: a service token scoped to resources may not change vector indexes`, {
      indexName: operation.indexName ?? null,
    });
  }
  if (operation.touchesUnowned) {
    fail("FORBIDDEN", `${operation.name}: rows that belong to no resource are outside this service token's resources`);
  }
  for (const resourceId of operation.resourceIds) {
    // As for users, the refusal names no resource.
    if (!listed.includes(resourceId)) fail("FORBIDDEN", `${operation.name}: the service token may act only on its listed resources`);
  }
}

