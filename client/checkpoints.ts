import { checkpointArgs as A, checkpointReturns as R } from "../component/model/checkpoints.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The checkpoints domain's functions (LangGraph's checkpointer), as public
 * functions of the host app. Every one names its owner (`resourceId`) and a
 * thread id names a thread of that owner only, so each call is authorized from
 * its arguments alone, before anything is read: another owner's thread is
 * simply not there.
 */
export function exposeCheckpoints(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.checkpoints;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    getCheckpoint: ownedQuery(authorize, "checkpoints", "getCheckpoint", sig("getCheckpoint"), fns.getCheckpoint),
    listCheckpoints: ownedQuery(authorize, "checkpoints", "listCheckpoints", sig("listCheckpoints"), fns.listCheckpoints),
    listCheckpointWrites: ownedQuery(authorize, "checkpoints", "listCheckpointWrites", sig("listCheckpointWrites"), fns.listCheckpointWrites),
    getCheckpointValues: ownedQuery(authorize, "checkpoints", "getCheckpointValues", sig("getCheckpointValues"), fns.getCheckpointValues),
    countCheckpoints: ownedQuery(authorize, "checkpoints", "countCheckpoints", sig("countCheckpoints"), fns.countCheckpoints),
    listCheckpointNamespaces: ownedQuery(authorize, "checkpoints", "listCheckpointNamespaces", sig("listCheckpointNamespaces"), fns.listCheckpointNamespaces),
    listCheckpointThreads: ownedQuery(authorize, "checkpoints", "listCheckpointThreads", sig("listCheckpointThreads"), fns.listCheckpointThreads),
    putCheckpoint: ownedMutation(authorize, "checkpoints", "putCheckpoint", sig("putCheckpoint"), fns.putCheckpoint),
    putCheckpointBlobs: ownedMutation(authorize, "checkpoints", "putCheckpointBlobs", sig("putCheckpointBlobs"), fns.putCheckpointBlobs),
    putCheckpointWrites: ownedMutation(authorize, "checkpoints", "putCheckpointWrites", sig("putCheckpointWrites"), fns.putCheckpointWrites),
    deleteCheckpointThread: ownedMutation(authorize, "checkpoints", "deleteCheckpointThread", sig("deleteCheckpointThread"), fns.deleteCheckpointThread),
    deleteCheckpointsForRuns: ownedMutation(authorize, "checkpoints", "deleteCheckpointsForRuns", sig("deleteCheckpointsForRuns"), fns.deleteCheckpointsForRuns),
    copyCheckpointThread: ownedMutation(authorize, "checkpoints", "copyCheckpointThread", sig("copyCheckpointThread"), fns.copyCheckpointThread),
    pruneCheckpoints: ownedMutation(authorize, "checkpoints", "pruneCheckpoints", sig("pruneCheckpoints"), fns.pruneCheckpoints),
  };
}
