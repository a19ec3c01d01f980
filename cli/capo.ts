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
  run: {
    summary: "run the method's stages with checkpoints (runs/<name>/)",
    load: () => import("./run.ts"),
  },
  evaluate: {
    summary: "win-rates (95% CI), mean rewards and ShapeEval of a fine-tuned model vs its base",
    load: () => import("./evaluate.ts"),
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
  reproduce: {
    summary: "the paper's two tables at our scale, eps and flow bases (runs/reproduce/)",
    load: () => import("./reproduce.ts"),
  },
  "train-rewards": {
    summary:
      "train the default world's three rewards, export ONNX + manifests + card (data/rewards/)",
    load: () => import("./train_rewards.ts"),
  },
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
