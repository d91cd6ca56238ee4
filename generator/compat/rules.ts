// The compatibility rules as data: a stable name (buf-style, UPPER_SNAKE) for each diagnostic code
// of the compatibility checker, its category, and a one-line summary for the documentation.

import {
  catalog,
  type Arg,
  type ArgsOf,
  type Code,
  type MessageOfCode,
} from "../../diagnostics/catalog.js";
import { Diagnostics, type Message } from "../../diagnostics/diagnostic.js";

export type RuleCategory = "section" | "field" | "subsection" | "declaration" | "qemu-dump";

export interface Rule {
  readonly name: string;
  readonly code: Code;
  readonly category: RuleCategory;
  readonly summary: string;
}

export const rules = [
  {
    name: "SECTION_REMOVED",
    code: "VMS9001",
    category: "section",
    summary: "a section only the old version has",
  },
  {
    name: "SECTION_ADDED",
    code: "VMS9002",
    category: "section",
    summary: "a section only the new version has",
  },
  {
    name: "SECTION_VERSION_TOO_NEW",
    code: "VMS9003",
    category: "section",
    summary: "a writer's section version above the other reader's version",
  },
  {
    name: "SECTION_VERSION_TOO_OLD",
    code: "VMS9004",
    category: "section",
    summary: "a writer's section version below the other reader's minimum",
  },

  {
    name: "FIELD_REMOVED",
    code: "VMS9010",
    category: "field",
    summary: "a value on the wire only in the old version",
  },
  {
    name: "FIELD_ADDED",
    code: "VMS9011",
    category: "field",
    summary: "a value on the wire only in the new version",
  },
  {
    name: "FIELD_MOVED",
    code: "VMS9012",
    category: "field",
    summary: "a field at another place in wire order",
  },
  {
    name: "FIELD_WIDTH_CHANGED",
    code: "VMS9013",
    category: "field",
    summary: "a scalar of another width",
  },
  {
    name: "FIELD_SIGNEDNESS_CHANGED",
    code: "VMS9014",
    category: "field",
    summary: "a scalar signed on one side and unsigned on the other",
  },
  {
    name: "FIELD_ENDIANNESS_CHANGED",
    code: "VMS9015",
    category: "field",
    summary: "a scalar in the other byte order",
  },
  {
    name: "FIELD_TYPE_CHANGED",
    code: "VMS9016",
    category: "field",
    summary: "another kind of value (bool and integer, scalar and array, struct or not)",
  },
  {
    name: "FIELD_COUNT_CHANGED",
    code: "VMS9017",
    category: "field",
    summary: "another element count or length",
  },
  {
    name: "FIELD_BOUND_LOWERED",
    code: "VMS9018",
    category: "field",
    summary: "a reader's bound below counts the old writer sends",
  },
  {
    name: "FIELD_BOUND_RAISED",
    code: "VMS9019",
    category: "field",
    summary: "a writer's bound above what the old reader accepts",
  },
  {
    name: "FIELD_GUARD_CHANGED",
    code: "VMS9020",
    category: "field",
    summary: "another condition for a field (or padding) to be on the wire",
  },
  {
    name: "FIELD_VERSION_GATE_CHANGED",
    code: "VMS9021",
    category: "field",
    summary: "a field on the wire from another version",
  },
  {
    name: "FIELD_EQUALS_CHANGED",
    code: "VMS9022",
    category: "field",
    summary: "a reader that requires a value the writer need not send",
  },
  {
    name: "FIELD_RETIRED",
    code: "VMS9023",
    category: "field",
    summary: "a field turned into padding of the same size (a warning)",
  },
  {
    name: "VALIDATION_ADDED",
    code: "VMS9024",
    category: "field",
    summary: "a new reader check that old states can fail",
  },
  {
    name: "VALIDATION_REMOVED",
    code: "VMS9025",
    category: "field",
    summary: "an old reader check that new states can fail",
  },

  {
    name: "SUBSECTION_REMOVED",
    code: "VMS9030",
    category: "subsection",
    summary: "a subsection only the old version sends",
  },
  {
    name: "SUBSECTION_ADDED",
    code: "VMS9031",
    category: "subsection",
    summary: "a subsection only the new version sends",
  },
  {
    name: "SUBSECTION_RENAMED",
    code: "VMS9032",
    category: "subsection",
    summary: "the same subsection under another QEMU name",
  },
  {
    name: "SUBSECTION_VERSION_TOO_NEW",
    code: "VMS9033",
    category: "subsection",
    summary: "a writer's subsection version above the other reader's version",
  },
  {
    name: "SUBSECTION_VERSION_TOO_OLD",
    code: "VMS9034",
    category: "subsection",
    summary: "a writer's subsection version below the other reader's minimum",
  },
  {
    name: "SUBSECTION_NEEDED_CHANGED",
    code: "VMS9035",
    category: "subsection",
    summary: "a subsection sent in other cases (a warning)",
  },

  {
    name: "CONSTANT_CHANGED",
    code: "VMS9040",
    category: "declaration",
    summary: "a constant or feature bit read on the wire path, of another value",
  },
  {
    name: "PARAM_DEFAULT_CHANGED",
    code: "VMS9041",
    category: "declaration",
    summary: "a parameter read on the wire path, with another default",
  },

  {
    name: "DUMP_MACHINE_CHANGED",
    code: "VMS9101",
    category: "qemu-dump",
    summary: "dumps of different machine types (a warning)",
  },
  {
    name: "DUMP_ENTRY_MISSING",
    code: "VMS9102",
    category: "qemu-dump",
    summary: "a key of a section or description missing in the other dump",
  },
  {
    name: "DUMP_FIELD_MISMATCH",
    code: "VMS9103",
    category: "qemu-dump",
    summary: "fields of different names at the same position",
  },
  {
    name: "DUMP_FIELD_SIZE_CHANGED",
    code: "VMS9104",
    category: "qemu-dump",
    summary: "a field of another size",
  },
  {
    name: "DUMP_UNUSED_SIZE_MISMATCH",
    code: "VMS9105",
    category: "qemu-dump",
    summary: "padding that does not cover whole fields on the other side",
  },
  {
    name: "DUMP_DESCRIPTION_RENAMED",
    code: "VMS9106",
    category: "qemu-dump",
    summary: "a description of another name at the same place",
  },
  {
    name: "DESCRIPTION_VERSION_TOO_NEW",
    code: "VMS9107",
    category: "qemu-dump",
    summary: "a nested description's version above the other side's",
  },
  {
    name: "DESCRIPTION_VERSION_TOO_OLD",
    code: "VMS9108",
    category: "qemu-dump",
    summary: "a nested description's version below the other side's minimum",
  },
] as const satisfies readonly Rule[];

export type RuleName = (typeof rules)[number]["name"];

const byName = new Map<string, Rule>(rules.map((r) => [r.name, r]));

export function ruleNamed(name: RuleName): Rule {
  return byName.get(name)!;
}

export type RuleCode<R extends RuleName> = Extract<(typeof rules)[number], { name: R }>["code"];
/** The arguments of a rule's message, as the catalog types them. */
export type RuleArgs<R extends RuleName> = ArgsOf<MessageOfCode<RuleCode<R>>>;

/** A rule's message (each rule's code has one) with its arguments. */
export function ruleMessage<R extends RuleName>(rule: R, args: RuleArgs<R>): Message {
  const name = catalog[ruleNamed(rule).code].names[0]!;
  return (Diagnostics[name] as (...a: readonly Arg[]) => Message)(...args);
}
