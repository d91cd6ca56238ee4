// Virtio-net states of device configurations the fixtures lack (several queue pairs, RSS), made
// from a state QEMU 7.2 wrote with a driver running (linux-pc-user for the fuzz corpus, pxe-loop-pc
// for the hostile-stream tests). No guest driver is at hand to make QEMU write them, so they are
// built here to be valid by QEMU's rules, encoded with the generated save, and carried by a real
// stream in place of its virtio-net section; QEMU 7.2 loads them (test/qemu-hostile.test.ts).

import {
  loadVirtioNet,
  saveVirtioNet,
  type VirtQueue,
  type VirtioNet,
} from "../generated/virtio-net.js";
import { Reader, Writer, pciCapability } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeStream } from "../stream/encode.js";
import type { StreamDocument, StreamItem } from "../stream/format.js";
import { stateToJson } from "../stream/json.js";

const PCI_CAP_ID_MSIX = 0x11;
const NO_VECTOR = 0xffff;
const VIRTIO_NET_F_MQ = 22;
const VIRTIO_NET_F_RSS = 60;
/** VIRTIO_NET_RSS_SUPPORTED_HASHES in hw/net/virtio-net.c: the nine IPv4/IPv6 TCP/UDP hash types. */
const SUPPORTED_HASHES = 0x1ff;

export interface Configuration {
  readonly name: string;
  readonly pairs: number;
  readonly rss: boolean;
}

/** The configurations: four queue pairs with RSS (QEMU's default 2 × 4 + 2 = 10 vectors), and one pair with RSS. */
export const configurations: readonly Configuration[] = [
  { name: "four-pairs-rss", pairs: 4, rss: true },
  { name: "one-pair-rss", pairs: 1, rss: true },
  { name: "four-pairs", pairs: 4, rss: false },
];

/** `base` (a QEMU 7.2 state with MSI-X, three queues and a driver) changed to `configuration`. */
export function virtioNetState(base: VirtioNet, configuration: Configuration): VirtioNet {
  const s = structuredClone(base);
  const pairs = configuration.pairs;
  const vectors = 2 * pairs + 2;

  // MSI-X: the table size in the capability's message control (read-only to a guest), the table
  // (configured entries like the guest's, the last one masked), the pending bits.
  const cap = pciCapability(s.pci.config, PCI_CAP_ID_MSIX);
  if (cap === 0 || !s.msix_table) throw new Error("the base state has no MSI-X");
  const control = s.pci.config[cap + 2]! | (s.pci.config[cap + 3]! << 8);
  const newControl = (control & 0xf800) | (vectors - 1);
  s.pci.config[cap + 2] = newControl & 0xff;
  s.pci.config[cap + 3] = newControl >> 8;
  const first = s.msix_table.subarray(0, 16);
  s.msix_table = new Uint8Array(vectors * 16);
  for (let v = 0; v < vectors; v++) {
    const entry = first.slice();
    entry[8] = (first[8]! + v) & 0xff; // the message data: one interrupt vector each
    if (v === vectors - 1) entry.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    s.msix_table.set(entry, v * 16);
  }
  s.msix_pba = new Uint8Array(Math.ceil(vectors / 8));
  s.config_vector = 0;

  // Features: MQ when several pairs, RSS when wanted, in all three places the stream has them.
  let features = s.virtio.features64?.guest_features ?? BigInt(s.guest_features);
  if (pairs > 1) features |= 1n << BigInt(VIRTIO_NET_F_MQ);
  if (configuration.rss) features |= 1n << BigInt(VIRTIO_NET_F_RSS);
  s.guest_features = Number(features & 0xffffffffn);
  if (s.virtio.features64) s.virtio.features64.guest_features = features;
  const modern = s.virtio.extra_state?.extra_state.modern_state;
  if (modern) modern.guest_features = [Number(features & 0xffffffffn), Number(features >> 32n)];

  // The config space as virtio_net_get_config() fills it for these features: 24 bytes with RSS
  // (up to supported_hash_types), 10 with MQ alone.
  const config = new Uint8Array(configLength(configuration));
  config.set(s.config.subarray(0, 8)); // mac, status
  config[8] = pairs & 0xff;
  config[9] = pairs >> 8;
  if (config.length === 24) {
    config.set([0xff, 0xff, 0xff, 0xff], 12); // speed: SPEED_UNKNOWN
    config[16] = 0xff; // duplex: DUPLEX_UNKNOWN
    config[17] = 40; // rss_max_key_size
    config[18] = 128; // rss_max_indirection_table_length
    config.set([SUPPORTED_HASHES & 0xff, SUPPORTED_HASHES >> 8, 0, 0], 20);
  }
  s.config_len = config.length;
  s.config = config;

  // Queues: rx and tx of each pair, then the control queue. The first pair and the control queue
  // keep the base's rings (addresses and indices that match the guest memory of its stream); the
  // other pairs get rings of their own. Each pair has two vectors; the control queue has none.
  const [rx, tx, ctrl] = s.vq as [VirtQueue, VirtQueue, VirtQueue];
  const rings = s.virtio.virtqueues?.vq;
  const modernQueues = modern?.vqs;
  const kept = (from: number): { ring: unknown; modern: unknown } => ({
    ring: rings?.[from],
    modern: modernQueues?.[from],
  });
  const ctrlKept = kept(2);
  s.vq = [];
  for (let k = 0; k < pairs; k++) {
    for (const [q, role] of [
      [rx, 0],
      [tx, 1],
    ] as const) {
      const i = 2 * k + role;
      const vector = 1 + i;
      if (k === 0) {
        s.vq.push({ ...q, vector });
        continue;
      }
      const desc = q.vring.desc + BigInt(k) * 0x10000n;
      s.vq.push({ vring: { num: q.vring.num, desc }, last_avail_idx: 0, vector });
      if (rings) rings[i] = { vring: { avail: desc + 0x1000n, used: desc + 0x2000n } };
      if (modernQueues)
        modernQueues[i] = {
          num: q.vring.num,
          enabled: true,
          desc: [Number(desc), 0],
          avail: [Number(desc + 0x1000n), 0],
          used: [Number(desc + 0x2000n), 0],
        };
    }
  }
  s.vq.push({ ...ctrl, vector: NO_VECTOR });
  const ctrlIndex = 2 * pairs;
  if (rings && ctrlKept.ring) rings[ctrlIndex] = ctrlKept.ring as (typeof rings)[number];
  if (modernQueues && ctrlKept.modern)
    modernQueues[ctrlIndex] = ctrlKept.modern as (typeof modernQueues)[number];
  s.num_queues = s.vq.length;

  // The device: all pairs in use, and the RSS state the guest's VIRTIO_NET_CTRL_MQ_RSS_CONFIG sets.
  if (pairs > 1) {
    s.device.max_queue_pairs = pairs;
    s.device.curr_queue_pairs = pairs;
    s.device.vqs_1 = Array.from({ length: pairs - 1 }, () => ({ tx_waiting: 0 }));
  }
  if (configuration.rss) {
    s.device.rss = {
      rss_data: {
        enabled: true,
        redirect: true,
        populate_hash: false,
        hash_types: 0x3f,
        indirections_len: 128,
        default_queue: 0,
        key: Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff),
        indirections_table: Array.from({ length: 128 }, (_, i) => i % pairs),
      },
    };
  }
  return s;
}

function configLength(config: Configuration): number {
  return config.rss ? 24 : config.pairs > 1 ? 10 : 8;
}

/** The section body of a state, as the generated save writes it; it must load back as the same state. */
export function virtioNetPayload(state: VirtioNet): Uint8Array {
  const w = new Writer();
  saveVirtioNet(w, state);
  const bytes = w.finish();
  const r = new Reader(bytes);
  loadVirtioNet(r);
  if (r.pos !== bytes.length) throw new Error("the payload does not load back to its end");
  return bytes;
}

/**
 * A real stream with its virtio-net section's state replaced, through the stream document: decode,
 * put the state in, fix the section's size in the stream's description (QEMU writes the size of
 * what it sent), encode. Sections named in `without` are left out.
 */
export function streamWithState(
  stream: Uint8Array,
  state: VirtioNet,
  codecs: Codecs,
  without: readonly string[] = [],
): Uint8Array {
  const full = decodeStream(stream, codecs, {});
  // Sections of devices the destination will not have (`without`, by idstr) are left out.
  const doc = {
    ...full,
    items: full.items.filter(
      (i) => !((i.type === "full" || i.type === "start") && without.includes(i.idstr)),
    ),
  };
  const schema = codecs.sections.get("virtio-net");
  if (!schema) throw new Error("no virtio-net schema");
  const index = doc.items.findIndex((i) => i.type === "full" && i.idstr.endsWith("/virtio-net"));
  const item = doc.items[index];
  if (item?.type !== "full") throw new Error("the stream has no virtio-net section");
  const size = virtioNetPayload(state).length;
  const items = doc.items.map((i, n): StreamItem => {
    if (n === index)
      return {
        ...item,
        body: {
          schema: schema.name,
          state: stateToJson(schema.codec.state, state as unknown as Record<string, unknown>),
        },
      };
    if (i.type === "vmdesc") return { ...i, json: resized(i.json, item.idstr, size) };
    return i;
  });
  const changed: StreamDocument = { ...doc, items };
  return encodeStream(JSON.parse(JSON.stringify(changed)) as StreamDocument, codecs, {}, stream);
}

/** The description with the size of the device `idstr`'s one field ("virtio") set to `size`, its formatting kept. */
function resized(json: string, idstr: string, size: number): string {
  const at = json.indexOf(`"name": "${idstr}"`);
  if (at < 0) return json;
  const field = /"size": \d+/.exec(json.slice(at));
  if (!field) return json;
  const start = at + field.index;
  return `${json.slice(0, start)}"size": ${size}${json.slice(start + field[0].length)}`;
}
