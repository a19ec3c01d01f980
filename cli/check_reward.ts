/**
 * `capo check-reward MANIFEST [options]`: checks your own ONNX reward before a run uses it and
 * measures its calibration temperature tau on a base model's samples (pipeline/reward_check.ts,
 * docs/bring_your_own_reward.md). Reads only; writes nothing.
 *
 * Exit status: 0 the reward loads and scores every sample finitely, 1 it does not (the message
 * names the model, the key or the sample), 2 bad arguments.
 */
import { parseFlags } from "../lib/parse_flags.ts";

const USAGE = `usage: capo check-reward MANIFEST [--base DIR] [--prompts FILE] [--max-prompts N]
                         [--samples N] [--steps N] [--guidance G] [--seed N]

Loads the reward of MANIFEST, samples --max-prompts prompts (default 16, evenly spaced over
--prompts, default data/prompts/train.txt) --samples times each (default 8) from --base (default
data/models/base-eps) with the run's seeds, scores them through the run's scorer, and prints the
within-prompt spread of the scores: the tau to put in the manifest.
  --steps, --guidance, --seed   sampling as the run's generate stage (defaults 20, 4, 0)`;

const COUNTS = ["max-prompts", "samples", "steps", "seed"] as const;

export async function main(args: string[]): Promise<number> {
  let opts;
  try {
    const { values, positionals } = parseFlags("capo check-reward", {
      args,
      allowPositionals: true,
      options: {
        base: { type: "string" },
        prompts: { type: "string" },
        "max-prompts": { type: "string" },
        samples: { type: "string" },
        steps: { type: "string" },
        guidance: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new TypeError(
        `Cannot check a reward as exactly one manifest is needed: current value is ${
          JSON.stringify(positionals)
        }`,
      );
    }
    const n: Partial<Record<typeof COUNTS[number], number>> = {};
    for (const flag of COUNTS) {
      const v = values[flag];
      if (v === undefined) continue;
      const x = Number(v);
      const min = flag === "samples" ? 2 : flag === "seed" ? 0 : 1;
      if (!Number.isSafeInteger(x) || x < min) {
        throw new RangeError(
          `Cannot use --${flag} as it must be an integer >= ${min}: current value is '${v}'`,
        );
      }
      n[flag] = x;
    }
    const guidance = values.guidance === undefined ? undefined : Number(values.guidance);
    if (guidance !== undefined && !Number.isFinite(guidance)) {
      throw new RangeError(
        `Cannot use --guidance as it must be a number: current value is '${values.guidance}'`,
      );
    }
    opts = {
      manifest: positionals[0]!,
      ...(values.base === undefined ? {} : { base: values.base }),
      ...(values.prompts === undefined ? {} : { prompts: values.prompts }),
      ...(n["max-prompts"] === undefined ? {} : { maxPrompts: n["max-prompts"] }),
      ...(n.samples === undefined ? {} : { samples: n.samples }),
      ...(n.steps === undefined ? {} : { steps: n.steps }),
      ...(n.seed === undefined ? {} : { seed: n.seed }),
      ...(guidance === undefined ? {} : { guidance }),
    };
  } catch (err) {
    console.error(
      `capo check-reward: ${(err as Error).message}\n(capo check-reward --help lists the options)`,
    );
    return 2;
  }
  // Model code (onnxruntime) only once the arguments are good.
  const { checkReward, formatRewardCheck } = await import("../pipeline/reward_check.ts");
  console.log(formatRewardCheck(await checkReward(opts)));
  return 0;
}
