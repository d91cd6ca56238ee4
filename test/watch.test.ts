// `check --watch` and `gen --watch` as a user runs them: a child process that reruns when a schema,
// a schema of the folder or a codec module changes, prints its diagnostics, keeps going after
// errors and a missing file, and stops with exit status 0 on SIGINT (Ctrl-C).

import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "./support/cli.js";
import { root } from "./support/compile.js";
import { scratchDir } from "./support/scratch.js";

const clean = 'section a "a" version 1 {\n  x: u8;\n}\n';
const broken = 'section a "a" version 1 {\n  x: u8 if y;\n}\n';

class Watch {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr!.on("data", (b: Buffer) => (this.stderr += b.toString()));
  }

  runs(): number {
    return this.stderr.split("[").length - 1;
  }

  /** Waits until the command has run `n` times in all. */
  async ran(n: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (this.runs() < n) {
      if (Date.now() > deadline)
        throw new Error(`ran ${this.runs()} times, not ${n}:\n${this.stdout}${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Let the watchers of the new run settle before the next change.
    await new Promise((r) => setTimeout(r, 300));
  }

  async interrupt(): Promise<number | null> {
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    this.child.kill("SIGINT");
    return exited;
  }
}

describe("check --watch", () => {
  it(
    "reruns on changes of a schema, a new schema of the folder and a codec module; survives errors; stops on SIGINT",
    { timeout: 300_000 },
    async () => {
      const dir = scratchDir("vmstate-watch");
      writeFileSync(join(dir, "a.vmstate"), clean);
      copyFileSync(
        join(root, "examples/seed-bug/qemu-2.7-handwritten.vmstate"),
        join(dir, "codec.vmstate"),
      );
      copyFileSync(
        join(root, "examples/seed-bug/virtio-net-2.7.ts"),
        join(dir, "virtio-net-2.7.ts"),
      );
      const w = new Watch(["check", "--watch", "."], dir);
      await w.ran(1);
      expect(w.stderr).toContain("[check --watch] clean");

      writeFileSync(join(dir, "a.vmstate"), broken);
      await w.ran(2);
      expect(w.stdout).toContain("error VMS2001: unknown name 'y'");
      expect(w.stderr).toMatch(/\[check --watch\] errors/);

      writeFileSync(join(dir, "a.vmstate"), clean);
      await w.ran(3);
      expect(w.stderr.trimEnd().split("\n").at(-1)).toContain("clean");

      // A codec module that stops agreeing with itself is found on the next run.
      const module = join(dir, "virtio-net-2.7.ts");
      writeFileSync(
        module,
        readFileSync(module, "utf8").replace(
          /w\.u64\(([^;]*)curr_guest_offloads/,
          "w.u32($1curr_guest_offloads",
        ),
      );
      await w.ran(4);
      expect(w.stdout).toContain("VMS8001");

      copyFileSync(join(root, "examples/seed-bug/virtio-net-2.7.ts"), module);
      await w.ran(5);
      writeFileSync(
        join(dir, "b.vmstate"),
        broken.replace('"a"', '"b"').replace("section a", "section b"),
      );
      await w.ran(6);
      expect(w.stdout).toContain("b.vmstate:2:12 - error VMS2001");
      expect(await w.interrupt()).toBe(0);
      expect(w.stderr).toContain("[check --watch] stopped");
    },
  );

  it(
    "keeps watching a schema that is removed, and checks it again when it is back",
    { timeout: 300_000 },
    async () => {
      const dir = scratchDir("vmstate-watch");
      const file = join(dir, "a.vmstate");
      writeFileSync(file, clean);
      const w = new Watch(["check", "--watch", "a.vmstate"], dir);
      await w.ran(1);
      rmSync(file);
      await w.ran(2);
      expect(w.stderr).toContain("cannot read 'a.vmstate'");
      writeFileSync(file, broken);
      await w.ran(3);
      expect(w.stdout).toContain("error VMS2001");
      expect(await w.interrupt()).toBe(0);
    },
  );
});

describe("gen --watch", () => {
  it(
    "regenerates when the schema changes, and writes nothing while it has errors",
    { timeout: 300_000 },
    async () => {
      const dir = scratchDir("vmstate-watch");
      writeFileSync(join(dir, "a.vmstate"), clean);
      const out = join(dir, "out", "a.ts");
      const w = new Watch(["gen", "--watch", "a.vmstate", "--out", "out"], dir);
      await w.ran(1);
      expect(readFileSync(out, "utf8")).toContain("x: number");
      writeFileSync(join(dir, "a.vmstate"), broken);
      await w.ran(2);
      expect(w.stdout).toContain("error VMS2001");
      expect(readFileSync(out, "utf8")).toContain("x: number");
      writeFileSync(join(dir, "a.vmstate"), clean.replace("x: u8", "x: u8;\n  y: u64"));
      await w.ran(3);
      expect(existsSync(out) && readFileSync(out, "utf8")).toContain("y: bigint");
      expect(await w.interrupt()).toBe(0);
    },
  );
});
