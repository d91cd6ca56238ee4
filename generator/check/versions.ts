// Check pass: versions. A field may not be gated above the version of the section, struct or
// subsection it belongs to: no writer of that version could ever send it.

import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LayoutModel } from "../model.js";
import { constantOf } from "../ir/constants.js";
import { allMembers } from "../ir/walk.js";

export function checkVersions(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const m of allMembers(layout.members)) {
    if ((m.kind !== "field" && m.kind !== "unused") || !m.since) continue;
    const gate = constantOf(m.since);
    const owner = m.subsection;
    const version = owner ? owner.version : layout.version;
    const ownerName = owner ? `subsection "${owner.qemuName}"` : `${layout.kind} '${layout.name}'`;
    if (typeof gate === "bigint" && gate > BigInt(version)) {
      const name = m.kind === "field" ? m.path.join(".") : "unused";
      diagnostics.push(
        Diagnostics.GatedAboveVersion(name, gate, version, ownerName).at(m.since.span, [
          Related.OwnerHasVersion(ownerName, version).at(owner ? owner.span : layout.nameSpan),
        ]),
      );
    }
  }
  return diagnostics;
}
