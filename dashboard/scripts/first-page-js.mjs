#!/usr/bin/env node
// Bytes of JavaScript the first page (the fleet overview) loads from a production build: the entry
// chunk of index.html, its static imports, and the overview route's chunk with its static imports
// (lazy routes are not counted). Prints one JSON object. Run after `npm run build`:
//   node scripts/first-page-js.mjs [dist dir] [budget bytes]
// Exits 1 when the total is over the budget.
import fs from 'node:fs';
import path from 'node:path';

const dist = process.argv[2] ?? 'target/classes/syslens/dashboard';
const budget = Number(process.argv[3] ?? 0);
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = /<script type="module"[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
if (!entry) throw new Error(`no module script in ${dist}/index.html (expected: a Vite build)`);
const seen = new Set();
function visit(rel) {
  if (seen.has(rel)) return;
  seen.add(rel);
  const text = fs.readFileSync(path.join(dist, rel), 'utf8');
  // Static imports only: `import ... from "./x.js"` and `import "./x.js"`; dynamic import("./x.js") is a lazy route.
  for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(path.posix.join(path.posix.dirname(rel), m[1]));
}
visit(entry);
const assets = fs.readdirSync(path.join(dist, 'assets'));
const overview = assets.find((f) => /^OverviewPage-.*\.js$/.test(f));
if (overview) visit(`assets/${overview}`);
const bytes = [...seen].reduce((n, f) => n + fs.statSync(path.join(dist, f)).size, 0);
console.log(JSON.stringify({ first_page_js_bytes: bytes, files: seen.size, budget_bytes: budget || null }));
if (budget && bytes > budget) {
  console.error(`first-page JS: ${bytes} bytes (expected: <= ${budget})`);
  process.exit(1);
}
