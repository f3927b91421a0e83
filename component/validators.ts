/**
 * Validators of the objects the component takes and returns, for host apps that
 * write their own functions around it (`import { vThread } from
 * "convex-agent-memory/validators"`), with their TypeScript types.
 */
import type { Infer } from "convex/values";
import { vMessage, vMessageInput } from "./model/messages.js";
import { vResource } from "./model/resources.js";
import { vScore } from "./model/scores.js";
import { vThread } from "./model/threads.js";
import { vSpan, vSpanInput } from "./model/traces.js";
import { vIndexDescription, vQueryMatch, vQueryResult, vStoredVector, vVectorInput } from "./model/vectors.js";
import { vWorkflowRun, vWorkflowRunInfo } from "./model/workflows.js";

export * from "./model/errors.js";
export { vMetadata, vMetadata as vThreadMetadata, vOrder, vOwner, vOptionalOwner } from "./model/shared.js";
export { vThread, vThreadOrderBy } from "./model/threads.js";
export { vInclude, vMessage, vMessageContent, vMessageInput, vMessageUpdate, vRole } from "./model/messages.js";
export { vResource } from "./model/resources.js";
export {
  vFilterMode,
  vIndexDescription,
  vMetric,
  vQueryMatch,
  vQueryResult,
  vStoredVector,
  vVectorInput,
  vMetadata as vVectorMetadata,
} from "./model/vectors.js";
export { vWorkflowRun, vWorkflowRunInfo } from "./model/workflows.js";
export { vScore } from "./model/scores.js";
export { vSpan, vSpanInput, vSpanStatus, vSpanUpdate } from "./model/traces.js";

export type Thread = Infer<typeof vThread>;
export type Message = Infer<typeof vMessage>;
export type MessageInput = Infer<typeof vMessageInput>;
export type Resource = Infer<typeof vResource>;
export type IndexDescription = Infer<typeof vIndexDescription>;
export type VectorInput = Infer<typeof vVectorInput>;
export type StoredVector = Infer<typeof vStoredVector>;
export type QueryMatch = Infer<typeof vQueryMatch>;
export type QueryResult = Infer<typeof vQueryResult>;
export type WorkflowRun = Infer<typeof vWorkflowRun>;
export type WorkflowRunInfo = Infer<typeof vWorkflowRunInfo>;
export type Score = Infer<typeof vScore>;
export type Span = Infer<typeof vSpan>;
export type SpanInput = Infer<typeof vSpanInput>;
