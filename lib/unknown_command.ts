/**
 * The error for a subcommand that does not exist, naming the closest one (or, when none is
 * close, all of them): `capo exprot` says `Cannot run 'exprot' as capo has no such command: did
 * you mean export?`. Exit status 2.
 */
import { closest } from "./closest.ts";
import { UsageError } from "./usage_error.ts";

/**
 * @param command e.g. "capo", "capo shapes"
 * @param name the subcommand as given
 * @param names the valid subcommands
 */
export function unknownCommand(
  command: string,
  name: string,
  names: readonly string[],
): UsageError {
  const near = closest(name, names);
  return new UsageError(
    `Cannot run '${name}' as ${command} has no such command: ${
      near ? `did you mean ${near}?` : `commands are ${names.join(", ")}`
    }`,
  );
}
