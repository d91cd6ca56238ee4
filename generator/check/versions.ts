// Check pass: versions. A version must be one QEMU's format carries, a minimum may not be above
// its version, and a field may not be gated above the version of the section, struct or
// subsection it belongs to: no writer of that version could ever send it.

import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LayoutModel, WrittenVersion, WrittenVersions } from "../model.js";
import { constantOf } from "../ir/constants.js";
import { allMembers } from "../ir/walk.js";

/** QEMU sends versions as be32 and reads them as int: 0 to 2^31 - 1. */
const VERSION_LIMIT = (1n << 31n) - 1n;

function inRange(v: bigint): boolean {
  return v >= 0n && v <= VERSION_LIMIT;
}

/** The version the model uses for a written one: 0 when none was written or it is out of range. */
export function usableVersion(written: WrittenVersion | undefined): number {
  return written && inRange(written.value) ? Number(written.value) : 0;
}

function checkWritten(
  written: WrittenVersions,
  used: { version: number; minimum: number },
  diagnostics: Diagnostic[],
): void {
  for (const v of [written.version, written.minimum]) {
    if (v && !inRange(v.value)) diagnostics.push(Diagnostics.VersionOutOfRange(v.value).at(v.span));
  }
  if (written.minimum && used.minimum > used.version) {
    diagnostics.push(
      Diagnostics.MinimumAboveVersion(used.minimum, used.version).at(written.minimum.span),
    );
  }
}

export function checkVersions(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  checkWritten(layout.written, layout, diagnostics);
  for (const m of allMembers(layout.members)) {
    if (m.kind === "subsection") checkWritten(m.written, m, diagnostics);
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
