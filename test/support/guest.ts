// A Linux guest for live tests: Debian's kernel, and an initramfs built here from busybox-static,
// the virtio-net modules and ethtool. Its init brings eth0 up, runs the setup commands given (two
// queue pairs, RSS, a VLAN, promiscuous mode…), prints GUEST-READY on the serial port and waits.
// (.ci/run installs linux-image-cloud-amd64, busybox-static and ethtool.)

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export interface GuestKernel {
  readonly vmlinuz: string;
  readonly version: string;
}

/** The installed kernel, when it and the tools the initramfs needs are here. */
export function findGuestKernel(): GuestKernel | undefined {
  if (!existsSync("/boot") || !existsSync("/lib/modules")) return undefined;
  const version = readdirSync("/lib/modules")
    .sort()
    .find((v) => existsSync(`/boot/vmlinuz-${v}`));
  if (!version) return undefined;
  for (const tool of ["/usr/bin/busybox", "/usr/sbin/ethtool"])
    if (!existsSync(tool)) return undefined;
  if (spawnSync("modinfo", ["--version"]).status !== 0) return undefined;
  return { vmlinuz: `/boot/vmlinuz-${version}`, version };
}

/** Modules in load order: each after the ones it depends on. */
const MODULES = [
  "virtio_ring",
  "virtio",
  "virtio_pci_modern_dev",
  "virtio_pci_legacy_dev",
  "virtio_pci",
  "failover",
  "net_failover",
  "virtio_net",
  "llc",
  "stp",
  "garp",
  "mrp",
  "8021q",
];

function moduleFile(kernel: GuestKernel, name: string): string {
  const r = spawnSync("modinfo", ["-k", kernel.version, "-F", "filename", name], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`module ${name} not found for kernel ${kernel.version}`);
  return r.stdout.trim();
}

/** Shared libraries of a dynamically linked program, from ldd. */
function libraries(program: string): string[] {
  const r = spawnSync("ldd", [program], { encoding: "utf8" });
  return [...r.stdout.matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]!);
}

/** What the guest does once eth0 is up: shell commands, each reported on the serial port. */
export const GuestSetup = {
  twoQueuePairs: 'ethtool -L eth0 combined 2 && echo "GUEST: two queue pairs"',
  rss: 'ethtool -X eth0 equal 2 && echo "GUEST: rss on"',
  vlan5: 'vconfig add eth0 5 && ip link set eth0.5 up && echo "GUEST: vlan 5"',
  promisc: 'ip link set eth0 promisc on && echo "GUEST: promisc"',
  allmulti: 'ifconfig eth0 allmulti && echo "GUEST: allmulti"',
} as const;

function init(setup: readonly string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in ${MODULES.join(" ")}; do insmod /lib/modules/$m.ko || echo "GUEST: insmod $m failed"; done
ip link set lo up
ip link set eth0 up && echo "GUEST: eth0 up"
${setup.join("\n")}
echo GUEST-READY
while true; do sleep 3600; done
`;
}

/** newc cpio entries, gzip-compressed: what the kernel unpacks as its initramfs. */
export function buildInitramfs(kernel: GuestKernel, setup: readonly string[]): Buffer {
  const entries: { path: string; mode: number; data: Buffer }[] = [];
  const dir = (path: string): void => {
    entries.push({ path, mode: 0o040755, data: Buffer.alloc(0) });
  };
  const file = (path: string, data: Buffer, mode = 0o100755): void => {
    entries.push({ path, mode, data });
  };
  for (const d of [
    "bin",
    "dev",
    "proc",
    "sys",
    "tmp",
    "lib",
    "lib/modules",
    "lib64",
    "lib/x86_64-linux-gnu",
    "usr",
    "usr/sbin",
  ])
    dir(d);
  file("init", Buffer.from(init(setup)));
  file("bin/busybox", readFileSync("/usr/bin/busybox"));
  file("usr/sbin/ethtool", readFileSync("/usr/sbin/ethtool"));
  // The dynamic loader must be executable, and so may the libraries be.
  for (const lib of libraries("/usr/sbin/ethtool"))
    file(lib.replace(/^\/+/, "").replace(/^usr\/lib\//, "lib/"), readFileSync(lib));
  for (const m of MODULES)
    file(`lib/modules/${m}.ko`, readFileSync(moduleFile(kernel, m)), 0o100644);
  return gzipSync(cpio(entries));
}

function cpio(entries: readonly { path: string; mode: number; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const header = (path: string, mode: number, size: number, ino: number): Buffer => {
    const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, path.length + 1, 0].map((v) =>
      v.toString(16).padStart(8, "0"),
    );
    const head = Buffer.from(`070701${fields.join("")}${path}\0`, "latin1");
    return Buffer.concat([head, pad(head.length)]);
  };
  entries.forEach((e, i) => {
    parts.push(header(e.path, e.mode, e.data.length, i + 1), e.data, pad(e.data.length));
  });
  parts.push(header("TRAILER!!!", 0, 0, 0));
  return Buffer.concat(parts);
}
