import { traceArgs as A, traceReturns as R } from "../component/model/traces.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The traces domain's functions, as public functions of the host app, each
 * authorized from the `resourceId` it names before anything is read. A call
 * without `resourceId` addresses the unowned namespace (`touchesUnowned`:
 * service identities only under the default policy).
 */
export function exposeTraces(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.traces;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    createSpans: ownedMutation(authorize, "traces", "createSpans", sig("createSpans"), fns.createSpans),
    updateSpans: ownedMutation(authorize, "traces", "updateSpans", sig("updateSpans"), fns.updateSpans),
    getTrace: ownedQuery(authorize, "traces", "getTrace", sig("getTrace"), fns.getTrace),
    listTraces: ownedQuery(authorize, "traces", "listTraces", sig("listTraces"), fns.listTraces),
    deleteTraces: ownedMutation(authorize, "traces", "deleteTraces", sig("deleteTraces"), fns.deleteTraces),
  };
}
