// Check pass: availability. Everything the reader evaluates may read only constants, parameters and
// values that come earlier in wire order; a field inside a subsection is unknown outside it.

import { diagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LayoutModel } from "../model.js";
import { isWithin, references } from "./walk.js";

export function checkAvailability(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const site of layout.sites) {
    for (const ref of references(site.expr)) {
      const target = ref.target.kind === "field" ? ref.target.field : ref.target.binding;
      const name =
        ref.target.kind === "field" ? ref.target.field.path.join(".") : ref.target.binding.name;
      const declared = { span: target.span, message: `'${name}' is declared here` };
      const nested = ref.inStructSubsection;
      const why = site.writerOnly
        ? "it may be absent from the writer's state (only the subsection's own fields are there for its 'needed')"
        : "the reader cannot know it here";
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
          diagnostic(
            "VMS4002",
            ref.expr.span,
            [site.role, leaf ? leaf.path.join(".") : name, nested.subsection.qemuName, why],
            [
              {
                span: leaf?.span ?? nested.subsection.span,
                message: `it is read here, inside subsection "${nested.subsection.qemuName}", which may be absent`,
              },
            ],
          ),
        );
      } else if (target.subsection && !isWithin(site.subsection, target.subsection)) {
        const sub = target.subsection;
        diagnostics.push(
          diagnostic(
            "VMS4002",
            ref.expr.span,
            [site.role, name, sub.qemuName, why],
            [
              {
                span: target.span,
                message: `'${name}' is read here, inside subsection "${sub.qemuName}", which comes after the fields and may be absent`,
              },
            ],
          ),
        );
      } else if (!site.writerOnly && target.order >= site.order) {
        diagnostics.push(diagnostic("VMS4001", ref.expr.span, [site.role, name], [declared]));
      }
    }
  }
  return diagnostics;
}
