// The benchmark's inputs: the real virtio-net section QEMU 7.2 wrote for pxe-loop-pc (46 164 bytes)
// and its device-only part (`vmstate_virtio_net_device`, which starts at payload offset 415).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  loadVirtioNet,
  loadVirtioNetDevice,
  type VirtioNet,
  type VirtioNetDevice,
} from "../generated/virtio-net.js";
import { Reader } from "../runtime/index.js";
import { msixVectors, queuePairs } from "./peers/layout.js";

export const FIXTURE = "virtio-net/virtio-net-pxe-loop-pc.bin";
/** Where the device part starts in the payload (see the fixture's .decoded.txt). */
export const DEVICE_OFFSET = 415;

/** The repository root: the nearest folder above this file with a package.json (bench/ or dist/bench/). */
export function repositoryRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json"))) {
    if (dirname(dir) === dir) throw new Error("no package.json above bench/");
    dir = dirname(dir);
  }
  return dir;
}

/** The QEMU fixtures: VMSTATE_FIXTURES, or ../shared/fixtures/qemu beside the repository. */
export function fixturesDir(): string {
  const candidates = [
    process.env["VMSTATE_FIXTURES"],
    join(repositoryRoot(), "..", "shared", "fixtures", "qemu"),
    "/work/shared/fixtures/qemu",
  ];
  const found = candidates.find(
    (c): c is string => c !== undefined && existsSync(join(c, FIXTURE)),
  );
  if (!found)
    throw new Error(
      `${FIXTURE} not found (looked in ${candidates.filter(Boolean).join(", ")}); set VMSTATE_FIXTURES`,
    );
  return found;
}

export interface Inputs {
  readonly section: Uint8Array;
  /** The generated reader's state of the section: what every decoder must produce. */
  readonly sectionState: VirtioNet;
  readonly device: Uint8Array;
  readonly deviceState: VirtioNetDevice;
  /** What the section has read before the device part and passes to it. */
  readonly guestFeatures: number;
  readonly maxPairs: number;
}

export function loadInputs(): Inputs {
  const section = new Uint8Array(readFileSync(join(fixturesDir(), FIXTURE)));
  const r = new Reader(section);
  const sectionState = loadVirtioNet(r);
  if (r.pos !== section.length)
    throw new Error(`the generated reader stopped at byte ${r.pos} of ${section.length}`);
  const guestFeatures = sectionState.guest_features;
  const maxPairs = queuePairs(
    sectionState.config_len,
    sectionState.config,
    msixVectors(sectionState.pci.config),
  );
  // The device part's end is where the generated device reader stops.
  const d = new Reader(section, DEVICE_OFFSET);
  loadVirtioNetDevice(d, {}, guestFeatures, maxPairs);
  const device = section.slice(DEVICE_OFFSET, d.pos);
  const deviceState = loadVirtioNetDevice(new Reader(device), {}, guestFeatures, maxPairs);
  return { section, sectionState, device, deviceState, guestFeatures, maxPairs };
}
