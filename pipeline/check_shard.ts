/** Checking a shard file against its manifest entry before it is trusted. */
import { sha256Hex } from "../lib/hash.ts";
import type { ShardEntry } from "./manifest.ts";

/** null if the shard file is present with the listed size and sha256, else what is wrong. */
export async function checkShard(path: string, shard: ShardEntry): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "is missing";
    throw err;
  }
  if (bytes.length !== shard.bytes) {
    return `has ${bytes.length} bytes, the manifest says ${shard.bytes} (truncated?)`;
  }
  const got = sha256Hex(bytes);
  if (got !== shard.sha256) {
    return `failed its checksum (sha256 ${got.slice(0, 12)}…, manifest ${
      shard.sha256.slice(0, 12)
    }…)`;
  }
  return null;
}
