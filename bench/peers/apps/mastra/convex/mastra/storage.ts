import { mastraStorage } from "@mastra/convex/server";

export const handle = mastraStorage;
