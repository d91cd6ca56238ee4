// Trace extraction: reads a save or load function from its TypeScript syntax tree, without running
// it, and returns its sequence of wire operations with the conditions, loops and checks around
// them. Values are symbolic (symbols.ts): a value read from (or written to) the wire is named by
// the number of the operation that carried it, so save and load compare expression by expression.
//
// The same extractor reads generated code and hand-written codecs. What it follows: calls of the
// Reader or Writer, `const`/`let`, assignments, `if`/`else`, `for (let i = 0; i < n; i++)`,
// `try` (the catch only rewrites errors), `throw`, calls of functions of the same module (read
// through), and QEMU's subsection lookahead loop. Anything else that touches the Reader or Writer
// (an unknown call, a loop without a count, a callback, an early return) is reported, never passed.

import { ts } from "ts-morph";
import { Diagnostics, type Message } from "../../diagnostics/diagnostic.js";
import {
  bookkeepingMethods,
  isScalarMethod,
  pureMethods,
  scalarMethods,
  type ReaderMethod,
  type WriterMethod,
} from "../../runtime/wire.js";
import {
  asStatements,
  countedLoopIndex,
  findCall,
  isLiteral,
  keyOf,
  loopName,
  statementName,
  rootLocal,
  strip,
} from "./syntax.js";
import {
  firstUnknownName,
  literal,
  literalNumber,
  numberLiteral,
  named,
  unknownSym,
  wire,
  word,
  type Sym,
} from "./symbols.js";

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly start: number;
  readonly end: number;
}

export type TraceNode =
  | {
      readonly kind: "op";
      /** Reader/Writer method: `u32`, `i16le`, `bool`, `bytes`, `skip`. */
      readonly op: string;
      /** The length of `bytes` and `skip`. */
      readonly length: Sym | undefined;
      /** A value the reader requires (`equals`), or the first copy of a value sent twice (`again`). */
      readonly equals: { readonly value: Sym; readonly firstCopy: boolean } | undefined;
      readonly path: string;
      readonly loc: Location;
    }
  /** Save: a subsection's header, at the version written. */
  | {
      readonly kind: "subsectionHeader";
      readonly name: string;
      readonly version: Sym;
      readonly loc: Location;
    }
  /** Load: the versions of a subsection the loader accepts. */
  | {
      readonly kind: "subsectionVersion";
      readonly path: string;
      readonly min: Sym;
      readonly max: Sym;
      readonly loc: Location;
    }
  | {
      readonly kind: "check";
      readonly condition: Sym;
      readonly message: string;
      readonly loc: Location;
    }
  | {
      readonly kind: "if";
      readonly condition: Sym;
      readonly then: TraceNode[];
      readonly else: TraceNode[];
      readonly loc: Location;
    }
  | {
      readonly kind: "loop";
      readonly count: Sym;
      readonly body: TraceNode[];
      readonly loc: Location;
    }
  | {
      readonly kind: "call";
      readonly callee: string;
      readonly args: readonly Sym[];
      readonly loc: Location;
    }
  | { readonly kind: "subsections"; readonly arms: SubsectionTrace[]; readonly loc: Location }
  | RunTrace;

/**
 * A run of fixed-size fields (`r.run` / `w.run`): its size, and its reads or writes at constant
 * offsets from its base, in the order of the code. A loader's run also has its layout, the
 * module constant its errors come from; the padding is only there (the loader skips over it).
 */
export interface RunTrace {
  readonly kind: "run";
  readonly size: number;
  readonly ops: RunOp[];
  readonly layout: readonly RunOp[] | undefined;
  readonly loc: Location;
}

export interface RunOp {
  /** The Reader/Writer method without `At` (`u32`, `bool`), `unused`, or `loop`. */
  readonly op: string;
  readonly at: number;
  readonly width: number;
  /** A loop's: the path its elements' errors are under (`vqs[]`); "" where the code does not say. */
  readonly path: string;
  readonly loc: Location;
  /** A loop's elements: `count` of them, `stride` bytes apart, each laid out as `ops` say. */
  readonly loop?: { readonly count: number; readonly stride: number; readonly ops: RunOp[] };
}

export interface SubsectionTrace {
  readonly name: string;
  /** Save: the version written. Load: the accepted range. */
  readonly version: { readonly min: number; readonly max: number };
  readonly body: TraceNode[];
  readonly loc: Location;
}

export interface ExtractProblem {
  /** Code the extractor cannot follow (VMS8002), a load decision on a value not read yet (VMS8003). */
  readonly problem: Message;
  readonly loc: Location;
}

export interface Trace {
  readonly nodes: TraceNode[];
  readonly problems: ExtractProblem[];
}

export type SaveOrLoad = "save" | "load";

/** Finds a top-level function declaration by name. */
export function findFunction(
  source: ts.SourceFile,
  name: string,
): ts.FunctionDeclaration | undefined {
  return source.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name,
  );
}

export function extractTrace(
  source: ts.SourceFile,
  fn: ts.FunctionDeclaration,
  side: SaveOrLoad,
): Trace {
  return new Extractor(source, side).run(fn);
}

/** What every function of a module sees of it: imports, constants, functions and run layouts. */
interface ModuleScope {
  readonly env: ReadonlyMap<string, Sym>;
  readonly functions: Map<string, ts.FunctionDeclaration>;
  readonly runLayouts: Map<string, RunOp[]>;
}

const moduleScopes = new WeakMap<ts.SourceFile, ModuleScope>();

/** Reader and Writer methods that carry one value each (the runtime's table). */
const wireOps: ReadonlySet<string> = new Set(Object.keys(scalarMethods));

/** Bytes a value of a wire method takes. */
function widthOf(op: string): number {
  if (!isScalarMethod(op)) return 1;
  const type = scalarMethods[op];
  return type.kind === "bool" ? 1 : type.bits / 8;
}

/** Calls on the Reader or Writer that neither move through the stream nor decide anything. */
const bookkeeping: ReadonlySet<string> = new Set(bookkeepingMethods);

/** Pure helpers of the Reader and Writer, kept as part of the symbolic value. */
const pureHelpers: ReadonlySet<string> = new Set(pureMethods);

const MAX_INLINE_DEPTH = 16;

class Extractor {
  private next = 0;
  private readonly problems: ExtractProblem[] = [];
  /** Symbolic value of each local (and of dotted paths such as `s.mac`) in scope. */
  private env = new Map<string, Sym>();
  /** Names under which the Reader (load) or Writer (save) is in scope. */
  private ios = new Set<string>();
  /** The local of the array that the next loop reads into (load) or writes from (save). */
  private pendingArray: string | undefined;
  /** The subsection whose branch is being read (load). */
  private armName: string | undefined;
  private depth = 0;
  private readonly functions: Map<string, ts.FunctionDeclaration>;
  /** The module's run layouts (`const f$run0: RunLayout = [[0, 2, "u16", "num"], …]`). */
  private readonly runLayouts: Map<string, RunOp[]>;
  /** The open runs by the number of their base: the node, the trace it is in and its number. */
  private readonly runs = new Map<number, { node: RunTrace; out: TraceNode[]; id: number }>();
  /** The loop of a run being read: its index, and its reads or writes with their stride. */
  private runLoop:
    | {
        readonly run: { node: RunTrace; out: TraceNode[]; id: number };
        readonly index: string;
        readonly ops: { op: RunOp; stride: number }[];
        /** Save: the path the writer checks each element under (`w.object(items[i], path)`). */
        path: string;
      }
    | undefined;
  /** Save: the locals of fixed arrays written in a run (`w.tuple`), and their length. */
  private readonly tuples = new Map<string, number>();

  constructor(
    private readonly source: ts.SourceFile,
    private readonly side: SaveOrLoad,
  ) {
    // The module's statements are read once per module, not once per function (a module of
    // 10 000 fields has 400 functions and 3 000 layouts).
    const known = moduleScopes.get(source);
    if (known !== undefined) {
      this.env = new Map(known.env);
      this.functions = known.functions;
      this.runLayouts = known.runLayouts;
      return;
    }
    this.functions = new Map();
    this.runLayouts = new Map();
    for (const s of source.statements) {
      // A value imported from another module (an imported schema's constant or feature set) is the
      // same binding on both sides, and an ES module's import binding never changes.
      if (ts.isImportDeclaration(s) && s.importClause && !s.importClause.isTypeOnly) {
        const bindings = s.importClause.namedBindings;
        if (bindings && ts.isNamedImports(bindings))
          for (const e of bindings.elements)
            if (!e.isTypeOnly) this.env.set(e.name.text, named("import", e.name.text));
      }
      // Only functions with a body can be read through; a declared one is a call it cannot resolve.
      if (ts.isFunctionDeclaration(s) && s.name && s.body) this.functions.set(s.name.text, s);
      // Module constants with literal values are known to both sides, and so are the literal
      // members of a constant object (`const F = { MQ: 22 } as const`, read as `F.MQ`).
      if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.Const) {
        for (const d of s.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) || !d.initializer) continue;
          if (isLiteral(d.initializer)) this.env.set(d.name.text, this.sym(d.initializer));
          const layout = runLayout(d.initializer, this.loc(d));
          if (layout) this.runLayouts.set(d.name.text, layout);
          const object = strip(d.initializer);
          if (ts.isObjectLiteralExpression(object))
            for (const p of object.properties)
              if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && isLiteral(p.initializer))
                this.env.set(`${d.name.text}.${p.name.text}`, this.sym(p.initializer));
        }
      }
    }
    moduleScopes.set(source, {
      env: new Map(this.env),
      functions: this.functions,
      runLayouts: this.runLayouts,
    });
  }

  run(fn: ts.FunctionDeclaration): Trace {
    const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ""));
    this.ios.add(params[0] ?? (this.side === "save" ? "w" : "r"));
    const stateName = this.side === "save" ? params[1] : undefined;
    if (stateName) this.env.set(stateName, word("state"));
    const paramsName = this.side === "save" ? params[2] : params[1];
    if (paramsName) this.env.set(paramsName, word("params"));
    // Arguments and the version are known to both sides under the same names.
    for (const name of params.slice(this.side === "save" ? 3 : 2))
      this.env.set(name, name === "version" ? word("version") : named("arg", name));
    const nodes = this.body(fn);
    return { nodes, problems: this.problems };
  }

  private body(fn: ts.FunctionDeclaration): TraceNode[] {
    const statements = fn.body?.statements ?? [];
    this.findEarlyReturns(statements);
    return this.block(statements);
  }

  /** Every statement but the last: a `return` there would end the trace on some paths only. */
  private findEarlyReturns(statements: readonly ts.Statement[]): void {
    statements.forEach((s, i) => {
      if (i < statements.length - 1) this.findEarlyReturn(s);
    });
  }

  /** A `return` before the end of a function would end its trace on some paths only. */
  private findEarlyReturn(node: ts.Node): void {
    if (ts.isReturnStatement(node)) {
      this.problem(node, Diagnostics.EarlyReturn());
      return;
    }
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, (c) => this.findEarlyReturn(c));
  }

  private loc(node: ts.Node): Location {
    const start = node.getStart(this.source);
    const end = node.getEnd();
    const a = this.source.getLineAndCharacterOfPosition(start);
    const b = this.source.getLineAndCharacterOfPosition(end);
    return {
      file: this.source.fileName,
      line: a.line + 1,
      column: a.character + 1,
      endLine: b.line + 1,
      endColumn: b.character + 1,
      start,
      end,
    };
  }

  private problem(node: ts.Node, problem: Message): void {
    this.problems.push({ problem, loc: this.loc(node) });
  }

  private block(statements: readonly ts.Statement[]): TraceNode[] {
    const out: TraceNode[] = [];
    for (const s of statements) this.statement(s, out);
    return groupSaveArms(out);
  }

  private statement(s: ts.Statement, out: TraceNode[]): void {
    if (ts.isBlock(s)) {
      out.push(...this.block(s.statements));
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) this.declaration(d, out);
    } else if (ts.isExpressionStatement(s)) {
      this.expressionStatement(s.expression, out);
    } else if (ts.isIfStatement(s)) {
      this.ifStatement(s, out);
    } else if (ts.isForStatement(s)) {
      this.forStatement(s, out);
    } else if (ts.isTryStatement(s)) {
      // The catch clauses only rewrite error paths; the try block's statements run in place.
      for (const t of s.tryBlock.statements) this.statement(t, out);
    } else if (ts.isReturnStatement(s) || ts.isThrowStatement(s) || ts.isEmptyStatement(s)) {
      // A loader's return builds the state; a throw ends the load with an error. Neither moves.
      const e = ts.isEmptyStatement(s) ? undefined : s.expression;
      if (e && this.mentionsIo(e)) this.value(e, out, undefined);
    } else if (
      ts.isWhileStatement(s) ||
      ts.isDoStatement(s) ||
      ts.isForOfStatement(s) ||
      ts.isForInStatement(s)
    ) {
      if (this.mentionsIo(s)) this.problem(s, Diagnostics.UncountedLoop(loopName(s)));
    } else if (
      ts.isFunctionDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) ||
      ts.isInterfaceDeclaration(s)
    ) {
      // Declarations run nothing.
    } else if (this.mentionsIo(s)) {
      this.problem(s, Diagnostics.UnfollowableStatement(statementName(s)));
    }
  }

  private declaration(d: ts.VariableDeclaration, out: TraceNode[]): void {
    if (!ts.isIdentifier(d.name)) {
      if (d.initializer && this.mentionsIo(d.initializer))
        this.problem(d, Diagnostics.DestructuringDeclaration());
      return;
    }
    const name = d.name.text;
    if (name === "version") {
      // The version being read (load) or written (save): the same value on both sides.
      this.env.set(name, word("version"));
      return;
    }
    if (!d.initializer) {
      this.env.set(name, named("unset", name));
      return;
    }
    if (this.ios.has(strip(d.initializer).getText(this.source))) {
      this.ios.add(name);
      return;
    }
    this.returnedFields = undefined;
    this.elements = undefined;
    const initializer = strip(d.initializer);
    this.env.set(name, this.value(initializer, out, name));
    const fields = ts.isObjectLiteralExpression(initializer)
      ? this.objectFields(initializer)
      : ts.isArrayLiteralExpression(initializer)
        ? this.elementsOf(name)
        : this.returnedFields;
    for (const [key, value] of fields ?? []) this.env.set(`${name}.${key}`, value);
    this.returnedFields = undefined;
  }

  private expressionStatement(e: ts.Expression, out: TraceNode[]): void {
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const key = keyOf(e.left);
      const value = this.value(e.right, out, key);
      // An array allocated here is bound by the loop that fills it.
      if (key !== undefined && key !== this.pendingArray) this.env.set(key, value);
      return;
    }
    if (ts.isCallExpression(e)) {
      this.value(e, out, undefined);
      return;
    }
    if (this.mentionsIo(e)) this.problem(e, Diagnostics.UnfollowableExpression());
  }

  private ifStatement(s: ts.IfStatement, out: TraceNode[]): void {
    const condition = this.sym(s.expression);
    const then = this.block(asStatements(s.thenStatement));
    const otherwise = s.elseStatement ? this.block(asStatements(s.elseStatement)) : [];
    // An `if` that neither reads, writes nor checks anything has no effect on the wire.
    if (then.length === 0 && otherwise.length === 0) return;
    this.requireKnown(s.expression, condition);
    out.push({ kind: "if", condition, then, else: otherwise, loc: this.loc(s) });
  }

  /**
   * A condition, count or length the loader decides on: it may read only values already read,
   * parameters, arguments and constants (VMS8003).
   */
  private decision(e: ts.Expression): Sym {
    const value = this.sym(e);
    this.requireKnown(e, value);
    return value;
  }

  private requireKnown(e: ts.Expression, value: Sym): void {
    if (this.side !== "load") return;
    const unknown = firstUnknownName(value);
    if (unknown !== undefined) this.problem(e, Diagnostics.LoaderDecidesEarly(unknown));
  }

  private forStatement(s: ts.ForStatement, out: TraceNode[]): void {
    const subsectionLoop = this.subsectionLoop(s);
    if (subsectionLoop) {
      out.push(subsectionLoop);
      return;
    }
    const index = countedLoopIndex(s);
    if (!index) {
      this.problem(s, Diagnostics.NotACountedLoop());
      return;
    }
    const count = this.decision((s.condition as ts.BinaryExpression).right);
    const array = this.pendingArray;
    this.pendingArray = undefined;
    const id = this.next++;
    this.env.set(index, { kind: "loopIndex", id });
    // A loop right after a run's start may be one of its loops: its body's reads or writes are then
    // at `base + index * stride + k`.
    const run = [...this.runs.values()].find(
      (r) => r.out === out && out[out.length - 1] === r.node,
    );
    const outerLoop = this.runLoop;
    this.runLoop = run ? { run, index, ops: [], path: "" } : undefined;
    const body = this.block(asStatements(s.statement));
    const runLoop = this.runLoop;
    this.runLoop = outerLoop;
    if (runLoop && runLoop.ops.length > 0) {
      this.closeRunLoop(s, runLoop, count, body);
    } else out.push({ kind: "loop", count, body, loc: this.loc(s) });
    if (array) this.env.set(array, wire(id));
  }

  /** The reads or writes of a loop in a run, as one op of the run: elements of one layout. */
  private closeRunLoop(
    s: ts.ForStatement,
    loop: NonNullable<Extractor["runLoop"]>,
    count: Sym,
    body: TraceNode[],
  ): void {
    const n = literalNumber(count) ?? NaN;
    const stride = loop.ops[0]!.stride;
    if (body.length > 0 || !Number.isInteger(n) || n <= 0) {
      this.problem(s, Diagnostics.RunLoopMixed());
      return;
    }
    if (loop.ops.some((o) => o.stride !== stride)) {
      this.problem(s, Diagnostics.RunLoopStride());
      return;
    }
    const at = Math.min(...loop.ops.map((o) => o.op.at));
    const ops = loop.ops.map((o) => ({ ...o.op, at: o.op.at - at }));
    // A loop of scalars names its elements by the array's path, as the writer's checks do.
    const path = loop.path !== "" ? loop.path : ops.length === 1 ? ops[0]!.path : "";
    loop.run.node.ops.push({
      op: "loop",
      at,
      width: n * stride,
      path,
      loc: this.loc(s),
      loop: { count: n, stride, ops },
    });
  }

  /** `for (let name = r.subsection(OWNER); name !== undefined; name = r.subsection(OWNER)) { … }` */
  private subsectionLoop(s: ts.ForStatement): TraceNode | undefined {
    const init = s.initializer;
    if (!init || !ts.isVariableDeclarationList(init)) return undefined;
    const decl = init.declarations[0];
    if (
      !decl?.initializer ||
      !ts.isCallExpression(decl.initializer) ||
      this.method(decl.initializer) !== "subsection"
    )
      return undefined;
    const nameVar = ts.isIdentifier(decl.name) ? decl.name.text : "";
    const arms: SubsectionTrace[] = [];
    let branch: ts.Statement | undefined = asStatements(s.statement)[0];
    while (branch && ts.isIfStatement(branch)) {
      const test = branch.expression;
      if (
        ts.isBinaryExpression(test) &&
        test.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken &&
        ts.isIdentifier(test.left) &&
        test.left.text === nameVar &&
        ts.isStringLiteral(test.right)
      ) {
        const name = test.right.text;
        this.armName = name;
        const body = this.block(asStatements(branch.thenStatement));
        this.armName = undefined;
        const header = body.find((n) => n.kind === "subsectionVersion");
        const version =
          header?.kind === "subsectionVersion"
            ? { min: literalNumber(header.min) ?? NaN, max: literalNumber(header.max) ?? NaN }
            : { min: 0, max: 0 };
        arms.push({ name, version, body: body.filter((n) => n !== header), loc: this.loc(branch) });
      } else {
        this.problem(branch, Diagnostics.SubsectionBranch());
      }
      branch = branch.elseStatement;
    }
    return { kind: "subsections", arms, loc: this.loc(s) };
  }

  /** A function declared in this module without a body (`declare function …`). */
  private declaredOnly(name: string): boolean {
    return this.source.statements.some(
      (s) => ts.isFunctionDeclaration(s) && s.name?.text === name && !s.body,
    );
  }

  /** The method name of `r.x(…)` / `w.x(…)`, or undefined. */
  private method(call: ts.CallExpression): string | undefined {
    const callee = call.expression;
    if (
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      this.ios.has(callee.expression.text)
    )
      return callee.name.text;
    return undefined;
  }

  /** Whether a node uses the Reader or Writer anywhere inside. */
  private mentionsIo(node: ts.Node): boolean {
    if (ts.isIdentifier(node)) return this.ios.has(node.text);
    return ts.forEachChild(node, (c) => (this.mentionsIo(c) ? true : undefined)) === true;
  }

  /**
   * The symbolic value of an expression, recording the wire operations it performs in `out`.
   * `binding` names the local it is assigned to, if any.
   */
  private value(e: ts.Expression, out: TraceNode[], binding: string | undefined): Sym {
    e = strip(e);
    if (ts.isCallExpression(e)) {
      const m = this.method(e);
      if (m !== undefined) return this.ioCall(e, m, out, binding);
      const callee = e.expression;
      // save<X>/load<X>: a struct, or a codec of another module, whose own pair is verified on its
      // own (verifyModule follows the calls to pairs of the same module).
      const pairName =
        ts.isIdentifier(callee) &&
        /^(save|load)[A-Z]/.test(callee.text) &&
        !this.declaredOnly(callee.text);
      if (
        pairName &&
        (!this.functions.has(callee.text) ||
          e.arguments.some((a) => this.ios.has(strip(a).getText(this.source))))
      ) {
        const key = callee.text.replace(/^(save|load)/, "");
        const argSyms = e.arguments.slice(this.side === "save" ? 3 : 2).map((a) => this.sym(a));
        const id = this.next++;
        if (this.side === "save" && e.arguments[1]) this.bind(e.arguments[1], wire(id));
        out.push({ kind: "call", callee: key, args: argSyms, loc: this.loc(e) });
        return wire(id);
      }
      if (
        ts.isIdentifier(callee) &&
        this.functions.has(callee.text) &&
        e.arguments.some((a) => this.mentionsIo(a))
      ) {
        return this.inline(this.functions.get(callee.text)!, e, out);
      }
      if (this.mentionsIo(e)) {
        const callback = e.arguments.find(
          (a) => (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && this.mentionsIo(a),
        );
        if (callback)
          this.problem(
            callback,
            Diagnostics.WireCallInCallback(this.side, callee.getText(this.source)),
          );
        else
          this.problem(e, Diagnostics.OpaqueCallWithWire(this.side, callee.getText(this.source)));
        return unknownSym;
      }
      return this.sym(e);
    }
    if (ts.isNewExpression(e)) {
      // load: x = new Array(n): the next loop fills x.
      if (binding) this.pendingArray = binding;
      if (this.mentionsIo(e)) this.problem(e, Diagnostics.WireCallInNew());
      return word("new");
    }
    if (this.mentionsIo(e) && !ts.isIdentifier(e)) {
      // Object literals and the like built from reads: read their parts in order.
      if (ts.isObjectLiteralExpression(e)) {
        for (const p of e.properties)
          if (ts.isPropertyAssignment(p)) this.value(p.initializer, out, undefined);
        return word("object");
      }
      // A fixed array read in a run: each element is the value read for it.
      if (ts.isArrayLiteralExpression(e)) {
        const elements = e.elements.map((x) => this.value(x, out, undefined));
        this.elements = elements;
        return { kind: "tuple", elements };
      }
    }
    // sym() reports a callback that uses the Reader or Writer.
    return this.sym(e);
  }

  private ioCall(
    e: ts.CallExpression,
    m: string,
    out: TraceNode[],
    binding: string | undefined,
  ): Sym {
    const args = e.arguments;
    const path = (i: number): string => {
      const a = args[i];
      return a && ts.isStringLiteral(a) ? a.text : "";
    };
    if (wireOps.has(m)) return this.wireOp(e, m, out);
    if (bookkeeping.has(m)) return word("void");
    if (m.endsWith("At") && (wireOps.has(m.slice(0, -2)) || m === "zeroAt"))
      return this.runOp(e, m === "zeroAt" ? "unused" : m.slice(0, -2), out);
    // Typed as the runtime's method names, so a case below that names no method of the Reader or
    // the Writer fails to compile; a name that is none reaches the default.
    switch (m as ReaderMethod | WriterMethod) {
      case "bytes":
      case "text":
      case "skip": {
        const lengthArg = this.side === "load" || m === "skip" ? args[0] : args[1];
        const length = lengthArg ? this.lengthOf(lengthArg, out) : unknownSym;
        const carries = m !== "skip";
        if (this.side === "save" && carries && args[0]) this.value(args[0], out, undefined);
        const id = this.next++;
        if (carries && this.side === "save" && args[0]) this.bind(args[0], wire(id));
        out.push({
          kind: "op",
          op: m,
          length,
          equals: undefined,
          path: path(this.side === "load" || m === "skip" ? 1 : 2),
          loc: this.loc(e),
        });
        return wire(id);
      }
      case "equal": {
        // load: r.equal(r.u16(…), expected, …)   save: w.u16(w.equal(value, expected, …), …)
        const inner = args[0] ? this.value(args[0], out, undefined) : unknownSym;
        if (this.side === "load") {
          const last = out[out.length - 1];
          if (last?.kind === "op" && args[1])
            out[out.length - 1] = {
              ...last,
              equals: { value: this.decision(args[1]), firstCopy: false },
            };
        }
        return inner;
      }
      case "same": {
        // The second copy of a value sent twice (`again`). load: r.same(r.i64(…), first, …)
        // save: w.i64(w.same(first, …), …). Both name the first copy: the op carries it, compared
        // as the value the second copy must equal.
        if (this.side === "save") return args[0] ? this.value(args[0], out, undefined) : unknownSym;
        const inner = args[0] ? this.value(args[0], out, undefined) : unknownSym;
        const last = out[out.length - 1];
        if (last?.kind === "op" && args[1])
          out[out.length - 1] = {
            ...last,
            equals: { value: this.decision(args[1]), firstCopy: true },
          };
        return inner;
      }
      case "check":
        out.push({
          kind: "check",
          condition: args[0] ? this.decision(args[0]) : unknownSym,
          message: path(1),
          loc: this.loc(e),
        });
        return word("void");
      case "present":
      case "object":
        if (m === "object" && this.runLoop && this.side === "save") this.runLoop.path = path(1);
        return args[0] ? this.value(args[0], out, undefined) : unknownSym;
      case "run":
        return this.runStart(e, out);
      case "tuple": {
        // save: const x = w.tuple(value, n, path): a fixed array whose elements a run writes.
        const n = args[1] && ts.isNumericLiteral(args[1]) ? Number(args[1].text) : undefined;
        if (binding !== undefined && n !== undefined) this.tuples.set(binding, n);
        else this.problem(e, Diagnostics.UnfollowableTuple());
        return args[0] ? this.value(args[0], out, undefined) : unknownSym;
      }
      case "array":
        // save: const items = w.array(value, n, path): the next loop writes the elements of `value`.
        this.pendingArray = args[0] ? rootLocal(args[0], this.ios, this.source) : undefined;
        return args[0] ? this.value(args[0], out, undefined) : unknownSym;
      case "subsection": {
        if (this.side === "load") return unknownSym;
        // save: the header of a subsection; its version is the local it returns.
        const name = args[0] && ts.isStringLiteral(args[0]) ? args[0].text : "?";
        const version = args[1] ? this.sym(args[1]) : unknownSym;
        out.push({ kind: "subsectionHeader", name, version, loc: this.loc(e) });
        return { kind: "subsectionVersion", name };
      }
      case "subsectionVersion": {
        const min = args[1] ? this.sym(args[1]) : unknownSym;
        const max = args[2] ? this.sym(args[2]) : unknownSym;
        out.push({ kind: "subsectionVersion", path: path(3), min, max, loc: this.loc(e) });
        return { kind: "subsectionVersion", name: this.armName ?? "?" };
      }
      default:
        if (pureHelpers.has(m)) return this.sym(e);
        this.problem(e, Diagnostics.NotAWireOperation([...this.ios][0]!, m));
        return unknownSym;
    }
  }

  /** `r.run(n, layout)` / `w.run(n, path)`: a run begins; its base is the value returned. */
  private runStart(e: ts.CallExpression, out: TraceNode[]): Sym {
    const [sizeArg, layoutArg] = e.arguments;
    if (!sizeArg || !ts.isNumericLiteral(sizeArg)) {
      this.problem(e, Diagnostics.RunSizeNotLiteral());
      return unknownSym;
    }
    let layout: RunOp[] | undefined;
    if (this.side === "load") {
      layout =
        layoutArg && ts.isIdentifier(layoutArg) ? this.runLayouts.get(layoutArg.text) : undefined;
      if (!layout) {
        this.problem(e, Diagnostics.RunLayoutNotConstant());
        return unknownSym;
      }
    }
    const node: RunTrace = {
      kind: "run",
      size: Number(sizeArg.text),
      ops: [],
      layout,
      loc: this.loc(e),
    };
    const id = this.next++;
    out.push(node);
    this.runs.set(id, { node, out, id });
    return { kind: "runBase", id };
  }

  /**
   * A read or write of a run (`r.u32At(run$0 + 4, path)`, `w.u32At(run$0 + 4, value, path)`,
   * `w.zeroAt(run$0 + 2, n, path)`): at a constant offset from the base of the run it follows at
   * once, with nothing on the wire in between.
   */
  private runOp(e: ts.CallExpression, op: string, out: TraceNode[]): Sym {
    const args = e.arguments;
    const offset = args[0] ? this.runOffset(args[0]) : undefined;
    // A run whose start could not be followed has been reported there, once.
    if (offset?.base.kind === "unknown") return unknownSym;
    const run = offset?.base.kind === "runBase" ? this.runs.get(offset.base.id) : undefined;
    if (!offset || !run) {
      this.problem(e, Diagnostics.RunOffsetNotLiteral());
      return unknownSym;
    }
    const loop = this.runLoop;
    const inLoop = offset.index !== undefined;
    const placed = inLoop
      ? loop !== undefined && loop.run === run && loop.index === offset.index && out.length === 0
      : run.out === out && out[out.length - 1] === run.node;
    if (!placed) {
      this.problem(e, Diagnostics.RunAfterOperations());
      return unknownSym;
    }
    const pathArg = args[this.side === "load" ? 1 : 2];
    const path = pathArg && ts.isStringLiteral(pathArg) ? pathArg.text : "";
    let width = widthOf(op);
    if (op === "unused") {
      const n = args[1] && ts.isNumericLiteral(args[1]) ? Number(args[1].text) : undefined;
      if (n === undefined) {
        this.problem(e, Diagnostics.RunPaddingNotLiteral());
        return unknownSym;
      }
      width = n;
    }
    const runOp: RunOp = { op, at: offset.at, width, path, loc: this.loc(e) };
    if (inLoop) loop!.ops.push({ op: runOp, stride: offset.stride });
    else run.node.ops.push(runOp);
    const value: Sym = {
      kind: "runValue",
      run: run.id,
      at: offset.at,
      index: inLoop ? this.sym(ts.factory.createIdentifier(offset.index!)) : undefined,
    };
    if (this.side === "save" && op !== "unused" && args[1]) {
      if (this.mentionsIo(args[1])) this.value(args[1], out, undefined);
      this.bind(args[1], value);
      this.completeTuple(args[1]);
    }
    return value;
  }

  /** `run$0`, `run$0 + 4`, `run$0 + i * 16`, `run$0 + i * 16 + 4`: base, offset, index, stride. */
  private runOffset(
    arg: ts.Expression,
  ): { base: Sym; at: number; index?: string; stride: number } | undefined {
    const e = strip(arg);
    const number = (x: ts.Expression): number | undefined => {
      const n = strip(x);
      return ts.isNumericLiteral(n) ? Number(n.text) : undefined;
    };
    const plus = (x: ts.Expression): ts.BinaryExpression | undefined => {
      const b = strip(x);
      return ts.isBinaryExpression(b) && b.operatorToken.kind === ts.SyntaxKind.PlusToken
        ? b
        : undefined;
    };
    const scaled = (x: ts.Expression): { index: string; stride: number } | undefined => {
      const b = strip(x);
      if (!ts.isBinaryExpression(b) || b.operatorToken.kind !== ts.SyntaxKind.AsteriskToken)
        return undefined;
      const index = strip(b.left);
      const stride = number(b.right);
      return ts.isIdentifier(index) && stride !== undefined
        ? { index: index.text, stride }
        : undefined;
    };
    const base = (x: ts.Expression): Sym | undefined => {
      const b = strip(x);
      return ts.isIdentifier(b) ? this.sym(b) : undefined;
    };
    const direct = base(e);
    if (direct !== undefined) return { base: direct, at: 0, stride: 0 };
    const sum = plus(e);
    if (!sum) return undefined;
    const k = number(sum.right);
    const inner = plus(sum.left);
    const left = k !== undefined ? base(sum.left) : undefined;
    if (left !== undefined) return { base: left, at: k!, stride: 0 };
    // base + index * stride, with or without + k
    const withK = k !== undefined && inner ? inner : sum;
    const b = base(withK.left);
    const s = scaled(withK.right);
    if (b === undefined || !s) return undefined;
    return { base: b, at: withK === sum ? 0 : k!, ...s };
  }

  /**
   * Save: once every element of a tuple is written, the local stands for the array of the values
   * written, as the loader's array literal does.
   */
  private completeTuple(valueExpr: ts.Expression): void {
    const key = keyOf(valueExpr);
    const element = key && /^(.*)\[(\d+)\]$/.exec(key);
    if (!element) return;
    const name = element[1]!;
    const n = this.tuples.get(name);
    if (n === undefined) return;
    const values = Array.from({ length: n }, (_, i) => this.env.get(`${name}[${i}]`));
    // Each element must be a value the wire carried.
    const carried = (v: Sym | undefined): v is Sym =>
      v?.kind === "wire" || v?.kind === "runValue" || v?.kind === "loopIndex";
    if (values.every(carried)) this.env.set(name, { kind: "tuple", elements: values });
  }

  /** A length argument: a decision of the loader, with `count()` kept as part of it. */
  private lengthOf(arg: ts.Expression, out: TraceNode[]): Sym {
    if (
      ts.isCallExpression(strip(arg)) &&
      this.method(strip(arg) as ts.CallExpression) === undefined &&
      this.mentionsIo(arg)
    )
      return this.value(arg, out, undefined);
    return this.decision(arg);
  }

  private wireOp(e: ts.CallExpression, m: string, out: TraceNode[]): Sym {
    const args = e.arguments;
    const pathArg = this.side === "load" ? args[0] : args[1];
    const path = pathArg && ts.isStringLiteral(pathArg) ? pathArg.text : "";
    let equals: (TraceNode & { kind: "op" })["equals"];
    if (this.side === "save") {
      const valueArg = args[0];
      if (valueArg) this.value(valueArg, out, undefined);
      const equalsCall = valueArg && findCall(valueArg, this.ios, "equal");
      if (equalsCall?.arguments[1])
        equals = { value: this.sym(equalsCall.arguments[1]), firstCopy: false };
      const sameCall = valueArg && findCall(valueArg, this.ios, "same");
      if (sameCall?.arguments[0])
        equals = { value: this.sym(sameCall.arguments[0]), firstCopy: true };
    }
    const id = this.next++;
    // The second copy of a value sent twice leaves the value named by its first copy, as the
    // loader's local is (what reads it later must find the same name on both sides).
    const secondCopy =
      this.side === "save" && args[0] !== undefined && findCall(args[0], this.ios, "same");
    if (this.side === "save" && args[0] && !secondCopy) this.bind(args[0], wire(id));
    out.push({ kind: "op", op: m, length: undefined, equals, path, loc: this.loc(e) });
    return wire(id);
  }

  /** Reads a helper of this module through: its parameters take the call's values. */
  private inline(fn: ts.FunctionDeclaration, call: ts.CallExpression, out: TraceNode[]): Sym {
    if (this.depth >= MAX_INLINE_DEPTH) {
      this.problem(call, Diagnostics.HelpersTooDeep(MAX_INLINE_DEPTH));
      return unknownSym;
    }
    const outerEnv = this.env;
    const outerIos = this.ios;
    this.env = new Map(outerEnv);
    this.ios = new Set(outerIos);
    fn.parameters.forEach((p, i) => {
      const arg = call.arguments[i];
      if (!ts.isIdentifier(p.name) || !arg) return;
      if (outerIos.has(strip(arg).getText(this.source))) this.ios.add(p.name.text);
      else this.env.set(p.name.text, this.sym(arg));
    });
    this.depth++;
    const statements = fn.body?.statements ?? [];
    this.findEarlyReturns(statements);
    const nodes = this.block(statements);
    const last = statements[statements.length - 1];
    const returned =
      last && ts.isReturnStatement(last) && last.expression ? strip(last.expression) : undefined;
    const result = returned ? this.sym(returned) : word("void");
    // A returned object literal keeps what each property stands for: the caller reads dev.mac.
    const fields =
      returned && ts.isObjectLiteralExpression(returned) ? this.objectFields(returned) : undefined;
    this.depth--;
    this.env = outerEnv;
    this.ios = outerIos;
    this.returnedFields = fields;
    out.push(...nodes);
    return result;
  }

  /** The properties of the object a helper just returned, for the local it is assigned to. */
  private returnedFields: Map<string, Sym> | undefined;
  /** The values of the elements of the array literal just read. */
  private elements: Sym[] | undefined;

  /** `x[0]`, `x[1]` … of a local assigned an array literal: each element's value. */
  private elementsOf(name: string): Map<string, Sym> | undefined {
    const elements = this.elements;
    this.elements = undefined;
    if (!elements) return undefined;
    elements.forEach((v, i) => this.env.set(`${name}[${i}]`, v));
    return undefined;
  }

  private objectFields(o: ts.ObjectLiteralExpression): Map<string, Sym> {
    const fields = new Map<string, Sym>();
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
        fields.set(p.name.text, this.sym(p.initializer));
      else if (ts.isShorthandPropertyAssignment(p)) fields.set(p.name.text, this.sym(p.name));
    }
    return fields;
  }

  /** Save: the local or path a written value came from now stands for that wire value. */
  private bind(valueExpr: ts.Expression, sym: Sym): void {
    const key = rootLocal(valueExpr, this.ios, this.source);
    if (key !== undefined) this.env.set(key, sym);
  }

  /** The symbolic value of an expression that performs no wire operation. */
  sym(e: ts.Expression): Sym {
    e = strip(e);
    const key = keyOf(e);
    if (key !== undefined && this.env.has(key)) return this.env.get(key)!;
    if (ts.isIdentifier(e)) {
      if (e.text === "undefined") return word("undefined");
      return named("free", e.text);
    }
    if (ts.isNumericLiteral(e)) return numberLiteral(Number(e.text.replace(/_/g, "")));
    if (ts.isBigIntLiteral(e)) return literal(`${BigInt(e.text.slice(0, -1).replace(/_/g, ""))}n`);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))
      return literal(JSON.stringify(e.text));
    if (e.kind === ts.SyntaxKind.TrueKeyword) return literal("true");
    if (e.kind === ts.SyntaxKind.FalseKeyword) return literal("false");
    if (ts.isPropertyAccessExpression(e)) {
      const object = this.sym(e.expression);
      // Parameters: `p.name ?? default` and `p.name` are the parameter itself.
      if (object.kind === "word" && object.word === "params") return named("param", e.name.text);
      return { kind: "member", object, name: e.name.text };
    }
    if (ts.isElementAccessExpression(e))
      return {
        kind: "index",
        object: this.sym(e.expression),
        index: this.sym(e.argumentExpression),
      };
    if (ts.isPrefixUnaryExpression(e))
      return { kind: "unary", op: ts.tokenToString(e.operator)!, operand: this.sym(e.operand) };
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.getText(this.source);
      const left = this.sym(e.left);
      if (op === "??" && left.kind === "name" && left.scope === "param") return left;
      return { kind: "binary", op, left, right: this.sym(e.right) };
    }
    if (ts.isConditionalExpression(e))
      return {
        kind: "conditional",
        test: this.sym(e.condition),
        then: this.sym(e.whenTrue),
        else: this.sym(e.whenFalse),
      };
    if (ts.isCallExpression(e)) {
      const m = this.method(e);
      if (m !== undefined && pureHelpers.has(m))
        return { kind: "call", callee: m, args: e.arguments.slice(0, 2).map((a) => this.sym(a)) };
      if (m !== undefined) {
        this.problem(e, Diagnostics.UnorderedWireOperation([...this.ios][0]!, m));
        return unknownSym;
      }
      return {
        kind: "call",
        callee: e.expression.getText(this.source),
        args: e.arguments.map((a) => this.sym(a)),
      };
    }
    if ((ts.isArrowFunction(e) || ts.isFunctionExpression(e)) && this.mentionsIo(e)) {
      this.problem(e, Diagnostics.WireCallInUnknownCallback());
      return unknownSym;
    }
    return { kind: "source", text: e.getText(this.source) };
  }
}

/**
 * Save writes each subsection as `if (…) { …; w.subsection(name, v); … }`. Consecutive such ifs
 * become one `subsections` node, comparable with the loader's lookahead loop.
 */
function groupSaveArms(nodes: TraceNode[]): TraceNode[] {
  const out: TraceNode[] = [];
  for (const n of nodes) {
    const arm = n.kind === "if" ? saveArm(n) : undefined;
    if (!arm) {
      out.push(n);
      continue;
    }
    const last = out[out.length - 1];
    if (last?.kind === "subsections") last.arms.push(arm);
    else out.push({ kind: "subsections", arms: [arm], loc: arm.loc });
  }
  return out;
}

function saveArm(n: TraceNode & { kind: "if" }): SubsectionTrace | undefined {
  const header = n.then.find((x) => x.kind === "subsectionHeader");
  if (header?.kind !== "subsectionHeader") return undefined;
  const version = literalNumber(header.version) ?? NaN;
  return {
    name: header.name,
    version: { min: version, max: version },
    body: n.then.filter((x) => x !== header),
    loc: n.loc,
  };
}

/** The entries of a run layout constant (`[[0, 2, "u16", "num"], …]`), or undefined. */
function runLayout(initializer: ts.Expression, loc: Location): RunOp[] | undefined {
  const e = strip(initializer);
  if (!ts.isArrayLiteralExpression(e) || e.elements.length === 0) return undefined;
  const out: RunOp[] = [];
  for (const entry of e.elements) {
    if (!ts.isArrayLiteralExpression(entry)) return undefined;
    const parts = entry.elements;
    const numbers = parts
      .slice(0, parts.length - 2)
      .map((x) => (ts.isNumericLiteral(x) ? Number(x.text) : NaN));
    if (numbers.some((n) => Number.isNaN(n))) return undefined;
    if (parts.length === 4) {
      const [what, path] = [parts[2]!, parts[3]!];
      if (!ts.isStringLiteral(what) || !ts.isStringLiteral(path)) return undefined;
      out.push({ op: what.text, at: numbers[0]!, width: numbers[1]!, path: path.text, loc });
    } else if (parts.length === 5) {
      const [stride, path, element] = [parts[2]!, parts[3]!, parts[4]!];
      const ops = runLayout(element, loc);
      if (!ts.isNumericLiteral(stride) || !ts.isStringLiteral(path) || !ops) return undefined;
      const count = numbers[1]!;
      const n = Number(stride.text);
      out.push({
        op: "loop",
        at: numbers[0]!,
        width: count * n,
        path: path.text,
        loc,
        loop: { count, stride: n, ops },
      });
    } else return undefined;
  }
  return out;
}
