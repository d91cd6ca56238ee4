// expect: VMS8001 at 13:5
// A hand-edited module: load lost the guard of 'offloads' and always reads it.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(
  w: Writer,
  s: { features: number; offloads?: bigint | undefined },
): void {
  const features = s.features;
  w.u32(features, "features");
  const offloads = s.offloads;
  if ((features & 0x4) !== 0) {
    w.u64(w.present(offloads, "offloads"), "offloads");
  } else w.absent(offloads, "offloads");
}

export function loadSection(r: Reader): { features: number; offloads?: bigint | undefined } {
  const features = r.u32("features");
  const offloads = r.u64("offloads");
  return { features, offloads };
}
