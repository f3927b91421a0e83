import { defaultPolicy, exposeApi } from "convex-agent-memory/client";
import { components } from "./_generated/api.js";

/**
 * The whole agent-memory API as this app's public functions (`memory:getThread`,
 * ...). Authorization is the app's: the default policy binds a user to its own
 * resource id (`identity.subject`) and lets identities with the
 * `agent_memory_service` claim act on any resource.
 */
const memory = exposeApi(components.agentMemory, {
  authorize: defaultPolicy({ resourceIdClaim: "subject", serviceClaim: "agent_memory_service" }),
});

// threads
export const {
  getThread,
  saveThread,
  updateThread,
  deleteThread,
  listThreads,
  countThreads,
  watchThread,
  watchThreadsByResource,
} = memory;

// messages
export const {
  saveMessages,
  getMessagesByIds,
  listMessages,
  listMessagesByResource,
  updateMessages,
  deleteMessages,
  countMessages,
  watchMessages,
} = memory;

// recall
export const { recallMessages, setMessageEmbeddings, countMessageEmbeddings } = memory;

// resources
export const { getResource, saveResource, updateResource } = memory;

// vectors
export const {
  createIndex,
  listIndexes,
  describeIndex,
  deleteIndex,
  truncateIndex,
  upsert,
  updateVector,
  deleteVectors,
  getVectors,
  query,
} = memory;

// workflows
export const { persistWorkflowSnapshot, loadWorkflowSnapshot, getWorkflowRunById, listWorkflowRuns, countWorkflowRuns, deleteWorkflowRunById, updateWorkflowResults, updateWorkflowState, watchWorkflowRun, watchWorkflowRuns } = memory;

// scores
export const { saveScore, getScoreById, listScoresByScorerId, listScoresByRunId, listScoresByEntityId, listScoresBySpan } = memory;

// traces
export const { createSpans, updateSpans, getTrace, listTraces, deleteTraces } = memory;

// checkpoints (LangGraph's checkpointer)
export const {
  putCheckpoint,
  putCheckpointBlobs,
  putCheckpointWrites,
  getCheckpoint,
  listCheckpoints,
  listCheckpointWrites,
  getCheckpointValues,
  countCheckpoints,
  listCheckpointNamespaces,
  listCheckpointThreads,
  deleteCheckpointThread,
  deleteCheckpointsForRuns,
  copyCheckpointThread,
  pruneCheckpoints,
} = memory;

// store (LangGraph's long-term memory store)
export const { putStoreItems, getStoreItems, touchStoreItems, searchStoreItems, searchStoreByVector, listStoreNamespaces, countStoreItems } =
  memory;
