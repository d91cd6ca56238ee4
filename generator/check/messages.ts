// Validation messages: the text a LoadError gives when a validation fails, so one printable line.
//
// A message reaches a terminal and a log as it is written in the schema; a `\n` or `\u001b` escape
// in its literal would make a LoadError span lines or send a control sequence. The checker refuses
// such a message (VMS1008) rather than the loader escaping it at run time.

import { Diagnostics, escapeControls, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type * as A from "../../grammar/ast.js";

/** VMS1008 for each validation message with a character that is not printable on one line. */
export function checkMessages(schema: A.Schema): Diagnostic[] {
  const out: Diagnostic[] = [];
  const members = (list: readonly A.Member[]): void => {
    for (const m of list) {
      if (m.kind === "validate") {
        const text = m.message.value;
        const bad = [...text].find((c) => escapeControls(c) !== c);
        if (bad !== undefined)
          out.push(Diagnostics.ControlCharacterInMessage(escapeControls(bad)).at(m.message.span));
      } else if (m.kind === "subsection") members(m.members);
    }
  };
  for (const item of schema.items)
    if (item.kind === "struct" || item.kind === "section") members(item.members);
  return out;
}
