// The two kinds of failure a user can cause, each printed as one line: a mistake on the command
// line or in the files it names (exit status 2), and an output that cannot be written (exit 1).

export class CliError extends Error {
  constructor(message: string) {
    super(message);
  }
}

/** A file or folder that cannot be written (a full disk, a read-only filesystem, a folder named as a file). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
  }
}
