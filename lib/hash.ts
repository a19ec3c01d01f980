/**
 * Content and config hashes for checkpoints: sha256 (node:crypto) of bytes, and of a canonical
 * JSON form of a config so that key order never changes a hash.
 */
import { createHash } from "node:crypto";

/** Lowercase hex sha256 of bytes or of a string's UTF-8 encoding. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * JSON with object keys sorted at every level: the same config always hashes the same.
 * Only JSON values are accepted (no undefined, functions, bigint, NaN or Infinity), because a
 * value JSON cannot represent would silently drop out of the hash.
 */
export function canonicalJson(value: unknown, path = "config"): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(
        `Cannot hash ${path} as it must be a finite number: current value is ${value}`,
      );
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(",")}]`;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`);
    return `{${entries.join(",")}}`;
  }
  throw new TypeError(
    `Cannot hash ${path} as it must be a JSON value: current value is ${
      String(value)
    } (${typeof value})`,
  );
}

/** sha256 of the canonical JSON of a value. */
export function hashJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
