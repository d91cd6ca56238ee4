// Check pass: subsection names. QEMU's reader of a VMStateDescription takes every following
// subsection whose name starts with its own name (a plain prefix test) and fails on one it does not
// know. So a subsection must start with its owner's name, and no reader that looks ahead before
// the owner's may claim it.

import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type { FieldType, LayoutModel, MemberModel, SubsectionModel } from "../model.js";

/** A reader that looks ahead for subsections: a named struct or section, or a subsection. */
interface Peeker {
  readonly name: string;
  readonly span: Span;
}

export function checkSubsections(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const subs = layout.members.filter((m): m is SubsectionModel => m.kind === "subsection");
  if (subs.length > 0 && layout.qemuName === undefined) {
    diagnostics.push(Diagnostics.OwnerWithoutQemuName(layout.name).at(layout.nameSpan));
    return diagnostics;
  }
  const owner: Peeker = { name: layout.qemuName ?? "", span: layout.nameSpan };
  checkOwner(owner, layout.members, diagnostics);
  return diagnostics;
}

function checkOwner(
  owner: Peeker,
  members: readonly MemberModel[],
  diagnostics: Diagnostic[],
): void {
  const subs = members.filter((m): m is SubsectionModel => m.kind === "subsection");
  // Readers that see a subsection's header before the owner does: those at the end of the
  // owner's fields, and those at the end of every subsection written before it.
  const before: Peeker[] = trailingOfMembers(members);
  for (const sub of subs) {
    if (!sub.qemuName.startsWith(owner.name) || sub.qemuName.length <= owner.name.length) {
      diagnostics.push(
        Diagnostics.SubsectionNameNotOwners(sub.qemuName, owner.name).at(sub.qemuNameSpan, [
          Related.OwnerDeclaredHere(owner.name).at(owner.span),
        ]),
      );
    }
    for (const peeker of before) {
      if (
        peeker.name !== owner.name &&
        sub.qemuName.startsWith(peeker.name) &&
        sub.qemuName.length > peeker.name.length
      ) {
        diagnostics.push(
          Diagnostics.SubsectionNamePeeked(sub.qemuName, peeker.name).at(sub.qemuNameSpan, [
            Related.PeekerDeclaredHere(peeker.name).at(peeker.span),
          ]),
        );
        break;
      }
    }
    before.push(...trailingOfBlock({ name: sub.qemuName, span: sub.qemuNameSpan }, sub.members));
    checkOwner({ name: sub.qemuName, span: sub.qemuNameSpan }, sub.members, diagnostics);
  }
}

/** Readers still looking ahead when a block (a named layout or a subsection) has been read. */
function trailingOfBlock(self: Peeker | undefined, members: readonly MemberModel[]): Peeker[] {
  const subs = members.filter((m): m is SubsectionModel => m.kind === "subsection");
  return [
    ...trailingOfMembers(members),
    ...subs.flatMap((s) => trailingOfBlock({ name: s.qemuName, span: s.qemuNameSpan }, s.members)),
    ...(self ? [self] : []),
  ];
}

/** Readers looking ahead after the last fields of a block: walks back past fields that may be empty. */
function trailingOfMembers(members: readonly MemberModel[]): Peeker[] {
  const out: Peeker[] = [];
  const fields = members.filter((m) => m.kind === "field" || m.kind === "unused");
  for (let i = fields.length - 1; i >= 0; i--) {
    const m = fields[i]!;
    if (m.kind === "field") out.push(...trailingOfType(m.type));
    if (!mayBeEmpty(m)) break;
  }
  return out;
}

function trailingOfType(type: FieldType): Peeker[] {
  if (type.kind === "array") return trailingOfType(type.element);
  if (type.kind !== "struct") return [];
  const s = type.struct;
  return trailingOfBlock(
    s.qemuName === undefined ? undefined : { name: s.qemuName, span: s.nameSpan },
    s.members,
  );
}

function mayBeEmpty(m: MemberModel): boolean {
  if (m.kind === "unused")
    return (
      m.guard !== undefined ||
      m.since !== undefined ||
      m.count.constant === undefined ||
      m.count.constant === 0n
    );
  if (m.kind !== "field") return true;
  return m.optional || typeMayBeEmpty(m.type);
}

function typeMayBeEmpty(type: FieldType): boolean {
  switch (type.kind) {
    case "int":
    case "bool":
      return false;
    case "bytes":
    case "text":
      return type.count.constant === undefined || type.count.constant === 0n;
    case "array":
      return (
        type.count.constant === undefined ||
        type.count.constant === 0n ||
        typeMayBeEmpty(type.element)
      );
    case "struct":
      return type.struct.members.every(mayBeEmpty);
    case "custom":
      return true;
  }
}
