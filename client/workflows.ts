import { workflowArgs as A, workflowReturns as R } from "../component/model/workflows.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The workflows domain's functions, as public functions of the host app, each
 * authorized from the `resourceId` it names before anything is read. A call
 * without `resourceId` addresses the unowned namespace (`touchesUnowned`:
 * service identities only under the default policy).
 */
export function exposeWorkflows(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.workflows;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    persistWorkflowSnapshot: ownedMutation(authorize, "workflows", "persistWorkflowSnapshot", sig("persistWorkflowSnapshot"), fns.persistWorkflowSnapshot),
    loadWorkflowSnapshot: ownedQuery(authorize, "workflows", "loadWorkflowSnapshot", sig("loadWorkflowSnapshot"), fns.loadWorkflowSnapshot),
    getWorkflowRunById: ownedQuery(authorize, "workflows", "getWorkflowRunById", sig("getWorkflowRunById"), fns.getWorkflowRunById),
    listWorkflowRuns: ownedQuery(authorize, "workflows", "listWorkflowRuns", sig("listWorkflowRuns"), fns.listWorkflowRuns),
    countWorkflowRuns: ownedQuery(authorize, "workflows", "countWorkflowRuns", sig("countWorkflowRuns"), fns.countWorkflowRuns),
    deleteWorkflowRunById: ownedMutation(authorize, "workflows", "deleteWorkflowRunById", sig("deleteWorkflowRunById"), fns.deleteWorkflowRunById),
    updateWorkflowResults: ownedMutation(authorize, "workflows", "updateWorkflowResults", sig("updateWorkflowResults"), fns.updateWorkflowResults),
    updateWorkflowState: ownedMutation(authorize, "workflows", "updateWorkflowState", sig("updateWorkflowState"), fns.updateWorkflowState),
    watchWorkflowRun: ownedQuery(authorize, "workflows", "watchWorkflowRun", sig("watchWorkflowRun"), fns.watchWorkflowRun),
    watchWorkflowRuns: ownedQuery(authorize, "workflows", "watchWorkflowRuns", sig("watchWorkflowRuns"), fns.watchWorkflowRuns),
  };
}
