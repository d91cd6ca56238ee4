// File input and output for the CLI: readable errors, and writes that never leave half a file.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  mkdirSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError, OutputError } from "./cli-error.js";

export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${reason(e)}`);
  }
}

/** The text of a file that may not be there yet (an output): undefined when it is missing or a folder. */
export function currentText(path: string): string | undefined {
  if (!existsSync(path) || isDirectory(path)) return undefined;
  return readText(path);
}

export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${reason(e)}`);
  }
}

/** `*.vmstate` files of a folder, sorted. */
export function schemaFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (e) {
    throw new CliError(`cannot read folder '${folder}': ${reason(e)}`);
  }
  return names
    .filter((n) => n.endsWith(".vmstate"))
    .sort()
    .map((n) => join(folder, n));
}

/** The schema files the command line names: files as they are, folders as the .vmstate files in them. */
export function schemaInputs(inputs: readonly string[]): string[] {
  return inputs.flatMap((input) => {
    if (!isDirectory(input)) return [input];
    const files = schemaFiles(input);
    if (files.length === 0) throw new CliError(`no .vmstate files in '${input}'`);
    return files;
  });
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Writes through a temporary file in the same folder and a rename, so readers see all or nothing. */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  writeAllAtomically(new Map([[path, data]]));
}

/**
 * Writes several files so that either all of them change or none does. Each is first written to a
 * temporary file beside it (`.NAME.RANDOM.tmp`); only when every one is written are they renamed
 * over their targets, and if a rename fails, the files already renamed get their previous content
 * back. A target is never half-written: a rename replaces it whole.
 */
export function writeAllAtomically(named: ReadonlyMap<string, string | Uint8Array>): void {
  const files = new Map<string, string | Uint8Array>();
  const direct: [string, string | Uint8Array][] = [];
  for (const [path, data] of named) {
    const target = outputTarget(path);
    if (target.direct) direct.push([target.path, data]);
    else files.set(target.path, data);
  }
  const staged: { path: string; temp: string }[] = [];
  const discard = (from: number): void => {
    for (const { temp } of staged.slice(from)) removeQuietly(temp);
  };
  for (const [path, data] of files) {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      discard(0);
      throw new OutputError(`cannot create folder '${dir}': ${reason(e)}`);
    }
    const temp = tempBeside(path);
    try {
      writeFileSync(temp, data);
      staged.push({ path, temp });
    } catch (e) {
      removeQuietly(temp);
      discard(0);
      throw new OutputError(`cannot write '${path}': ${reason(e)}; nothing was changed`);
    }
  }
  // What a failed rename must put back: the files renamed before it, so every one but the last.
  const previous: (Buffer | undefined)[] = [];
  for (const { path } of staged.slice(0, -1)) {
    try {
      previous.push(existsSync(path) && !isDirectory(path) ? readFileSync(path) : undefined);
    } catch (e) {
      discard(0);
      throw new OutputError(`cannot write '${path}': ${reason(e)}; nothing was changed`);
    }
  }
  for (const [i, { path, temp }] of staged.entries()) {
    try {
      renameSync(temp, path);
    } catch (e) {
      discard(i);
      const restored = restore(
        staged.slice(0, i).map((s, k) => ({ path: s.path, content: previous[k] })),
      );
      throw new OutputError(
        `cannot write '${path}': ${reason(e)}; ${restored ? "nothing was changed" : "and the files written before it could not all be put back"}`,
      );
    }
  }
  for (const [path, data] of direct) {
    try {
      writeFileSync(path, data);
    } catch (e) {
      throw new OutputError(`cannot write '${path}': ${reason(e)}`);
    }
  }
}

/**
 * Writes a file as it is made, so that readers still see all or nothing: `write` is given a
 * temporary file beside `path`, which is renamed over `path` when `write` returns and removed if
 * it throws.
 */
export function writeStreamingAtomically<T>(named: string, write: (fd: number) => T): T {
  const { path, direct } = outputTarget(named);
  if (direct) {
    let fd: number;
    try {
      fd = openSync(path, "w");
    } catch (e) {
      throw new OutputError(`cannot write '${path}': ${reason(e)}`);
    }
    try {
      return write(fd);
    } finally {
      closeSync(fd);
    }
  }
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create folder '${dir}': ${reason(e)}`);
  }
  const temp = tempBeside(path);
  let fd: number;
  try {
    fd = openSync(temp, "wx");
  } catch (e) {
    throw new OutputError(`cannot write '${path}': ${reason(e)}`);
  }
  let result: T;
  try {
    result = write(fd);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
    removeQuietly(temp);
    throw e;
  }
  try {
    renameSync(temp, path);
  } catch (e) {
    removeQuietly(temp);
    throw new OutputError(`cannot write '${path}': ${reason(e)}; nothing was changed`);
  }
  return result;
}

/**
 * Where an output is written, as the shell's `> FILE` would write it: through symbolic links to the
 * file they name (created if missing), and straight into a FIFO or a device, which is never replaced.
 * A regular file (or a missing one) is written through a temporary file and a rename; a folder is
 * refused.
 */
export function outputTarget(path: string): { path: string; direct: boolean } {
  let target = path;
  for (let links = 0; links <= 40; links++) {
    let info;
    try {
      info = lstatSync(target);
    } catch {
      return { path: target, direct: false };
    }
    if (info.isSymbolicLink()) {
      target = resolve(dirname(target), readlinkSync(target));
      continue;
    }
    if (info.isDirectory())
      throw new OutputError(`cannot write '${path}': it is a folder; nothing was changed`);
    return { path: target, direct: !info.isFile() };
  }
  throw new OutputError(`cannot write '${path}': too many symbolic links; nothing was changed`);
}

/** Whether two paths name the same file (an output that would replace an input). */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Puts back files a failed writeAllAtomically replaced (or removes the ones it created). */
function restore(files: readonly { path: string; content: Buffer | undefined }[]): boolean {
  let ok = true;
  for (const { path, content } of files) {
    try {
      if (content === undefined) unlinkSync(path);
      else {
        const temp = tempBeside(path);
        writeFileSync(temp, content);
        renameSync(temp, path);
      }
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** A temporary file in the same folder, so that a rename replaces the target in one step. */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // It was never created.
  }
}

export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file or folder";
  if (err?.code === "EACCES") return "permission denied";
  if (err?.code === "EISDIR") return "it is a folder";
  if (err?.code === "ENOTDIR") return "a part of the path is not a folder";
  return err?.message ?? String(e);
}
