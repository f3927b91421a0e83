// npx vitest run --config bench/peers/vitest.config.ts   (about 10 minutes here)
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    environment: "node",
    server: { deps: { inline: ["convex-test", "@convex-dev/agent", "@convex-dev/rag", "@convex-dev/workpool", "@mastra/convex"] } },
    include: ["bench/peers/run.test.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 3_600_000,
  },
});
