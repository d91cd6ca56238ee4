// The examples of the documentation are checked: a `vmstate` block must be clean, and a
// `vmstate error VMSnnnn` block must produce exactly that diagnostic.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog } from "../diagnostics/catalog.js";
import { checkText } from "../generator/index.js";
import { decodeStream } from "../stream/decode.js";
import { vmstate } from "./support/cli.js";
import { projectCodecs } from "./support/codecs.js";
import { root } from "./support/compile.js";
import { fixturesDir } from "./support/fixtures.js";
import { offloadsAfterSubsections } from "./support/streams.js";

const documents = [
  "README.md",
  "docs/language.md",
  "docs/diagnostics.md",
  "examples/seed-bug/README.md",
];

function blocks(doc: string): { expected: string | undefined; code: string; line: number }[] {
  const text = readFileSync(join(root, doc), "utf8");
  return [...text.matchAll(/^( *)```vmstate(?: error (VMS\d{4}))?\n([\s\S]*?)^\1```$/gm)].map(
    (m) => ({
      expected: m[2],
      code: m[3]!.replace(new RegExp(`^${m[1]}`, "gm"), ""),
      line: text.slice(0, m.index).split("\n").length,
    }),
  );
}

const examples = documents.flatMap((doc) =>
  blocks(doc).map((b) => [`${doc}:${b.line}`, b] as const),
);

describe("examples in the documentation", () => {
  it.each(examples)("%s", (where, block) => {
    const codes = checkText(block.code, where).diagnostics.map((d) => d.code);
    expect(codes).toEqual(block.expected ? [block.expected] : []);
  });
});

describe("docs/diagnostics.md", () => {
  it("lists every code of the catalog", () => {
    const text = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
    expect(Object.keys(catalog).filter((code) => !text.includes(`| ${code} |`))).toEqual([]);
  });
});

describe("examples/seed-bug/README.md", () => {
  it("quotes `vmstate check` as it prints", () => {
    const readme = readFileSync(join(root, "examples", "seed-bug", "README.md"), "utf8");
    const sessions = [...readme.matchAll(/```\n\$ npx vmstate check (\S+)\n([\s\S]*?)```/g)];
    expect(sessions.length).toBe(2);
    for (const [, file, shown] of sessions) {
      const printed = vmstate(["check", file!]).stdout;
      for (const line of shown!.split("\n").filter((l) => l.trim() !== ""))
        expect(printed).toContain(line);
    }
  });
});

describe("README.md", () => {
  it("quotes `vmstate decode` of pxe-loop-pc as it is (an excerpt of the virtio-net section)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const excerpt = /An excerpt of `pxe.json`[^\n]*\n[^\n]*\n\n```json\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(excerpt).toBeDefined();
    const output = vmstate(["decode", join(fixturesDir, "streams", "pxe-loop-pc.stream")]).stdout;
    let at = output.indexOf('"idstr": "0000:00:02.0/virtio-net"') - 200;
    for (const line of excerpt!.split("\n").filter((l) => l.trim() !== "")) {
      const found = output.indexOf(`${line}\n`, at);
      expect(found, line).toBeGreaterThanOrEqual(at);
      at = found + line.length;
    }
  });

  it("quotes the message for QEMU 2.5/2.6's order as the decoder prints it", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    let message = "";
    try {
      decodeStream(offloadsAfterSubsections().bytes, await projectCodecs(), {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe("");
    expect(readme).toContain(`vmstate: ${message}\n`);
  });

  it("quotes generated/virtio-net.ts as it is (an excerpt: lines in order, `…` for the rest)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const excerpt = /excerpt of its reader:\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    const generated = readFileSync(join(root, "generated", "virtio-net.ts"), "utf8");
    let at = 0;
    for (const line of excerpt!.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "…")) {
      const found = generated.indexOf(`${line}\n`, at);
      expect(found, line).toBeGreaterThanOrEqual(at);
      at = found + line.length;
    }
  });
});
