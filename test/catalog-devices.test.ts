// The catalog's device schemas (schemas/: I440FX, PIIX3, PCIHost, PCIBUS, mch, ICH9LPC, ich9_smb,
// ich9_ahci, pcie-root-port, piix4_pm, i2c_bus, ide, fdc, pckbd, ps2kbd, ps2mouse, serial, slirp) on
// every fixture stream: each such section decodes into fields, with the values QEMU wrote (as
// analyze-migration.py shows them, or the raw payload bytes). (The layout against the stream's
// description and the round trip, for every section: catalog-streams.test.ts.)

import { beforeAll, describe, expect, it } from "vitest";
import { decodeStream } from "../stream/decode.js";
import type { StreamDocument } from "../stream/format.js";
import type { Codecs } from "../stream/codecs.js";
import { projectCodecs } from "./support/codecs.js";
import { fixtureStreams, sectionPayloads, streamBytes, streamParams } from "./support/streams.js";

const q35 = new Set(["idle-q35-modern", "pxe-loop-q35-modern"]);

/** The QEMU section names the catalog's device schemas decode, and the schema of each. */
const catalog: Record<string, string> = {
  I440FX: "I440FX",
  PIIX3: "PIIX3",
  PCIHost: "PCIHost",
  PCIBUS: "PCIBUS",
  mch: "mch",
  ICH9LPC: "ICH9LPC",
  ich9_smb: "ich9_smb",
  ich9_ahci: "ich9_ahci",
  "pcie-root-port": "pcie-root-port",
  piix4_pm: "piix4_pm",
  i2c_bus: "i2c_bus",
  ide: "ide",
  fdc: "fdc",
  pckbd: "pckbd",
  ps2kbd: "ps2kbd",
  ps2mouse: "ps2mouse",
  serial: "serial",
  slirp: "slirp",
};

/** Which of them each machine's streams hold (serial: only linux-pc-user has a serial port). */
const pcSections = ["I440FX", "PIIX3", "PCIBUS", "piix4_pm", "ide", "fdc"];
const q35Sections = ["mch", "ICH9LPC", "ich9_smb", "ich9_ahci", "pcie-root-port", "PCIBUS"];
const common = ["i2c_bus", "pckbd", "ps2kbd", "ps2mouse", "slirp"];

type State = Record<string, unknown>;
interface Decoded {
  doc: StreamDocument;
  /** Each catalog section's decoded state by its QEMU name (the last part of the idstr), in order. */
  states: Map<string, State[]>;
}

let codecs: Codecs;
const decoded = new Map<string, Decoded>();
beforeAll(async () => {
  codecs = await projectCodecs();
  for (const name of fixtureStreams) {
    const doc = decodeStream(streamBytes(name), codecs, streamParams(name));
    const states = new Map<string, State[]>();
    for (const item of doc.items) {
      if (item.type !== "full") continue;
      const qemuName = item.idstr.split("/").pop()!;
      if (!(qemuName in catalog)) continue;
      const body = item.body as { schema?: string; state?: State; hex?: string };
      expect(body.hex, `${name}: ${item.idstr} left as bytes`).toBeUndefined();
      expect(body.schema).toBe(catalog[qemuName]);
      states.set(qemuName, [...(states.get(qemuName) ?? []), body.state!]);
    }
    decoded.set(name, { doc, states });
  }
});

function states(stream: string, qemuName: string): State[] {
  return decoded.get(stream)!.states.get(qemuName) ?? [];
}

function one(stream: string, qemuName: string): State {
  const found = states(stream, qemuName);
  expect(found.length, `${stream}: ${qemuName}`).toBe(1);
  return found[0]!;
}

/** Vendor and device ID from a decoded PCI config space (hex in the document). */
function pciIds(config: unknown): string {
  const bytes = Buffer.from(config as string, "hex");
  const hex = (n: number): string => n.toString(16).padStart(4, "0");
  return `${hex(bytes.readUInt16LE(0))}:${hex(bytes.readUInt16LE(2))}`;
}

describe.each(fixtureStreams)("stream %s", (name) => {
  it("decodes every catalog section of its machine into fields", () => {
    const expected = [...(q35.has(name) ? q35Sections : pcSections), ...common];
    if (name !== "pxe-loop-pc-i440fx-2.3") expected.push("PCIHost");
    if (name === "linux-pc-user") expected.push("serial");
    const found = [...decoded.get(name)!.states.keys()];
    expect(found.sort()).toEqual([...new Set(expected)].sort());
  });
});

describe("the values QEMU wrote", () => {
  it("each PCI function's vendor and device ID, from its config space", () => {
    for (const name of fixtureStreams) {
      if (q35.has(name)) {
        expect(pciIds((one(name, "mch")["parent_obj"] as State)["config"])).toBe("8086:29c0");
        expect(pciIds((one(name, "ICH9LPC")["d"] as State)["config"])).toBe("8086:2918");
        expect(pciIds((one(name, "ich9_smb")["dev"] as State)["config"])).toBe("8086:2930");
        expect(pciIds((one(name, "ich9_ahci")["parent_obj"] as State)["config"])).toBe("8086:2922");
        const port = one(name, "pcie-root-port");
        const pci = (((port["parent_obj"] as State)["parent_obj"] as State)["parent_obj"] as State)[
          "config"
        ];
        expect(pciIds(pci)).toBe("1b36:000c");
      } else {
        expect(pciIds((one(name, "I440FX")["parent_obj"] as State)["config"])).toBe("8086:1237");
        expect(pciIds((one(name, "PIIX3")["dev"] as State)["config"])).toBe("8086:7000");
        expect(pciIds((one(name, "ide")["parent_obj"] as State)["config"])).toBe("8086:7010");
        expect(pciIds((one(name, "piix4_pm")["parent_obj"] as State)["config"])).toBe("8086:7113");
      }
    }
  });

  it("a PCI Express function carries its 4 KiB config space, the others 256 bytes", () => {
    const port = one("idle-q35-modern", "pcie-root-port");
    const pci = ((port["parent_obj"] as State)["parent_obj"] as State)["parent_obj"] as State;
    expect((pci["config_express"] as string).length).toBe(3840 * 2);
    // analyze-migration.py: aer_log log_num 0x0000, log_max 0x0008; one MSI-X vector (17 bytes).
    expect(port["aer_log"]).toEqual({ log_num: 0, log_max: 8, log: [] });
    const msix = port["msix"] as State;
    expect((msix["msix_table"] as string).length).toBe(16 * 2);
    expect((msix["msix_pba"] as string).length).toBe(1 * 2);
    expect((one("idle-pc", "I440FX")["parent_obj"] as State)["config_express"]).toBeUndefined();
  });

  it("PCIBUS: 4 interrupt lines on the pc machine, 8 on q35's root bus and none on the root port's bus", () => {
    // analyze-migration.py on idle-pc: PCIBUS nirq 0x00000004, irq_count four 0x00000000.
    expect(states("idle-pc", "PCIBUS")).toEqual([{ nirq: 4, irq_count: [0, 0, 0, 0] }]);
    const q = states("idle-q35-modern", "PCIBUS");
    expect(q.map((s) => s["nirq"])).toEqual([8, 0]);
    expect(q[1]!["irq_count"]).toEqual([]);
  });

  it("the serial port's divider and line registers, from the payload QEMU wrote", () => {
    const s = one("linux-pc-user", "serial")["state"] as State;
    const payload = Buffer.from(sectionPayloads(["linux-pc-user"], "serial")[0]!.bytes);
    expect(s["divider"]).toBe(payload.readUInt16BE(0)); // be16 first in the payload
    expect(s["divider"]).toBe(12); // 115200 / 12 = 9600 baud, as the Linux guest set it
    expect(s["lcr"]).toBe(payload[5]);
    expect((s["lcr"] as number) & 0x03).toBe(0x03); // 8 data bits
    expect((s["lsr"] as number) & 0x40).toBe(0x40); // LSR.TEMT: the transmitter is empty
  });

  it("the keyboard controller, keyboard and mouse as analyze-migration.py shows them", () => {
    // idle-pc: pckbd status 0x18, mode 0x03, pckbd/extended_state all zero; ps2kbd write_cmd -1.
    expect(one("idle-pc", "pckbd")).toEqual({
      kbd: {
        write_cmd: 0,
        status: 0x18,
        mode: 0x03,
        pending_tmp: 0,
        extended_state: { migration_flags: 0, obsrc: 0, obdata: 0, cbdata: 0 },
      },
    });
    // pc-i440fx-2.3 has extended-state off (hw_compat_6_0): no subsection.
    expect(
      (one("pxe-loop-pc-i440fx-2.3", "pckbd")["kbd"] as State)["extended_state"],
    ).toBeUndefined();
    const kbd = one("idle-pc", "ps2kbd");
    expect((kbd["parent_obj"] as State)["write_cmd"]).toBe(-1);
    expect(kbd["scancode_set"]).toBe(2);
    expect((one("idle-pc", "ps2mouse")["parent_obj"] as State)["write_cmd"]).toBe(-1);
  });

  it("the floppy controller's two drives and the IDE controller's four drives", () => {
    // idle-pc: fdc sra 0x40, srb 0xc0, dor_vmstate 0x0c, msr 0x80, num_floppies 2.
    const fdc = one("idle-pc", "fdc")["state"] as State;
    expect([fdc["sra"], fdc["srb"], fdc["dor_vmstate"], fdc["msr"]]).toEqual([
      0x40, 0xc0, 0x0c, 0x80,
    ]);
    expect(fdc["num_floppies"]).toBe(2);
    const drives = fdc["drives"] as State[];
    expect(drives.map((d) => d["media_rate"])).toEqual([{ media_rate: 0 }, { media_rate: 0 }]);
    const ide = one("idle-pc", "ide");
    expect((ide["bmdma"] as State[]).length).toBe(2);
    expect((ide["bus0_ifs"] as State[]).length + (ide["bus1_ifs"] as State[]).length).toBe(4);
  });

  it("the AHCI controller's six ports and the ICH9 power management", () => {
    const ahci = one("idle-q35-modern", "ich9_ahci")["ahci"] as State;
    expect((ahci["dev"] as State[]).length).toBe(6);
    expect(ahci["ports"]).toBe(6);
    const pm = one("idle-q35-modern", "ICH9LPC")["pm"] as State;
    expect(Object.keys(pm)).toEqual(expect.arrayContaining(["memhp", "tco", "pcihp"]));
    expect((one("idle-q35-modern", "ICH9LPC")["chip_config"] as string).length).toBe(16384 * 2);
  });

  it("piix4_pm: SMBus state and ACPI index on 7.2, neither on pc-i440fx-2.3; CPU hotplug once the guest switched", () => {
    const modern = one("idle-pc", "piix4_pm");
    expect(modern["smb"]).toBeDefined();
    expect((modern["acpi_pci_hotplug"] as State)["acpi_index"]).toBe(0);
    const old = one("pxe-loop-pc-i440fx-2.3", "piix4_pm");
    expect(old["smb"]).toBeUndefined();
    expect((old["acpi_pci_hotplug"] as State)["acpi_index"]).toBeUndefined();
    expect(modern["cpuhp"]).toBeUndefined();
    const linux = one("linux-pc-user", "piix4_pm")["cpuhp"] as State;
    expect(((linux["cpuhp_state"] as State)["devs"] as State[]).length).toBe(1);
  });

  it("slirp: no guestfwd sockets, the IP id and 16 DHCP leases", () => {
    for (const name of fixtureStreams) {
      const s = one(name, "slirp");
      expect(s["more_0"]).toBe(0);
      expect((s["bootp_clients"] as State[]).length).toBe(16);
    }
    expect(one("idle-pc", "i2c_bus")).toEqual({ saved_address: 0xff });
  });
});
