/**
 * capo's command-line entry: `deno task <cmd>` or `deno run ... cli/capo.ts <cmd> [args]`.
 *
 * Each command lives in its own module exporting `main(args): Promise<number>` (the exit code);
 * modules load lazily so a command only pays for the dependencies it uses.
 */
import { unknownCommand } from "../lib/unknown_command.ts";
import { unknownFlag } from "../lib/unknown_flag.ts";
import { UsageError } from "../lib/usage_error.ts";

type Command = {
  summary: string;
  load: () => Promise<{ main: (args: string[]) => Promise<number> }>;
};

const COMMANDS: Record<string, Command> = {
  // Each command adds one line here.
  run: {
    summary: "run the method's stages with checkpoints (runs/<name>/)",
    load: () => import("./run.ts"),
  },
  evaluate: {
    summary: "win-rates (95% CI), mean rewards and ShapeEval of a fine-tuned model vs its base",
    load: () => import("./evaluate.ts"),
  },
  compare: {
    summary: "paired comparisons of tuned models (cells x training seeds) and their base, Holm",
    load: () => import("./compare.ts"),
  },
  report: {
    summary: "a run's report.md: tables, PNG plots and base vs tuned contact sheets",
    load: () => import("./report.ts"),
  },
  pretrain: {
    summary: "pretrain a base diffusion model on ShapeWorld",
    load: () => import("./pretrain.ts"),
  },
  shapes: {
    summary: "ShapeWorld renders, prompt sets, ShapeEval (render|prompts|eval|robustness)",
    load: () => import("./shapes.ts"),
  },
  soup: {
    summary: "average fine-tuned models' weights uniformly (the SOUP baseline)",
    load: () => import("./soup.ts"),
  },
  merge: {
    summary: "check a sharded run's workers (--shard i/n) and write one manifest per stage",
    load: () => import("./merge.ts"),
  },
  queue: {
    summary: "NATS JetStream work queue of shards (submit|status|wait|delete)",
    load: () => import("./queue.ts"),
  },
  worker: {
    summary: "pull shards from a work queue and run them until the queue is done",
    load: () => import("./worker.ts"),
  },
  export: {
    summary: "a stage's data as Arrow IPC (stdout), Parquet or JSONL; pairs in diffusers' layout",
    load: () => import("./export.ts"),
  },
  import: {
    summary: "images generated elsewhere (folder or Parquet) as the Sample stage of a run",
    load: () => import("./import.ts"),
  },
  sweep: {
    summary: "a hyperparameter search on dev prompts, every point recorded (docs/method.md §6.5)",
    load: () => import("./sweep.ts"),
  },
  reproduce: {
    summary: "the paper's two tables at our scale, eps and flow bases (runs/reproduce/)",
    load: () => import("./reproduce.ts"),
  },
  "check-reward": {
    summary: "check your own ONNX reward on a base model's samples and measure its tau",
    load: () => import("./check_reward.ts"),
  },
  tau: {
    summary: "measure each reward's calibration tau on a base's samples (<base>/tau.json)",
    load: () => import("./tau.ts"),
  },
  "train-rewards": {
    summary: "train the three shipped rewards; export ONNX, manifests and a card (data/rewards/)",
    load: () => import("./train_rewards.ts"),
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(14)} ${c.summary}`);
  return `usage: capo <command> [options]\n\ncommands:\n${rows.join("\n")}\n\n` +
    "capo <command> --help (or capo help <command>) shows a command's options.";
}

const HELP = ["-h", "--help", "help"];

/** Exit status: the command's; 0 for --help; 2 for a missing, unknown or misspelt command. */
export async function main(args: string[]): Promise<number> {
  let [name, ...rest] = args;
  if (name !== undefined && HELP.includes(name)) {
    // `capo help export` and `capo --help export` are `capo export --help`.
    if (rest[0] === undefined) {
      console.log(usage());
      return 0;
    }
    [name, rest] = [rest[0], ["--help"]];
  }
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (cmd === undefined) {
    const err = name.startsWith("-")
      ? unknownFlag("capo", name, ["--help"])
      : unknownCommand("capo", name, Object.keys(COMMANDS));
    console.error(`capo: ${err.message}\n(capo --help lists the commands)`);
    return 2;
  }
  const mod = await cmd.load();
  return await mod.main(rest);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    // A command that throws on a bad argument still exits 2 (lib/usage_error.ts).
    const command = Deno.args[0] === undefined ? "capo" : `capo ${Deno.args[0]}`;
    console.error(`${command}: ${err instanceof Error ? err.message : String(err)}`);
    if (Deno.env.get("CAPO_DEBUG")) console.error(err);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
