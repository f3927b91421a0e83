import { defineSchema } from "convex/server";

// The example app keeps no tables of its own: all memory lives in the component.
export default defineSchema({});
