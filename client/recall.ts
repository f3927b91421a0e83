import { recallArgs as A, recallReturns as R } from "../component/model/recall.js";
import { ownedAction, ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * Recall's functions, as public functions of the host app, each authorized from the
 * `resourceId` it names before anything is read: a recall reads (and a search is
 * confined natively to) that owner's messages only.
 */
export function exposeRecall(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.recall;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    recallMessages: ownedAction(authorize, "recall", "recallMessages", sig("recallMessages"), fns.recallMessages),
    setMessageEmbeddings: ownedMutation(authorize, "recall", "setMessageEmbeddings", sig("setMessageEmbeddings"), fns.setMessageEmbeddings),
    countMessageEmbeddings: ownedQuery(authorize, "recall", "countMessageEmbeddings", sig("countMessageEmbeddings"), fns.countMessageEmbeddings),
  };
}
