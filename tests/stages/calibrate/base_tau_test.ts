import assert from "node:assert/strict";
import { join } from "node:path";
import { tauFileOf } from "./_tau_file.ts";
import { baseTauFor, readBaseTau, rewardModelSha256 } from "../../../stages/calibrate/base_tau.ts";

async function reward(dir: string, name: string, bytes: string) {
  const file = join(dir, `${name}.onnx`);
  await Deno.writeTextFile(file, bytes);
  return { name, file };
}

Deno.test("baseTauFor uses a base's tau only for rewards whose model is unchanged since", async () => {
  const dir = await Deno.makeTempDir();
  const a = await reward(dir, "a", "model a");
  const b = await reward(dir, "b", "model b, retrained");
  await Deno.writeTextFile(
    join(dir, "tau.json"),
    JSON.stringify(tauFileOf({
      a: { tau: 0.25, model_sha256: await rewardModelSha256(a.file) },
      b: { tau: 0.5, model_sha256: "0".repeat(64) },
    })),
  );
  assert.deepEqual(await baseTauFor(dir, [a, b]), { tau: { a: 0.25 }, stale: ["b"] });
  assert.deepEqual(await baseTauFor(await Deno.makeTempDir(), [a, b]), { tau: {}, stale: [] });
});

Deno.test("readBaseTau names the file and the field of a bad tau.json", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tau.json");
  await Deno.writeTextFile(path, "{");
  await assert.rejects(readBaseTau(dir), /Cannot parse .*tau\.json as JSON/);
  await Deno.writeTextFile(path, JSON.stringify({ format: "other" }));
  await assert.rejects(readBaseTau(dir), /format is not 'capo-base-tau\/1'/);
  await Deno.writeTextFile(path, JSON.stringify(tauFileOf({ a: { tau: -1, model_sha256: "0" } })));
  await assert.rejects(readBaseTau(dir), /rewards\.a\.tau is not a number > 0/);
  await Deno.writeTextFile(path, JSON.stringify(tauFileOf({ a: { tau: 1, model_sha256: "xyz" } })));
  await assert.rejects(readBaseTau(dir), /rewards\.a\.model_sha256 is not a sha256/);
});
