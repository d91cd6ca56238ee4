// Messages quote user text escaped, shortened and on one line: hostile characters in each place
// of a schema, binary files and megabyte lines of every size, a byte order mark, validation
// messages that would break a LoadError's line, and huge values in an encode document.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnosticsText } from "../diagnostics/format.js";
import { checkText } from "../generator/index.js";
import { MAX_SYNTAX_ERRORS } from "../grammar/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeDocument } from "../stream/encode.js";
import { projectCodecs } from "./support/codecs.js";
import { vmstate } from "./support/cli.js";
import { streamBytes } from "./support/streams.js";

const dir = mkdtempSync(join(tmpdir(), "vmstate-messages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Control characters, separators and bidirectional controls are what the pattern is about.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The diagnostics of a text, printed as `vmstate check` prints them. */
function printed(text: string): string {
  const result = checkText(text, "m.vmstate");
  return formatDiagnosticsText(result.diagnostics, new Map([["m.vmstate", text]]));
}

function expectSafe(out: string, what: string, maxLine = 400, empty = false): void {
  if (!empty) expect(out.length, what).toBeGreaterThan(0);
  expect(unsafe.test(out), what).toBe(false);
  for (const line of out.split("\n")) expect(line.length, what).toBeLessThanOrEqual(maxLine);
}

const hostile = ["\u001b[31m", "\u0000", "\u007f", "\u009b", "\u202e", "\u2028", "\r", "\u0007"];

describe("hostile characters in schema text", () => {
  const places: [string, (c: string) => string][] = [
    ["between members", (c) => `section s "s" version 1 { a: u8; ${c} }`],
    ["in a name", (c) => `section s "s" version 1 { a${c}b: u8; }`],
    ["in a string literal", (c) => `section s "s${c}" version 1 { a: u8; }`],
    ["in a message", (c) => `section s "s" version 1 { a: u8; validate a < 1, "m${c}"; }`],
    ["on a long line", (c) => `section s "s" version 1 { a: u8; ${"b: u8; ".repeat(5000)}${c} }`],
  ];
  it.each(places)("%s: each is escaped in the message and the code frame", (_, place) => {
    // Some are no error in some places: `\r` is white space, a QEMU name may hold U+007F to U+00FF.
    for (const c of hostile) expectSafe(printed(place(c)), JSON.stringify(c), 400, true);
  });

  it("an escape in a validation message that would break a line is VMS1008, at the message", () => {
    for (const escape of ["\\n", "\\r", "\\u001b", "\\u2028", "\\u0000", "\\t"]) {
      const text = `section s "s" version 1 {\n  a: u8;\n  validate a < 1, "bad ${escape} value";\n}\n`;
      const found = checkText(text, "m.vmstate").diagnostics;
      expect(
        found.map((d) => [d.code, d.span.line, d.span.column]),
        escape,
      ).toEqual([["VMS1008", 3, 19]]);
      expect(found[0]!.message).toMatch(/'\\(x|u\{)[0-9a-f]+\}?'$/);
    }
    expect(
      checkText(`section s "s" version 1 { a: u8; validate a < 1, "a ≤ b, «ok»"; }`, "m")
        .diagnostics,
    ).toEqual([]);
  });
});

describe("files that are not schemas", () => {
  it("binary files of any size give at most 20 short lines of errors, exit 1", () => {
    for (const [name, bytes] of [
      ["small", randomBytes(1000)],
      ["medium", randomBytes(100_000)],
      ["large", randomBytes(1_600_000)],
      ["zeros", Buffer.alloc(200_000)],
    ] as const) {
      const file = join(dir, `${name}.vmstate`);
      writeFileSync(file, bytes);
      const r = vmstate(["check", file]);
      expect(r.status, name).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out, name).not.toMatch(/internal error|\n\s+at /);
      expect(out.length, name).toBeLessThan(20_000);
      expect((out.match(/ - error VMS/g) ?? []).length, name).toBeLessThanOrEqual(
        MAX_SYNTAX_ERRORS,
      );
      expectSafe(out, name, 700);
    }
  }, 120_000);

  it("a line of megabytes is shown around the error, cut with …", () => {
    for (const size of [1_000, 100_000, 2_000_000]) {
      const out = printed(`section s "s" version 1 { a: u8; ${"x".repeat(size)} }`);
      expectSafe(out, `${size}`, 300);
      if (size > 1000) expect(out).toContain("…");
    }
  });

  it("a long string literal is cut in the message", () => {
    const out = printed(`section s "${"q".repeat(1_000_000)}" version 1 { a: u8 }`);
    expectSafe(out, "literal");
  });
});

describe("a byte order mark", () => {
  it("is skipped at the start of a file, and is an escaped error anywhere else", () => {
    const text = `section s "s" version 1 {\n  a: u8;\n}\n`;
    expect(checkText(`\ufeff${text}`, "m.vmstate").diagnostics).toEqual([]);
    const inside = checkText(text.replace("a: u8;", "a: u8; \ufeff"), "m.vmstate").diagnostics;
    expect(inside.map((d) => [d.code, d.message])).toEqual([
      ["VMS1001", "unexpected character '\\u{feff}'"],
    ]);
    const file = join(dir, "bom.vmstate");
    writeFileSync(file, `\ufeff${text}`);
    expect(vmstate(["check", file]).status).toBe(0);
  });
});

describe("huge values in an encode document", () => {
  let codecs: Codecs;
  beforeAll(async () => {
    codecs = await projectCodecs();
  });

  it("are cut in the one-line message, whatever their type and size", () => {
    const text = JSON.stringify(decodeStream(streamBytes("pxe-loop-pc-legacy"), codecs, {}));
    for (const value of [
      "9".repeat(1_000_000),
      `0x${"f".repeat(1_000_000)}`,
      `-${"9".repeat(100_000)}`,
      `${"\u001b".repeat(1000)}`,
      Number("9".repeat(400)),
    ]) {
      const doc = JSON.parse(text) as { items: Record<string, unknown>[] };
      const item = doc.items.find(
        (i) => i["type"] === "full" && String(i["idstr"]).endsWith("/virtio-net"),
      )!;
      const state = (item["body"] as { state: { virtio: { features64: Record<string, unknown> } } })
        .state;
      state.virtio.features64["guest_features"] = value;
      let message = "";
      try {
        encodeDocument(doc, codecs, {});
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, String(value).slice(0, 10)).toMatch(/guest_features/);
      expectSafe(message, String(value).slice(0, 10), 300);
    }
  });
});
