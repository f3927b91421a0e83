/**
 * Builds the host app's public functions around the component's functions.
 *
 * Every exposed function of an owned domain authorizes from its arguments
 * alone, before it reads anything: the owner it acts for is the `resourceId`
 * it names (none: the unowned namespace). Whether an id exists is only ever
 * asked of the component afterwards, within that owner's rows, so another
 * owner's id answers exactly as a missing one, and a caller without a token is
 * refused (UNAUTHENTICATED under the default policy) before anything is read.
 */
import {
  actionGeneric,
  mutationGeneric,
  queryGeneric,
  type FunctionReference,
  type GenericActionCtx,
  type GenericMutationCtx,
  type GenericQueryCtx,
  type RegisteredAction,
  type RegisteredMutation,
  type RegisteredQuery,
} from "convex/server";
import type { GenericDataModel } from "convex/server";
import type { ObjectType, PropertyValidators, Validator } from "convex/values";
import type { Authorize, Domain, Operation } from "./authorize.js";

/** The operation a call with these arguments performs, as the `authorize` hook sees it. */
export function ownerOperation(
  domain: Domain,
  name: string,
  access: Operation["access"],
  args: { resourceId?: unknown },
): Operation {
  const owner = typeof args.resourceId === "string" ? args.resourceId : undefined;
  return {
    name,
    domain,
    access,
    resourceIds: owner === undefined ? [] : [owner],
    touchesUnowned: owner === undefined,
  };
}

type Ref = FunctionReference<any, "internal">;

/** A public query that authorizes a read from its arguments, then runs the component's query. */
export function ownedQuery<A extends PropertyValidators, R extends Validator<any, "required", any>>(
  authorize: Authorize,
  domain: Domain,
  name: string,
  signature: { args: A; returns: R },
  ref: Ref,
): RegisteredQuery<"public", ObjectType<A>, Promise<R["type"]>> {
  return queryGeneric({
    args: signature.args,
    returns: signature.returns,
    handler: async (ctx: GenericQueryCtx<GenericDataModel>, args: ObjectType<A>) => {
      await authorize(ctx, ownerOperation(domain, name, "read", args));
      return ctx.runQuery(ref, args);
    },
  }) as RegisteredQuery<"public", ObjectType<A>, Promise<R["type"]>>;
}

/** A public mutation that authorizes a write from its arguments, then runs the component's mutation. */
export function ownedMutation<A extends PropertyValidators, R extends Validator<any, "required", any>>(
  authorize: Authorize,
  domain: Domain,
  name: string,
  signature: { args: A; returns: R },
  ref: Ref,
): RegisteredMutation<"public", ObjectType<A>, Promise<R["type"]>> {
  return mutationGeneric({
    args: signature.args,
    returns: signature.returns,
    handler: async (ctx: GenericMutationCtx<GenericDataModel>, args: ObjectType<A>) => {
      await authorize(ctx, ownerOperation(domain, name, "write", args));
      return ctx.runMutation(ref, args);
    },
  }) as RegisteredMutation<"public", ObjectType<A>, Promise<R["type"]>>;
}

/** A public action that authorizes a read from its arguments, then runs the component's action. */
export function ownedAction<A extends PropertyValidators, R extends Validator<any, "required", any>>(
  authorize: Authorize,
  domain: Domain,
  name: string,
  signature: { args: A; returns: R },
  ref: Ref,
): RegisteredAction<"public", ObjectType<A>, Promise<R["type"]>> {
  return actionGeneric({
    args: signature.args,
    returns: signature.returns,
    handler: async (ctx: GenericActionCtx<GenericDataModel>, args: ObjectType<A>) => {
      await authorize(ctx, ownerOperation(domain, name, "read", args));
      return ctx.runAction(ref, args);
    },
  }) as RegisteredAction<"public", ObjectType<A>, Promise<R["type"]>>;
}

/** The signature of function `name` from a domain's args and returns maps. */
export function signatureOf<
  Args extends Record<string, PropertyValidators>,
  Returns extends { [K in keyof Args]: Validator<any, "required", any> },
  K extends keyof Args & string,
>(args: Args, returns: Returns, name: K): { args: Args[K]; returns: Returns[K] } {
  return { args: args[name], returns: returns[name] };
}
