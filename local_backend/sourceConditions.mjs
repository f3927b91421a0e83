/**
 * Node module-resolution hooks (registered by main.ts): inside this repository, imports of the
 * package's own name (the example app's "convex-agent-memory/client") resolve with the
 * package's `@convex-dev/component-source` export condition, i.e. to its TypeScript sources,
 * as tsconfig.json (`customConditions`) and vitest.config.ts do. Files outside the repository
 * or inside any node_modules (an app that installed the packed package) resolve as Node
 * resolves them for a user: to dist/.
 */
const SOURCE_CONDITION = "@convex-dev/component-source";
let repoRoot = "";

export function initialize(data) {
  repoRoot = data.repoRootUrl;
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? "";
  if (repoRoot && parent.startsWith(repoRoot) && !parent.includes("/node_modules/")) {
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, SOURCE_CONDITION] });
  }
  return nextResolve(specifier, context);
}
