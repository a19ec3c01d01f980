/**
 * The error for an argument a command does not take, naming the closest valid flag (or, when
 * none is close, every flag), so a typo costs one look: `capo export --outt x` says
 * `Cannot use '--outt' as capo export has no such flag: did you mean --out?`. Commands exit 2
 * on it, as on every bad argument.
 */
import { closest } from "./closest.ts";
import { UsageError } from "./usage_error.ts";

/**
 * @param command e.g. "capo export"
 * @param arg the argument as given (`--outt`, `--outt=x`, `-z`)
 * @param flags the command's flags, with their dashes (`--out`, `--run`, ...)
 */
export function unknownFlag(command: string, arg: string, flags: readonly string[]): UsageError {
  const name = arg.startsWith("--") ? arg.split("=")[0]! : arg;
  const near = name.startsWith("-") ? closest(name, flags) : null;
  const what = name.startsWith("-") ? "no such flag" : "no positional arguments";
  return new UsageError(
    `Cannot use '${arg}' as ${command} has ${what}: ${
      near ? `did you mean ${near}?` : `flags are ${flags.join(", ")}`
    }`,
  );
}
