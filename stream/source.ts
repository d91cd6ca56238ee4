// Where a stream's bytes come from and where an encoded stream's bytes go: a file read by positional
// reads, a pipe (standard input) read in order, or bytes in memory; a file descriptor or memory.

import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { StreamError } from "./format.js";

export interface ByteSource {
  /** The stream's length when it is known before reading it (a file, bytes in memory). */
  readonly size: number | undefined;
  /** Whether any offset can be read (a file, memory), or only the next one (a pipe). */
  readonly seekable: boolean;
  /**
   * Reads up to `n` bytes at stream offset `position` into `into` at `at`, and says how many it
   * read: 0 only at the end of the stream. A pipe is read in order, so `position` must be where it is.
   */
  read(into: Uint8Array, at: number, n: number, position: number): number;
  close(): void;
}

export interface ByteSink {
  /** Writes bytes [from, from + n) of `bytes`, all of them. */
  write(bytes: Uint8Array, from: number, n: number): void;
}

export class MemorySource implements ByteSource {
  readonly seekable = true;
  readonly size: number;

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(into: Uint8Array, at: number, n: number, position: number): number {
    const got = Math.max(0, Math.min(n, this.bytes.length - position));
    into.set(this.bytes.subarray(position, position + got), at);
    return got;
  }

  close(): void {}
}

/** An open file: a regular file is read at any offset; anything else (a pipe, a terminal) in order. */
export class FileSource implements ByteSource {
  readonly seekable: boolean;
  readonly size: number | undefined;
  private next = 0;

  /** `name` is how messages call the file; `fd` is closed by close() unless it is standard input. */
  constructor(
    private readonly fd: number,
    private readonly name: string,
  ) {
    const stat = fstatSync(fd);
    this.seekable = stat.isFile();
    this.size = this.seekable ? stat.size : undefined;
  }

  static open(path: string): FileSource {
    return new FileSource(openSync(path, "r"), `'${path}'`);
  }

  read(into: Uint8Array, at: number, n: number, position: number): number {
    if (!this.seekable && position !== this.next)
      throw new Error(`a pipe is read in order: asked for byte offset ${position} at ${this.next}`);
    for (;;) {
      try {
        const got = readSync(this.fd, into, at, n, this.seekable ? position : null);
        this.next = position + got;
        return got;
      } catch (e) {
        // A pipe another process made non-blocking: wait for bytes.
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") pause();
        else
          throw new StreamError(
            `cannot read ${this.name} at byte offset ${position}: ${(e as Error).message}`,
          );
      }
    }
  }

  close(): void {
    if (this.fd > 2) closeSync(this.fd);
  }
}

/** The reader of a pipe the stream was written to has closed it (`| head`): its choice, not an error. */
export class SinkClosed extends Error {
  override readonly name = "SinkClosed";
}

/** Bytes written to a file descriptor as they come. */
export class FileSink implements ByteSink {
  /** How many bytes have been written. */
  written = 0;

  constructor(
    readonly fd: number,
    private readonly name: string,
  ) {}

  write(bytes: Uint8Array, from: number, n: number): void {
    while (n > 0) {
      let done: number;
      try {
        done = writeSync(this.fd, bytes, from, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          pause();
          continue;
        }
        if (code === "EPIPE") throw new SinkClosed(`${this.name} was closed`);
        throw new StreamError(`cannot write ${this.name}: ${(e as Error).message}`);
      }
      from += done;
      n -= done;
      this.written += done;
    }
  }
}

/** Bytes collected in memory, for encodeStream(). */
export class MemorySink implements ByteSink {
  private buf = new Uint8Array(1 << 16);
  private filled = 0;

  write(bytes: Uint8Array, from: number, n: number): void {
    if (this.filled + n > this.buf.length) {
      let capacity = this.buf.length * 2;
      while (capacity < this.filled + n) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.buf.subarray(0, this.filled));
      this.buf = next;
    }
    this.buf.set(bytes.subarray(from, from + n), this.filled);
    this.filled += n;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.filled);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** A millisecond's wait in synchronous code (the stream tools read and write synchronously). */
function pause(): void {
  Atomics.wait(sleeper, 0, 0, 1);
}
