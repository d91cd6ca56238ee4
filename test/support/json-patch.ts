// JSON Patch (RFC 6902: add, remove, replace, test) and JSON Pointer (RFC 6901), for the edited
// copies of QEMU's dumps that the compatibility tests make.

import { parseJson, type JsonNode } from "../../generator/compat/json-text.js";

export type PatchOp =
  | { readonly op: "add" | "replace" | "test"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string };

function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Applies the operations to a deep copy; a failed `test` or a missing path throws. */
export function applyPatch(doc: unknown, ops: readonly PatchOp[]): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    const path = tokens(op.path);
    const last = path.pop()!;
    let parent: unknown = root;
    for (const t of path) {
      parent = (parent as Record<string, unknown>)[t];
      if (parent === undefined) throw new Error(`${op.op} ${op.path}: no such path`);
    }
    const container = parent as Record<string, unknown> | unknown[];
    if (Array.isArray(container)) {
      const i = last === "-" ? container.length : Number(last);
      if (op.op === "add") container.splice(i, 0, structuredClone(op.value));
      else if (!(i in container)) throw new Error(`${op.op} ${op.path}: no such element`);
      else if (op.op === "remove") container.splice(i, 1);
      else if (op.op === "replace") container[i] = structuredClone(op.value);
      else if (JSON.stringify(container[i]) !== JSON.stringify(op.value))
        throw new Error(`test ${op.path} failed`);
      continue;
    }
    if (op.op !== "add" && !(last in container))
      throw new Error(`${op.op} ${op.path}: no such member`);
    if (op.op === "remove") delete container[last];
    else if (op.op === "test") {
      if (JSON.stringify(container[last]) !== JSON.stringify(op.value))
        throw new Error(`test ${op.path} failed`);
    } else container[last] = structuredClone(op.value);
  }
  return root;
}

/** The line of the member or element a pointer names (its key's line for a member). */
export function pointerLine(text: string, file: string, pointer: string): number {
  let node: JsonNode = parseJson(text, file);
  let line = node.span.line;
  for (const t of tokens(pointer)) {
    if (node.kind === "object") {
      const entry = node.entries.find((e) => e.key === t);
      if (!entry) throw new Error(`${pointer}: no member ${t}`);
      line = entry.keySpan.line;
      node = entry.value;
    } else if (node.kind === "array") {
      const item = node.items[Number(t)];
      if (!item) throw new Error(`${pointer}: no element ${t}`);
      line = item.span.line;
      node = item;
    } else throw new Error(`${pointer}: ${t} is inside a scalar`);
  }
  return line;
}
