/**
 * A bad command-line argument (an unknown or misspelt flag or subcommand, a missing value):
 * a command prints the message with its usage and exits 2, the status of every bad argument,
 * instead of 1, which means the work itself failed.
 */
export class UsageError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
