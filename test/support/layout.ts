// Where fields of a virtio-net section body lie, computed from a state by QEMU 7.2's layout
// (hw/virtio/virtio-pci.c, hw/virtio/virtio.c, hw/net/virtio-net.c: transport, virtio header, device, subsections),
// independently of the generated code; test/hostile.test.ts checks it against the fixtures'
// decoded.txt before it trusts it for bodies no QEMU wrote.

import type { VirtioNet } from "../../generated/virtio-net.js";

const RSS_SUBSECTION = "virtio-net-device/rss";

/** Payload offsets of the fields the hostile-stream tests change, by their error path. */
export function payloadOffsets(s: VirtioNet): Map<string, number> {
  const at = new Map<string, number>();
  // A: PCIDevice (version_id, config, irq_state), MSI-X table and pending bits, config_vector.
  at.set("pci.version_id", 0);
  const config = 256 + (s.pci.config_express ? 3840 : 0);
  at.set("pci.irq_state", 4 + config);
  let p = 4 + config + 16;
  const vectors = s.msix_table ? s.msix_table.length / 16 : 0;
  if (vectors > 0) {
    p += 16 * vectors + Math.ceil(vectors / 8);
    at.set("config_vector", p);
    p += 2;
  }
  // B: status, isr, queue_sel, features, config_len, config, the queue count, the queues.
  at.set("queue_sel", p + 2);
  at.set("config_len", p + 8);
  p += 12 + s.config_len;
  at.set("num_queues", p);
  p += 4;
  s.vq.forEach((_, i) => {
    at.set(`vq[${i}].vring.num`, p);
    at.set(`vq[${i}].last_avail_idx`, p + 12);
    if (vectors > 0) at.set(`vq[${i}].vector`, p + 14);
    p += 14 + (vectors > 0 ? 2 : 0);
  });
  // C: mac, tx_waiting, mergeable_rx_bufs, status, promisc, allmulti, the MAC table, vlans,
  // has_vnet_hdr, six flags, has_ufo, the queue pairs, curr_guest_offloads, the RSS subsection.
  const d = s.device;
  p += 6 + 4 + 4 + 2 + 1 + 1;
  at.set("device.mac_table.in_use", p);
  p += 4 + 6 * d.mac_table.in_use + 512 + 4 + 6 + 1;
  if (d.max_queue_pairs !== undefined) {
    at.set("device.max_queue_pairs", p);
    at.set("device.curr_queue_pairs", p + 2);
    p += 4 + 4 * d.vqs_1.length;
  }
  if (d.curr_guest_offloads !== undefined) p += 8;
  if (d.rss) {
    p += 2 + RSS_SUBSECTION.length + 4 + 3 + 4;
    at.set("device.rss.rss_data.indirections_len", p);
    at.set("device.rss.rss_data.default_queue", p + 2);
    p += 4 + 40;
    d.rss.rss_data.indirections_table.forEach((_, i) =>
      at.set(`device.rss.rss_data.indirections_table[${i}]`, p + 2 * i),
    );
  }
  return at;
}

/** The `*.decoded.txt` of a fixture payload: each line's payload offset, by the field's name there (without its note in parentheses). */
export function decodedOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+\d+\s+(\S.*?)\s{2,}/.exec(line);
    const name = m?.[2]!.replace(/ \(.*$/, "");
    if (m && name && !out.has(name)) out.set(name, Number(m[1]));
  }
  return out;
}
