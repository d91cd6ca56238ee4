// Mutations of the JSON documents `vmstate encode` reads: values of the wrong type or at the edges,
// members removed or added (named `__proto__` or `constructor` among others), array elements
// removed or repeated.

import type { Json } from "../stream/format.js";
import type { Random } from "./random.js";

/** JSON values a document might hold by mistake or on purpose: wrong types, edges, names that are traps. */
const JSON_VALUES: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  256,
  65536,
  4294967296,
  1e308,
  -1e308,
  2 ** 53 + 2, // the first integer above 2^53 that a double holds exactly after 2^53 itself
  "",
  "0x",
  "zz",
  "0x10",
  "-5",
  "ffff",
  "A".repeat(300),
  [],
  [0],
  {},
];

/** Keys an added member may have, among them the names JavaScript objects give meaning to. */
const JSON_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "extra",
  "type",
  "state",
  "schema",
  "hex",
];

/**
 * One to three mutations of a JSON document (in place on a copy): a value replaced by another of
 * any type, a member removed or added, an array element removed or repeated.
 */
export function mutateJson(base: Json, rnd: Random): Json {
  const doc = structuredClone(base);
  const count = rnd.between(1, 3);
  for (let i = 0; i < count; i++) {
    const nodes: (Json[] | { [key: string]: Json })[] = [];
    const walk = (v: Json): void => {
      if (v === null || typeof v !== "object") return;
      nodes.push(v);
      for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child);
    };
    walk(doc);
    if (nodes.length === 0) break;
    const node = rnd.pick(nodes);
    if (Array.isArray(node)) {
      if (node.length === 0) {
        node.push(rnd.pick(JSON_VALUES));
        continue;
      }
      const at = rnd.below(node.length);
      const op = rnd.below(3);
      if (op === 0) node[at] = structuredClone(rnd.pick(JSON_VALUES));
      else if (op === 1) node.splice(at, 1);
      else node.splice(at, 0, structuredClone(node[at]!));
    } else {
      const keys = Object.keys(node);
      const op = keys.length === 0 ? 2 : rnd.below(3);
      if (op === 0) node[rnd.pick(keys)] = structuredClone(rnd.pick(JSON_VALUES));
      else if (op === 1) delete node[rnd.pick(keys)];
      else
        Object.defineProperty(node, rnd.pick(JSON_KEYS), {
          value: structuredClone(rnd.pick(JSON_VALUES)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
  }
  return doc;
}
