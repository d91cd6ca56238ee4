// The verifier: extracts the trace of every save/load pair in an emitted module and compares them.
// Any difference is an order-mismatch diagnostic naming both places.

import { ts } from "ts-morph";
import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import { compareTraces } from "./compare.js";
import { extractTrace, findFunction, type Location, type TraceNode } from "./trace.js";

export interface FunctionPair {
  readonly save: string;
  readonly load: string;
}

export function toSpan(loc: Location): Span {
  return {
    file: loc.file,
    start: loc.start,
    end: loc.end,
    line: loc.line,
    column: loc.column,
    endLine: loc.endLine,
    endColumn: loc.endColumn,
  };
}

function where(loc: Location | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : "?";
}

/** Verifies each pair of functions in `text`, a TypeScript module named `file`. */
export function verifyModule(
  file: string,
  text: string,
  pairs: readonly FunctionPair[],
): Diagnostic[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics: Diagnostic[] = [];
  // A pair may call other save/load pairs of the module (structs, helpers named so): verify
  // those too, once each, so no call is trusted unchecked.
  const worklist = [...pairs];
  const seen = new Set(worklist.map((p) => p.save));
  const callees = (nodes: readonly TraceNode[]): string[] =>
    nodes.flatMap((n) =>
      n.kind === "call"
        ? [n.callee]
        : n.kind === "if"
          ? [...callees(n.then), ...callees(n.else)]
          : n.kind === "loop"
            ? callees(n.body)
            : n.kind === "subsections"
              ? n.arms.flatMap((a) => callees(a.body))
              : [],
    );
  for (let k = 0; k < worklist.length; k++) {
    const pair = worklist[k]!;
    const saveFn = findFunction(source, pair.save);
    const loadFn = findFunction(source, pair.load);
    if (!saveFn || !loadFn) {
      const missing = !saveFn ? pair.save : pair.load;
      diagnostics.push(
        Diagnostics.FunctionMissing(missing).at({
          file,
          start: 0,
          end: 0,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
        }),
      );
      continue;
    }
    const save = extractTrace(source, saveFn, "save");
    const load = extractTrace(source, loadFn, "load");
    for (const key of [...callees(save.nodes), ...callees(load.nodes)]) {
      if (
        !seen.has(`save${key}`) &&
        findFunction(source, `save${key}`) &&
        findFunction(source, `load${key}`)
      ) {
        seen.add(`save${key}`);
        worklist.push({ save: `save${key}`, load: `load${key}` });
      }
    }
    for (const p of [...save.problems, ...load.problems])
      diagnostics.push(p.problem.at(toSpan(p.loc)));
    if (save.problems.length > 0 || load.problems.length > 0) continue;
    const end = (fn: ts.FunctionDeclaration): Location => {
      const pos = fn.getEnd() - 1;
      const lc = source.getLineAndCharacterOfPosition(pos);
      return {
        file,
        line: lc.line + 1,
        column: lc.character + 1,
        endLine: lc.line + 1,
        endColumn: lc.character + 2,
        start: pos,
        end: pos + 1,
      };
    };
    const m = compareTraces(save.nodes, load.nodes, end(saveFn), end(loadFn));
    if (!m) continue;
    const saveLoc = m.save.loc ?? end(saveFn);
    const loadLoc = m.load.loc ?? end(loadFn);
    diagnostics.push(
      Diagnostics.OrderMismatch(
        pair.save,
        m.save.what,
        where(saveLoc),
        pair.load,
        m.load.what,
        where(loadLoc),
      ).at(toSpan(saveLoc), [Related.LoadDoes(pair.load, m.load.what).at(toSpan(loadLoc))]),
    );
  }
  return diagnostics;
}
