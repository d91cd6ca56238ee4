// Errors of generated loaders and savers: where (field path, byte offset) and why.

/** A stream that cannot be loaded: the field, the byte offset in the input and the reason. */
export class LoadError extends Error {
  override readonly name = "LoadError";

  constructor(
    /** Path of the field in the state, such as `queues[2].num` ("" for the section itself). */
    readonly path: string,
    /** Offset in the input where the field (or the failing check) starts. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${path === "" ? "" : `${path}: `}${reason} (at byte offset ${offset})`);
  }
}

/** A state that cannot be saved: the field path and the reason. Nothing is written. */
export class SaveError extends Error {
  override readonly name = "SaveError";

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path === "" ? "" : `${path}: `}${reason}`);
  }
}

/** Puts `prefix` in front of the path of a LoadError or SaveError thrown inside a struct. */
export function atPath(error: unknown, prefix: string): unknown {
  if (error instanceof LoadError)
    return new LoadError(pathBelow(prefix, error.path), error.offset, error.reason);
  if (error instanceof SaveError) return new SaveError(pathBelow(prefix, error.path), error.reason);
  return error;
}

/** Fills in the innermost unknown array index (`[]`) of an error's path. */
export function atIndex(error: unknown, index: number): unknown {
  if (error instanceof LoadError)
    return new LoadError(fillIndex(error.path, index), error.offset, error.reason);
  if (error instanceof SaveError) return new SaveError(fillIndex(error.path, index), error.reason);
  return error;
}

function pathBelow(prefix: string, path: string): string {
  if (path === "") return prefix;
  return path.startsWith("[") ? prefix + path : `${prefix}.${path}`;
}

function fillIndex(path: string, index: number): string {
  const at = path.lastIndexOf("[]");
  return at < 0 ? path : `${path.slice(0, at)}[${index}]${path.slice(at + 2)}`;
}

/** A short hex dump of bytes for messages: `05 15 76 69 …`. */
export function hexBytes(bytes: Uint8Array, limit = 16): string {
  const shown = Array.from(bytes.subarray(0, limit), (b) => b.toString(16).padStart(2, "0")).join(
    " ",
  );
  return bytes.length > limit ? `${shown} …` : shown;
}

/**
 * Text from an input (a subsection name, a section's idstr) as it may appear in a message:
 * printable ASCII as it is, anything else as `\xNN` or `\u{…}`, so a name in a stream can neither
 * break the message's line nor send control sequences to a terminal.
 */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/gu, (c) => {
    const code = c.codePointAt(0)!;
    if (c === '"' || c === "\\") return `\\${c}`;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
