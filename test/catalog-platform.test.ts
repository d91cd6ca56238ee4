// The platform schemas of the catalog (CPU, interrupt controllers, timers, RTC, DMA, fw_cfg, ...)
// on every fixture stream: each such section is there, decoded into fields, and a few values are
// those QEMU's scripts/analyze-migration.py shows. (The layout against the stream's description
// and the round trip, for every section: catalog-streams.test.ts.)

import { beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import type { StreamDocument, StreamItem } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import { fixtureStreams, streamBytes, streamParams } from "./support/streams.js";

/** The sections these schemas cover, by QEMU name, and how many of each a fixture stream has. */
const platform: Record<string, number> = {
  cpu: 1,
  cpu_common: 1,
  apic: 1,
  "kvm-tpr-opt": 1,
  ioapic: 1,
  i8259: 2,
  i8254: 1,
  hpet: 1,
  mc146818rtc: 1,
  timer: 1,
  pcspk: 1,
  port92: 1,
  dma: 2,
  globalstate: 1,
  fw_cfg: 1,
  acpi_build: 1,
  vmmouse: 1,
};

/** What the pc-i440fx-2.3 machine type does not send (pc_compat_2_7, hw_compat_2_3). */
const absentOn23 = ["pcspk", "globalstate"];

type FullItem = Extract<StreamItem, { type: "start" | "full" }>;
type State = Record<string, unknown>;

let codecs: Codecs;
const docs = new Map<string, StreamDocument>();
beforeAll(async () => {
  codecs = await projectCodecs();
  for (const name of fixtureStreams)
    docs.set(name, decodeStream(streamBytes(name), codecs, streamParams(name)));
});

function sections(stream: string, qemuName: string): FullItem[] {
  return docs
    .get(stream)!
    .items.filter(
      (i): i is FullItem =>
        i.type === "full" && (i.idstr === qemuName || i.idstr.endsWith(`/${qemuName}`)),
    );
}

function stateOf(stream: string, qemuName: string, instance = 0): State {
  const item = sections(stream, qemuName).find((i) => i.instanceId === instance);
  const body = item?.body as { state?: State } | undefined;
  if (!body?.state) throw new Error(`${stream}: no decoded ${qemuName} ${instance}`);
  return body.state;
}

describe.each(fixtureStreams)("stream %s", (stream) => {
  it("decodes every platform section into fields", () => {
    for (const [name, count] of Object.entries(platform)) {
      const expected = stream === "pxe-loop-pc-i440fx-2.3" && absentOn23.includes(name) ? 0 : count;
      const found = sections(stream, name);
      expect(found.map((i) => [name, "state" in i.body])).toEqual(
        Array.from({ length: expected }, () => [name, true]),
      );
    }
  });
});

// Values as QEMU 7.2's scripts/analyze-migration.py -f STREAM --dump state prints them.
describe("values QEMU wrote (pxe-loop-pc, as analyze-migration.py shows them)", () => {
  const s = "pxe-loop-pc";

  it("cpu: general registers, RIP, RFLAGS, CR0, the CS selector and the subsections sent", () => {
    const cpu = stateOf(s, "cpu") as {
      env: Record<string, unknown> & { segs: { selector: number }[] };
      poll_control_msr?: unknown;
      msr_smi_count?: unknown;
      fpop_ip_dp?: unknown;
    };
    expect((cpu.env["regs"] as string[]).slice(0, 8)).toEqual([
      "0x2",
      "0x0",
      "0xa1f5c",
      "0x28cb4",
      "0xa1f44",
      "0xa1f5c",
      "0x1f040",
      "0x2",
    ]);
    expect([cpu.env["eip"], cpu.env["eflags"], cpu.env["cr0"], cpu.env["hflags"]]).toEqual([
      "0xb8bd",
      "0x46",
      "0x11",
      0xf0,
    ]);
    expect(cpu.env.segs[1]!.selector).toBe(0x8);
    expect(cpu.env["mtrr_deftype"]).toBe("0xc06");
    expect(cpu.poll_control_msr).toEqual({ poll_control_msr: "0x0" });
    expect(cpu.msr_smi_count).toEqual({ msr_smi_count: "0x9" });
    expect(cpu.fpop_ip_dp).toBeUndefined();
  });

  it("mc146818rtc: the CMOS clock bytes and base_rtc", () => {
    const rtc = stateOf(s, "mc146818rtc");
    expect((rtc["cmos_data"] as string).slice(0, 32)).toBe("3600490005000526112626021080" + "0000");
    expect(rtc["base_rtc"]).toBe("0x6b07c868");
    expect(rtc["periodic_timer"]).toBe("-1");
  });

  it("i8259: the two controllers' masks, vector bases and ELCR", () => {
    const master = stateOf(s, "i8259", 0);
    const slave = stateOf(s, "i8259", 1);
    expect([master["imr"], master["irq_base"], master["irr"]]).toEqual([0xb8, 0x08, 0x01]);
    expect([slave["imr"], slave["irq_base"], slave["elcr"]]).toEqual([0x8e, 0x70, 0x0c]);
  });

  it("i8254: channel 0's count, mode and the value QEMU sends twice", () => {
    const pit = stateOf(s, "i8254") as {
      channels: Record<string, unknown>[];
    };
    const ch0 = pit.channels[0]!;
    expect([ch0["count"], ch0["mode"], ch0["irq_disabled"]]).toEqual([0x10000, 2, 0]);
    expect(ch0["next_transition_time"]).toBe(String(0x1edea8f8f));
    expect(pit.channels[1]!["irq_disabled"]).toBeUndefined();
  });

  it("apic, cpu_common, hpet, globalstate, fw_cfg, timer", () => {
    const apic = stateOf(s, "apic");
    expect([apic["apicbase"], apic["spurious_vec"], apic["timer_expiry"]]).toEqual([
      0xfee00900,
      0x1ff,
      "-1",
    ]);
    expect((apic["lvt"] as number[]).slice(3, 5)).toEqual([0x8700, 0x8400]);
    expect(stateOf(s, "cpu_common")).toEqual({ halted: 0, interrupt_request: 2 });
    const hpet = stateOf(s, "hpet") as { num_timers: number; timer: { config: string }[] };
    expect([hpet.num_timers, hpet.timer.length, hpet.timer[0]!.config]).toEqual([
      3,
      3,
      "0x400000030",
    ]);
    expect(stateOf(s, "globalstate")).toEqual({ size: 7, runstate: "paused" });
    expect(stateOf(s, "fw_cfg")).toEqual({
      cur_entry: 0x0e,
      cur_offset: 2,
      dma: { dma_addr: "0x0" },
      acpi_mr: { table_mr_size: "0x20000", linker_mr_size: "0x1000", rsdp_mr_size: "0x14" },
    });
    expect(stateOf(s, "timer")).toEqual({
      cpu_ticks_offset: String(0x40806afa7),
      cpu_clock_offset: String(0x1ec600557),
    });
  });
});

describe("values QEMU wrote (idle-q35-modern, linux-pc-user)", () => {
  it("idle-q35-modern: the reset vector, CR0 at reset, the run state before the guest ran", () => {
    const cpu = stateOf("idle-q35-modern", "cpu") as { env: Record<string, unknown> };
    expect([cpu.env["eip"], cpu.env["cr0"]]).toEqual(["0xfff0", "0x60000010"]);
    expect(stateOf("idle-q35-modern", "globalstate")).toEqual({ size: 10, runstate: "prelaunch" });
    const rtc = stateOf("idle-q35-modern", "mc146818rtc");
    expect((rtc["cmos_data"] as string).slice(0, 8)).toBe("22004900");
  });

  it("linux-pc-user: a 64-bit kernel's CPU, with the FPU pointers' subsection, and an enabled HPET", () => {
    const cpu = stateOf("linux-pc-user", "cpu") as {
      env: Record<string, unknown>;
      fpop_ip_dp?: Record<string, unknown>;
    };
    expect([cpu.env["eip"], cpu.env["cr0"], cpu.env["cr3"]]).toEqual([
      "0xffffffff88a592eb",
      "0x80050033",
      "0x2a10000",
    ]);
    expect(cpu.fpop_ip_dp).toEqual({
      fpop: 0,
      fpip: "0xffffffff88040bd8",
      fpdp: "0xffff8d8dc61a5ec0",
    });
    const hpet = stateOf("linux-pc-user", "hpet") as { config: string; offset?: unknown };
    expect(hpet.config).toBe("0x3"); // enabled, in legacy replacement mode
    expect(hpet.offset).toBeDefined();
  });
});
