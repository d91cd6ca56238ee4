// How a command of `vmstate` is declared, and the two things made from a declaration: its help text
// and the parsing of its arguments. Help and parsing cannot drift apart, since both read the same
// table (bin/commands.ts).

import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** How the value is shown in help: `--out DIR`. */
  readonly value?: string;
  /** The values a string option may take, checked when parsed. */
  readonly choices?: readonly string[];
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What parsing gives for each declared option. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K]["type"] extends "boolean"
    ? boolean
    : O[K]["multiple"] extends true
      ? readonly string[]
      : O[K] extends { readonly choices: readonly (infer C)[] }
        ? C | undefined
        : string | undefined;
};

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** Usage lines without the leading `vmstate `. */
  readonly usage: readonly string[];
  /** What the command does, in a few lines, for its own help. */
  readonly description: string;
  /** How many positional arguments it takes, and what to say when the count is wrong. */
  readonly positionals: {
    readonly min: number;
    readonly max: number;
    readonly wrong: string;
  };
  readonly options: O;
  /** Runs the command; loads what it needs only then (see bin/commands.ts). */
  run(values: OptionValues<O>, positionals: readonly string[]): Promise<number>;
}

/** A declaration with its option types checked against its `run`. */
export function command<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "this help" };

/** The help of one command: usage, what it does, its options. */
export function commandHelp(spec: CommandSpec): string {
  const lines = ["Usage:", ...spec.usage.map((u) => `  vmstate ${u}`), "", spec.description, ""];
  lines.push("Options:", ...optionLines({ ...spec.options, help: HELP_OPTION }));
  return `${lines.join("\n")}\n`;
}

/** `--name VALUE`, `-o, --output FILE`: the option as help shows it, with its description beside it. */
export function optionLines(options: OptionSpecs): string[] {
  const heads = Object.entries(options).map(
    ([name, o]) =>
      `${o.short === undefined ? "    " : `-${o.short}, `}--${name}${o.value === undefined ? "" : ` ${o.value}`}`,
  );
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return Object.values(options).flatMap((o, i) => {
    const [first = "", ...rest] = o.description.split("\n");
    return [
      `  ${heads[i]!.padEnd(width)}${first}`,
      ...rest.map((line) => `  ${" ".repeat(width)}${line}`),
    ];
  });
}

/**
 * Parses a command's arguments by its declaration. `undefined` means `--help` was asked for;
 * anything the declaration does not allow is a CliError, printed as one line.
 */
export function parseCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  args: readonly string[],
): { values: OptionValues<O>; positionals: string[] } | undefined {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(spec.options))
    options[name] = {
      type: o.type,
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.multiple === true ? { multiple: true } : {}),
    };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs explains in a sentence; keep its first line.
    const message = (e as Error).message
      .split("\n")[0]!
      .replace(/\. To specify a positional argument.*$/, "");
    throw new CliError(
      `${spec.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)} (see 'vmstate help ${spec.name}')`,
    );
  }
  if (parsed.values["help"] === true) return undefined;
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const value = parsed.values[name];
    if (o.type === "boolean") values[name] = value === true;
    else if (o.multiple === true) values[name] = value ?? [];
    else {
      if (typeof value === "string" && o.choices !== undefined && !o.choices.includes(value))
        throw new CliError(`--${name} must be ${alternatives(o.choices)}, not '${value}'`);
      values[name] = value;
    }
  }
  const count = parsed.positionals.length;
  if (count < spec.positionals.min || count > spec.positionals.max)
    throw new CliError(`${spec.positionals.wrong} (see 'vmstate help ${spec.name}')`);
  return { values: values as OptionValues<O>, positionals: parsed.positionals };
}

/** `'a', 'b' or 'c'`. */
function alternatives(choices: readonly string[]): string {
  const quoted = choices.map((c) => `'${c}'`);
  return quoted.length === 1
    ? quoted[0]!
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]!}`;
}
