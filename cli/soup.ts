/**
 * `capo soup --out DIR MODEL MODEL [...]`: the SOUP baseline (docs/method.md §5.6), the uniform
 * average of models fine-tuned on single rewards (stages/train/soup.ts). Each MODEL is a model directory (its
 * model.safetensors) or a .safetensors file; DIR gets model.safetensors, config.json and
 * model.onnx (unless --no-onnx). Exit status: 0 written, 2 bad arguments, 1 a model could not
 * be loaded or the architectures differ (the message names the tensor or config field).
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { soupModels } from "../stages/train/soup.ts";

const USAGE = `usage: capo soup --out DIR [--no-onnx] MODEL MODEL [MODEL ...]

Averages the weights of models fine-tuned from the same base (uniformly) into DIR.`;

export async function main(args: string[]): Promise<number> {
  const parsed = await parsedOrExit("capo soup", USAGE, () => {
    const p = parseFlags("capo soup", {
      args,
      options: {
        out: { type: "string" },
        "no-onnx": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
    });
    return p.values.help ? "help" : p;
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (!values.out || positionals.length < 2) {
    console.error(
      `capo soup: Cannot make a soup as it needs --out and at least 2 models: current ` +
        `models are ${positionals.length}\n\n${USAGE}`,
    );
    return 2;
  }
  const r = await soupModels(positionals, values.out, { onnx: !values["no-onnx"] });
  console.log(`soup of ${r.models.length} models written to ${r.out}`);
  return 0;
}
