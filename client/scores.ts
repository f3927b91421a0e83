import { scoreArgs as A, scoreReturns as R } from "../component/model/scores.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The scores domain's functions, as public functions of the host app, each
 * authorized from the `resourceId` it names before anything is read. A call
 * without `resourceId` addresses the unowned namespace (`touchesUnowned`:
 * service identities only under the default policy).
 */
export function exposeScores(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.scores;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    saveScore: ownedMutation(authorize, "scores", "saveScore", sig("saveScore"), fns.saveScore),
    getScoreById: ownedQuery(authorize, "scores", "getScoreById", sig("getScoreById"), fns.getScoreById),
    listScoresByScorerId: ownedQuery(authorize, "scores", "listScoresByScorerId", sig("listScoresByScorerId"), fns.listScoresByScorerId),
    listScoresByRunId: ownedQuery(authorize, "scores", "listScoresByRunId", sig("listScoresByRunId"), fns.listScoresByRunId),
    listScoresByEntityId: ownedQuery(authorize, "scores", "listScoresByEntityId", sig("listScoresByEntityId"), fns.listScoresByEntityId),
    listScoresBySpan: ownedQuery(authorize, "scores", "listScoresBySpan", sig("listScoresBySpan"), fns.listScoresBySpan),
  };
}
