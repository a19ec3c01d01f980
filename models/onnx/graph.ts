/**
 * A small ONNX graph builder: initializers from typed arrays, nodes, typed inputs/outputs,
 * serialised as an opset-17 ModelProto that onnxruntime-node loads.
 *
 * Names are the currency: every method returns the name of the value it creates, so layer
 * emitters in `models/nn/` read like their tfjs forwards (`const h = g.op("MatMul", [x, w])`).
 * Auto-generated names are `<prefix>_<n>`, unique within the graph.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** Element types the builder can declare for inputs, outputs and initializers. */
export type ElemType = "float32" | "int32" | "int64" | "uint8";

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
};

/**
 * A node attribute: an integer, integer list or string as is; floats must be wrapped
 * (`{ float: 1e-5 }`), because a JS number cannot tell ONNX whether `1` is INT or FLOAT.
 */
export type Attr = number | number[] | string | { float: number } | { floats: number[] };

/** A dimension: a fixed size, or a symbolic name such as "batch". */
export type Dim = number | string;

type TypedData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** onnxruntime's contrib operator domain (FusedMatMul and friends), version 1. */
export const MS_DOMAIN = "com.microsoft";

/** A node as the graph holds it, for passes that read the graph (models/onnx/grad/). */
export interface GraphNode {
  readonly opType: string;
  /** "" for standard ONNX ops, MS_DOMAIN for onnxruntime's contrib ops. */
  readonly domain: string;
  readonly inputs: readonly string[];
  /** Mutable only through `OnnxGraph.extraOutputs`. */
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

/** A declared graph input. */
export interface GraphInput {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly Dim[];
}

/** An initializer's values and dims. */
export interface GraphConstant {
  readonly data: TypedData;
  readonly dims: readonly number[];
}

export class OnnxGraph {
  #nodes: onnxProto.onnx.INodeProto[] = [];
  #view: {
    opType: string;
    domain: string;
    inputs: string[];
    outputs: string[];
    attrs: Record<string, Attr>;
  }[] = [];
  #domains = new Set<string>();
  #producer = new Map<string, number>();
  #inits: onnxProto.onnx.ITensorProto[] = [];
  #constants = new Map<string, GraphConstant>();
  #inputs: onnxProto.onnx.IValueInfoProto[] = [];
  #inputList: GraphInput[] = [];
  #outputs: onnxProto.onnx.IValueInfoProto[] = [];
  #names = new Set<string>();
  #counter = 0;
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** A fresh name not used so far (the counter keeps later fresh names distinct too). */
  fresh(prefix = "v"): string {
    let n: string;
    do n = `${prefix}_${this.#counter++}`; while (this.#names.has(n));
    return n;
  }

  #claim(name: string, what: string): string {
    if (this.#names.has(name)) {
      throw new RangeError(`Cannot add ${what} '${name}' to graph ${this.name}: name already used`);
    }
    this.#names.add(name);
    return name;
  }

  /** Declare a graph input. */
  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    this.#inputs.push(valueInfo(this.#claim(name, "input"), type, dims));
    this.#inputList.push({ name, type, dims: [...dims] });
    return name;
  }

  /** Declare an existing value as a graph output (renamed through Identity if needed). */
  output(value: string, name: string, type: ElemType, dims: readonly Dim[]): string {
    if (value !== name) this.op("Identity", [value], {}, name);
    this.#outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Add a constant tensor (weights, shapes, scalars). */
  initializer(name: string, data: TypedData, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new RangeError(
        `Cannot add initializer '${name}' as its data length must equal the product of ` +
          `dims [${dims.join(", ")}] = ${size}: current value is ${data.length}`,
      );
    }
    const type: ElemType = data instanceof Float32Array
      ? "float32"
      : data instanceof Int32Array
      ? "int32"
      : data instanceof BigInt64Array
      ? "int64"
      : "uint8";
    // raw_data is little-endian, as typed arrays are on every platform Deno runs on.
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.#constants.set(name, { data, dims: [...dims] });
    this.#inits.push({
      name: this.#claim(name, "initializer"),
      dataType: ELEM[type],
      dims: [...dims],
      rawData: raw,
    });
    return name;
  }

  /** A float32 constant with an auto-generated name. */
  constFloat(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh("const"), Float32Array.from(values), dims);
  }

  /** An int64 constant (shapes, axes, split sizes) with an auto-generated name. */
  constInt64(values: readonly number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.initializer(this.fresh("shape"), data, [values.length]);
  }

  /**
   * Add a node with `nOut` outputs; returns their names. `opType` may name an onnxruntime
   * contrib op as "com.microsoft.FusedMatMul" (then the model imports that domain).
   */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    nOut = 1,
    outNames?: readonly string[],
  ): string[] {
    const domain = opType.startsWith(`${MS_DOMAIN}.`) ? MS_DOMAIN : "";
    if (domain !== "") {
      opType = opType.slice(domain.length + 1);
      this.#domains.add(domain);
    }
    const outputs = outNames
      ? outNames.map((n) => this.#claim(n, "value"))
      : Array.from({ length: nOut }, () => this.#claim(this.fresh(opType.toLowerCase()), "value"));
    const output = [...outputs];
    this.#nodes.push({
      opType,
      domain,
      name: this.fresh(`node_${opType}`),
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    // The view shares the proto's output array, so `extraOutputs` updates both.
    this.#view.push({ opType, domain, inputs: [...inputs], outputs: output, attrs: { ...attrs } });
    for (const o of output) this.#producer.set(o, this.#view.length - 1);
    return outputs;
  }

  /** The nodes so far, in the order added (a topological order: inputs exist before use). */
  nodes(): readonly GraphNode[] {
    return this.#view;
  }

  /** The declared inputs so far. */
  inputs(): readonly GraphInput[] {
    return this.#inputList;
  }

  /** An initializer's values, or undefined when `name` is not one. */
  constant(name: string): GraphConstant | undefined {
    return this.#constants.get(name);
  }

  /**
   * Give the node that produced `value` more outputs, up to `count` in all (an op's optional
   * outputs, such as LayerNormalization's Mean and InvStdDev that its gradient reuses instead of
   * recomputing them); returns the names of all its outputs.
   */
  extraOutputs(value: string, count: number): readonly string[] {
    const i = this.#producer.get(value);
    if (i === undefined) {
      throw new RangeError(`Cannot add outputs to the producer of '${value}': no node made it`);
    }
    const node = this.#view[i]!;
    while (node.outputs.length < count) {
      const name = this.#claim(this.fresh(`${node.opType.toLowerCase()}_extra`), "value");
      node.outputs.push(name);
      this.#producer.set(name, i);
    }
    return node.outputs;
  }

  /** Add a single-output node; returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string) {
    return this.node(opType, inputs, attrs, 1, out ? [out] : undefined)[0]!;
  }

  /** Serialise as an ONNX ModelProto (IR 8, opset 17). */
  toBytes(producer = "capo"): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: producer,
      opsetImport: [
        { domain: "", version: 17 },
        ...[...this.#domains].map((domain) => ({ domain, version: 1 })),
      ],
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer: this.#inits,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: ElemType, dims: readonly Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "number") {
    if (!Number.isInteger(v)) {
      throw new TypeError(
        `Cannot encode attribute '${name}' as an INT: current value is ${v} (wrap floats as { float })`,
      );
    }
    return { name, type: T.INT, i: v };
  }
  if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ("float" in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}
