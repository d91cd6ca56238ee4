// expect: VMS8003 at 20:7
// The seed bug's first half in hand-written code: the loader tests the feature word before it
// has read it (QEMU 2.4's virtio_net_load_device tested guest_features that virtio_load had not
// set yet).
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(
  w: Writer,
  s: { features: number; offloads?: bigint | undefined },
): void {
  const features = s.features;
  w.u32(features, "features");
  if ((features & 0x4) !== 0) w.u64(w.present(s.offloads, "offloads"), "offloads");
}

export function loadSection(r: Reader): { features: number; offloads?: bigint | undefined } {
  let offloads: bigint | undefined;
  // It reads the feature word first, as the writer writes it, and then tests another one.
  const features = r.u32("features");
  if (((guest ?? 0) & 0x4) !== 0) offloads = r.u64("offloads");
  return { features, offloads };
}

// The feature word as the rest of the device keeps it, set after the whole load (too late).
let guest: number | undefined;
export function setGuestFeatures(features: number): void {
  guest = features;
}
