/**
 * The backend's rule for a module path (what `npx convex deploy` pushes, e.g. `model/vectorFilter.js`
 * or `_deps/ABC123.js`), as `ModulePath::from_str` applies it when a push arrives
 * (crates/convex/sync_types/src/module_path.rs, with `check_valid_path_component` from
 * crates/convex/sync_types/src/path.rs): relative, a file name, no extension or `.js`, and every
 * part (after adding `.js` when there is no extension) at most 64 bytes
 * (`MAX_IDENTIFIER_LEN`, identifier.rs) of ASCII letters, digits, `_` and `.`, with at least one
 * letter or digit. A hyphen anywhere fails the push.
 */

const MAX_IDENTIFIER_LEN = 64;

/** Why the backend refuses `path` as a module path, or null when it accepts it. */
export function modulePathError(path: string): string | null {
  if (path.startsWith("/")) return `Module paths must be relative (${path} is absolute).`;
  const parts = path.split("/").filter((part) => part !== "");
  const fileName = parts[parts.length - 1];
  if (fileName === undefined || fileName === "." || fileName === "..") {
    return `Module path ${path} doesn't have a filename.`;
  }
  const extension = extensionOf(fileName);
  if (extension !== null && extension !== "js") return `Module path (${path}) has an extension that isn't 'js'.`;
  for (const part of parts) {
    if (part === "." || part === "..") return `Invalid path component ${part} in ${path}.`;
  }
  const canonical = extension === null ? [...parts.slice(0, -1), `${fileName}.js`] : parts;
  for (const part of canonical) {
    const error = pathComponentError(part);
    if (error !== null) return error;
  }
  return null;
}

/** crates/convex/sync_types/src/path.rs `check_valid_path_component`. */
export function pathComponentError(part: string): string | null {
  if (Buffer.byteLength(part) > MAX_IDENTIFIER_LEN) {
    return `Path component is too long (${Buffer.byteLength(part)} > maximum ${MAX_IDENTIFIER_LEN}): ${part.slice(0, MAX_IDENTIFIER_LEN)}...`;
  }
  if (!/^[A-Za-z0-9_.]*$/.test(part)) {
    return `Path component ${part} can only contain alphanumeric characters, underscores, or periods.`;
  }
  if (!/[A-Za-z0-9]/.test(part)) return `Path component ${part} must have at least one alphanumeric character.`;
  return null;
}

/** Rust's `Path::extension`: the text after the last dot, unless the name starts with its only dot. */
function extensionOf(fileName: string): string | null {
  const dot = fileName.lastIndexOf(".");
  if (dot <= 0) return null;
  return fileName.slice(dot + 1);
}
