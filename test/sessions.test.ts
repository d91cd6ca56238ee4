// Every shell session in the documentation runs as written: a `$ ` line in a code block of the README,
// docs/*.md or an example's README is a command, and the lines after it, up to the next command or
// the end of the block, are what it prints. The commands run in a fresh folder that holds the
// repository's files as a clone has them (each top-level entry linked), so nothing is written into
// the repository, with `npx vmstate` and `vmstate` running the built CLI.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath } from "./support/cli.js";
import { root } from "./support/compile.js";

interface Session {
  readonly where: string;
  readonly command: string;
  readonly output: readonly string[];
}

function documents(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((n) => n.endsWith(".md"))
    .map((n) => `docs/${n}`);
  const examples = readdirSync(join(root, "examples")).map((n) => `examples/${n}/README.md`);
  return ["README.md", ...docs, ...examples].sort();
}

function sessions(doc: string): Session[] {
  const text = readFileSync(join(root, doc), "utf8");
  const found: Session[] = [];
  for (const block of text.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    const firstLine = text.slice(0, block.index).split("\n").length + 1;
    let current: { command: string; line: number; output: string[] } | undefined;
    const flush = (): void => {
      if (current)
        found.push({
          where: `${doc}:${current.line}`,
          command: current.command,
          output: current.output,
        });
    };
    block[1]!.split("\n").forEach((line, i) => {
      if (line.startsWith("$ ")) {
        flush();
        current = { command: line.slice(2), line: firstLine + i, output: [] };
      } else if (current && line.trim() !== "") current.output.push(line);
    });
    flush();
  }
  return found;
}

const all = documents().flatMap(sessions);
const work = mkdtempSync(join(tmpdir(), "vmstate-sessions-"));
for (const entry of readdirSync(root).filter((n) => !n.startsWith(".") && n !== "node_modules"))
  symlinkSync(join(root, entry), join(work, entry));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a documented command line with bash; `npx vmstate` and `vmstate` are the built CLI. */
function run(command: string): { status: number | null; output: string } {
  const prelude = `vmstate() { ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"; }
npx() { if [ "$1" = vmstate ]; then shift; vmstate "$@"; else command npx "$@"; fi; }
`;
  // Schemas of the user's own are compiled into a cache folder of the session's, not the home one.
  const env = { ...process.env, VMSTATE_CACHE_DIR: join(work, ".vmstate-cache") };
  const r = spawnSync("bash", ["-c", prelude + command], { cwd: work, encoding: "utf8", env });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe("shell sessions in the documentation", () => {
  it("finds the README's decode, encode and cmp session", () => {
    expect(all.filter((s) => s.where.startsWith("README.md:")).map((s) => s.command)).toContain(
      "cmp pxe.stream test/fixtures/qemu/streams/pxe-loop-pc.stream && echo identical",
    );
  });

  // Sessions of one document run in order: a later command may read what an earlier one wrote.
  it.each(all.map((s) => [s.where, s] as const))("%s", (_where, session) => {
    const { output } = run(session.command);
    let at = 0;
    for (const line of session.output) {
      const found = output.indexOf(line, at);
      expect(found, `${line}\n--- printed:\n${output}`).toBeGreaterThanOrEqual(0);
      at = found + line.length;
    }
  });
});
