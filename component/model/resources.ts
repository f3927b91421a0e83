/**
 * Tables, signatures and helpers of the resources domain. A resource is an owner
 * (tenant) itself: its id is the `resourceId` its threads and messages carry, so
 * every function addresses it by `resourceId`.
 */
import { defineTable } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { checkName, checkPlainObject, vMetadata, vOwner, withoutSystemFields, withoutUndefinedFields } from "./shared.js";
import { checkDocument } from "./limits.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

export const resourceFields = {
  /** The resource (owner) id; threads and messages name it as their resourceId. */
  id: v.string(),
  /** Free text the agent keeps about the resource (Mastra's working memory). */
  workingMemory: v.optional(v.string()),
  metadata: v.optional(vMetadata),
  createdAt: v.number(),
  updatedAt: v.number(),
};

export const resourceTables = {
  resources: defineTable(resourceFields).index("by_external_id", ["id"]),
};

export const vResource = v.object(resourceFields);
export type Resource = Infer<typeof vResource>;

const resourceData = { resourceId: vOwner, workingMemory: v.optional(v.string()), metadata: v.optional(vMetadata) };

/** Arguments of every resources function, shared by the component and the client helper. */
export const resourceArgs = {
  getResource: { resourceId: vOwner },
  saveResource: resourceData,
  updateResource: resourceData,
};

/** Results of every resources function. */
export const resourceReturns = {
  getResource: v.union(vResource, v.null()),
  saveResource: vResource,
  updateResource: vResource,
};

type ArgsOf<K extends keyof typeof resourceArgs> = ObjectType<(typeof resourceArgs)[K]>;

/** A stored resource as a result. */
export function toResource(doc: Doc<"resources">): Resource {
  return withoutSystemFields(doc);
}

async function findResource(db: Reader, id: string): Promise<Doc<"resources"> | null> {
  return db
    .query("resources")
    .withIndex("by_external_id", (q) => q.eq("id", id))
    .unique();
}

function checkData(args: ArgsOf<"saveResource">): void {
  checkName(args.resourceId, "resourceId");
  if (args.metadata !== undefined) checkPlainObject(args.metadata, "metadata");
}

/** The resource, or null when it does not exist. */
export async function getResource(db: Reader, args: ArgsOf<"getResource">): Promise<Resource | null> {
  checkName(args.resourceId, "resourceId");
  const doc = await findResource(db, args.resourceId);
  return doc === null ? null : toResource(doc);
}

/** Upsert: the resource becomes exactly what is given (createdAt is kept). */
export async function saveResource(db: Writer, args: ArgsOf<"saveResource">): Promise<Resource> {
  checkData(args);
  const existing = await findResource(db, args.resourceId);
  const now = Date.now();
  const resource = withoutUndefinedFields({
    id: args.resourceId,
    workingMemory: args.workingMemory,
    metadata: args.metadata,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  checkDocument(`resource "${args.resourceId}"`, resource);
  if (existing === null) await db.insert("resources", resource);
  else await db.replace(existing._id, resource);
  return resource;
}

/**
 * Sets workingMemory when given and merges metadata shallowly; creates the
 * resource when it does not exist yet.
 */
export async function updateResource(db: Writer, args: ArgsOf<"updateResource">): Promise<Resource> {
  checkData(args);
  const existing = await findResource(db, args.resourceId);
  if (existing === null) return saveResource(db, args);
  const resource = toResource(existing);
  if (args.workingMemory !== undefined) resource.workingMemory = args.workingMemory;
  if (args.metadata !== undefined) resource.metadata = { ...(existing.metadata ?? {}), ...args.metadata };
  resource.updatedAt = Date.now();
  checkDocument(`resource "${args.resourceId}"`, resource);
  await db.replace(existing._id, resource);
  return resource;
}
