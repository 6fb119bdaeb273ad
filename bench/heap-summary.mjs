// What a heap snapshot holds (`BENCH_HEAP_SNAPSHOT=<dir> npm run bench -- memory` writes one of the controller):
//   node --max-old-space-size=12000 bench/heap-summary.mjs <file.heapsnapshot> [depth]
// Self size by node type/name and by retainer chain (first non-weak retainer, `depth` levels); with
// OWNERS=CompactLeaseStates,ContextWatchers,… each object's size is attributed to its nearest owner on its
// first-retainer chain (how the README's breakdown of the controller's live heap was made); OTHER_CHAINS=<n>
// then lists the chains of what no owner holds.
import { readFileSync } from 'node:fs';
const out = (...parts) => process.stdout.write(`${parts.join(' ')}\n`);
const file = process.argv[2];
const depth = Number(process.argv[3] ?? 3);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const nf = meta.node_fields, ef = meta.edge_fields;
const NF = nf.length, EF = ef.length;
const nTypes = meta.node_types[0], eTypes = meta.edge_types[0];
const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index'), eTo = ef.indexOf('to_node');
const nodes = snap.nodes, edges = snap.edges, strings = snap.strings;
const count = nodes.length / NF;
const retainer = new Int32Array(count).fill(-1);
const retainerEdge = new Array(count);
let e = 0;
for (let n = 0; n < count; n++) {
  const ec = nodes[n * NF + iEdges];
  for (let k = 0; k < ec; k++, e += EF) {
    const t = eTypes[edges[e + eType]];
    if (t === 'weak' || t === 'shortcut') continue;
    const to = edges[e + eTo] / NF;
    if (retainer[to] === -1 && to !== n) {
      retainer[to] = n;
      const nm = edges[e + eName];
      retainerEdge[to] = t === 'element' || t === 'hidden' ? `[${t}]` : String(strings[nm]);
    }
  }
}
const label = (n) => {
  const t = nTypes[nodes[n * NF + iType]];
  let name = t === 'string' || t === 'concatenated string' || t === 'sliced string' ? '' : String(strings[nodes[n * NF + iName]]).slice(0, 40);
  if (t === 'number') name = '';
  return `${t}:${name}`;
};
let total = 0;
const byLabel = new Map();
const byChain = new Map();
for (let n = 0; n < count; n++) {
  const size = nodes[n * NF + iSize];
  total += size;
  const l = label(n);
  const a = byLabel.get(l) ?? [0, 0];
  a[0] += size; a[1] += 1; byLabel.set(l, a);
  let chain = l, p = n;
  for (let d = 0; d < depth; d++) {
    const r = retainer[p];
    if (r < 0) break;
    chain += ` <-${retainerEdge[p]}- ${label(r)}`;
    p = r;
  }
  const c = byChain.get(chain) ?? [0, 0];
  c[0] += size; c[1] += 1; byChain.set(chain, c);
}
const mb = (b) => (b / 1048576).toFixed(1);
out(`nodes ${count}, self total ${mb(total)} MiB`);
out('\n== by type:name ==');
for (const [l, [s, c]] of [...byLabel].sort((a, b) => b[1][0] - a[1][0]).slice(0, 40)) out(mb(s).padStart(8), String(c).padStart(9), l);
out(`\n== by retainer chain (depth ${depth}) ==`);
for (const [l, [s, c]] of [...byChain].sort((a, b) => b[1][0] - a[1][0]).slice(0, 60)) out(mb(s).padStart(8), String(c).padStart(9), l);
// Attribution: each node's self size goes to the nearest first-retainer ancestor whose constructor name is in OWNERS.
const owners = (process.env.OWNERS ?? '').split(',').filter(Boolean);
if (owners.length > 0) {
  const ownerOf = new Int32Array(count).fill(-2);
  const nameOf = (n) => String(strings[nodes[n * NF + iName]]);
  const isOwner = (n) => nTypes[nodes[n * NF + iType]] === 'object' && owners.includes(nameOf(n));
  const resolve = (n) => {
    const path = [];
    let p = n, found = -1;
    for (let d = 0; d < 60 && p >= 0; d++) {
      if (ownerOf[p] !== -2) { found = ownerOf[p]; break; }
      path.push(p);
      if (isOwner(p)) { found = p; break; }
      p = retainer[p];
    }
    for (const q of path) ownerOf[q] = found;
    return found;
  };
  const byOwner = new Map();
  for (let n = 0; n < count; n++) {
    const o = resolve(n);
    const key = o < 0 ? '(other)' : nameOf(o);
    const a = byOwner.get(key) ?? [0, 0, new Set()];
    a[0] += nodes[n * NF + iSize]; a[1] += 1; if (o >= 0) a[2].add(o); byOwner.set(key, a);
  }
  out('\n== self size attributed to the nearest owner (first retainer chain) ==');
  for (const [k, [s, c, set]] of [...byOwner].sort((a, b) => b[1][0] - a[1][0])) out(mb(s).padStart(8), String(c).padStart(9), `${k} (${set.size} instances)`);
}
if (process.env.OTHER_CHAINS && owners.length > 0) {
  const nameOf = (n) => String(strings[nodes[n * NF + iName]]);
  const isOwner = (n) => nTypes[nodes[n * NF + iType]] === 'object' && owners.includes(nameOf(n));
  const hasOwner = (n) => { for (let p = n, d = 0; d < 60 && p >= 0; d++, p = retainer[p]) if (isOwner(p)) return true; return false; };
  const chains = new Map();
  for (let n = 0; n < count; n++) {
    if (hasOwner(n)) continue;
    let chain = label(n), p = n;
    for (let d = 0; d < Number(process.env.OTHER_CHAINS); d++) { const r = retainer[p]; if (r < 0) break; chain += ` <-${retainerEdge[p]}- ${label(r)}`; p = r; }
    const c = chains.get(chain) ?? [0, 0]; c[0] += nodes[n * NF + iSize]; c[1]++; chains.set(chain, c);
  }
  out('\n== (other) by chain ==');
  for (const [l, [s, c]] of [...chains].sort((a, b) => b[1][0] - a[1][0]).slice(0, 40)) out(mb(s).padStart(8), String(c).padStart(9), l.slice(0, 300));
}
