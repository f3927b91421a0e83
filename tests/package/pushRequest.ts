/**
 * Reads the push request the convex CLI wrote (`npx convex deploy --write-push-request FILE`:
 * everything `npx convex deploy` would send, bundled by the CLI itself) and prints, as JSON,
 * what the tarball test checks:
 *
 *   npx tsx tests/package/pushRequest.ts FILE.json
 *
 * - every module path of the app and of each component, with the backend's verdict on it
 *   (`modulePathProblem` of the project's module walker: the rule of
 *   crates/convex/sync_types/src/module_path.rs and path.rs);
 * - the source files each app module was bundled from (its source map), to see what of the
 *   package the app's own bundle carries.
 */
import { readFileSync } from "node:fs";
import { modulePathProblem } from "../../codegen/convex_py_codegen/node/convexModules.js";

interface PushModule {
  path: string;
  source: string;
  sourceMap?: string;
  environment: string;
}

interface PushRequest {
  appDefinition: { definition: { path: string }; dependencies: string[]; changedModules: PushModule[] };
  componentDefinitions: Array<{
    definitionPath: string;
    definition: { path: string };
    schema: PushModule | null;
    functions: PushModule[];
  }>;
}

const file = process.argv[2];
if (!file) throw new Error("usage: pushRequest.ts PUSH_REQUEST.json");
const request = JSON.parse(readFileSync(file, "utf8")) as PushRequest;

const sourcesOf = (module: PushModule): string[] =>
  module.sourceMap ? ((JSON.parse(module.sourceMap) as { sources?: string[] }).sources ?? []) : [];

const invalid: Array<{ definitionPath: string; path: string; error: string }> = [];
const check = (definitionPath: string, modules: PushModule[]) => {
  for (const module of modules) {
    const error = modulePathProblem(module.path);
    if (error !== null) invalid.push({ definitionPath, path: module.path, error });
  }
};
check("", request.appDefinition.changedModules);
for (const component of request.componentDefinitions) check(component.definitionPath, component.functions);

process.stdout.write(
  `${JSON.stringify(
    {
      app: {
        dependencies: request.appDefinition.dependencies,
        modules: request.appDefinition.changedModules.map((m) => ({
          path: m.path,
          environment: m.environment,
          sources: sourcesOf(m),
        })),
      },
      components: request.componentDefinitions.map((c) => ({
        definitionPath: c.definitionPath,
        definition: c.definition.path,
        hasSchema: c.schema !== null,
        modules: c.functions.map((m) => m.path),
      })),
      invalid,
    },
    null,
    2,
  )}\n`,
);
