// File input and output for the CLI: readable errors, and writes that never leave half a file.

import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError } from "./cli-error.js";

export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${reason(e)}`);
  }
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
  return names.filter((n) => n.endsWith(".vmstate")).sort().map((n) => join(folder, n));
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
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create folder '${dir}': ${reason(e)}`);
  }
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // The temporary file was never created.
    }
    throw new CliError(`cannot write '${path}': ${reason(e)}`);
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
