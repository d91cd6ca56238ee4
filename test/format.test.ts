// The formatter (format/format.ts): every schema of the repository is in the canonical layout, the
// layout does not depend on how the input was laid out, formatting is idempotent and changes
// neither the syntax tree nor the checked model (nor which comment documents what), and the CLI's
// `fmt` and the prettier plugin give the same text.

import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { formatSchema, Formatter } from "../format/format.js";
import plugin from "../format/prettier.js";
import { checkSchemaText } from "../generator/check-text.js";
import { parseSchema } from "../grammar/index.js";
import { vmstateLexer } from "../grammar/tokens.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";
import { repositorySchemas } from "./support/repository-schemas.js";
import { randomProgram, type Choose } from "./support/random-programs.js";
import { scratchDir } from "./support/scratch.js";

const documents = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((n) => n.endsWith(".md"))
    .map((n) => `docs/${n}`),
  "examples/seed-bug/README.md",
];

function docBlocks(): [string, string][] {
  return documents.flatMap((doc) => {
    const text = readFileSync(join(root, doc), "utf8");
    return [...text.matchAll(/^( *)```vmstate(?: error VMS\d{4})?\n([\s\S]*?)^\1```$/gm)].map(
      (m): [string, string] => [
        `${doc}:${text.slice(0, m.index).split("\n").length}`,
        m[2]!.replace(new RegExp(`^${m[1]}`, "gm"), ""),
      ],
    );
  });
}

/** A value with every span left out and maps as entry lists: what formatting must not change. */
function shape(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[seen]";
  seen.add(value);
  try {
    if (value instanceof Map)
      return [...(value as Map<unknown, unknown>)].map(([k, v]) => [
        shape(k, seen),
        shape(v, seen),
      ]);
    if (Array.isArray(value)) return value.map((v) => shape(v, seen));
    // A span under any name (`again` is the keyword's): where a thing is, not what it is.
    if (["file", "start", "end", "line", "column"].every((k) => k in value)) return "[span]";
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/span$/i.test(k))
        .map(([k, v]) => [k, shape(v, seen)]),
    );
  } finally {
    seen.delete(value);
  }
}

/**
 * The shape of a value as one number, equal for equal shapes. The checked model shares objects
 * (an imported struct, every use of a type), and written out as a tree it is too big to build:
 * each object is named once by the names of its parts.
 */
const shapeNames = new Map<string, number>();
function shapeName(
  value: unknown,
  seen = new Set<object>(),
  named = new Map<object, string>(),
): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "undefined";
  if (seen.has(value)) return "[seen]";
  const known = named.get(value);
  if (known !== undefined) return known;
  seen.add(value);
  try {
    const part = (v: unknown): string => shapeName(v, seen, named);
    let text: string;
    if (value instanceof Map)
      text = `M${JSON.stringify([...(value as Map<unknown, unknown>)].map(([k, v]) => [part(k), part(v)]))}`;
    else if (Array.isArray(value)) text = `A${JSON.stringify(value.map(part))}`;
    else if (["file", "start", "end", "line", "column"].every((k) => k in value)) text = "[span]";
    else
      text = `O${JSON.stringify(
        Object.entries(value)
          .filter(([k]) => !/span$/i.test(k))
          .map(([k, v]) => [k, part(v)]),
      )}`;
    if (!shapeNames.has(text)) shapeNames.set(text, shapeNames.size);
    const name = `#${shapeNames.get(text)}`;
    named.set(value, name);
    return name;
  } finally {
    seen.delete(value);
  }
}

/** What a schema means: its syntax tree, its doc comments in order, and the checked model. */
function meaning(text: string): unknown {
  const parsed = parseSchema(text, "s.vmstate");
  const checked = checkSchemaText(text, "s.vmstate");
  return {
    items: shape(parsed.schema?.items),
    comments: parsed.schema?.comments.map((c) => c.text),
    docs: [...(parsed.schema?.docs.values() ?? [])],
    fileDoc: parsed.schema?.fileDoc,
    diagnostics: checked.diagnostics.map((d) => `${d.code} ${d.message}`),
    // Part by part, so that a difference says which part of the model changed.
    model: checked.model
      ? Object.fromEntries(
          Object.entries({ ...checked.model, docs: [...checked.model.docs.values()] }).map(
            ([k, v]) => [k, shapeName(v)],
          ),
        )
      : undefined,
  };
}

function expectFormatted(text: string): void {
  const result = formatSchema(text);
  if (result.text === undefined) {
    // Only text the parser refuses is left as it is.
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => /^VMS100[1-4]$|^VMS1007$/.test(d.code))).toBe(true);
    return;
  }
  expect(result.text).toBe(text);
}

describe("the repository is in the canonical layout", () => {
  it("has schemas to check", () => {
    expect(repositorySchemas.length).toBeGreaterThan(50);
  });
  it.each(repositorySchemas)("%s", (file) => {
    expectFormatted(readFileSync(join(root, file), "utf8"));
  });
  it.each(docBlocks())("the block at %s", (_where, code) => {
    expectFormatted(code);
  });
});

/**
 * The text with the white space between code tokens changed at random: spaces, tabs and single
 * line breaks come and go. Blank lines and the white space next to comments are kept, since they
 * say which comment documents what.
 */
function relaid(text: string, choose: (n: number) => number): string {
  const lexed = vmstateLexer.tokenize(text);
  const elements = [
    ...lexed.tokens.map((t) => ({ t, comment: false })),
    ...(lexed.groups["comments"] ?? []).map((t) => ({ t, comment: true })),
  ].sort((a, b) => a.t.startOffset - b.t.startOffset);
  let out = text.slice(0, elements[0]?.t.startOffset ?? text.length);
  const runs = [" ", "", "\n", "   ", "\t", "\n    ", " \n "];
  elements.forEach((e, i) => {
    out += e.t.image;
    const next = elements[i + 1];
    const end = e.t.startOffset + e.t.image.length;
    const gap = text.slice(end, next?.t.startOffset ?? text.length);
    if (!next || e.comment || next.comment || gap.split("\n").length > 2) out += gap;
    else {
      let run = runs[choose(runs.length)]!;
      // Two names or numbers in a row need something between them.
      if (run === "" && /\w$/.test(e.t.image) && /^\w/.test(next.t.image)) run = " ";
      if (run === "" && gap !== "" && /[/*]$/.test(e.t.image)) run = " ";
      out += run;
    }
  });
  return out;
}

/** The repository's schemas that parse (the syntax-error corpus is left as written). */
function formattableSchemas(): string[] {
  return repositorySchemas.filter(
    (f) => formatSchema(readFileSync(join(root, f), "utf8")).text !== undefined,
  );
}

describe("the layout is the formatter's, not the author's", () => {
  const formattable = formattableSchemas();
  it("formats any relaying of a repository schema back to the same text", () => {
    fc.assert(
      fc.property(fc.constantFrom(...formattable), fc.infiniteStream(fc.nat()), (file, numbers) => {
        const text = readFileSync(join(root, file), "utf8");
        const it = numbers[Symbol.iterator]();
        const scrambled = relaid(text, (n) => it.next().value! % n);
        expect(formatSchema(scrambled).text).toBe(text);
      }),
      { numRuns: 60 },
    );
  });
});

describe("the language server's formatter keeps what it learnt of the last text", () => {
  it("formats each of a run of edited texts as a fresh formatter does", () => {
    const texts = formattableSchemas().map((f) => readFileSync(join(root, f), "utf8"));
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(
          fc.record({
            // Declarations added before, so that the unchanged ones move, and some relaid.
            added: fc.nat(3),
            relay: fc.boolean(),
            seed: fc.infiniteStream(fc.nat()),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        (text, edits) => {
          const formatter = new Formatter();
          for (const { added, relay, seed } of edits) {
            const it = seed[Symbol.iterator]();
            const edited =
              Array.from({ length: added }, (_, i) => `const ADDED_${i}  =  -${i} ;\n`).join("") +
              (relay ? relaid(text, (n) => it.next().value! % n) : text);
            expect(formatter.format(edited).text).toBe(formatSchema(edited).text);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** A random valid schema with comments placed at random between its tokens. */
function commented(text: string, g: Choose): string {
  const tokens = vmstateLexer.tokenize(text).tokens;
  let out = "";
  let at = 0;
  tokens.forEach((tok, i) => {
    out += text.slice(at, tok.startOffset);
    const roll = g.int(0, 12);
    if (roll === 0) out += `/* c${i} */ `;
    else if (roll === 1) out += `// c${i}\n`;
    else if (roll === 2) out += `\n// d${i}\n`;
    out += tok.image;
    at = tok.startOffset + tok.image.length;
  });
  return out + text.slice(at);
}

describe("formatting keeps the meaning", () => {
  it.each(formattableSchemas())("%s", (file) => {
    const text = readFileSync(join(root, file), "utf8");
    const once = formatSchema(text).text!;
    expect(meaning(once)).toEqual(meaning(text));
  });

  it(
    "random schemas with random comments: fmt(fmt(x)) == fmt(x), and the model is unchanged",
    { timeout: 300_000 },
    () => {
      fc.assert(
        fc.property(fc.gen(), (g) => {
          const choose: Choose = {
            int: (min, max) => g(fc.integer, { min, max }),
            bool: () => g(fc.boolean),
          };
          const text = commented(randomProgram(choose), choose);
          const once = formatSchema(text).text;
          expect(once, text).toBeDefined();
          expect(formatSchema(once!).text).toBe(once);
          expect(meaning(once!), `${text}\n----\n${once}`).toEqual(meaning(text));
        }),
        { numRuns: 100 },
      );
    },
  );
});

describe("vmstate fmt", () => {
  it("rewrites what is not in the layout, and --check names it", () => {
    const dir = scratchDir("vmstate-fmt");
    cpSync(join(root, "schemas", "virtio-net.vmstate"), join(dir, "a.vmstate"));
    writeFileSync(join(dir, "b.vmstate"), 'section  b "b" version 1 {x:u8;  // x\n}\n');
    const check = vmstate(["fmt", "--check", dir]);
    expect(check.status).toBe(1);
    expect(check.stdout).toBe(`${join(dir, "b.vmstate")}: not formatted\n`);
    const write = vmstate(["fmt", dir]);
    expect(write.status).toBe(0);
    expect(readFileSync(join(dir, "b.vmstate"), "utf8")).toBe(
      'section b "b" version 1 {\n  x: u8; // x\n}\n',
    );
    expect(vmstate(["fmt", "--check", dir]).status).toBe(0);
  });

  it("leaves a file with a syntax error as it is and reports it", () => {
    const dir = scratchDir("vmstate-fmt");
    writeFileSync(join(dir, "c.vmstate"), 'section c "c" version 1 { x u8; }\n');
    const run = vmstate(["fmt", join(dir, "c.vmstate")]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("error VMS1002");
    expect(readFileSync(join(dir, "c.vmstate"), "utf8")).toBe(
      'section c "c" version 1 { x u8; }\n',
    );
  });
});

describe("the prettier plugin", () => {
  const messy = 'const A=1;\nsection s "s" version 1 { a : u8 if A>0 ; /* keep */\n}\n';
  const expected = formatSchema(messy).text!;

  it("formats through prettier's API, by file name", async () => {
    expect(await prettier.format(messy, { filepath: "x.vmstate", plugins: [plugin] })).toBe(
      expected,
    );
    expect(await prettier.check(expected, { filepath: "x.vmstate", plugins: [plugin] })).toBe(true);
  });

  it("loads as vmstate-dsl/prettier, the package's export", async () => {
    const loaded = (await import("vmstate-dsl/prettier")) as { default: prettier.Plugin };
    expect(await prettier.format(messy, { parser: "vmstate", plugins: [loaded.default] })).toBe(
      expected,
    );
  });

  it("reports a syntax error with its position", async () => {
    await expect(
      prettier.format('section s "s" version 1 { a u8; }', {
        filepath: "x.vmstate",
        plugins: [plugin],
      }),
    ).rejects.toThrow(/VMS1002/);
  });
});
