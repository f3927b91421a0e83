import { resourceArgs as A, resourceReturns as R } from "../component/model/resources.js";
import { ownedMutation, ownedQuery, signatureOf } from "./expose.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The resources domain's functions, as public functions of the host app. A
 * resource is its own owner: each call is authorized for the `resourceId` it names.
 */
export function exposeResources(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.resources;
  const sig = <K extends keyof typeof A & string>(name: K) => signatureOf(A, R, name);
  return {
    getResource: ownedQuery(authorize, "resources", "getResource", sig("getResource"), fns.getResource),
    saveResource: ownedMutation(authorize, "resources", "saveResource", sig("saveResource"), fns.saveResource),
    updateResource: ownedMutation(authorize, "resources", "updateResource", sig("updateResource"), fns.updateResource),
  };
}
