// Mutations of schema text for the fuzz campaigns: characters flipped, changed, inserted or deleted,
// and (more often, so that the text still parses and reaches the checker) names, numbers, types
// and whole lines changed.

import type { Random } from "./random.js";

/** Pieces of schema text a mutation inserts: keywords, punctuation, names and numbers of the language. */
const SCHEMA_TOKENS = [
  "struct",
  "section",
  "subsection",
  "const",
  "features",
  "param",
  "let",
  "validate",
  "unused",
  "if",
  "since",
  "equals",
  "was",
  "each",
  "in",
  "codec",
  "from",
  "needed",
  "version",
  "minimum",
  "max",
  "u8",
  "u16",
  "u32",
  "u64",
  "i32",
  "bool",
  "bytes",
  "u16le",
  "true",
  "false",
  "has",
  "le16",
  "pci_capability",
  "stream_version",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ";",
  ":",
  ",",
  ".",
  "?",
  "??",
  "=",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">>",
  "<<",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "^",
  "!",
  "~",
  "&&",
  "||",
  '"',
  '"x/y"',
  "//",
  "/*",
  "*/",
  "0",
  "1",
  "0x10",
  "0b1",
  "1_000",
  "4294967296",
  "18446744073709551616",
  "-1",
  "a",
  "a.b",
  "x",
  "\n",
];

/** Kinds of text mutation (the cases below) and how often each is picked. */
const TEXT_MUTATIONS: readonly (readonly [number, number])[] = [
  [0, 8],
  [1, 8],
  [2, 10],
  [3, 8],
  [4, 16],
  [5, 6],
  [6, 16],
  [7, 16],
  [8, 12],
];

/** One to four mutations of schema text: characters flipped, changed, inserted or deleted; tokens, lines and spans moved. */
export function mutateText(base: string, rnd: Random): string {
  let text = base;
  const count = rnd.weighted([
    [1, 60],
    [2, 25],
    [4, 15],
  ] as const);
  for (let i = 0; i < count; i++) {
    const at = rnd.below(text.length + 1);
    // Most mutations keep the text parseable (names, numbers, types, whole lines), so that they
    // reach the checker; the rest break it anywhere.
    switch (rnd.weighted(TEXT_MUTATIONS)) {
      case 0: // a character's bits
        if (text.length > 0)
          text =
            text.slice(0, at) +
            String.fromCharCode(
              text.charCodeAt(Math.min(at, text.length - 1)) ^ (1 << rnd.below(7)),
            ) +
            text.slice(at + 1);
        break;
      case 1: // a random character, now and then one outside ASCII
        text =
          text.slice(0, at) +
          String.fromCharCode(rnd.chance(0.9) ? rnd.between(0x20, 0x7e) : rnd.below(0x3000)) +
          text.slice(at + 1);
        break;
      case 2: // a token of the language
        text = `${text.slice(0, at)} ${rnd.pick(SCHEMA_TOKENS)} ${text.slice(at)}`;
        break;
      case 3: // a deletion
        text = text.slice(0, at) + text.slice(at + rnd.between(1, 24));
        break;
      case 4: {
        // a line repeated, deleted or moved
        const lines = text.split("\n");
        const from = rnd.below(lines.length);
        const line = lines[from]!;
        const op = rnd.below(3);
        if (op !== 0) lines.splice(from, 1);
        if (op !== 1) lines.splice(rnd.below(lines.length + 1), 0, line);
        text = lines.join("\n");
        break;
      }
      case 5: {
        // a span copied elsewhere
        const start = rnd.below(text.length + 1);
        const span = text.slice(start, start + rnd.between(1, 80));
        text = text.slice(0, at) + span + text.slice(at);
        break;
      }
      case 7: {
        // a name replaced by another name of the text
        const names = [...text.matchAll(/\b[A-Za-z_][\w]*\b/g)];
        if (names.length === 0) break;
        const m = rnd.pick(names);
        text = text.slice(0, m.index) + rnd.pick(names)[0] + text.slice(m.index + m[0].length);
        break;
      }
      case 8: {
        // a type replaced by another
        const types = [
          ...text.matchAll(
            /\b(u8|u16|u32|u64|i8|i16|i32|i64|bool|u16le|u32le|u64le|i32le|bytes)\b/g,
          ),
        ];
        if (types.length === 0) break;
        const m = rnd.pick(types);
        text =
          text.slice(0, m.index) +
          rnd.pick(["u8", "u16", "u32", "u64", "i8", "i32", "i64", "bool", "u32le", "bytes"]) +
          text.slice(m.index + m[0].length);
        break;
      }
      default: {
        // a number replaced by an edge value
        const numbers = [...text.matchAll(/\b\d+\b/g)];
        if (numbers.length === 0) break;
        const m = rnd.pick(numbers);
        const value = rnd.pick([
          "0",
          "1",
          "255",
          "256",
          "65535",
          "65536",
          "2147483647",
          "2147483648",
          "4294967295",
          "4294967296",
          "9007199254740993",
          "18446744073709551615",
          "99999999999999999999999",
        ]);
        text = text.slice(0, m.index) + value + text.slice(m.index + m[0].length);
      }
    }
  }
  return text;
}
