// Trace extraction: reads a save or load function from its TypeScript syntax tree, without running
// it, and returns its sequence of wire operations with the conditions, loops and checks around
// them. Values are symbolic: a local read from (or written to) the wire becomes `$N`, the number of
// the operation that carried it, so save and load can be compared expression by expression.

import { ts } from "ts-morph";

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly start: number;
  readonly end: number;
}

export type TraceNode =
  | {
      readonly kind: "op";
      /** Reader/Writer method: `u32`, `i16le`, `bool`, `bytes`, `skip`. */
      readonly op: string;
      /** The length of `bytes` and `skip`. */
      readonly length: string | undefined;
      /** A value the reader requires (`equals`). */
      readonly equals: string | undefined;
      readonly path: string;
      readonly loc: Location;
    }
  | { readonly kind: "check"; readonly condition: string; readonly message: string; readonly loc: Location }
  | { readonly kind: "if"; readonly condition: string; readonly then: TraceNode[]; readonly else: TraceNode[]; readonly loc: Location }
  | { readonly kind: "loop"; readonly count: string; readonly body: TraceNode[]; readonly loc: Location }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly string[]; readonly loc: Location }
  | { readonly kind: "subsections"; readonly arms: SubsectionTrace[]; readonly loc: Location };

export interface SubsectionTrace {
  readonly name: string;
  /** Save: the version written. Load: the accepted range. */
  readonly version: { readonly min: number; readonly max: number };
  readonly body: TraceNode[];
  readonly loc: Location;
}

export interface ExtractProblem {
  readonly message: string;
  readonly loc: Location;
}

export interface Trace {
  readonly nodes: TraceNode[];
  readonly problems: ExtractProblem[];
}

export type Side = "save" | "load";

/** Finds a top-level function declaration by name. */
export function findFunction(source: ts.SourceFile, name: string): ts.FunctionDeclaration | undefined {
  return source.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
}

export function extractTrace(source: ts.SourceFile, fn: ts.FunctionDeclaration, side: Side): Trace {
  return new Extractor(source, fn, side).run();
}

class Extractor {
  private next = 0;
  private readonly problems: ExtractProblem[] = [];
  /** Symbolic value of each local in scope. */
  private readonly env = new Map<string, string>();
  /** The local of the array that the next loop reads into (load) or writes from (save). */
  private pendingArray: string | undefined;
  /** The subsection whose branch is being read (load). */
  private armName: string | undefined;
  private readonly io: string;
  private readonly state: string | undefined;

  constructor(
    private readonly source: ts.SourceFile,
    private readonly fn: ts.FunctionDeclaration,
    private readonly side: Side,
  ) {
    const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ""));
    this.io = params[0] ?? (side === "save" ? "w" : "r");
    this.state = side === "save" ? params[1] : undefined;
    const paramsName = side === "save" ? params[2] : params[1];
    if (paramsName) this.env.set(paramsName, "params");
    // Struct arguments and the version are known to both sides under the same names.
    for (const name of params.slice(side === "save" ? 3 : 2)) this.env.set(name, name === "version" ? "version" : `arg.${name}`);
  }

  run(): Trace {
    const nodes = this.block(this.fn.body?.statements ?? []);
    return { nodes, problems: this.problems };
  }

  private loc(node: ts.Node): Location {
    const start = node.getStart(this.source);
    const { line, character } = this.source.getLineAndCharacterOfPosition(start);
    return { file: this.source.fileName, line: line + 1, column: character + 1, start, end: node.getEnd() };
  }

  private problem(node: ts.Node, message: string): void {
    this.problems.push({ message, loc: this.loc(node) });
  }

  private block(statements: readonly ts.Statement[] | ts.NodeArray<ts.Statement>): TraceNode[] {
    const out: TraceNode[] = [];
    for (const s of statements) this.statement(s, out);
    return groupSaveArms(out);
  }

  private statement(s: ts.Statement, out: TraceNode[]): void {
    if (ts.isBlock(s)) {
      out.push(...this.block(s.statements));
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) {
          this.problem(d, "a destructuring declaration");
          continue;
        }
        const name = d.name.text;
        if (name === "version") {
          // The version being read (load) or written (save): the same value on both sides.
          this.env.set(name, "version");
          continue;
        }
        if (!d.initializer) {
          this.env.set(name, `unset.${name}`);
          continue;
        }
        this.env.set(name, this.value(d.initializer, out, name));
      }
    } else if (ts.isExpressionStatement(s)) {
      this.expressionStatement(s.expression, out);
    } else if (ts.isIfStatement(s)) {
      this.ifStatement(s, out);
    } else if (ts.isForStatement(s)) {
      this.forStatement(s, out);
    } else if (ts.isTryStatement(s)) {
      // The catch clauses only rewrite error paths.
      out.push(...this.block(s.tryBlock.statements));
    } else if (ts.isReturnStatement(s)) {
      // A loader returns the state it built; nothing more is read.
    } else {
      this.problem(s, `a ${ts.SyntaxKind[s.kind]} statement`);
    }
  }

  private expressionStatement(e: ts.Expression, out: TraceNode[]): void {
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = e.left;
      const name = ts.isIdentifier(target) ? target.text : undefined;
      const value = this.value(e.right, out, name);
      // An array allocated here is bound by the loop that fills it.
      if (name !== undefined && name !== this.pendingArray) this.env.set(name, value);
      return;
    }
    if (ts.isCallExpression(e)) {
      this.value(e, out, undefined);
      return;
    }
    this.problem(e, "an expression statement that is neither a call nor an assignment");
  }

  private ifStatement(s: ts.IfStatement, out: TraceNode[]): void {
    const condition = this.sym(s.expression);
    const then = this.block(asStatements(s.thenStatement));
    const otherwise = s.elseStatement ? this.block(asStatements(s.elseStatement)) : [];
    // An `if` that neither reads, writes nor checks anything has no effect on the wire.
    if (then.length === 0 && otherwise.length === 0) return;
    out.push({ kind: "if", condition, then, else: otherwise, loc: this.loc(s) });
  }

  private forStatement(s: ts.ForStatement, out: TraceNode[]): void {
    const subsectionLoop = this.subsectionLoop(s);
    if (subsectionLoop) {
      out.push(subsectionLoop);
      return;
    }
    // for (; i < n; i++) with i declared just before as 0.
    const cond = s.condition;
    if (!cond || !ts.isBinaryExpression(cond) || cond.operatorToken.kind !== ts.SyntaxKind.LessThanToken || !ts.isIdentifier(cond.left)) {
      this.problem(s, "a loop that is not `for (; i < n; i++)`");
      return;
    }
    const index = cond.left.text;
    const count = this.sym(cond.right);
    const array = this.pendingArray;
    this.pendingArray = undefined;
    const id = this.next++;
    this.env.set(index, `$i${id}`);
    const body = this.block(asStatements(s.statement));
    out.push({ kind: "loop", count, body, loc: this.loc(s) });
    if (array) this.env.set(array, `$${id}`);
  }

  /** `for (let $name = r.subsection(OWNER); $name !== undefined; $name = r.subsection(OWNER)) { … }` */
  private subsectionLoop(s: ts.ForStatement): TraceNode | undefined {
    const init = s.initializer;
    if (!init || !ts.isVariableDeclarationList(init)) return undefined;
    const decl = init.declarations[0];
    if (!decl?.initializer || !ts.isCallExpression(decl.initializer) || this.method(decl.initializer) !== "subsection") return undefined;
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
        const header = body.find((n) => n.kind === "op" && n.op === "subsectionVersion");
        const version = header && header.kind === "op" && header.length ? parseRange(header.length) : { min: 0, max: 0 };
        arms.push({ name, version, body: body.filter((n) => n !== header), loc: this.loc(branch) });
      } else {
        this.problem(branch, "a subsection branch that does not compare the name with a string");
      }
      branch = branch.elseStatement;
    }
    return { kind: "subsections", arms, loc: this.loc(s) };
  }

  /** The method name of `r.x(…)` / `w.x(…)`, or undefined. */
  private method(call: ts.CallExpression): string | undefined {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === this.io) return callee.name.text;
    return undefined;
  }

  /**
   * The symbolic value of an expression, recording the wire operations it performs in `out`.
   * `binding` names the local it is assigned to, if any.
   */
  private value(e: ts.Expression, out: TraceNode[], binding: string | undefined): string {
    e = strip(e);
    if (ts.isCallExpression(e)) {
      const m = this.method(e);
      const args = e.arguments;
      const path = (i: number): string => {
        const a = args[i];
        return a && ts.isStringLiteral(a) ? a.text : "";
      };
      if (m !== undefined) {
        if (isWireOp(m)) return this.wireOp(e, m, out);
        switch (m) {
          case "bytes":
          case "skip": {
            const lengthArg = this.side === "load" ? args[0] : m === "bytes" ? args[1] : args[0];
            const length = lengthArg ? this.value(lengthArg, out, undefined) : "?";
            const id = this.next++;
            if (m === "bytes" && this.side === "save" && args[0]) this.bind(args[0], `$${id}`);
            out.push({ kind: "op", op: m, length, equals: undefined, path: path(this.side === "load" || m === "skip" ? 1 : 2), loc: this.loc(e) });
            return `$${id}`;
          }
          case "equal": {
            // load: r.equal(r.u16(…), expected, …)   save: w.u16(w.equal(value, expected, …), …)
            if (this.side === "load") {
              const inner = args[0] ? this.value(args[0], out, undefined) : "?";
              const last = out[out.length - 1];
              if (last?.kind === "op" && args[1]) out[out.length - 1] = { ...last, equals: this.sym(args[1]) };
              return inner;
            }
            return args[0] ? this.value(args[0], out, undefined) : "?";
          }
          case "count":
            return `count(${args[0] ? this.sym(args[0]) : "?"}, ${args[1] ? this.sym(args[1]) : "?"})`;
          case "check":
            out.push({ kind: "check", condition: args[0] ? this.sym(args[0]) : "?", message: path(1), loc: this.loc(e) });
            return "void";
          case "present":
          case "object":
            return args[0] ? this.value(args[0], out, undefined) : "?";
          case "array": {
            // save: const items = w.array(value, n, path): the next loop writes the elements of `value`.
            this.pendingArray = args[0] ? this.rootLocal(args[0]) : undefined;
            return args[0] ? this.value(args[0], out, undefined) : "?";
          }
          case "le16At":
          case "le32At":
            return this.sym(e);
          case "at":
            return `at(${args[0] ? this.sym(args[0]) : "?"}, ${args[1] ? this.sym(args[1]) : "?"})`;
          case "subsection": {
            // save: the header of a subsection; its version is the local it returns.
            const name = args[0] && ts.isStringLiteral(args[0]) ? args[0].text : "?";
            const version = args[1] ? this.sym(args[1]) : "?";
            out.push({ kind: "op", op: "subsectionHeader", length: `${name}@${version}`, equals: undefined, path: name, loc: this.loc(e) });
            return `version(${name})`;
          }
          case "subsectionVersion": {
            const min = args[1] ? this.sym(args[1]) : "?";
            const max = args[2] ? this.sym(args[2]) : "?";
            out.push({ kind: "op", op: "subsectionVersion", length: `${min}..${max}`, equals: undefined, path: path(3), loc: this.loc(e) });
            return `version(${this.armName ?? "?"})`;
          }
          case "absent":
          case "version":
          case "duplicateSubsection":
          case "unknownSubsection":
          case "fail":
            return "void";
          default:
            this.problem(e, `a call of ${this.io}.${m}(), which is not a wire operation`);
            return "?";
        }
      }
      const callee = e.expression;
      if (ts.isIdentifier(callee) && /^(save|load)[A-Z]/.test(callee.text)) {
        const key = callee.text.replace(/^(save|load)/, "");
        const argSyms = e.arguments.slice(this.side === "save" ? 3 : 2).map((a) => this.sym(a));
        const id = this.next++;
        if (this.side === "save" && e.arguments[1]) this.bind(e.arguments[1], `$${id}`);
        out.push({ kind: "call", callee: key, args: argSyms, loc: this.loc(e) });
        return `$${id}`;
      }
      if (ts.isNewExpression(e)) return "new";
      return this.sym(e);
    }
    if (ts.isNewExpression(e)) {
      // load: x = new Array(n): the next loop fills x.
      if (binding) this.pendingArray = binding;
      return "new";
    }
    return this.sym(e);
  }

  private wireOp(e: ts.CallExpression, m: string, out: TraceNode[]): string {
    const args = e.arguments;
    const pathArg = this.side === "load" ? args[0] : args[1];
    const path = pathArg && ts.isStringLiteral(pathArg) ? pathArg.text : "";
    if (this.side === "save") {
      const valueArg = args[0];
      if (valueArg) this.value(valueArg, out, undefined);
      const equalsCall = valueArg && findCall(valueArg, this.io, "equal");
      const id = this.next++;
      if (valueArg) this.bind(valueArg, `$${id}`);
      out.push({ kind: "op", op: m, length: undefined, equals: equalsCall?.arguments[1] ? this.sym(equalsCall.arguments[1]) : undefined, path, loc: this.loc(e) });
      return `$${id}`;
    }
    const id = this.next++;
    out.push({ kind: "op", op: m, length: undefined, equals: undefined, path, loc: this.loc(e) });
    return `$${id}`;
  }

  /** Save: the local a written value came from now stands for that wire value. */
  private bind(valueExpr: ts.Expression, sym: string): void {
    const local = this.rootLocal(valueExpr);
    if (local !== undefined) this.env.set(local, sym);
  }

  /** The local under `w.present(…)`, `w.object(…)`, `w.equal(…)` wrappers, if the value is one. */
  private rootLocal(valueExpr: ts.Expression): string | undefined {
    let e = strip(valueExpr);
    while (ts.isCallExpression(e) && this.method(e) !== undefined && e.arguments[0]) e = strip(e.arguments[0]);
    return ts.isIdentifier(e) ? e.text : undefined;
  }

  /** The symbolic text of an expression that performs no wire operation. */
  sym(e: ts.Expression): string {
    e = strip(e);
    if (ts.isIdentifier(e)) {
      const v = this.env.get(e.text);
      if (v !== undefined) return v;
      if (e.text === "undefined") return "undefined";
      return `free.${e.text}`;
    }
    if (ts.isNumericLiteral(e)) return String(Number(e.text.replace(/_/g, "")));
    if (ts.isBigIntLiteral(e)) return `${BigInt(e.text.slice(0, -1).replace(/_/g, ""))}n`;
    if (ts.isStringLiteral(e)) return JSON.stringify(e.text);
    if (e.kind === ts.SyntaxKind.TrueKeyword) return "true";
    if (e.kind === ts.SyntaxKind.FalseKeyword) return "false";
    if (ts.isPropertyAccessExpression(e)) {
      const object = strip(e.expression);
      // Parameters: `p.name ?? default` and `p.name` are the parameter itself.
      if (ts.isIdentifier(object) && this.env.get(object.text) === "params") return `param.${e.name.text}`;
      if (this.state !== undefined && ts.isIdentifier(object) && object.text === this.state) return `state.${e.name.text}`;
      return `${this.sym(object)}.${e.name.text}`;
    }
    if (ts.isElementAccessExpression(e)) return `${this.sym(e.expression)}[${this.sym(e.argumentExpression)}]`;
    if (ts.isPrefixUnaryExpression(e)) return `${ts.tokenToString(e.operator)}${this.sym(e.operand)}`;
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.getText(this.source);
      if (op === "??" && ts.isPropertyAccessExpression(strip(e.left))) {
        const left = this.sym(e.left);
        if (left.startsWith("param.")) return left;
      }
      return `(${this.sym(e.left)} ${op} ${this.sym(e.right)})`;
    }
    if (ts.isConditionalExpression(e)) return `(${this.sym(e.condition)} ? ${this.sym(e.whenTrue)} : ${this.sym(e.whenFalse)})`;
    if (ts.isCallExpression(e)) {
      const m = this.method(e);
      if (m === "at" || m === "count" || m === "le16At" || m === "le32At") return `${m}(${e.arguments.slice(0, 2).map((a) => this.sym(a)).join(", ")})`;
      if (m !== undefined) {
        this.problem(e, `a wire operation ${this.io}.${m}() inside an expression`);
        return "?";
      }
      return `${e.expression.getText(this.source)}(${e.arguments.map((a) => this.sym(a)).join(", ")})`;
    }
    return e.getText(this.source);
  }
}

const wireOps = new Set(["u8", "i8", "bool", "u16", "u16le", "i16", "i16le", "u32", "u32le", "i32", "i32le", "u64", "u64le", "i64", "i64le"]);

function isWireOp(m: string): boolean {
  return wireOps.has(m);
}

/** Removes parentheses, `!` non-null assertions, `as` casts and optional-chaining marks. */
function strip(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

function findCall(e: ts.Expression, io: string, method: string): ts.CallExpression | undefined {
  e = strip(e);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = e.expression;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === io) {
    if (callee.name.text === method) return e;
    return e.arguments[0] ? findCall(e.arguments[0], io, method) : undefined;
  }
  return undefined;
}

function asStatements(s: ts.Statement): readonly ts.Statement[] {
  return ts.isBlock(s) ? s.statements : [s];
}

function parseRange(text: string): { min: number; max: number } {
  const [min, max] = text.split("..").map(Number);
  return { min: min ?? 0, max: max ?? 0 };
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
  const header = n.then.find((x) => x.kind === "op" && x.op === "subsectionHeader");
  if (!header || header.kind !== "op") return undefined;
  const version = Number(header.length?.split("@")[1]);
  return { name: header.path, version: { min: version, max: version }, body: n.then.filter((x) => x !== header), loc: n.loc };
}
