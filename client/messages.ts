import { messageArgs as A, messageReturns as R } from "../component/model/messages.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The messages domain's functions, as public functions of the host app, each
 * authorized from the `resourceId` it names before anything is read.
 */
export function exposeMessages(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.messages;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    saveMessages: ownedMutation(authorize, "messages", "saveMessages", sig("saveMessages"), fns.saveMessages),
    getMessagesByIds: ownedQuery(authorize, "messages", "getMessagesByIds", sig("getMessagesByIds"), fns.getMessagesByIds),
    listMessages: ownedQuery(authorize, "messages", "listMessages", sig("listMessages"), fns.listMessages),
    listMessagesByResource: ownedQuery(authorize, "messages", "listMessagesByResource", sig("listMessagesByResource"), fns.listMessagesByResource),
    updateMessages: ownedMutation(authorize, "messages", "updateMessages", sig("updateMessages"), fns.updateMessages),
    deleteMessages: ownedMutation(authorize, "messages", "deleteMessages", sig("deleteMessages"), fns.deleteMessages),
    countMessages: ownedQuery(authorize, "messages", "countMessages", sig("countMessages"), fns.countMessages),
    watchMessages: ownedQuery(authorize, "messages", "watchMessages", sig("watchMessages"), fns.watchMessages),
  };
}
