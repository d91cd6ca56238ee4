// Progress of a long decode, encode or extraction, on one line of standard error: bytes, sections,
// rate. Only on a terminal, only once a run has taken half a second, at most five times a second,
// and the line is cleared at the end.

import { writeSync } from "node:fs";

const FIRST_AFTER_MS = 500;
const EVERY_MS = 200;

export class Progress {
  private readonly start: number;
  private last = 0;
  private shown = false;

  /**
   * `verb` starts the line ("decode"), `total` is the number of bytes when known; `write` prints
   * (standard error, unless a test says otherwise) and `now` tells the time in milliseconds.
   */
  constructor(
    private readonly verb: string,
    private readonly total: number | undefined,
    private readonly write: (text: string) => void = (text) => writeSync(2, text),
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  /** A Progress for standard error, or none when it is not a terminal or `quiet` is asked for. */
  static onTerminal(verb: string, total: number | undefined, quiet: boolean): Progress | undefined {
    return quiet || process.stderr.isTTY !== true ? undefined : new Progress(verb, total);
  }

  /** `bytes` read (or written) so far, `sections` done. */
  update(bytes: number, sections: number): void {
    const now = this.now();
    if (now - this.start < FIRST_AFTER_MS || now - this.last < EVERY_MS) return;
    this.last = now;
    const seconds = (now - this.start) / 1000;
    const of =
      this.total === undefined || this.total === 0
        ? ""
        : ` of ${size(this.total)} (${Math.floor((100 * bytes) / this.total)}%)`;
    this.write(
      `\rvmstate ${this.verb}: ${size(bytes)}${of}, ${sections} section${sections === 1 ? "" : "s"}, ${size(bytes / seconds)}/s\x1b[K`,
    );
    this.shown = true;
  }

  /** Clears the line, if one was shown. */
  done(): void {
    if (this.shown) this.write("\r\x1b[K");
    this.shown = false;
  }
}

/** Bytes for people: 512 B, 1.5 MB, 2.63 GB (powers of 1000, as `ls -h --si` and disk sizes). */
export function size(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]!}`;
}
