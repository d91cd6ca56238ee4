// The hostile streams of test/hostile.test.ts, given to QEMU 7.2 itself: a destination of the
// stream's configuration (pxe-loop-pc's machine; RSS on, or four queue pairs on a private tap, as
// the stream needs) loads each with -incoming. QEMU must refuse every stream that breaks one of its
// own load checks, which shows that the schema's validations are the checks QEMU makes, and it
// must load the ones this reader refuses beyond QEMU (the RSS gap, the int count of the MAC table
// discard, vring.num, curr_queue_pairs 0), which shows what the extra validations add. Each base
// stream, unchanged, must load first. Skipped without QEMU, as test/qemu.test.ts is.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../stream/codecs.js";
import { projectCodecs } from "./support/codecs.js";
import { buildBases, cases, hostileStream, type Base } from "./support/hostile.js";
import { canMakeTap, qemuVersion, startQemu } from "./support/qemu.js";

const version = qemuVersion();
const required = process.env["VMSTATE_REQUIRE_QEMU"] === "1";
const tap = Boolean(version) && canMakeTap();

let codecs: Codecs;
let bases: Map<string, Base>;
let dir: string;
beforeAll(async () => {
  codecs = await projectCodecs();
  bases = buildBases(codecs);
  dir = mkdtempSync(join(tmpdir(), "vmstate-qemu-hostile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** QEMU of the base's configuration loads `file` with -incoming: "loads", or "refuses" (QEMU exits or the migration fails). */
async function qemuLoads(
  base: Base,
  file: string,
  name: string,
): Promise<{ verdict: "loads" | "refuses"; output: string }> {
  const netdev =
    base.netdev === "tap"
      ? "tap,id=n0,ifname=tap0,script=no,downscript=no,queues=4"
      : "user,id=n0,restrict=on";
  const args = [
    "-M",
    "pc",
    "-accel",
    "tcg",
    "-nographic",
    "-nodefaults",
    "-display",
    "none",
    "-m",
    "32",
  ];
  args.push(
    "-netdev",
    netdev,
    "-device",
    `virtio-net-pci,id=net0,netdev=n0,mac=52:54:00:12:34:56${base.device}`,
    "-incoming",
    "defer",
  );
  const qemu = await startQemu(args, join(dir, `${name}.sock`), base.netdev === "tap");
  const exited = new Promise<"exited">((resolve) =>
    qemu.process.exitCode !== null
      ? resolve("exited")
      : qemu.process.once("exit", () => resolve("exited")),
  );
  try {
    await qemu.qmp.command("migrate-incoming", { uri: `exec:cat ${file}` });
    const status = await Promise.race([qemu.qmp.waitForMigration(), exited]);
    return { verdict: status === "completed" ? "loads" : "refuses", output: qemu.output() };
  } finally {
    if (qemu.process.exitCode === null) await qemu.stop();
    else qemu.qmp.close();
  }
}

const tried = cases.filter((c) => c.qemu !== undefined);
// Four queue pairs need a multiqueue tap, in a network namespace of the test's own (test/qemu.test.ts).
const needsTap = (base: string): boolean => base.startsWith("four-pairs");

async function baseLoads(name: string): Promise<void> {
  const base = bases.get(name)!;
  const file = join(dir, `${name}.stream`);
  writeFileSync(file, base.bytes);
  const { verdict, output } = await qemuLoads(base, file, name);
  expect(verdict, output).toBe("loads");
}

async function caseVerdict(i: number): Promise<void> {
  const c = tried[i]!;
  const { bytes, base } = hostileStream(bases, c);
  const file = join(dir, `case-${i}.stream`);
  writeFileSync(file, bytes);
  const { verdict, output } = await qemuLoads(base, file, `case-${i}`);
  expect(verdict, output).toBe(c.qemu);
}

const rows = (withTap: boolean): (readonly [string, string | undefined, number])[] =>
  tried.flatMap((c, i) => (needsTap(c.base) === withTap ? [[c.id, c.qemu, i] as const] : []));

describe.skipIf(!version && !required)(
  `hostile streams in QEMU (${version ?? "not installed"})`,
  () => {
    it.each(["pxe-loop-pc", "one-pair-rss"])("the base %s, unchanged, loads", baseLoads);
    it.each(rows(false))("%s: QEMU 7.2 %s it", async (_, __, i) => caseVerdict(i));
  },
);

describe.skipIf(!tap)("hostile streams with four queue pairs in QEMU, on a private tap", () => {
  it.each(["four-pairs-rss", "four-pairs"])("the base %s, unchanged, loads", baseLoads);
  it.each(rows(true))("%s: QEMU 7.2 %s it", async (_, __, i) => caseVerdict(i));
});
