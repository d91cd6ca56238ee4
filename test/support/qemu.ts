// Starting Debian's QEMU for live tests (TCG, a unix-socket QMP, user networking with restrict=on)
// and talking QMP to it.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
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
