// Names no declaration may take: the properties of every JavaScript object (`__proto__`, `constructor`, `toString`…).
//
// Generated code keeps a state's fields, parameters and constants as keys of plain objects, and
// `vmstate decode` writes them as keys of a document. A key such as `__proto__` sets the object's
// prototype instead of a field, and `p.constructor ?? 1` finds Object.prototype's. So the checker
// refuses these names wherever a schema declares one (VMS2015), and nothing later has to quote them.

import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type * as A from "../../grammar/ast.js";

/** `__proto__`, `constructor`, `hasOwnProperty`, `toString`, `valueOf`, … */
const objectProperties: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isObjectProperty(name: string): boolean {
  return objectProperties.has(name);
}

/** VMS2015 for every declared name that is a property of Object.prototype. */
export function checkReservedNames(schema: A.Schema): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (name: A.Name, what: string): void => {
    if (isObjectProperty(name.text))
      out.push(Diagnostics.ObjectPropertyName(name.text, what).at(name.span));
  };
  const members = (list: readonly A.Member[]): void => {
    for (const m of list) {
      if (m.kind === "field") {
        for (const s of m.segments) if (s.kind === "name") check(s.name, "a field");
        for (const former of m.formerPaths) for (const n of former.path) check(n, "a field");
      } else if (m.kind === "let") check(m.name, "a let");
      else if (m.kind === "validate" && m.each) check(m.each.element, "an element");
      else if (m.kind === "subsection") {
        check(m.name, "a subsection");
        members(m.members);
      }
    }
  };
  for (const item of schema.items) {
    if (item.kind === "import") {
      for (const name of item.names) check(name, "an imported name");
      continue;
    }
    check(item.name, `a ${item.kind === "features" ? "feature set" : item.kind}`);
    if (item.kind === "features") for (const bit of item.bits) check(bit.name, "a feature bit");
    if (item.kind === "struct" || item.kind === "codec")
      for (const p of item.params) check(p.name, "a struct parameter");
    if (item.kind === "struct" || item.kind === "section") members(item.members);
  }
  return out;
}
