// A user mistake on the command line or in the files named: printed as one line, exit status 2.

export class CliError extends Error {
  constructor(message: string) {
    super(message);
  }
}
