import { mastraNativeVectorAction, mastraNativeVectorMutation, mastraNativeVectorQuery } from "@mastra/convex/server";

export const query = mastraNativeVectorAction;
export const read = mastraNativeVectorQuery;
export const write = mastraNativeVectorMutation;
