/**
 * capo's command-line entry: `deno task <cmd>` or `deno run ... cli/capo.ts <cmd> [args]`.
 *
 * Each command lives in its own module exporting `main(args): Promise<number>` (the exit code);
 * modules load lazily so a command only pays for the dependencies it uses.
 */
type Command = {
  summary: string;
  load: () => Promise<{ main: (args: string[]) => Promise<number> }>;
};

const COMMANDS: Record<string, Command> = {
  // Each command adds one line here.
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(14)} ${c.summary}`);
  return `usage: capo <command> [options]\n\ncommands:\n${rows.join("\n")}\n`;
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "-h" || name === "--help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`capo: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await cmd.load();
  return await mod.main(rest);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`capo: ${err instanceof Error ? err.message : String(err)}`);
    if (Deno.env.get("CAPO_DEBUG")) console.error(err);
    Deno.exit(1);
  }
}
