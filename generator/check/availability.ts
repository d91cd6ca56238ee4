// Check pass: availability. Everything the reader evaluates may read only constants, parameters and
// values that come earlier in wire order; a field inside a subsection is unknown outside it.

import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LayoutModel } from "../model.js";
import { isWithin, references } from "../ir/walk.js";

export function checkAvailability(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const site of layout.sites) {
    for (const ref of references(site.expr)) {
      const target = ref.target.kind === "field" ? ref.target.field : ref.target.binding;
      const name =
        ref.target.kind === "field" ? ref.target.field.path.join(".") : ref.target.binding.name;
      const declared = Related.DeclaredHere(name).at(target.span);
      const nested = ref.inStructSubsection;
      // `needed` runs on the writer, which has the subsection's own fields (not those of a
      // subsection nested in it, which may be absent from the state).
      if (
        site.neededOf &&
        ref.target.kind === "field" &&
        !nested &&
        target.subsection === site.neededOf
      )
        continue;
      if (nested) {
        const leaf = nested.field;
        diagnostics.push(
          Diagnostics.ReadInsideSubsection(
            site.role,
            leaf ? leaf.path.join(".") : name,
            nested.subsection.qemuName,
            site.writerOnly,
          ).at(ref.expr.span, [
            Related.ReadInNestedSubsection(nested.subsection.qemuName).at(
              leaf?.span ?? nested.subsection.span,
            ),
          ]),
        );
      } else if (target.subsection && !isWithin(site.subsection, target.subsection)) {
        const sub = target.subsection;
        diagnostics.push(
          Diagnostics.ReadInsideSubsection(site.role, name, sub.qemuName, site.writerOnly).at(
            ref.expr.span,
            [Related.ReadInLaterSubsection(name, sub.qemuName).at(target.span)],
          ),
        );
      } else if (!site.writerOnly && target.order >= site.order) {
        diagnostics.push(Diagnostics.NotReadYet(site.role, name).at(ref.expr.span, [declared]));
      }
    }
  }
  return diagnostics;
}
