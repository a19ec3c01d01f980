/**
 * The prompt source (stages/prompts/prompt_source.ts) as the run's `SourceSpec`: one group per prompt,
 * `rows: [prompt]`. Its config includes the prompt file's sha256, so editing the file
 * invalidates the prompts stage and everything after it.
 *
 * `limit` keeps the first K prompts of the file (after normalising and de-duplicating) and only
 * then shards them, so the run's prompt set is the same whatever the number of workers.
 */
import { openPromptSource } from "./prompt_source.ts";
import { PromptSchema } from "../../schemas/prompt.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import type { Group } from "../../schemas/group.ts";
import type { PromptsConfig } from "./options.ts";
import { sha256Hex } from "../../lib/hash.ts";
import type { SourceSpec } from "../../schemas/stage_spec.ts";
import { shardOf } from "./normalize.ts";

export async function promptSourceSpec(cfg: PromptsConfig): Promise<SourceSpec<Prompt>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(cfg.path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : String(err);
    throw new TypeError(`Cannot read prompts from '${cfg.path}' (config prompts.path): ${why}`);
  }
  const { path: _path, limit: _limit, ...options } = cfg;
  // A limit the file does not reach changes nothing: hash it as no limit, so a run with the
  // default limit and one without it (e.g. `capo import`, which imports every prompt) share
  // their checkpoints. Counting stops at limit + 1 prompts.
  let limit = cfg.limit;
  if (limit !== null) {
    let count = 0;
    for await (const _ of (await openPromptSource(cfg.path, options)).readable) {
      if (++count > limit) break;
    }
    if (count <= limit) limit = null;
  }
  return {
    name: "prompts",
    outputSchema: PromptSchema,
    config: { ...cfg, limit, sha256: sha256Hex(bytes) },
    open(ctx) {
      return ReadableStream.from((async function* (): AsyncGenerator<Group<Prompt>> {
        if (limit === null) {
          const source = await openPromptSource(cfg.path, { ...options, shard: ctx.worker });
          for await (const p of source.readable) {
            yield { prompt_id: p.prompt_id, prompt: p.prompt, rows: [p] };
          }
          return;
        }
        const source = await openPromptSource(cfg.path, options);
        let seen = 0;
        for await (const p of source.readable) {
          if (shardOf(p.prompt_id, ctx.worker.count) === ctx.worker.index) {
            yield { prompt_id: p.prompt_id, prompt: p.prompt, rows: [p] };
          }
          if (++seen >= limit) break;
        }
      })());
    },
  };
}
