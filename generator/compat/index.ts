// Migration compatibility of two versions of a set of schemas: sections matched by QEMU name, each
// compared in both directions at the stream versions that matter, the findings merged.
//
//   forward  = the old version's writer feeds the new version's reader (migrating to a newer QEMU)
//   backward = the new version's writer feeds the old version's reader

import { Related } from "../../diagnostics/diagnostic.js";
import { LineMap, type Span } from "../../diagnostics/span.js";
import type { ParamModel, SchemaModel } from "../model.js";
import type { FunctionPlan, SchemaPlan } from "../plan/plan.js";
import { lit, type Canon, type Side } from "./canon.js";
import { LevelComparison, type NamedValue } from "./compare.js";
import {
  finding,
  mergeFindings,
  type CompatDiagnostic,
  type Direction,
  type Finding,
  type Place,
} from "./finding.js";
import { checkpoints, Flattener, gatesOf } from "./wire.js";

/** One checked schema file of a version. */
export interface SchemaFile {
  readonly file: string;
  readonly text: string;
  readonly plan: SchemaPlan;
}

interface Side_ {
  readonly side: Side;
  readonly sections: Map<string, FunctionPlan>;
  readonly params: Map<string, ParamModel>;
  readonly constants: Map<string, NamedValue>;
  readonly lines: Map<string, LineMap>;
  /** Parameters some section or struct reads. */
  readonly used: Set<string>;
}

export function compareVersions(
  old: readonly SchemaFile[],
  neu: readonly SchemaFile[],
): CompatDiagnostic[] {
  const sides = { old: collect("old", old), new: collect("new", neu) };
  const findings: Finding[] = [];
  const text = (span: Span): string =>
    ((sides.old.lines.get(span.file) ?? sides.new.lines.get(span.file))?.text ?? "").slice(
      span.start,
      span.end,
    );
  const names = [...new Set([...sides.old.sections.keys(), ...sides.new.sections.keys()])];
  for (const name of names) {
    const o = sides.old.sections.get(name);
    const n = sides.new.sections.get(name);
    if (o && n) new SectionComparison(o, n, sides, text, findings).run();
    else if (o)
      findings.push(
        finding("SECTION_REMOVED", [name], "forward", {
          old: { span: o.layout.nameSpan },
          new: undefined,
        }),
      );
    else if (n)
      findings.push(
        finding("SECTION_ADDED", [name], "backward", {
          old: undefined,
          new: { span: n.layout.nameSpan },
        }),
      );
  }
  findings.push(...paramDefaults(sides.old, sides.new));
  return mergeFindings(findings);
}

function collect(side: Side, files: readonly SchemaFile[]): Side_ {
  const out: Side_ = {
    side,
    sections: new Map(),
    params: new Map(),
    constants: new Map(),
    lines: new Map(),
    used: new Set(),
  };
  for (const f of files) {
    out.lines.set(f.file, new LineMap(f.file, f.text));
    const model: SchemaModel = f.plan.model;
    for (const fn of f.plan.functions) {
      if (
        fn.layout.kind === "section" &&
        fn.layout.qemuName &&
        !out.sections.has(fn.layout.qemuName)
      )
        out.sections.set(fn.layout.qemuName, fn);
      for (const p of fn.locals.params.keys()) out.used.add(p.name);
    }
    for (const p of model.params) if (!out.params.has(p.name)) out.params.set(p.name, p);
    for (const c of model.consts)
      out.constants.set(c.name, { kind: "constant", value: c.value, span: c.span });
    for (const set of model.features) {
      for (const [bit, { bit: value, span }] of set.bits)
        out.constants.set(`${set.name}.${bit}`, { kind: "feature bit", value, span });
    }
  }
  return out;
}

/**
 * How a parameter reads: by name when both versions have it (both sides are configured alike);
 * a parameter only one version has stays at its default towards the other (QEMU's machine-type
 * compatibility properties do this), an optional one is absent, a required one is unknown.
 */
function paramCanon(mine: Side_, theirs: Side_): (p: ParamModel) => Canon {
  return (p) => {
    if (theirs.params.has(p.name)) return { k: "param", name: p.name };
    if (p.default !== undefined) return lit(p.default);
    if (p.optional) return { k: "absent" };
    return { k: "param", name: `${mine.side}:${p.name}` };
  };
}

function paramDefaults(old: Side_, neu: Side_): Finding[] {
  const out: Finding[] = [];
  for (const [name, o] of old.params) {
    const n = neu.params.get(name);
    if (!n || o.default === n.default || !(old.used.has(name) || neu.used.has(name))) continue;
    const show = (v: bigint | boolean | undefined): string =>
      v === undefined ? "none" : String(v);
    for (const direction of ["forward", "backward"] as const) {
      out.push(
        finding("PARAM_DEFAULT_CHANGED", [name, show(o.default), show(n.default)], direction, {
          old: { span: o.span, note: Related.InVersion(name, "old") },
          new: { span: n.span },
        }),
      );
    }
  }
  return out;
}

class SectionComparison {
  private readonly name: string;

  constructor(
    private readonly o: FunctionPlan,
    private readonly n: FunctionPlan,
    private readonly sides: { old: Side_; new: Side_ },
    private readonly text: (span: Span) => string,
    private readonly findings: Finding[],
  ) {
    this.name = o.layout.qemuName!;
  }

  run(): void {
    const [o, n] = [this.o.layout, this.n.layout];
    const lowest = Math.max(o.minimum, n.minimum);
    // Forward: the old writer's version, and the older ones both readers accept.
    if (this.versionAccepted("forward", o.version, n)) {
      const gates = [...gatesOf(o.members), ...gatesOf(n.members)];
      for (const v of checkpoints(lowest, o.version, gates)) this.compareAt("forward", v, lowest);
    }
    if (this.versionAccepted("backward", n.version, o))
      this.compareAt("backward", n.version, lowest);
  }

  /** Whether the reader takes the writer's version; reports it when not. */
  private versionAccepted(
    direction: Direction,
    written: number,
    reader: FunctionPlan["layout"],
  ): boolean {
    const [ws, rs]: [Side, Side] = direction === "forward" ? ["old", "new"] : ["new", "old"];
    const places = (readerKeyword: "version" | "minimum"): [Place, Place] => {
      const w: Place = {
        span: this.headerSpan(ws, "version"),
        note: Related.SectionVersionOf(ws),
      };
      const r: Place = {
        span: this.headerSpan(rs, readerKeyword),
        note: Related.ReaderVersionOf(rs, readerKeyword === "minimum"),
      };
      return ws === "old" ? [w, r] : [r, w];
    };
    if (written > reader.version) {
      const [old, neu] = places("version");
      this.findings.push(
        finding(
          "SECTION_VERSION_TOO_NEW",
          [this.name, ws, written, rs, reader.version],
          direction,
          {
            old,
            new: neu,
          },
        ),
      );
      return false;
    }
    if (written < reader.minimum) {
      const [old, neu] = places("minimum");
      this.findings.push(
        finding(
          "SECTION_VERSION_TOO_OLD",
          [this.name, ws, written, rs, reader.minimum],
          direction,
          {
            old,
            new: neu,
          },
        ),
      );
      return false;
    }
    return true;
  }

  private compareAt(direction: Direction, version: number, lowest: number): void {
    const { old, new: neu } = this.sides;
    const o = new Flattener("old", paramCanon(old, neu)).section(this.o, version);
    const n = new Flattener("new", paramCanon(neu, old)).section(this.n, version);
    const ctx = {
      direction,
      findings: this.findings,
      text: this.text,
      constants: { old: old.constants, new: neu.constants },
      pairKeys: new Map(),
      lowestVersion: lowest,
    };
    new LevelComparison(ctx).level(o, n);
  }

  /** The span of `version N` or `minimum N` in a section's header (the name when it has none). */
  private headerSpan(side: Side, keyword: "version" | "minimum"): Span {
    const layout = (side === "old" ? this.o : this.n).layout;
    const lines = this.sides[side].lines.get(layout.nameSpan.file);
    if (!lines) return layout.nameSpan;
    const header = lines.text.slice(
      layout.nameSpan.end,
      lines.text.indexOf("{", layout.nameSpan.end),
    );
    const m = new RegExp(`\\b${keyword}\\s+[^\\s{]+`).exec(header);
    if (!m) return keyword === "minimum" ? this.headerSpan(side, "version") : layout.nameSpan;
    const start = layout.nameSpan.end + m.index;
    return lines.span(start, start + m[0].length);
  }
}
