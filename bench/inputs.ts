// The benchmark's inputs: the real virtio-net section QEMU 7.2 wrote for pxe-loop-pc (46 164 bytes)
// and its device-only part (`vmstate_virtio_net_device`, which starts at payload offset 415).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesDir } from "../fuzz/fixtures.js";
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
  const section = new Uint8Array(readFileSync(join(fixturesDir, FIXTURE)));
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
