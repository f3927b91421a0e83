/**
 * Which files of a Convex functions folder are modules, the path each one
 * gets, and which of a module's exports are functions: the one place this
 * project decides it (the codegen's extractor and the local backend both walk
 * a folder and read its exports through here).
 *
 * Followed, in this order:
 *
 * 1. The CLI's bundler, `entryPoints` and `walkDir` in
 *    node_modules/convex/dist/esm/bundler/index.js (convex 1.48), which picks
 *    the files `npx convex dev|deploy` bundles and pushes, and which
 *    `npx convex codegen` lists in `_generated/api.d.ts`:
 *    - a folder holding a `convex.config.ts` below the root is a nested
 *      component and is not walked;
 *    - entries that are neither a plain file nor a folder (symlinks) are not
 *      seen (`readdirSync(..., {withFileTypes: true})`, `isFile()`);
 *    - a file under `_deps/` is an error (the folder is reserved);
 *    - only .js .mjs .cjs .ts .tsx .mts .cts .jsx files are entry points;
 *    - skipped: `_generated/` at the top, dotfiles, names starting with `#`
 *      (editor temp files), `schema.ts`/`schema.js` at any depth, basenames
 *      with more than one dot (`convex.config.ts`, `auth.config.ts`,
 *      `x.test.ts`, `x.d.ts`), paths containing a space;
 *    - a .ts/.tsx file with no line starting with `import` or `export` is
 *      skipped (not a TypeScript module);
 *    - `node_modules` is not special to the CLI: files in one inside the
 *      functions folder are walked like any others.
 *    - `"use node"` puts a module in the Node runtime; it is an error in
 *      `http`, `crons` (`mustBeIsolate`), and a module under `actions/`
 *      without it is an error (`determineEnvironment`).
 * 2. The backend's module path rules (the push fails otherwise):
 *    crates/convex/sync_types/src/module_path.rs and path.rs of
 *    get-convex/convex-backend: the canonical path is the relative path with
 *    its extension replaced by `.js`; every path component holds only ASCII
 *    letters, digits, `_` and `.`, at least one letter or digit, and at most
 *    64 bytes (`MAX_IDENTIFIER_LEN`). `http.js` is the HTTP router and
 *    `crons.js` the cron jobs module (top level only).
 */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type ModuleEnvironment = "isolate" | "node";

export interface ConvexModule {
  /** Absolute path of the source file. */
  file: string;
  /** Path relative to the functions folder, with `/` separators ("dir/notes.ts"). */
  relPath: string;
  /** The module path functions are named by ("dir/notes" in "dir/notes:list"). */
  path: string;
  /** The path the backend stores ("dir/notes.js"). */
  canonicalPath: string;
  environment: ModuleEnvironment;
  /** The deployment's HTTP router (`http.js`): its default export routes HTTP actions. */
  isHttp: boolean;
  /** The deployment's cron jobs (`crons.js`). */
  isCrons: boolean;
}

export interface SkippedFile {
  relPath: string;
  reason: string;
}

export interface ModuleProblem {
  relPath: string;
  message: string;
}

export interface ModuleWalk {
  /** Absolute path of the functions folder. */
  dir: string;
  /** The modules, in the CLI's order (by path, byte-wise). */
  modules: ConvexModule[];
  /** Files the CLI leaves out, and why (non-JS files are not listed). */
  skipped: SkippedFile[];
  /** Files that would make `npx convex deploy` fail; empty when the folder is pushable. */
  problems: ModuleProblem[];
}

/** The CLI's ENTRY_POINT_EXTENSIONS (esbuild's js, ts and jsx loaders). */
export const ENTRY_POINT_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];

/** crates/convex/sync_types/src/identifier.rs: MAX_IDENTIFIER_LEN. */
export const MAX_PATH_COMPONENT_LENGTH = 64;

const HTTP_PATH = "http.js";
const CRON_PATH = "crons.js";
const ACTIONS_DIR = "actions";
const DEPS_DIR = "_deps";
// The CLI's `useNodeDirectiveRegex` (its fallback when the AST cannot be parsed).
const USE_NODE = /^\s*("|')use node("|');?\s*$/;

/** The CLI's `consistentPathSort`: byte-wise by UTF-16 code unit, shorter first on a tie. */
function consistentPathSort(a: Dirent, b: Dirent): number {
  for (let i = 0; i < Math.min(a.name.length, b.name.length); i++) {
    if (a.name.charCodeAt(i) !== b.name.charCodeAt(i)) {
      return a.name.charCodeAt(i) - b.name.charCodeAt(i);
    }
  }
  return a.name.length - b.name.length;
}

/** The CLI's `walkDir`: files below `dir`, skipping nested component folders. */
function* walkDir(dir: string, depth = 0): Generator<{ file: string; depth: number }> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort(consistentPathSort);
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (existsSync(path.join(child, "convex.config.ts"))) continue; // a nested component
      yield* walkDir(child, depth + 1);
    } else if (entry.isFile()) {
      yield { file: child, depth };
    }
  }
}

/** Why the backend refuses a module path (`parseModulePath`'s error): the backend's own message. */
export class ModulePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModulePathError";
  }
}

/**
 * `check_valid_path_component` (`crates/convex/sync_types/src/path.rs`): the
 * rule every module path part must pass, at push time and in a call. Throws
 * `ModulePathError` with the backend's message.
 */
export function checkPathComponent(part: string): void {
  const bytes = Buffer.byteLength(part, "utf8");
  if (bytes > MAX_PATH_COMPONENT_LENGTH) {
    throw new ModulePathError(
      `Path component is too long (${bytes} > maximum ${MAX_PATH_COMPONENT_LENGTH}): ${part.slice(0, MAX_PATH_COMPONENT_LENGTH)}...`,
    );
  }
  if (!/^[A-Za-z0-9_.]*$/.test(part)) {
    throw new ModulePathError(`Path component ${part} can only contain alphanumeric characters, underscores, or periods.`);
  }
  if (!/[A-Za-z0-9]/.test(part)) {
    throw new ModulePathError(`Path component ${part} must have at least one alphanumeric character.`);
  }
}

/** The extension of a file name as Rust's `Path::extension` sees it ("a.js" -> "js", ".js" -> none, "a." -> ""). */
function extensionOf(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return fileName.slice(dot + 1);
}

/**
 * `ModulePath::from_str` then `canonicalize`
 * (`crates/convex/sync_types/src/module_path.rs`): "dir/notes" or
 * "dir/notes.js" -> ["dir", "notes.js"]. The one definition of which module
 * paths the backend takes: the walker below (what a push sends) and the local
 * backend (what a call names, `local_backend/calls.ts`) both call it. Throws
 * `ModulePathError` with the backend's message; `quote` shows the raw input in
 * it (the local backend cuts long inputs, the backend quotes them whole).
 */
export function parseModulePath(raw: string, quote: (text: string) => string = (text) => text): string[] {
  // Rust's Path::components: "/" first is RootDir, "." first is CurDir, ".." is ParentDir,
  // empty parts and interior "." disappear.
  const pieces = raw.split("/");
  const components: Array<{ kind: "Normal" | "RootDir" | "CurDir" | "ParentDir"; text: string }> = [];
  pieces.forEach((piece, i) => {
    if (i === 0 && piece === "" && raw.length > 0) components.push({ kind: "RootDir", text: "" });
    else if (piece === "") return;
    else if (piece === "." && components.length === 0) components.push({ kind: "CurDir", text: piece });
    else if (piece === ".") return;
    else if (piece === "..") components.push({ kind: "ParentDir", text: piece });
    else components.push({ kind: "Normal", text: piece });
  });
  const last = components[components.length - 1];
  if (last === undefined || last.kind !== "Normal") throw new ModulePathError(`Module path ${quote(raw)} doesn't have a filename.`);
  const extension = extensionOf(last.text);
  if (extension !== undefined && extension !== "js") {
    throw new ModulePathError(`Module path (${quote(raw)}) has an extension that isn't 'js'.`);
  }
  for (const component of components) {
    if (component.kind === "RootDir") throw new ModulePathError(`Module paths must be relative (${quote(raw)} is absolute).`);
    if (component.kind !== "Normal") throw new ModulePathError(`Invalid path component ${component.kind} in ${quote(raw)}.`);
  }
  const parts = components.map((c) => c.text);
  if (extension === undefined) parts[parts.length - 1] = `${last.text}.js`;
  for (const part of parts) checkPathComponent(part);
  return parts;
}

/** Why the backend refuses a module path ("dir/notes.js"), in its words, or null when it takes it. */
export function modulePathProblem(modulePath: string): string | null {
  try {
    parseModulePath(modulePath);
    return null;
  } catch (error) {
    if (error instanceof ModulePathError) return error.message;
    throw error;
  }
}

function hasUseNodeDirective(source: string): boolean {
  if (!source.includes("use node")) return false;
  // The directive prologue: leading string statements, before any other code.
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const line of withoutComments.split("\n")) {
    if (line.trim() === "") continue;
    if (USE_NODE.test(line)) return true;
    if (!/^\s*("|')[^"']*("|');?\s*$/.test(line)) return false; // first non-directive statement
  }
  return false;
}

/** Walks a functions folder the way the Convex CLI does (see the top of this file). */
export function walkConvexModules(functionsDir: string): ModuleWalk {
  const dir = path.resolve(functionsDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`Convex functions folder not found: ${dir}`);
  }
  const modules: ConvexModule[] = [];
  const skipped: SkippedFile[] = [];
  const problems: ModuleProblem[] = [];
  const byCanonical = new Map<string, string>();
  for (const { file } of walkDir(dir)) {
    const relPath = path.relative(dir, file).split(path.sep).join("/");
    const base = path.basename(file);
    const skip = (reason: string) => skipped.push({ relPath, reason });
    if (relPath.startsWith(`${DEPS_DIR}/`)) {
      problems.push({ relPath, message: `"${DEPS_DIR}/" is reserved for dependencies: move this file` });
      continue;
    }
    if (!ENTRY_POINT_EXTENSIONS.some((ext) => relPath.endsWith(ext))) continue;
    if (relPath.startsWith("_generated/")) {
      skip("generated code");
    } else if (base.startsWith(".")) {
      skip("a dotfile");
    } else if (base.startsWith("#")) {
      skip("an editor temp file");
    } else if (base === "schema.ts" || base === "schema.js") {
      skip("the schema");
    } else if ((base.match(/\./g) ?? []).length > 1) {
      skip("more than one dot in the name (config files, tests, declarations)");
    } else if (relPath.includes(" ")) {
      skip("a space in the path");
    } else {
      const source = readFileSync(file, "utf8");
      if ((file.endsWith(".ts") || file.endsWith(".tsx")) && !/^\s{0,100}(import|export)/m.test(source)) {
        skip("a TypeScript file with no import or export");
        continue;
      }
      const modulePath = relPath.slice(0, relPath.length - path.extname(relPath).length);
      const canonicalPath = `${modulePath}.js`;
      const environment: ModuleEnvironment = hasUseNodeDirective(source) ? "node" : "isolate";
      const problem = modulePathProblem(canonicalPath);
      if (problem !== null) {
        problems.push({ relPath, message: `the deployment refuses this module path: ${problem}` });
        continue;
      }
      if (environment === "node" && ["http", "crons"].includes(modulePath)) {
        problems.push({ relPath, message: `"use node" is not allowed in ${relPath}` });
        continue;
      }
      if (environment === "isolate" && relPath.startsWith(`${ACTIONS_DIR}/`)) {
        problems.push({ relPath, message: `${relPath} is in actions/ but has no "use node" directive` });
        continue;
      }
      const clash = byCanonical.get(canonicalPath);
      if (clash !== undefined) {
        problems.push({ relPath, message: `${relPath} and ${clash} are both the module ${modulePath}` });
        continue;
      }
      byCanonical.set(canonicalPath, relPath);
      modules.push({
        file,
        relPath,
        path: modulePath,
        canonicalPath,
        environment,
        isHttp: canonicalPath === HTTP_PATH,
        isCrons: canonicalPath === CRON_PATH,
      });
    }
  }
  return { dir, modules, skipped, problems };
}

/** Throws one error naming every file that would make a push fail. */
export function assertPushable(walk: ModuleWalk): void {
  if (walk.problems.length === 0) return;
  const lines = walk.problems.map((p) => `  ${p.relPath}: ${p.message}`).join("\n");
  throw new Error(`${walk.dir} cannot be pushed to a Convex deployment:\n${lines}`);
}

export type FunctionKind = "query" | "mutation" | "action" | "httpAction";

/**
 * What `query()`, `mutation()`, `action()`, `httpAction()` and their internal
 * twins set on the value they return (`registration_impl.js` in
 * node_modules/convex/dist/esm/server/impl): the flags the backend reads and
 * the validators it reports.
 */
export interface RegisteredFunction {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  exportArgs?: () => string;
  exportReturns?: () => string;
}

/** A module's export as a Convex function with its kind, or null for any other export. */
export function registeredFunction<F extends RegisteredFunction = RegisteredFunction>(
  value: unknown,
): { fn: F; kind: FunctionKind } | null {
  if ((typeof value !== "function" && typeof value !== "object") || value === null) return null;
  const fn = value as F;
  if (fn.isQuery) return { fn, kind: "query" };
  if (fn.isMutation) return { fn, kind: "mutation" };
  if (fn.isAction) return { fn, kind: "action" };
  if (fn.isHttp) return { fn, kind: "httpAction" };
  return null;
}
