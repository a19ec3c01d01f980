/**
 * The first lines of a capo command's `main`: its arguments parsed, or the exit status when
 * there is nothing to run. A bad argument prints `<command>: <message>`, a blank line and the
 * usage to stderr and gives 2 (bad arguments exit 2 and write nothing); --help prints the usage
 * to stdout and gives 0.
 */

/**
 * Runs `parse` (which throws on a bad argument and returns "help" for --help) for `command`
 * (e.g. "capo merge"), printing `usage` as above; a number returned is the exit status.
 */
export async function parsedOrExit<T>(
  command: string,
  usage: string,
  parse: () => T | "help" | Promise<T | "help">,
): Promise<T | number> {
  let parsed;
  try {
    parsed = await parse();
  } catch (err) {
    console.error(`${command}: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (parsed === "help") {
    console.log(usage);
    return 0;
  }
  return parsed;
}
