// Where a hand-written codec module (or an imported schema) is and how it is read: one rule for the
// checker, the verifier and gen's cache, so that the cache hashes exactly the files they read.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join, normalize } from "node:path";

/** A codec module larger than this is not read (a TypeScript module of a codec is a few KiB). */
export const MAX_CODEC_MODULE_BYTES = 4 << 20;

/** `codec X from "SPEC"` names SPEC relative to the schema's folder. */
export function codecModulePath(schemaFile: string, spec: string): string {
  return normalize(join(schemaFile, "..", spec));
}

/** A schema file larger than this is not imported (the largest of QEMU's devices is a few KiB). */
export const MAX_SCHEMA_BYTES = 16 << 20;

/** `import … from "SPEC"` names SPEC relative to the schema's folder, as a codec module is. */
export const importedSchemaPath = codecModulePath;

/** An imported schema: a regular file of at most MAX_SCHEMA_BYTES, as text; else undefined. */
export function readSchemaFile(path: string): string | undefined {
  return readBoundedFile(path, MAX_SCHEMA_BYTES);
}

/**
 * The text of a codec module, or undefined when it is not a regular file of at most
 * MAX_CODEC_MODULE_BYTES (a device, a FIFO, a folder, something huge or missing).
 */
export function readCodecModule(path: string): string | undefined {
  return readBoundedFile(path, MAX_CODEC_MODULE_BYTES);
}

/** The text of a regular file of at most `limit` bytes; undefined for anything else. */
export function readBoundedFile(path: string, limit: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > limit) return undefined;
    const bytes = Buffer.alloc(info.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read).toString("utf8");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The module specifiers of a schema's `codec … from "SPEC"` declarations, found by a scan that
 * skips comments and reads strings as the lexer does, without loading the parser.
 */
export function codecSpecifiers(text: string): string[] {
  return specifiersAfter("codec", text);
}

/** The schema files a schema's `import … from "SPEC"` declarations name, found the same way. */
export function importSpecifiers(text: string): string[] {
  return specifiersAfter("import", text);
}

/** The strings after `from` in declarations that start with `keyword`. */
function specifiersAfter(keyword: string, text: string): string[] {
  const tokens =
    /\s+|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"((?:[^"\\\n]|\\.)*)"?|([A-Za-z_][A-Za-z0-9_]*)|./gy;
  const specs: string[] = [];
  let inDeclaration = false;
  let afterFrom = false;
  for (let m = tokens.exec(text); m !== null && m[0] !== ""; m = tokens.exec(text)) {
    const [token, string, word] = m;
    if (word !== undefined) {
      if (word === keyword) inDeclaration = true;
      afterFrom = inDeclaration && word === "from";
      continue;
    }
    if (string !== undefined) {
      if (afterFrom) specs.push(stringValue(token));
      afterFrom = false;
      inDeclaration = false;
      continue;
    }
    if (token === ";") inDeclaration = afterFrom = false;
    else if (!/^\s|^\/[/*]/.test(token)) afterFrom = false;
  }
  return specs;
}

function stringValue(literal: string): string {
  try {
    return String(JSON.parse(literal));
  } catch {
    return literal.slice(1, -1);
  }
}
