// Random valid schemas that use every construct of docs/language.md: constants, feature bits of
// 32- and 64-bit words, parameters (required, with defaults, optional), structs with arguments and
// their own versions, every scalar type, bytes and arrays (constant, counted, nested), guards,
// version gates, `stream_version()` comparisons, `unused`, `equals`, lets, validations (plain and
// `each`), values sent twice (`again`), subsections with `needed`, and expressions with every operator: signed and unsigned
// shifts (by 32 and more too), division, remainder, `~`, `-`, `!`, `??` and `?:`. For the property
// that everything `check` accepts compiles (test/compile.test.ts).

/** The choices a schema is made of; fast-check's `gen` supplies them, so failures shrink. */
export interface Choose {
  int(min: number, max: number): number;
  bool(): boolean;
}

const SCALARS = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "u64",
  "i64",
  "u16le",
  "i32le",
  "u64le",
  "bool",
] as const;
type Scalar = (typeof SCALARS)[number];

/** A value an expression may name: always present where it is visible. */
interface Value {
  readonly name: string;
  readonly kind: "int" | "bool";
  /** Bits of an int, for feature tests; 64-bit values are `bigint` in generated code. */
  readonly bits: number;
  readonly signed: boolean;
}

function pick<T>(c: Choose, items: readonly T[]): T {
  return items[c.int(0, items.length - 1)]!;
}

function scalarValue(name: string, type: Scalar): Value {
  if (type === "bool") return { name, kind: "bool", bits: 1, signed: false };
  const bits = Number(/\d+/.exec(type)![0]);
  return { name, kind: "int", bits, signed: type.startsWith("i") };
}

class Builder {
  private readonly out: string[] = [];
  private n = 0;

  constructor(private readonly c: Choose) {}

  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  /** An integer expression over `values` (ints only) and the schema's constants. */
  int(values: readonly Value[], depth: number): string {
    const ints = values.filter((v) => v.kind === "int");
    const c = this.c;
    if (depth <= 0 || c.int(0, 3) === 0) {
      if (ints.length === 0 || c.bool()) return pick(c, ["0", "1", "7", "0x10", "LIMIT", "1_000"]);
      return pick(c, ints).name;
    }
    const a = this.int(values, depth - 1);
    switch (c.int(0, 9)) {
      case 0:
        return `(${a} + ${this.int(values, depth - 1)})`;
      case 1:
        return `(${a} - ${this.int(values, depth - 1)})`;
      case 2:
        return `(${a} * ${this.int(values, depth - 1)})`;
      case 3:
        return `(${a} ${pick(c, ["/", "%"])} ${pick(c, ["3", "-2", "LIMIT"])})`;
      case 4:
        return `(${a} ${pick(c, ["<<", ">>"])} ${pick(c, ["1", "8", "31", "32", "40"])})`;
      case 5:
        return `(${a} ${pick(c, ["&", "|", "^"])} ${this.int(values, depth - 1)})`;
      case 6:
        return `${pick(c, ["~", "-"])}${a}`;
      case 7:
        return `(${this.bool(values, depth - 1)} ? ${a} : ${this.int(values, depth - 1)})`;
      case 8:
        return `(tuning ?? ${a})`;
      default:
        return `(stream_version() + ${a})`;
    }
  }

  /** A bool expression over `values`. */
  bool(values: readonly Value[], depth: number): string {
    const c = this.c;
    const bools = values.filter((v) => v.kind === "bool");
    const words = values.filter((v) => v.kind === "int" && (v.bits === 32 || v.bits === 64));
    if (depth <= 0 || c.int(0, 3) === 0) {
      if (bools.length > 0 && c.bool()) return pick(c, bools).name;
      return pick(c, ["true", "false", "enabled", "(stream_version() == 1)"]);
    }
    switch (c.int(0, 6)) {
      case 0:
        return `(${this.int(values, depth - 1)} ${pick(c, ["==", "!=", "<", "<=", ">", ">="])} ${this.int(values, depth - 1)})`;
      case 1:
        return `(${this.bool(values, depth - 1)} ${pick(c, ["&&", "||"])} ${this.bool(values, depth - 1)})`;
      case 2:
        return `!(${this.bool(values, depth - 1)})`;
      case 3: {
        if (words.length === 0) return "has(host_features, DevF.HIGH)";
        const w = pick(c, words);
        return `has(${w.name}, DevF.${w.bits === 64 ? pick(c, ["LOW", "TOP", "HIGH"]) : pick(c, ["LOW", "TOP"])})`;
      }
      case 4:
        return `(stream_version() ${pick(c, ["==", ">=", "<"])} ${c.int(0, 3)})`;
      case 5:
        return `has(host_features, DevF.HIGH)`;
      default:
        return `(${this.int(values, depth - 1)} > LIMIT)`;
    }
  }

  /**
   * Members of a layout: fields of every kind, lets and validations, reading only what is visible
   * (`values`, which grows as fields are declared). `version` is the layout's; `minimum` its lowest.
   */
  members(values: Value[], version: number, minimum: number, indent: string, room: number): void {
    const c = this.c;
    const count = c.int(1, room);
    for (let i = 0; i < count; i++) {
      const name = this.fresh("f");
      const type = pick(c, SCALARS);
      switch (c.int(0, 11)) {
        case 0:
        case 1:
          this.out.push(`${indent}${name}: ${type};`);
          values.push(scalarValue(name, type));
          break;
        case 2: {
          // Guarded: optional, so expressions do not read it. Gated: present when the minimum
          // version has it.
          if (c.bool()) {
            this.out.push(`${indent}${name}: ${type} if ${this.bool(values, 2)};`);
            break;
          }
          const since = c.int(1, version);
          this.out.push(`${indent}${name}: ${type} since ${since};`);
          if (since <= minimum) values.push(scalarValue(name, type));
          break;
        }
        case 3: {
          const counts = values.filter((v) => v.kind === "int" && v.bits === 8 && !v.signed);
          const n = counts.length > 0 && c.bool() ? `${pick(c, counts).name} max 255` : "LIMIT";
          this.out.push(
            `${indent}${name}: ${pick(c, ["bytes", "text", "u16", "i64", "bool"])}[${n}];`,
          );
          break;
        }
        case 4:
          this.out.push(`${indent}${name}: u8[2][3];`);
          break;
        case 5:
          this.out.push(`${indent}let ${name} = ${this.int(values, 3)};`);
          values.push({ name, kind: "int", bits: 0, signed: true }); // its width follows its range
          break;
        case 6:
          this.out.push(`${indent}validate ${this.bool(values, 3)}, "check ${name}";`);
          break;
        case 7: {
          const arrays = [`${name}_items`];
          this.out.push(`${indent}${arrays[0]}: ${pick(c, ["u8", "i16", "bool"])}[4];`);
          this.out.push(
            `${indent}validate each x in ${arrays[0]}: ${c.bool() ? "x == x" : "!(x != x)"}, "each ${name}";`,
          );
          break;
        }
        case 8:
          this.out.push(
            `${indent}unused[${c.bool() ? "3" : "LIMIT"}]${c.bool() ? ` if ${this.bool(values, 1)}` : ""};`,
          );
          break;
        case 9:
          this.out.push(`${indent}${name}: u16 equals queues;`);
          values.push(scalarValue(name, "u16"));
          break;
        case 10:
          // A value sent twice: read once, checked against the first copy, written twice.
          this.out.push(`${indent}${name}: ${type};`, `${indent}again ${name}: ${type};`);
          values.push(scalarValue(name, type));
          break;
        default:
          this.out.push(`${indent}${name}.inner.value: ${type};`);
          values.push(scalarValue(`${name}.inner.value`, type));
          break;
      }
    }
  }

  schema(): string {
    const c = this.c;
    this.out.push("// A random schema (test/support/random-programs.ts).");
    this.out.push("const LIMIT = 5;");
    this.out.push(`const WIDE: u64 = 0x1_0000_0000;`);
    this.out.push("features DevF {", "  LOW = 1;", "  TOP = 31;", "  HIGH = 40;", "}");
    this.out.push("param queues: u16 = 2;");
    this.out.push("param host_features: u64;");
    this.out.push("param tuning?: u8;");
    this.out.push("param enabled: bool = true;");

    // A struct with arguments and a version of its own, and one that owns a subsection.
    const structVersion = c.int(1, 3);
    this.out.push(`struct Inner(level: u8, wide: bool) "inner" version ${structVersion} {`);
    const inner: Value[] = [
      { name: "level", kind: "int", bits: 8, signed: false },
      { name: "wide", kind: "bool", bits: 1, signed: false },
    ];
    this.members(inner, structVersion, structVersion, "  ", 4);
    // A subsection of a struct follows its own version: a field gated by it is read only then.
    const extraVersion = c.int(1, 2);
    this.out.push(
      `  subsection extra "inner/extra" version ${extraVersion} minimum 1 needed ${this.bool(inner, 1)} {`,
      `    extra: u32;`,
      `    late: u8 since ${extraVersion};`,
      "  }",
      "}",
    );

    const version = c.int(1, 4);
    const minimum = c.int(1, version);
    this.out.push(`section top "top" version ${version} minimum ${minimum} {`);
    const top: Value[] = [];
    this.members(top, version, minimum, "  ", 8);
    const level = this.fresh("level");
    this.out.push(`  ${level}: u8;`);
    this.out.push(`  inner: Inner(${level}, ${this.bool(top, 1)});`);
    this.out.push(`  more: Inner(${level}, false)[2];`);
    const outside = [...top];
    this.members(top, version, minimum, "  ", 3);
    const subVersion = c.int(1, 3);
    this.out.push(
      `  subsection sub "top/sub" version ${subVersion} minimum 1 needed ${this.bool(outside, 2)} {`,
    );
    this.members([...outside], subVersion, 1, "    ", 4);
    this.out.push("  }");
    this.out.push("}");
    return `${this.out.join("\n")}\n`;
  }
}

export function randomProgram(c: Choose): string {
  return new Builder(c).schema();
}
