/** Arguments for every exposed function of the owned domains (and the vector domain), by owner and id. */
import { text } from "../component/core-fixtures.js";

export const page = { numItems: 50, cursor: null };
export type Args = Record<string, unknown>;
export type Make = (owner: string | undefined, id: string) => Args;
const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const unit = (axis: number) => Array.from({ length: 128 }, (_, i) => (i === axis ? 1 : 0));
const owned = (owner: string | undefined) => (owner === undefined ? {} : { resourceId: owner });
/** A 128-dimension unit vector along `i`. */
const axis = (i: number) => Array.from({ length: 128 }, (_, j) => (j === i ? 1 : 0));

/** Every exposed function of the owned domains, with arguments for an owner and an id. */
export const CALLS: Record<string, Make> = {
  // threads
  getThread: (r, id) => ({ resourceId: r, id }),
  saveThread: (r, id) => ({ resourceId: r, id, title: `title of ${id}`, metadata: { n: 1 } }),
  updateThread: (r, id) => ({ resourceId: r, id, title: "retitled", metadata: { m: 2 } }),
  deleteThread: (r, id) => ({ resourceId: r, id }),
  listThreads: (r) => ({ resourceId: r, paginationOpts: page }),
  countThreads: (r) => ({ resourceId: r }),
  watchThread: (r, id) => ({ resourceId: r, id }),
  watchThreadsByResource: (r) => ({ resourceId: r }),
  // messages
  saveMessages: (r, id) => ({
    resourceId: r,
    messages: [1, 2, 3].map((i) => ({ id: `${id}-m${i}`, threadId: id, role: "user", content: text(`${i}`), createdAt: i })),
  }),
  getMessagesByIds: (r, id) => ({ resourceId: r, ids: [`${id}-m1`, `${id}-m3`] }),
  listMessages: (r, id) => ({ resourceId: r, threadId: id, paginationOpts: page, include: [{ id: `${id}-m2`, withPreviousMessages: 1 }] }),
  listMessagesByResource: (r) => ({ resourceId: r, paginationOpts: page }),
  updateMessages: (r, id) => ({ resourceId: r, messages: [{ id: `${id}-m1`, role: "tool" }] }),
  deleteMessages: (r, id) => ({ resourceId: r, ids: [`${id}-m2`] }),
  countMessages: (r, id) => ({ resourceId: r, threadId: id }),
  watchMessages: (r, id) => ({ resourceId: r, threadId: id }),
  // recall (embeddings of the messages saveMessages wrote)
  setMessageEmbeddings: (r, id) => ({
    resourceId: r,
    embeddings: [1, 2, 3].map((i) => ({ id: `${id}-m${i}`, embedding: axis(i) })),
  }),
  recallMessages: (r, id) => ({ resourceId: r, threadId: id, queryVector: axis(1), topK: 3, before: 1, after: 1, keywordQuery: "1" }),
  countMessageEmbeddings: (r, id) => ({ resourceId: r, threadId: id }),
  // resources (a resource is its owner)
  getResource: (r) => ({ resourceId: r }),
  saveResource: (r) => ({ resourceId: r, workingMemory: "notes" }),
  updateResource: (r) => ({ resourceId: r, metadata: { k: 1 } }),
  // workflows
  persistWorkflowSnapshot: (r, id) => ({ ...owned(r), workflowName: "wf", runId: id, snapshot: '{"status":"running","context":{"a":1}}' }),
  loadWorkflowSnapshot: (r, id) => ({ ...owned(r), workflowName: "wf", runId: id }),
  getWorkflowRunById: (r, id) => ({ ...owned(r), runId: id }),
  listWorkflowRuns: (r) => ({ ...owned(r), workflowName: "wf", paginationOpts: page }),
  countWorkflowRuns: (r) => ({ ...owned(r), workflowName: "wf" }),
  deleteWorkflowRunById: (r, id) => ({ ...owned(r), runId: id, workflowName: "wf" }),
  updateWorkflowResults: (r, id) => ({ ...owned(r), workflowName: "wf", runId: id, stepId: "s", result: '{"n":12345678901234567890}', requestContext: '{"k":1}' }),
  updateWorkflowState: (r, id) => ({ ...owned(r), workflowName: "wf", runId: id, opts: '{"status":"suspended"}' }),
  watchWorkflowRun: (r, id) => ({ ...owned(r), runId: id }),
  watchWorkflowRuns: (r) => ({ ...owned(r), workflowName: "wf" }),
  // scores
  saveScore: (r, id) => ({ ...owned(r), id, scorerId: id, entityId: id, entityType: "agent", runId: id, traceId: id, spanId: id, score: 0.5, source: "LIVE", input: '{"$q":1}' }),
  getScoreById: (r, id) => ({ ...owned(r), id }),
  listScoresByScorerId: (r, id) => ({ ...owned(r), scorerId: id, paginationOpts: page }),
  listScoresByRunId: (r, id) => ({ ...owned(r), runId: id, paginationOpts: page }),
  listScoresByEntityId: (r, id) => ({ ...owned(r), entityId: id, entityType: "agent", paginationOpts: page }),
  listScoresBySpan: (r, id) => ({ ...owned(r), traceId: id, spanId: id, paginationOpts: page }),
  // traces
  createSpans: (r, id) => ({
    ...owned(r),
    spans: [
      { traceId: id, spanId: id, name: "root", spanType: "agent_run", entityType: "agent", entityId: id, startedAt: 10 },
      { traceId: id, spanId: `${id}-child`, parentSpanId: id, name: "child", spanType: "tool_call", startedAt: 11 },
    ],
  }),
  updateSpans: (r, id) => ({ ...owned(r), updates: [{ traceId: id, spanId: id, endedAt: 20, output: '{"$o":[1]}' }] }),
  getTrace: (r, id) => ({ ...owned(r), traceId: id }),
  listTraces: (r) => ({ ...owned(r), paginationOpts: page }),
  deleteTraces: (r, id) => ({ ...owned(r), traceIds: [id] }),
  // checkpoints (LangGraph's checkpointer)
  putCheckpoint: (r, id) => ({
    resourceId: r,
    threadId: id,
    checkpointNs: "",
    checkpointId: "cp-1",
    type: "msgpack",
    checkpoint: bytes(`state of ${id}`),
    metadata: `{"source":"loop","step":1,"run_id":"run-${id}","$note":1}`,
    channelVersions: [{ channel: "c", version: "1" }],
    blobs: [{ channel: "c", version: "1", type: "msgpack", data: bytes(`value of ${id}`) }],
  }),
  putCheckpointBlobs: (r, id) => ({ resourceId: r, threadId: id, checkpointNs: "", blobs: [{ channel: "d", version: "1", type: "msgpack", data: bytes("d") }] }),
  putCheckpointWrites: (r, id) => ({
    resourceId: r,
    threadId: id,
    checkpointNs: "",
    checkpointId: "cp-1",
    taskId: "task",
    taskPath: "",
    writes: [{ idx: 0, channel: "c", type: "msgpack", data: bytes(`write of ${id}`) }],
  }),
  getCheckpoint: (r, id) => ({ resourceId: r, threadId: id, checkpointNs: "" }),
  listCheckpoints: (r, id) => ({ resourceId: r, threadId: id, checkpointNs: "", filter: '{"source":"loop"}', paginationOpts: page }),
  listCheckpointWrites: (r, id) => ({ resourceId: r, threadId: id, checkpointNs: "", fromCheckpointId: "", toCheckpointId: "cp-9", paginationOpts: page }),
  getCheckpointValues: (r, id) => ({
    resourceId: r,
    threadId: id,
    blobs: [{ checkpointNs: "", channel: "c", version: "1" }],
    writes: [{ checkpointNs: "", checkpointId: "cp-1", taskId: "task", idx: 0 }],
  }),
  countCheckpoints: (r, id) => ({ resourceId: r, threadId: id, checkpointNs: "" }),
  listCheckpointNamespaces: (r, id) => ({ resourceId: r, threadId: id, paginationOpts: page }),
  listCheckpointThreads: (r) => ({ resourceId: r, paginationOpts: page }),
  deleteCheckpointThread: (r, id) => ({ resourceId: r, threadId: id }),
  deleteCheckpointsForRuns: (r, id) => ({ resourceId: r, runIds: [`run-${id}`] }),
  copyCheckpointThread: (r, id) => ({ resourceId: r, sourceThreadId: id, targetThreadId: `${id}-copy` }),
  pruneCheckpoints: (r, id) => ({ resourceId: r, threadIds: [id], strategy: "keep_latest" }),
  // store (LangGraph's long-term memory store)
  putStoreItems: (r, id) => ({
    resourceId: r,
    ops: [{ namespace: ["memories", id], key: "fact", value: '{"text":"likes tea","n":1,"$v":2}', ttlMinutes: 60, vectors: [{ path: "text", vector: unit(0) }] }],
  }),
  getStoreItems: (r, id) => ({ resourceId: r, items: [{ namespace: ["memories", id], key: "fact" }] }),
  touchStoreItems: (r, id) => ({ resourceId: r, items: [{ namespace: ["memories", id], key: "fact" }] }),
  searchStoreItems: (r, id) => ({ resourceId: r, namespacePrefix: ["memories", id], filter: '{"n":{"$gte":1}}', paginationOpts: page }),
  searchStoreByVector: (r, id) => ({ resourceId: r, namespacePrefix: ["memories", id], queryVector: unit(1), limit: 5 }),
  listStoreNamespaces: (r) => ({ resourceId: r, prefix: ["memories", "*"], maxDepth: 2, paginationOpts: page }),
  countStoreItems: (r, id) => ({ resourceId: r, namespace: ["memories", id] }),
};


/** Arguments for every exposed function of the vector domain. */
export const VECTOR_CALLS: Record<string, Args> = {
  createIndex: { name: "fuzz-index", dimension: 128, filterableKeys: ["topic"] },
  listIndexes: { paginationOpts: page },
  describeIndex: { indexName: "fuzz-index" },
  deleteIndex: { indexName: "fuzz-index" },
  truncateIndex: { indexName: "fuzz-index" },
  upsert: { indexName: "fuzz-index", vectors: [{ id: "v1", vector: Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0)), metadata: { topic: "a" } }] },
  updateVector: { indexName: "fuzz-index", id: "v1", metadata: { topic: "b" } },
  deleteVectors: { indexName: "fuzz-index", ids: ["v1"] },
  getVectors: { indexName: "fuzz-index", ids: ["v1"] },
  query: { indexName: "fuzz-index", queryVector: Array.from({ length: 128 }, (_, i) => (i === 1 ? 1 : 0)), topK: 3 },
};
