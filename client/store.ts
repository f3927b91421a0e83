import { storeArgs as A, storeReturns as R } from "../component/model/store.js";
import { ownedAction, ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The store domain's functions (LangGraph's long-term memory store), as public
 * functions of the host app. Every one names its owner (`resourceId`) and a
 * namespace is a namespace of that owner only, so each call is authorized from
 * its arguments alone, before anything is read.
 */
export function exposeStore(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.store;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    getStoreItems: ownedQuery(authorize, "store", "getStoreItems", sig("getStoreItems"), fns.getStoreItems),
    searchStoreItems: ownedQuery(authorize, "store", "searchStoreItems", sig("searchStoreItems"), fns.searchStoreItems),
    listStoreNamespaces: ownedQuery(authorize, "store", "listStoreNamespaces", sig("listStoreNamespaces"), fns.listStoreNamespaces),
    countStoreItems: ownedQuery(authorize, "store", "countStoreItems", sig("countStoreItems"), fns.countStoreItems),
    putStoreItems: ownedMutation(authorize, "store", "putStoreItems", sig("putStoreItems"), fns.putStoreItems),
    touchStoreItems: ownedMutation(authorize, "store", "touchStoreItems", sig("touchStoreItems"), fns.touchStoreItems),
    searchStoreByVector: ownedAction(authorize, "store", "searchStoreByVector", sig("searchStoreByVector"), fns.searchStoreByVector),
  };
}
