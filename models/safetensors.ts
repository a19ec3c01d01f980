/**
 * safetensors (the Hugging Face weights format) for float32 tensors, read and written here.
 *
 * Layout: u64 little-endian header length n, n bytes of JSON header
 * `{ "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ...,
 *    "__metadata__": { "<key>": "<string value>" } }`, then the raw little-endian data
 * (offsets relative to the end of the header). The header is space-padded to a multiple of
 * 8 bytes, as the reference writer does, so the data section stays aligned.
 */

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface Safetensors {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

export function encodeSafetensors(
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new RangeError(
        `Cannot encode tensor '${name}' as its shape [${t.shape}] holds ${n} values: ` +
          `current data length is ${t.data.length}`,
      );
    }
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): Safetensors {
  const bad = (why: string): never => {
    throw new RangeError(`Cannot read ${source} as safetensors: ${why}`);
  };
  if (bytes.length < 8) {
    bad(`it is ${bytes.length} bytes long, shorter than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) bad(`header length ${n} runs past the end of ${bytes.length} bytes`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    return bad(`header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== "F32") {
      bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; only F32 is supported`);
    }
    const shape = e.shape as number[];
    const [b, end] = e.data_offsets as [number, number];
    const count = shape.reduce((x, y) => x * y, 1);
    if (end - b !== 4 * count || dataStart + end > bytes.length) {
      bad(`tensor '${name}' offsets [${b}, ${end}] do not fit its shape [${shape}] and the file`);
    }
    // Copy out so the tensor is 4-byte aligned whatever the header length was.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + b, dataStart + end));
    tensors.set(name, { shape: [...shape], data });
  }
  return { tensors, metadata };
}

/**
 * Write bytes atomically: lib/atomic_write.ts's temp file + rename, which also removes the temp
 * file when the write fails (a full disk included) and names the target in that error.
 */
export { writeFileAtomic } from "../lib/atomic_write.ts";
