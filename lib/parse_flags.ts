/**
 * `node:util`'s `parseArgs` (strict) for a capo command, with its mistakes said in capo's words:
 * an unknown flag names the closest valid one (as `unknownFlag` does) instead of Node's "Unknown
 * option" text, which names no alternative and suggests `--` for what is almost always a typo;
 * a flag without its value says so as every capo parser has (`Cannot use --out as it needs a
 * value`).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { unknownFlag } from "./unknown_flag.ts";
import { UsageError } from "./usage_error.ts";

/** The flags `config.options` declares, with their dashes: `--out`, `-h`, ... */
function flagsOf(config: ParseArgsConfig): string[] {
  const out: string[] = [];
  for (const [name, o] of Object.entries(config.options ?? {})) {
    out.push(`--${name}`);
    if (o.short) out.push(`-${o.short}`);
  }
  return out;
}

/** The flag Node's message names (`Option '-o, --out <value>' ...` -> `--out`). */
function flagIn(message: string): string {
  return /--[^\s'<,=]+/.exec(message)?.[0] ?? /'(-[^\s'<,=]+)/.exec(message)?.[1] ?? "?";
}

/** The capo wording of Node's ERR_PARSE_ARGS_INVALID_OPTION_VALUE, or null to keep Node's. */
function invalidValue(config: ParseArgsConfig, message: string): string | null {
  const flag = flagIn(message);
  const args = config.args ?? [];
  const short = config.options?.[flag.slice(2)]?.short;
  const given = (a: string | undefined) => a === flag || (short !== undefined && a === `-${short}`);
  if (/argument missing/.test(message)) return `Cannot use ${flag} as it needs a value`;
  if (/argument is ambiguous/.test(message)) {
    // Strict parsing takes no value that starts with a dash after a space: `--out --stage x`
    // is far more often a forgotten value than an output path called `--stage`.
    const at = args.findIndex((a, i) => given(a) && args[i + 1]?.startsWith("-"));
    const next = at < 0 ? "-x" : args[at + 1]!;
    return `Cannot use ${flag} as it needs a value: the next argument '${next}' starts with a ` +
      `dash, so it is read as a flag (write ${flag}=${next} if it is the value)`;
  }
  if (/does not take an argument/.test(message)) {
    const arg = args.find((a) => a.startsWith(`${flag}=`)) ?? `${flag}=...`;
    return `Cannot use '${arg}' as ${flag} is a switch: it takes no value`;
  }
  return null;
}

/**
 * Parses `config.args` for `command` (e.g. "capo soup"); every mistake is a UsageError: an
 * unknown flag or an unexpected positional argument names the closest valid flag (or lists
 * them), a missing value names its flag, anything else keeps Node's message.
 */
export function parseFlags<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const message = (err as Error).message;
    const longFlags = () => flagsOf(config).filter((f) => f.startsWith("--"));
    if (
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
    ) {
      throw unknownFlag(command, /'([^']+)'/.exec(message)?.[1] ?? "?", longFlags());
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UsageError(invalidValue(config, message) ?? message);
    }
    if (code.startsWith("ERR_PARSE_ARGS")) throw new UsageError(message);
    throw err;
  }
}
