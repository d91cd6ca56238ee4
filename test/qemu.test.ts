// Live QEMU, both directions: streams captured from Debian's qemu-system-x86 (TCG, 16 MiB, paused,
// user networking with restrict=on) decode and re-encode byte-identical, including device
// configurations the fixtures do not have; and QEMU loads a stream we changed and encoded.
//
// Without QEMU these tests say so and are skipped; .ci/run installs QEMU and sets
// VMSTATE_REQUIRE_QEMU=1, which makes a missing QEMU a failure.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeStream } from "../stream/encode.js";
import type { StreamDocument } from "../stream/format.js";
import { cliPath, vmstate } from "./support/cli.js";
import { projectCodecs } from "./support/codecs.js";
import { GuestSetup, buildInitramfs, findGuestKernel } from "./support/guest.js";
import { canMakeTap, qemuVersion, startQemu } from "./support/qemu.js";

const version = qemuVersion();
const required = process.env["VMSTATE_REQUIRE_QEMU"] === "1";
if (!version && !required)
  console.warn(
    "qemu-system-x86_64 is not installed: the live QEMU tests are skipped (.ci/run installs it)",
  );

const machine = [
  "-accel",
  "tcg",
  "-nographic",
  "-nodefaults",
  "-display",
  "none",
  "-m",
  "16",
  "-S",
  "-netdev",
  "user,id=n0,restrict=on",
];
const nic = (options = ""): string[] => [
  "-device",
  `virtio-net-pci,id=net0,netdev=n0,mac=52:54:00:12:34:56${options}`,
];

let dir: string;
let codecs: Codecs;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-qemu-"));
  codecs = await projectCodecs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts QEMU, migrates it to a file with `exec:cat`, quits; returns the stream. */
async function capture(
  name: string,
  args: string[],
  tap = false,
  ready?: () => Promise<void>,
): Promise<Uint8Array> {
  const file = join(dir, `${name}.stream`);
  const qemu = await startQemu(args, join(dir, `${name}.sock`), tap);
  try {
    if (ready) {
      await ready();
      await qemu.qmp.command("stop");
    }
    await qemu.qmp.command("migrate", { uri: `exec:cat > ${file}` });
    expect(await qemu.qmp.waitForMigration(), qemu.output()).toBe("completed");
  } finally {
    await qemu.stop();
  }
  return new Uint8Array(readFileSync(file));
}

type Section = { idstr: string; body: { state: Record<string, unknown> } };

function virtioNet(doc: StreamDocument): Record<string, unknown> {
  const section = doc.items.find(
    (i) => i.type === "full" && i.idstr.endsWith("/virtio-net"),
  ) as unknown as Section | undefined;
  expect(section?.body.state).toBeDefined();
  return section!.body.state;
}

describe.skipIf(!version && !required)(`live QEMU (${version ?? "not installed"})`, () => {
  it("is installed", () => {
    expect(version, "VMSTATE_REQUIRE_QEMU=1 but qemu-system-x86_64 is not installed").toBeDefined();
  });

  // Device configurations beyond the fixtures: no MSI-X, an odd vector count, larger config spaces,
  // a modern-only device on conventional PCI, q35's root bus.
  const variants: [string, string[], (state: Record<string, unknown>) => void][] = [
    [
      "pc-default",
      ["-M", "pc", ...nic()],
      (s) => expect((s["msix_table"] as string).length).toBe(4 * 16 * 2),
    ],
    [
      "pc-no-msix",
      ["-M", "pc", ...nic(",vectors=0")],
      (s) => {
        expect(s["msix_table"]).toBeUndefined();
        expect(s["config_vector"]).toBeUndefined();
        expect((s["vq"] as { vector?: number }[]).every((q) => q.vector === undefined)).toBe(true);
      },
    ],
    [
      "pc-seven-vectors",
      ["-M", "pc", ...nic(",vectors=7")],
      (s) => expect((s["msix_table"] as string).length).toBe(7 * 16 * 2),
    ],
    [
      "pc-mtu-speed",
      ["-M", "pc", ...nic(",host_mtu=9000,speed=1000,duplex=full")],
      (s) => expect(s["config_len"]).toBe(17),
    ],
    [
      "pc-modern-only",
      ["-M", "pc", ...nic(",disable-legacy=on")],
      (s) => expect((s["pci"] as { config_express?: string }).config_express).toBeUndefined(),
    ],
    [
      "q35-root-bus",
      ["-M", "q35", ...nic()],
      (s) => expect((s["pci"] as { config_express?: string }).config_express).toBeUndefined(),
    ],
    [
      "q35-root-port",
      [
        "-M",
        "q35",
        "-device",
        "pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x2",
        ...nic(",bus=rp0,disable-legacy=on"),
      ],
      (s) =>
        expect((s["pci"] as { config_express?: string }).config_express?.length).toBe(3840 * 2),
    ],
  ];

  it.each(variants)(
    "%s: a fresh stream decodes and re-encodes byte-identical",
    async (name, args, check) => {
      const bytes = await capture(name, [...machine, ...args]);
      const doc = decodeStream(bytes, codecs, {});
      check(virtioNet(doc));
      const again = encodeStream(
        JSON.parse(JSON.stringify(doc)) as StreamDocument,
        codecs,
        {},
        bytes,
      );
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  it("QEMU loads a stream whose MAC address and promiscuous flag we changed, and carries both", async () => {
    const args = [...machine, "-M", "pc", ...nic()];
    const source = join(dir, "source.stream");
    writeFileSync(source, await capture("source", args));
    // Through the CLI, as a user would: decode, edit the JSON, encode.
    const decoded = vmstate(["decode", source, "-o", join(dir, "source.json")]);
    expect(decoded.status, decoded.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "source.json"), "utf8")) as StreamDocument;
    const device = virtioNet(doc)["device"] as { mac: number[]; promisc: number };
    expect(device).toMatchObject({ mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], promisc: 1 });
    device.mac = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef];
    device.promisc = 0;
    writeFileSync(join(dir, "changed.json"), JSON.stringify(doc));
    const encoded = vmstate([
      "encode",
      join(dir, "changed.json"),
      "-o",
      join(dir, "changed.stream"),
    ]);
    expect(encoded.status, encoded.stderr).toBe(0);

    const destination = await startQemu(
      [...args, "-incoming", "defer"],
      join(dir, "destination.sock"),
    );
    try {
      await destination.qmp.command("migrate-incoming", {
        uri: `exec:cat ${join(dir, "changed.stream")}`,
      });
      expect(await destination.qmp.waitForMigration(), destination.output()).toBe("completed");
      const [filter] = await destination.qmp.command<
        { "main-mac": string; promiscuous: boolean }[]
      >("query-rx-filter", { name: "net0" });
      expect(filter?.["main-mac"]).toBe("52:54:00:ab:cd:ef");
      expect(filter?.promiscuous).toBe(false);
    } finally {
      await destination.stop();
    }
  });
});

describe.skipIf(!version && !required)("live QEMU migrating into vmstate decode", () => {
  it('migrate "exec:vmstate decode - -o FILE": QEMU sends its stream to the decoder, which writes the document', async () => {
    const args = [...machine, "-M", "pc", ...nic()];
    const out = join(dir, "exec.json");
    const qemu = await startQemu(args, join(dir, "exec.sock"));
    try {
      await qemu.qmp.command("migrate", {
        uri: `exec:${process.execPath} ${cliPath} decode - -o ${out}`,
      });
      expect(await qemu.qmp.waitForMigration(), qemu.output()).toBe("completed");
      // QEMU is done when it has sent the last byte; the decoder may still be at it. The document
      // appears whole (it is written to a temporary file and renamed).
      const deadline = Date.now() + 60_000;
      while (!existsSync(out) && Date.now() < deadline) await sleep(100);
    } finally {
      await qemu.stop();
    }
    expect(existsSync(out), qemu.output()).toBe(true);
    const doc = JSON.parse(readFileSync(out, "utf8")) as StreamDocument;
    expect(doc.source?.path).toBeUndefined();
    const device = virtioNet(doc)["device"] as { mac: number[] };
    expect(device.mac).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    // The same machine migrated to a file has the same device sections (the RAM may come in a
    // different number of parts) and the same virtio-net state.
    const again = decodeStream(await capture("exec-file", args), codecs, {});
    const devices = (d: StreamDocument): string[] =>
      d.items.flatMap((i) => (i.type === "full" ? [i.idstr] : []));
    expect(devices(doc)).toEqual(devices(again));
    expect(virtioNet(doc)).toEqual(virtioNet(again));
  });
});

// Several queue pairs need a netdev with several queues: a tap device, in a network namespace of
// the test's own, connected to nothing. Where the machine does not allow that, say so and skip.
const tap = Boolean(version) && canMakeTap();
if (version && !tap)
  console.warn(
    "no private network namespace with a tap device here: the multiqueue QEMU tests are skipped",
  );

describe.skipIf(!tap)("live QEMU with four queue pairs", () => {
  const mq = (options = ""): string[] => [
    ...machine.filter((a, i, all) => a !== "-netdev" && all[i - 1] !== "-netdev"),
    "-M",
    "pc",
    "-netdev",
    "tap,id=n0,ifname=tap0,script=no,downscript=no,queues=4",
    ...nic(`,mq=on${options}`),
  ];

  it("an idle device: max_queue_pairs from QEMU's default vector count (2 * 4 + 2 = 10)", async () => {
    const bytes = await capture("mq-idle", mq(), true);
    const doc = decodeStream(bytes, codecs, {});
    const state = virtioNet(doc);
    expect(state["config"]).toBe("00".repeat(10)); // no guest has read the config space yet
    expect(state["device"]).toMatchObject({ max_queue_pairs: 4, curr_queue_pairs: 1, vqs_1: [] });
    expect(
      Buffer.from(
        encodeStream(JSON.parse(JSON.stringify(doc)) as StreamDocument, codecs, {}, bytes),
      ).equals(Buffer.from(bytes)),
    ).toBe(true);
  });

  it("vectors set by hand: the decoder's guess (6 vectors: 2 pairs) is refused with the value found, and --param queues=4 reads it", async () => {
    const bytes = await capture("mq-vectors", mq(",vectors=6"), true);
    const file = join(dir, "mq-vectors.stream");
    const guessed = vmstate(["decode", file]);
    expect(guessed.status).toBe(1);
    expect(guessed.stderr).toMatch(
      /^vmstate: section \d+ "0000:00:02\.0\/virtio-net" \(schema virtio-net, version 11\): device\.max_queue_pairs: expected 2 \(0x2\), found 4 \(0x4\) at byte offset \d+ \(bytes there: 00 04 00 01 .*\); \d+ bytes of the section remain unread from there\n$/,
    );
    const told = decodeStream(bytes, codecs, { queues: 4 });
    expect(virtioNet(told)["device"]).toMatchObject({ max_queue_pairs: 4 });
    expect(
      vmstate(["decode", file, "--param", "queues=4", "-o", join(dir, "mq-vectors.json")]).status,
    ).toBe(0);
  });
});

// A Linux guest (Debian's kernel, an initramfs built from busybox, the virtio-net modules and
// ethtool) drives the device into states an idle device never reaches: two active queue pairs, and
// RSS with its subsection. It needs the tap of the tests above and the kernel .ci/run installs.
const kernel = tap ? findGuestKernel() : undefined;
if (tap && !kernel)
  console.warn(
    "no guest kernel, busybox-static or ethtool here: the Linux guest QEMU tests are skipped (.ci/run installs them)",
  );

describe.skipIf(!kernel)("live QEMU with a Linux guest and four queue pairs", () => {
  /** Boots the guest with the given setup, waits for GUEST-READY, and captures the stream. */
  async function guestStream(
    name: string,
    setup: string[],
  ): Promise<{ bytes: Uint8Array; serial: string }> {
    const initrd = join(dir, `${name}.initrd`);
    const serial = join(dir, `${name}.serial`);
    writeFileSync(initrd, buildInitramfs(kernel!, setup));
    const args = [
      ...machine.filter(
        (a, i, all) =>
          a !== "-netdev" && all[i - 1] !== "-netdev" && a !== "-S" && a !== "16" && a !== "-m",
      ),
      "-M",
      "pc",
      "-m",
      "128",
      "-kernel",
      kernel!.vmlinuz,
      "-initrd",
      initrd,
      "-append",
      "console=ttyS0 panic=-1 quiet",
      "-serial",
      `file:${serial}`,
      "-netdev",
      "tap,id=n0,ifname=tap0,script=no,downscript=no,queues=4",
      ...nic(",mq=on,vectors=10,rss=on"),
    ];
    const bytes = await capture(name, args, true, async () => {
      const deadline = Date.now() + 240_000;
      while (!(existsSync(serial) && readFileSync(serial, "utf8").includes("GUEST-READY"))) {
        if (Date.now() > deadline)
          throw new Error(
            `the guest did not get ready:\n${existsSync(serial) ? readFileSync(serial, "utf8") : "(no serial output)"}`,
          );
        await sleep(200);
      }
    });
    return { bytes, serial: readFileSync(serial, "utf8") };
  }

  function roundTrip(bytes: Uint8Array): Record<string, unknown> {
    const doc = decodeStream(bytes, codecs, {});
    expect(
      Buffer.from(
        encodeStream(JSON.parse(JSON.stringify(doc)) as StreamDocument, codecs, {}, bytes),
      ).equals(Buffer.from(bytes)),
    ).toBe(true);
    return virtioNet(doc);
  }

  it("two queue pairs, a VLAN, promiscuous and all-multicast: curr_queue_pairs, vqs_1 and the VLAN bitmap", async () => {
    const { bytes, serial } = await guestStream("guest-mq", [
      GuestSetup.twoQueuePairs,
      GuestSetup.vlan5,
      GuestSetup.promisc,
      GuestSetup.allmulti,
    ]);
    for (const line of ["two queue pairs", "vlan 5", "promisc", "allmulti"])
      expect(serial).toContain(`GUEST: ${line}`);
    const state = roundTrip(bytes);
    // The guest has read the config space: max_virtqueue_pairs 4 at offset 8, little-endian.
    expect((state["config"] as string).slice(16, 20)).toBe("0400");
    expect(state["num_queues"]).toBe(9);
    const device = state["device"] as Record<string, unknown>;
    expect(device).toMatchObject({
      max_queue_pairs: 4,
      curr_queue_pairs: 2,
      vqs_1: [{ tx_waiting: 0 }],
      promisc: 1,
      allmulti: 1,
    });
    expect(((device["vlans"] as number[])[0]! >>> 5) & 1).toBe(1);
    expect(device["rss"]).toBeUndefined();
  });

  it("RSS: the virtio-net-device/rss subsection with its key and indirection table", async () => {
    const { bytes, serial } = await guestStream("guest-rss", [
      GuestSetup.twoQueuePairs,
      GuestSetup.rss,
    ]);
    expect(serial).toContain("GUEST: rss on");
    const state = roundTrip(bytes);
    const rss = (state["device"] as { rss?: { rss_data: Record<string, unknown> } }).rss;
    expect(rss?.rss_data).toMatchObject({ enabled: true, indirections_len: 128 });
    expect((rss!.rss_data["key"] as number[]).length).toBe(40);
    // ethtool -X equal 2 spreads the table over queues 0 and 1.
    expect(rss!.rss_data["indirections_table"]).toEqual(
      Array.from({ length: 128 }, (_, i) => i % 2),
    );
  });
});
