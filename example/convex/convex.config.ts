import { defineApp } from "convex/server";
import agentMemory from "convex-agent-memory/convex.config";

const app = defineApp();
app.use(agentMemory);

export default app;
