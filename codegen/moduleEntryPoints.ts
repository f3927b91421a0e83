/**
 * Which files of a Convex functions folder are modules, by the convex@1.48 CLI's rule. Bundled
 * into the CLI's codegen templates in place of its bundler (codegen/convexCli.ts), and used on
 * its own by the tarball test; it imports nothing but Node built-ins.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const ENTRY_POINT_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];

/**
 * The modules of a Convex functions folder, as convex@1.48 pushes them
 * (cli: bundler/index.js `entryPoints`): every JS/TS file, skipping `_generated/`, dotfiles,
 * `#` files, `schema.ts`/`schema.js`, names with more than one dot (so `convex.config.ts`,
 * `x.test.ts`, `x.d.ts`), paths with a space, nested component folders (a `convex.config.ts`
 * inside), and TypeScript files with no import or export. Absolute paths, in the CLI's order.
 */
export function entryPoints(_ctx: unknown, dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    // bundler/fs.js consistentPathSort: by name, byte order.
    const names = readdirSync(current).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) {
        if (existsSync(path.join(full, "convex.config.ts"))) continue;
        walk(full);
        continue;
      }
      const rel = path.relative(dir, full);
      const base = path.basename(full);
      if (rel.startsWith(`_deps${path.sep}`)) throw new Error(`${full} is inside the reserved _deps directory`);
      if (!ENTRY_POINT_EXTENSIONS.some((ext) => rel.endsWith(ext))) continue;
      if (rel.startsWith(`_generated${path.sep}`)) continue;
      if (base.startsWith(".") || base.startsWith("#")) continue;
      if (base === "schema.ts" || base === "schema.js") continue;
      if ((base.match(/\./g) ?? []).length > 1) continue;
      if (rel.includes(" ")) continue;
      found.push(full);
    }
  };
  walk(dir);
  return found.filter((file) => {
    if (!file.endsWith(".ts") && !file.endsWith(".tsx")) return true;
    return /^\s{0,100}(import|export)/m.test(readFileSync(file, "utf8"));
  });
}


export { entryPoints as moduleEntryPoints };
