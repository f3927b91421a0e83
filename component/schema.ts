import { defineSchema } from "convex/server";
import { checkpointTables } from "./model/checkpoints.js";
import { counterTables } from "./model/counters.js";
import { messageTables } from "./model/messages.js";
import { recallTables } from "./model/recallEmbeddings.js";
import { resourceTables } from "./model/resources.js";
import { scoreTables } from "./model/scores.js";
import { storeTables } from "./model/store.js";
import { threadTables } from "./model/threads.js";
import { traceTables } from "./model/traces.js";
import { vectorTables } from "./model/vectors.js";
import { workflowTables } from "./model/workflows.js";

export default defineSchema({
  ...counterTables,
  ...threadTables,
  ...messageTables,
  ...recallTables,
  ...resourceTables,
  ...vectorTables,
  ...workflowTables,
  ...scoreTables,
  ...traceTables,
  ...checkpointTables,
  ...storeTables,
});
