// Starting Debian's QEMU for live tests and the stream benchmark (TCG, a unix-socket QMP, user
// networking with restrict=on) and talking QMP to it.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const QEMU = "qemu-system-x86_64";

/** The QEMU version line, or undefined when QEMU is not installed. */
export function qemuVersion(): string | undefined {
  const r = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0] : undefined;
}

type Reply = { return?: unknown; error?: { class: string; desc: string } };

export class Qmp {
  private buffer = "";
  private readonly waiting: ((reply: Reply) => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let i = this.buffer.indexOf("\n"); i >= 0; i = this.buffer.indexOf("\n")) {
        const message = JSON.parse(this.buffer.slice(0, i)) as Reply & {
          event?: string;
          QMP?: unknown;
        };
        this.buffer = this.buffer.slice(i + 1);
        if (message.event === undefined && message.QMP === undefined)
          this.waiting.shift()?.(message);
      }
    });
  }

  /** Connects once QEMU has created the socket, and leaves capabilities negotiation mode. */
  static async connect(path: string, timeoutMs = 120_000): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(path);
          s.once("connect", () => resolve(s));
          s.once("error", reject);
        });
        const qmp = new Qmp(socket);
        await qmp.command("qmp_capabilities");
        return qmp;
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`QMP socket ${path} did not open: ${(e as Error).message}`, {
            cause: e,
          });
        await sleep(100);
      }
    }
  }

  async command<T = unknown>(execute: string, args?: Record<string, unknown>): Promise<T> {
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    });
    if (reply.error) throw new Error(`QMP ${execute}: ${reply.error.class}: ${reply.error.desc}`);
    return reply.return as T;
  }

  /** Polls query-migrate until the migration ends; returns its final status. */
  async waitForMigration(timeoutMs = 240_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status } = await this.command<{ status?: string }>("query-migrate");
      if (status === "completed" || status === "failed" || status === "cancelled") return status;
      if (Date.now() > deadline) throw new Error(`migration still ${status} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RunningQemu {
  readonly process: ChildProcess;
  readonly qmp: Qmp;
  /** What QEMU printed, for failure messages. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Whether this machine lets a test make a private network namespace with a multiqueue tap device
 * in it (root, unshare and iproute2): the only way to give QEMU a netdev with several queues. The
 * tap is connected to nothing.
 */
export function canMakeTap(): boolean {
  const r = spawnSync(
    "unshare",
    ["-n", "ip", "tuntap", "add", "mode", "tap", "multi_queue", "name", "tapcheck"],
    { encoding: "utf8" },
  );
  return r.status === 0;
}

/** Starts QEMU; with `tap`, inside a new network namespace holding a multiqueue tap named tap0. */
export async function startQemu(
  args: readonly string[],
  socketPath: string,
  tap = false,
): Promise<RunningQemu> {
  const qemuArgs = [...args, "-qmp", `unix:${socketPath},server=on,wait=off`];
  const child = tap
    ? spawn(
        "unshare",
        [
          "-n",
          "sh",
          "-c",
          'ip tuntap add mode tap multi_queue name tap0 && ip link set tap0 up && exec "$0" "$@"',
          QEMU,
          ...qemuArgs,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      )
    : spawn(QEMU, qemuArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let qmp: Qmp;
  try {
    qmp = await Promise.race([
      Qmp.connect(socketPath),
      exited.then(() => Promise.reject(new Error(`QEMU exited: ${output}`))),
    ]);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    process: child,
    qmp,
    output: () => output,
    async stop() {
      try {
        await Promise.race([qmp.command("quit"), sleep(2000)]);
      } catch {
        // QEMU may close the socket before it answers.
      }
      qmp.close();
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * The migration stream of a paused guest with `mib` MiB of RAM whose every page is non-zero, as
 * QEMU 7.2 writes it: the guest's memory is a file of non-zero bytes (a memory-backend-file that
 * QEMU maps), so QEMU sends every page with its bytes, and no guest needs to run. The memory file
 * is removed when the stream is written. Returns the stream's path (`out`).
 */
export async function ramStream(dir: string, mib: number, out: string): Promise<string> {
  const memory = join(dir, `guest-${mib}M.mem`);
  const fd = openSync(memory, "w");
  try {
    // Every page different: 8 MiB of a pseudo-random pattern, with the page's number in its first 4 bytes.
    const chunk = new Uint8Array(8 << 20);
    const view = new DataView(chunk.buffer);
    let x = 0x2545f491;
    for (let i = 0; i < chunk.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      view.setUint32(i, x | 0x01010101);
    }
    const total = mib * 1048576;
    for (let written = 0; written < total; written += chunk.length) {
      for (let page = 0; page < chunk.length; page += 4096)
        view.setUint32(page, (written + page) / 4096 + 1);
      const n = Math.min(chunk.length, total - written);
      for (let at = 0; at < n;) at += writeSync(fd, chunk, at, n - at);
    }
  } finally {
    closeSync(fd);
  }
  try {
    const qemu = await startQemu(
      [
        ...["-M", "pc", "-accel", "tcg", "-m", `${mib}M`, "-S", "-nographic", "-nodefaults"],
        ...["-display", "none"],
        ...["-object", `memory-backend-file,id=mem,size=${mib}M,mem-path=${memory},share=on`],
        ...["-machine", "memory-backend=mem"],
        ...["-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0"],
      ],
      join(dir, `guest-${mib}M.sock`),
    );
    try {
      await qemu.qmp.command("migrate", { uri: `exec:cat > ${out}` });
      const status = await qemu.qmp.waitForMigration(30 * 60_000);
      if (status !== "completed") throw new Error(`migration ${status}: ${qemu.output()}`);
    } finally {
      await qemu.stop();
    }
  } finally {
    rmSync(memory, { force: true });
  }
  return out;
}
