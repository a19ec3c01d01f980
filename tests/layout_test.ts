/**
 * The top level is the dependency order: each product folder imports only from the folders
 * below it, and no module imports itself through others (no cycles). Reads every import,
 * static and dynamic, of every product module.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));

/** Product folders, lowest layer first; a folder may import only from itself and those before it. */
export const LAYERS = ["lib", "schemas", "shapeworld", "models", "stages", "pipeline", "cli"];

/** Folders at the top level that are not product code. */
const NOT_PRODUCT = new Set(["bench", "tests", "data", "docs", "deploy", "node_modules", "runs"]);

const IMPORT =
  /(?:^|[;\s])(?:import|export)\s[^;]*?\sfrom\s*["'](\.[^"']+)["']|import\s*\(\s*["'](\.[^"']+)["']\s*\)|^import\s*["'](\.[^"']+)["']/gm;

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* modules(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

/** `text` with block and line comments blanked (an example import in a doc comment is not one). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** module (relative to the root) -> the modules it imports (relative to the root). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const layer of LAYERS) {
    for await (const path of modules(join(ROOT, layer))) {
      const text = withoutComments(await Deno.readTextFile(path));
      const deps: string[] = [];
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        deps.push(relative(ROOT, normalize(join(dirname(path), spec))));
      }
      graph.set(relative(ROOT, path), deps);
    }
  }
  return graph;
}

const layerOf = (module: string) => LAYERS.indexOf(module.split("/")[0]!);

Deno.test("the top level holds at most 7 folders of product code, the layers", async () => {
  const product: string[] = [];
  for await (const e of Deno.readDir(ROOT)) {
    if (e.isDirectory && !e.name.startsWith(".") && !NOT_PRODUCT.has(e.name)) product.push(e.name);
  }
  assert.deepEqual(product.sort(), [...LAYERS].sort());
});

Deno.test("no module imports from a layer above its own", async () => {
  const upward: string[] = [];
  for (const [module, deps] of await importGraph()) {
    for (const dep of deps) {
      if (layerOf(dep) > layerOf(module)) upward.push(`${module} imports ${dep}`);
    }
  }
  assert.deepEqual(upward, [], `imports pointing upward:\n${upward.join("\n")}`);
});

Deno.test("no import cycle between modules", async () => {
  const graph = await importGraph();
  // Tarjan's strongly connected components: any component of more than one module is a cycle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(" <-> ")).join("\n")}`);
});

Deno.test("the import reader sees static, re-exported and dynamic imports", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    'export { c } from "./c.ts";',
    'const d = await import("./d.ts");',
    'import "./e.ts";',
    'const s = "from \\"./not-an-import.ts\\"";',
  ].join("\n");
  const specs = [
    ...withoutComments(text + '\n/** e.g. import("./f.ts") */\n// import "./g.ts"')
      .matchAll(IMPORT),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  assert.deepEqual(specs, ["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
});
