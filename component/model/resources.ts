/** Tables, validators and helpers of the resources domain. */
import { defineTable } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter } from "convex/server";
import { v, type Infer } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { checkDocument } from "./limits.js";
import { clean, vMetadata } from "./threads.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

export const resourceFields = {
  /** The resource (tenant) id; threads and messages name it as their resourceId. */
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

/** Args and returns of every resources function, shared by the component and the client helper. */
export const resourceSignatures = {
  getResource: {
    args: { id: v.string() },
    returns: v.union(vResource, v.null()),
  },
  saveResource: {
    args: { id: v.string(), workingMemory: v.optional(v.string()), metadata: v.optional(vMetadata) },
    returns: vResource,
  },
  updateResource: {
    args: { id: v.string(), workingMemory: v.optional(v.string()), metadata: v.optional(vMetadata) },
    returns: vResource,
  },
};

export function toResource(doc: Doc<"resources">): Resource {
  const { _id, _creationTime, ...resource } = doc;
  return resource;
}

async function findResource(db: Reader, id: string): Promise<Doc<"resources"> | null> {
  return db
    .query("resources")
    .withIndex("by_external_id", (q) => q.eq("id", id))
    .unique();
}

export async function getResource(db: Reader, id: string): Promise<Resource | null> {
  const doc = await findResource(db, id);
  return doc === null ? null : toResource(doc);
}

/** Upsert: the resource becomes exactly what is given (createdAt is kept). */
export async function saveResource(
  db: Writer,
  args: { id: string; workingMemory?: string; metadata?: Record<string, any> },
): Promise<Resource> {
  const existing = await findResource(db, args.id);
  const now = Date.now();
  const resource = clean({
    id: args.id,
    workingMemory: args.workingMemory,
    metadata: args.metadata,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  checkDocument(`resource "${args.id}"`, resource);
  if (existing === null) await db.insert("resources", resource);
  else await db.replace(existing._id, resource);
  return resource;
}

/**
 * Sets workingMemory when given and merges metadata shallowly; creates the
 * resource when it does not exist yet.
 */
export async function updateResource(
  db: Writer,
  args: { id: string; workingMemory?: string; metadata?: Record<string, any> },
): Promise<Resource> {
  const existing = await findResource(db, args.id);
  if (existing === null) return saveResource(db, args);
  const resource = toResource(existing);
  if (args.workingMemory !== undefined) resource.workingMemory = args.workingMemory;
  if (args.metadata !== undefined) resource.metadata = { ...(existing.metadata ?? {}), ...args.metadata };
  resource.updatedAt = Date.now();
  checkDocument(`resource "${args.id}"`, resource);
  await db.replace(existing._id, resource);
  return resource;
}
