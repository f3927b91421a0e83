import { threadArgs as A, threadReturns as R } from "../component/model/threads.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The threads domain's functions, as public functions of the host app, each
 * authorized from the `resourceId` it names before anything is read.
 */
export function exposeThreads(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.threads;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    getThread: ownedQuery(authorize, "threads", "getThread", sig("getThread"), fns.getThread),
    saveThread: ownedMutation(authorize, "threads", "saveThread", sig("saveThread"), fns.saveThread),
    updateThread: ownedMutation(authorize, "threads", "updateThread", sig("updateThread"), fns.updateThread),
    deleteThread: ownedMutation(authorize, "threads", "deleteThread", sig("deleteThread"), fns.deleteThread),
    listThreads: ownedQuery(authorize, "threads", "listThreads", sig("listThreads"), fns.listThreads),
    countThreads: ownedQuery(authorize, "threads", "countThreads", sig("countThreads"), fns.countThreads),
    watchThread: ownedQuery(authorize, "threads", "watchThread", sig("watchThread"), fns.watchThread),
    watchThreadsByResource: ownedQuery(authorize, "threads", "watchThreadsByResource", sig("watchThreadsByResource"), fns.watchThreadsByResource),
  };
}
