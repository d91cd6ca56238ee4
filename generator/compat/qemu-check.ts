// The checks of QEMU's scripts/vmstate-static-checker.py (QEMU 7.2), over two -dump-vmstate files,
// as findings with places in both files. The checker compares a source dump with a destination
// dump; forward is old → new, backward (its --reverse) is new → old. Its behaviour, written anew:
//
// - a section of the source missing in the destination (after its table of renamed sections);
// - a source version above the destination's version, or below its minimum (the script counts the
//   latter only inside descriptions; here it counts everywhere);
// - a key of a section or description missing in the destination;
// - descriptions of different names (after its table of renamed fields);
// - fields compared by position: names (following a field moved into a new substruct, either way),
//   "unused" padding that may cover several fields on the other side, version gates, sizes (not
//   of structs), a struct on one side only;
// - a subsection of the source missing in the destination.

import { Related, type RelatedMessage } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import {
  finding,
  mergeFindings,
  type CompatDiagnostic,
  type Direction,
  type Finding,
  type Place,
} from "./finding.js";
import type { Dump, DumpField, DumpSection, Num, Vmsd } from "./qemu-dump.js";
import type { RuleArgs, RuleName } from "./rules.js";

/**
 * Sections QEMU renamed, which the script takes as the same (get_changed_sec_name, QEMU 7.2
 * scripts/vmstate-static-checker.py; "ICH9 LPC" became "ICH9-LPC" in 292b1634).
 */
const RENAMED_SECTIONS: readonly (readonly [string, string])[] = [
  ["ICH9 LPC", "ICH9-LPC"],
  ["e1000-82540em", "e1000"],
];

/**
 * Field and description names QEMU changed without changing the wire, per description or section
 * (check_fields_match, QEMU 7.2 scripts/vmstate-static-checker.py): any two names of one list match.
 */
const RENAMED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  apic: ["timer", "timer_expiry"],
  e1000: ["dev", "parent_obj"],
  ehci: ["dev", "pcidev"],
  I440FX: ["dev", "parent_obj"],
  ich9_ahci: ["card", "parent_obj"],
  "ich9-ahci": ["ahci", "ich9_ahci"],
  ioh3420: ["PCIDevice", "PCIEDevice"],
  "ioh-3240-express-root-port": [
    "port.br.dev",
    "parent_obj.parent_obj.parent_obj",
    "port.br.dev.exp.aer_log",
    "parent_obj.parent_obj.parent_obj.exp.aer_log",
  ],
  cirrus_vga: ["hw_cursor_x", "vga.hw_cursor_x", "hw_cursor_y", "vga.hw_cursor_y"],
  lsiscsi: ["dev", "parent_obj"],
  mch: ["d", "parent_obj"],
  pci_bridge: ["bridge.dev", "parent_obj", "bridge.dev.shpc", "shpc"],
  pcnet: ["pci_dev", "parent_obj"],
  PIIX3: ["pci_irq_levels", "pci_irq_levels_vmstate"],
  piix4_pm: [
    "dev",
    "parent_obj",
    "pci0_status",
    "acpi_pci_hotplug.acpi_pcihp_pci_status[0x0]",
    "pm1a.sts",
    "ar.pm1.evt.sts",
    "pm1a.en",
    "ar.pm1.evt.en",
    "pm1_cnt.cnt",
    "ar.pm1.cnt.cnt",
    "tmr.timer",
    "ar.tmr.timer",
    "tmr.overflow_time",
    "ar.tmr.overflow_time",
    "gpe",
    "ar.gpe",
  ],
  rtl8139: ["dev", "parent_obj"],
  qxl: ["num_surfaces", "ssd.num_surfaces"],
  "usb-ccid": ["abProtocolDataStructure", "abProtocolDataStructure.data"],
  "usb-host": ["dev", "parent_obj"],
  "usb-mouse": ["usb-ptr-queue", "HIDPointerEventQueue"],
  "usb-tablet": ["usb-ptr-queue", "HIDPointerEventQueue"],
  vmware_vga: ["card", "parent_obj"],
  vmware_vga_internal: ["depth", "new_depth"],
  xhci: ["pci_dev", "parent_obj"],
  "x3130-upstream": ["PCIDevice", "PCIEDevice"],
  "xio3130-express-downstream-port": [
    "port.br.dev",
    "parent_obj.parent_obj.parent_obj",
    "port.br.dev.exp.aer_log",
    "parent_obj.parent_obj.parent_obj.exp.aer_log",
  ],
  "xio3130-downstream": ["PCIDevice", "PCIEDevice"],
  "xio3130-express-upstream-port": [
    "br.dev",
    "parent_obj.parent_obj",
    "br.dev.exp.aer_log",
    "parent_obj.parent_obj.exp.aer_log",
  ],
};

function namesMatch(scope: string, a: string, b: string): boolean {
  if (a === b) return true;
  const list = RENAMED_FIELDS[scope];
  return list !== undefined && list.includes(a) && list.includes(b);
}

export function compareDumps(old: Dump, neu: Dump): CompatDiagnostic[] {
  const findings: Finding[] = [];
  new DumpCheck("forward", old, neu, findings).run();
  new DumpCheck("backward", neu, old, findings).run();
  return mergeFindings(findings);
}

type Role = "src" | "dest";

class DumpCheck {
  private readonly srcSide: "old" | "new";
  private readonly destSide: "old" | "new";

  constructor(
    private readonly direction: Direction,
    private readonly src: Dump,
    private readonly dest: Dump,
    private readonly findings: Finding[],
  ) {
    [this.srcSide, this.destSide] = direction === "forward" ? ["old", "new"] : ["new", "old"];
  }

  run(): void {
    this.machine();
    const destSections = new Map(this.dest.sections.map((s) => [s.key, s]));
    for (const s of this.src.sections) {
      const d = destSections.get(s.key) ?? destSections.get(renamedSection(s.key));
      if (!d) {
        const rule: RuleName = this.srcSide === "old" ? "SECTION_REMOVED" : "SECTION_ADDED";
        this.report(
          rule,
          [s.key],
          this.place("src", s.keySpan, Related.DumpSection(s.key)),
          this.place("dest", this.dest.span, Related.DumpLacksSection(this.destSide, s.key)),
          "src",
        );
        continue;
      }
      this.section(s, d);
    }
  }

  private machine(): void {
    const [s, d] = [this.src.machine, this.dest.machine];
    if (s && !d) {
      this.report(
        "DUMP_ENTRY_MISSING",
        ["the dump", "vmschkmachine", this.destSide],
        this.place("src", s.keySpan),
        this.place("dest", this.dest.span, Related.Dump(this.destSide)),
        "src",
      );
    } else if (s && d && s.name !== d.name) {
      this.report(
        "DUMP_MACHINE_CHANGED",
        this.oldNew(s.name, d.name),
        this.place("src", s.span, Related.DumpMachineType(this.srcSide)),
        this.place("dest", d.span, Related.DumpMachineType(this.destSide)),
      );
    }
  }

  private section(s: DumpSection, d: DumpSection): void {
    const where = `section "${s.key}"`;
    this.versions(s.version, d.version, d.minimum, where, s.key, "SECTION");
    for (const entry of s.keys) {
      const there = d.keys.find((e) => e.key === entry.key);
      if (!there) {
        this.report(
          "DUMP_ENTRY_MISSING",
          [where, entry.key, this.destSide],
          this.place("src", entry.keySpan),
          this.place("dest", d.keySpan, Related.InDump(where, this.destSide)),
          "src",
        );
      } else if (entry.key === "Description" && s.description && d.description) {
        this.description(s.description, d.description, s.key, "DESCRIPTION");
      }
    }
  }

  /** check_descriptions: version, name, keys, fields and subsections of one VMSD. */
  private description(s: Vmsd, d: Vmsd, section: string, kind: "DESCRIPTION" | "SUBSECTION"): void {
    const where = `section "${section}"`;
    this.versions(s.version, d.version, d.minimum, where, s.name, kind);
    if (!namesMatch(section, s.name, d.name)) {
      this.report(
        "DUMP_DESCRIPTION_RENAMED",
        [where, ...this.oldNew(s.name, d.name)],
        this.place("src", s.nameSpan, Related.EntryInDump(s.name, this.srcSide)),
        this.place("dest", d.nameSpan, Related.EntryInDump(d.name, this.destSide)),
      );
      return;
    }
    for (const entry of s.keys) {
      if (d.keys.some((e) => e.key === entry.key)) continue;
      this.report(
        "DUMP_ENTRY_MISSING",
        [`${where}, description "${s.name}"`, entry.key, this.destSide],
        this.place("src", entry.keySpan),
        this.place("dest", d.nameSpan, Related.DescriptionInDump(d.name, this.destSide)),
        "src",
      );
    }
    if (s.fields && d.fields)
      this.fields(s.fields, d.fields, s.name, section, d.fieldsSpan ?? d.nameSpan);
    for (const sub of s.subsections && d.subsections ? s.subsections : []) {
      const twin = d.subsections!.find((x) => x.name === sub.name);
      if (twin) {
        this.description(sub, twin, section, "SUBSECTION");
        continue;
      }
      const rule: RuleName = this.srcSide === "old" ? "SUBSECTION_REMOVED" : "SUBSECTION_ADDED";
      this.report(
        rule,
        [sub.name, ""],
        this.place("src", sub.nameSpan),
        this.place(
          "dest",
          d.nameSpan,
          Related.DumpLacksSubsection(d.name, this.destSide, sub.name),
        ),
        "src",
      );
    }
  }

  /**
   * check_fields: the two field lists side by side. A field the destination has moved into a new
   * substruct (its first field matches) is followed in, and the same for the source; "unused"
   * padding of one side may cover several fields of the other.
   */
  private fields(
    src: readonly DumpField[],
    dest: readonly DumpField[],
    desc: string,
    section: string,
    destSpan: Span,
  ): void {
    const where = `section "${section}", description "${desc}"`;
    const srcIt = new Cursor(src);
    const destIt = new Cursor(dest);
    let s: DumpField | undefined;
    let d: DumpField | undefined;
    let takeSrc = true;
    let takeDest = true;
    let unused = 0;
    for (;;) {
      if (takeSrc) {
        const next = srcIt.next();
        if (next === "end") break;
        if (next === "popped") continue;
        s = next;
      } else if (unused === 0) takeSrc = true;
      if (takeDest) {
        const next = destIt.next();
        if (next === "end") {
          const rule: RuleName = this.srcSide === "old" ? "FIELD_REMOVED" : "FIELD_ADDED";
          this.report(
            rule,
            [`${desc}.${s!.field}`, ""],
            this.place("src", s!.fieldSpan),
            this.place(
              "dest",
              d?.fieldSpan ?? destSpan,
              Related.DumpLacksFields(this.destSide, desc),
            ),
            "src",
          );
          return;
        }
        if (next === "popped") {
          takeSrc = false;
          continue;
        }
        d = next;
      } else if (unused === 0) takeDest = true;
      if (unused !== 0 && !(takeSrc && takeDest)) {
        // One side's padding is being matched by the other side's fields.
        const [item, role]: [DumpField, Role] = !takeDest ? [s!, "src"] : [d!, "dest"];
        unused -= item.size.value;
        if (unused === 0) {
          if (role === "src") takeDest = true;
          else takeSrc = true;
        } else if (unused < 0) {
          this.report("DUMP_UNUSED_SIZE_MISMATCH", [where, item.field], ...this.pairPlaces(s!, d!));
          return;
        }
        continue;
      }
      if (!namesMatch(desc, s!.field, d!.field)) {
        if (startsSubstruct(d!, s!.field)) {
          destIt.enter(d!.description!.fields!);
          takeSrc = false;
          continue;
        }
        if (startsSubstruct(s!, d!.field)) {
          srcIt.enter(s!.description!.fields!);
          takeDest = false;
          continue;
        }
        if (s!.field === "unused" || d!.field === "unused") {
          if (s!.size.value === d!.size.value) continue;
          if (d!.field === "unused") {
            takeDest = false;
            unused = d!.size.value - s!.size.value;
          } else {
            takeSrc = false;
            unused = s!.size.value - d!.size.value;
          }
          continue;
        }
        this.report(
          "DUMP_FIELD_MISMATCH",
          [where, ...this.oldNew(s!.field, d!.field)],
          ...this.pairPlaces(s!, d!),
        );
        return;
      }
      this.field(s!, d!, desc, section);
    }
  }

  private field(s: DumpField, d: DumpField, desc: string, section: string): void {
    const where = `section "${section}", description "${desc}"`;
    const name = `${desc}.${s.field}`;
    if (s.version.value > d.version.value) {
      const [o, n] = this.oldNew(s.version.value, d.version.value);
      const gate = (v: number): string => (v === 0 ? "always" : `since ${v}`);
      const range =
        Math.min(o, n) === Math.max(o, n) - 1
          ? `${Math.min(o, n)}`
          : `${Math.min(o, n)} to ${Math.max(o, n) - 1}`;
      this.report(
        "FIELD_VERSION_GATE_CHANGED",
        [name, gate(o), gate(n), range],
        ...this.pairPlaces(s, d, "version"),
      );
    }
    // Struct fields are compared by their descriptions, not their sizes.
    if (!s.description && s.size.value !== d.size.value) {
      this.report(
        "DUMP_FIELD_SIZE_CHANGED",
        [where, s.field, ...this.oldNew(s.size.value, d.size.value)],
        ...this.pairPlaces(s, d, "size"),
      );
    }
    if (s.description && !d.description) {
      const kinds = this.oldNew(`a struct ("${s.description.name}")`, "not a struct");
      this.report("FIELD_TYPE_CHANGED", [name, ...kinds], ...this.pairPlaces(s, d));
    } else if (s.description && d.description) {
      this.description(s.description, d.description, section, "DESCRIPTION");
    }
  }

  /** check_version: the source's version against the destination's version and minimum. */
  private versions(
    sv: Num,
    dv: Num,
    dmin: Num | undefined,
    where: string,
    name: string,
    kind: "SECTION" | "DESCRIPTION" | "SUBSECTION",
  ): void {
    const [src, dest] = [this.srcSide, this.destSide];
    const ours = this.place("src", sv.span, Related.DumpVersion(src));
    const limits = [
      { limit: dv, above: true, note: Related.DumpVersion(dest) },
      ...(dmin ? [{ limit: dmin, above: false, note: Related.DumpMinimumVersion(dest) }] : []),
    ];
    for (const { limit, above, note } of limits) {
      if (above ? sv.value <= limit.value : sv.value >= limit.value) continue;
      const theirs = this.place("dest", limit.span, note);
      if (kind === "DESCRIPTION")
        this.report(
          above ? "DESCRIPTION_VERSION_TOO_NEW" : "DESCRIPTION_VERSION_TOO_OLD",
          [where, name, sv.value, src, dest, limit.value],
          ours,
          theirs,
        );
      else
        this.report(
          kind === "SECTION"
            ? above
              ? "SECTION_VERSION_TOO_NEW"
              : "SECTION_VERSION_TOO_OLD"
            : above
              ? "SUBSECTION_VERSION_TOO_NEW"
              : "SUBSECTION_VERSION_TOO_OLD",
          [name, src, sv.value, dest, limit.value],
          ours,
          theirs,
        );
    }
  }

  // ------------------------------------------------------------- helpers

  private oldNew<T>(srcValue: T, destValue: T): [T, T] {
    return this.srcSide === "old" ? [srcValue, destValue] : [destValue, srcValue];
  }

  private place(role: Role, span: Span, note?: RelatedMessage): { role: Role; place: Place } {
    return { role, place: note ? { span, note } : { span } };
  }

  private pairPlaces(
    s: DumpField,
    d: DumpField,
    key: "field" | "version" | "size" = "field",
  ): [ReturnType<DumpCheck["place"]>, ReturnType<DumpCheck["place"]>] {
    const span = (f: DumpField): Span =>
      key === "field" ? f.fieldSpan : key === "version" ? f.version.span : f.size.span;
    return [
      this.place("src", span(s), Related.EntryInDump(s.field, this.srcSide)),
      this.place("dest", span(d), Related.EntryInDump(d.field, this.destSide)),
    ];
  }

  private report<R extends RuleName>(
    rule: R,
    args: RuleArgs<R>,
    a: { role: Role; place: Place },
    b: { role: Role; place: Place },
    primary?: Role,
  ): void {
    const byRole = { [a.role]: a.place, [b.role]: b.place } as Record<Role, Place>;
    const [old, neu] = this.oldNew(byRole.src, byRole.dest);
    const primarySide =
      primary === undefined ? undefined : primary === "src" ? this.srcSide : this.destSide;
    this.findings.push(
      finding(rule, args, this.direction, {
        old,
        new: neu,
        ...(primarySide ? { primary: primarySide } : {}),
      }),
    );
  }
}

function renamedSection(key: string): string {
  for (const [a, b] of RENAMED_SECTIONS) {
    if (key === a) return b;
    if (key === b) return a;
  }
  return "";
}

/** Whether `item` is a struct whose first field matches `name`: a field moved into a substruct. */
function startsSubstruct(item: DumpField, name: string): boolean {
  const first = item.description?.fields?.[0];
  return first !== undefined && namesMatch(item.description!.name, first.field, name);
}

/** An iterator over fields that can enter a substruct's fields and return when they end. */
class Cursor {
  private readonly stack: { fields: readonly DumpField[]; at: number }[];

  constructor(fields: readonly DumpField[]) {
    this.stack = [{ fields, at: 0 }];
  }

  /** The next field; "popped" when a substruct ended (and the outer list resumes); "end" at the end. */
  next(): DumpField | "popped" | "end" {
    const top = this.stack[this.stack.length - 1]!;
    if (top.at < top.fields.length) return top.fields[top.at++]!;
    if (this.stack.length === 1) return "end";
    this.stack.pop();
    return "popped";
  }

  enter(fields: readonly DumpField[]): void {
    this.stack.push({ fields, at: 0 });
  }
}
