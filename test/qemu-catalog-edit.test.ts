// Live QEMU agrees with the catalog (issue 13, item 4): for the pc and the q35 machine with the
// fixtures' device set, a fresh stream decodes into fields, values edited in four devices (a CPU
// register, the i8259 masks, an RTC CMOS byte, a PIT channel's count) encode into a stream a
// second QEMU loads with -incoming, and that QEMU reports the edited values over HMP.
//
// Without QEMU these tests say so and are skipped; VMSTATE_REQUIRE_QEMU=1 makes a missing QEMU a
// failure. Every wait is bounded in minutes, not tuned to a fast machine.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeStream } from "../stream/encode.js";
import type { StreamDocument, StreamItem } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import { qemuVersion, startQemu, type RunningQemu } from "./support/qemu.js";

const version = qemuVersion();
const required = process.env["VMSTATE_REQUIRE_QEMU"] === "1";
if (!version && !required)
  console.warn("qemu-system-x86_64 is not installed: the live catalog tests are skipped");

const LIVE_TIMEOUT = 10 * 60_000;

// The fixtures' idle machines (test/fixtures/qemu/README.md: idle-pc, idle-q35-modern), paused
// before the first instruction (-S), so nothing changes the state between save and load.
const common = [
  ...["-accel", "tcg", "-nographic", "-nodefaults", "-display", "none", "-m", "16", "-S"],
  ...["-netdev", "user,id=n0,restrict=on"],
];
const machines: [string, string[]][] = [
  [
    "pc",
    [
      ...["-M", "pc", ...common],
      ...["-device", "virtio-net-pci,id=net0,netdev=n0,mac=52:54:00:12:34:56"],
    ],
  ],
  [
    "q35",
    [
      ...["-M", "q35", ...common],
      ...["-device", "pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x2"],
      ...[
        "-device",
        "virtio-net-pci,id=net0,netdev=n0,mac=52:54:00:12:34:56,bus=rp0,disable-legacy=on",
      ],
    ],
  ],
];

/** The sections whose schemas this test edits or needs decoded, by QEMU name. */
const platform = [
  "cpu",
  "cpu_common",
  "apic",
  "kvm-tpr-opt",
  "ioapic",
  "i8259",
  "i8254",
  "hpet",
  "mc146818rtc",
  "timer",
  "pcspk",
  "port92",
  "dma",
  "globalstate",
  "fw_cfg",
  "acpi_build",
  "vmmouse",
];

type FullItem = Extract<StreamItem, { type: "start" | "full" }>;
type State = Record<string, unknown>;

let dir: string;
let codecs: Codecs;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-catalog-edit-"));
  codecs = await projectCodecs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function qemuName(idstr: string): string {
  return idstr.slice(idstr.lastIndexOf("/") + 1);
}

function fullSections(doc: StreamDocument): FullItem[] {
  return doc.items.filter((i): i is FullItem => i.type === "full");
}

function stateOf(doc: StreamDocument, name: string, instance = 0): State {
  const item = fullSections(doc).find(
    (i) => qemuName(i.idstr) === name && i.instanceId === instance,
  );
  const state = (item?.body as { state?: State } | undefined)?.state;
  expect(state, `${name} ${instance} decoded into fields`).toBeDefined();
  return state!;
}

async function hmp(qemu: RunningQemu, command: string): Promise<string> {
  return qemu.qmp.command<string>("human-monitor-command", { "command-line": command });
}

describe.skipIf(!version && !required)(`live QEMU (${version ?? "not installed"})`, () => {
  it.each(machines)(
    "%s: a stream edited in the CPU, the PICs, the RTC and the PIT loads, and QEMU reports the edits",
    async (machine, args) => {
      // A fresh stream from the source.
      const captured = join(dir, `${machine}.stream`);
      const source = await startQemu(args, join(dir, `${machine}-source.sock`));
      try {
        await source.qmp.command("migrate", { uri: `exec:cat > ${captured}` });
        expect(await source.qmp.waitForMigration(LIVE_TIMEOUT), source.output()).toBe("completed");
      } finally {
        await source.stop();
      }
      const bytes = new Uint8Array(readFileSync(captured));
      const doc = decodeStream(bytes, codecs, {});

      // Every section with a schema in the package is decoded into fields, the platform's among them.
      for (const item of fullSections(doc)) {
        const hasSchema = codecs.sections.has(qemuName(item.idstr));
        expect([item.idstr, "state" in item.body]).toEqual([item.idstr, hasSchema]);
      }
      const decoded = new Set(
        fullSections(doc)
          .filter((i) => "state" in i.body)
          .map((i) => qemuName(i.idstr)),
      );
      expect(platform.filter((name) => !decoded.has(name))).toEqual([]);
      // Unedited, it encodes back to QEMU's bytes.
      const unedited = JSON.parse(JSON.stringify(doc)) as StreamDocument;
      expect(
        Buffer.from(encodeStream(unedited, codecs, {}, bytes)).equals(Buffer.from(bytes)),
      ).toBe(true);

      // The edits, in the decoded document as a user would make them.
      const cpu = stateOf(doc, "cpu") as { env: { regs: string[] } };
      cpu.env.regs[0] = "0x12345678"; // EAX (the CPU is in real mode: info registers shows 32 bits)
      cpu.env.regs[3] = "0x9abcdef0"; // EBX
      const master = stateOf(doc, "i8259", 0);
      const slave = stateOf(doc, "i8259", 1);
      expect([master["imr"], slave["imr"]]).not.toEqual([0xa5, 0x5a]);
      master["imr"] = 0xa5;
      slave["imr"] = 0x5a;
      const rtc = stateOf(doc, "mc146818rtc");
      const cmos = Buffer.from(rtc["cmos_data"] as string, "hex");
      expect(cmos[0x50]).not.toBe(0x5a);
      cmos[0x50] = 0x5a; // a byte the firmware does not use
      rtc["cmos_data"] = cmos.toString("hex");
      // PIT channel 2 (the speaker's, no interrupt): count 0x1234 in mode 0, accessed LSB then MSB,
      // loaded at the moment the paused guest's virtual clock stands at, so a latch reads 0x1234.
      const clock = stateOf(doc, "timer")["cpu_clock_offset"] as string;
      const pit = stateOf(doc, "i8254") as { channels: State[] };
      Object.assign(pit.channels[2]!, {
        count: 0x1234,
        mode: 0,
        rw_mode: 3,
        read_state: 3,
        write_state: 3,
        count_load_time: clock,
      });
      const edited = join(dir, `${machine}-edited.stream`);
      writeFileSync(edited, encodeStream(doc, codecs, {}, bytes));

      // A second QEMU loads it.
      const destination = await startQemu(
        [...args, "-incoming", "defer"],
        join(dir, `${machine}-destination.sock`),
      );
      try {
        await destination.qmp.command("migrate-incoming", { uri: `exec:cat ${edited}` });
        expect(await destination.qmp.waitForMigration(LIVE_TIMEOUT), destination.output()).toBe(
          "completed",
        );
        const registers = await hmp(destination, "info registers");
        expect(registers).toMatch(/EAX=12345678 EBX=9abcdef0 /);
        const pic = await hmp(destination, "info pic");
        expect(pic).toMatch(/pic0: irr=[0-9a-f]{2} imr=a5 /);
        expect(pic).toMatch(/pic1: irr=[0-9a-f]{2} imr=5a /);
        // CMOS byte 0x50 through the RTC's index and data ports (0x70, 0x71).
        await hmp(destination, "o /b 0x70 0x50");
        expect(await hmp(destination, "i /b 0x71")).toMatch(/= 0x5a\s*$/);
        // Latch channel 2's count (control word 0x80 to port 0x43), then read it LSB, MSB.
        await hmp(destination, "o /b 0x43 0x80");
        expect(await hmp(destination, "i /b 0x42")).toMatch(/= 0x34\s*$/);
        expect(await hmp(destination, "i /b 0x42")).toMatch(/= 0x12\s*$/);
      } finally {
        await destination.stop();
      }
    },
    2 * LIVE_TIMEOUT,
  );
});
