// The schema @mastra/convex's README asks for, plus native vector tables for the benchmark.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import {
  mastraBackgroundTasksTable,
  mastraCacheListItemsTable,
  mastraCacheTable,
  mastraChannelConfigTable,
  mastraChannelInstallationsTable,
  mastraDocumentsTable,
  mastraMessagesTable,
  mastraObservationalMemoryTable,
  mastraResourcesTable,
  mastraScheduleTriggersTable,
  mastraSchedulesTable,
  mastraScoresTable,
  mastraThreadsTable,
  mastraVectorIndexesTable,
  mastraVectorsTable,
  mastraWorkflowSnapshotsTable,
} from "@mastra/convex/schema";

/**
 * A native vector table as `defineMastraNativeVectorTable` makes it, with `lang` copied
 * from the metadata as a filter field (the README: "equality filters on fields declared in
 * the Convex vector index filterFields").
 */
function nativeVectorTable(dimensions: number) {
  return defineTable({ id: v.string(), embedding: v.array(v.float64()), metadata: v.optional(v.any()), lang: v.optional(v.string()) })
    .index("by_record_id", ["id"])
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions, filterFields: ["lang"] });
}

export default defineSchema({
  mastra_threads: mastraThreadsTable,
  mastra_messages: mastraMessagesTable,
  mastra_resources: mastraResourcesTable,
  mastra_workflow_snapshots: mastraWorkflowSnapshotsTable,
  mastra_scorers: mastraScoresTable,
  mastra_schedules: mastraSchedulesTable,
  mastra_schedule_triggers: mastraScheduleTriggersTable,
  mastra_channel_installations: mastraChannelInstallationsTable,
  mastra_channel_config: mastraChannelConfigTable,
  mastra_background_tasks: mastraBackgroundTasksTable,
  mastra_observational_memory: mastraObservationalMemoryTable,
  mastra_vector_indexes: mastraVectorIndexesTable,
  mastra_vectors: mastraVectorsTable,
  mastra_cache: mastraCacheTable,
  mastra_cache_list_items: mastraCacheListItemsTable,
  mastra_documents: mastraDocumentsTable,
  docs_384: nativeVectorTable(384),
  docs_1536: nativeVectorTable(1536),
});
