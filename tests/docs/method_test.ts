/**
 * docs/method.md is the method's one statement in the repository: every citation of it in code
 * and docs names a section (or equation) it has, no citation of the old design document
 * ("SPEC 1.3", "the design card") is left, and every file it ties a formula to exists.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const METHOD = join(ROOT, "docs", "method.md");
const SKIP = new Set(["node_modules", "runs", ".git"]);

/** Every .ts and .md file of the repository (shipped data included), as [path, text]. */
async function sources(dir = ROOT, out: [string, string][] = []): Promise<[string, string][]> {
  for await (const e of Deno.readDir(dir)) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const path = join(dir, e.name);
    if (e.isDirectory) await sources(path, out);
    else if (/\.(ts|md)$/.test(e.name)) {
      out.push([relative(ROOT, path), await Deno.readTextFile(path)]);
    }
  }
  return out;
}

async function method(): Promise<{ text: string; anchors: Set<string>; equations: Set<string> }> {
  const text = await Deno.readTextFile(METHOD);
  return {
    text,
    anchors: new Set([...text.matchAll(/<a id="s(\d+(?:\.\d+)?)"><\/a>/g)].map((m) => m[1]!)),
    equations: new Set([...text.matchAll(/\(eq\. (\d+\.\d+)\)/g)].map((m) => m[1]!)),
  };
}

Deno.test("every section of docs/method.md has an anchor and a numbered heading", async () => {
  const { text, anchors } = await method();
  assert.ok(anchors.size >= 30, `${anchors.size} anchors`);
  for (const a of anchors) {
    const heading = a.includes(".") ? `### ${a} ` : `## ${a}. `;
    const at = text.indexOf(`<a id="s${a}"></a>`);
    assert.ok(
      text.slice(at, at + 200).includes(`\n${heading}`),
      `anchor s${a} precedes ${heading}`,
    );
  }
});

Deno.test("every citation of docs/method.md names a section or equation it has", async () => {
  const { anchors, equations } = await method();
  const bad: string[] = [];
  let count = 0;
  for (const [path, text] of await sources()) {
    for (const m of text.matchAll(/method\.md((?: ?(?:§\d+(?:\.\d+)?|eq\. \d+\.\d+)[,-]?)+)/g)) {
      for (const s of m[1]!.matchAll(/§(\d+(?:\.\d+)?)/g)) {
        count++;
        if (!anchors.has(s[1]!)) bad.push(`${path}: §${s[1]}`);
      }
      for (const e of m[1]!.matchAll(/eq\. (\d+\.\d+)/g)) {
        count++;
        if (!equations.has(e[1]!)) bad.push(`${path}: eq. ${e[1]}`);
      }
    }
    for (const m of text.matchAll(/method\.md#s(\d+(?:\.\d+)?)/g)) {
      count++;
      if (!anchors.has(m[1]!)) bad.push(`${path}: #s${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(count > 50, `${count} citations found`);
});

Deno.test("no code or doc cites the old design document instead of docs/method.md", async () => {
  const old = /\bSPEC (?:\d|section|sections|eq\.)|\bdesign card\b/;
  const found = (await sources()).flatMap(([path, text]) =>
    text.split("\n").flatMap((
      line,
      i,
    ) => (old.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []))
  ).filter((l) => !l.startsWith("tests/docs/method_test.ts"));
  assert.deepEqual(found, []);
});

Deno.test("every file docs/method.md ties a formula to exists", async () => {
  const { text } = await method();
  const files = new Set(
    [...text.matchAll(/`((?:[a-z_]+\/)+[a-z_]+\.(?:ts|md))`/g)].map((m) => m[1]!),
  );
  assert.ok(files.size > 30, `${files.size} files`);
  const missing = [];
  for (const f of files) {
    try {
      await Deno.stat(join(ROOT, f));
    } catch {
      missing.push(f);
    }
  }
  assert.deepEqual(missing, []);
});
