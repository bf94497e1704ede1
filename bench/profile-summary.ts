/*
 * The functions that used the most CPU in a V8 .cpuprofile (self time), and the files:
 * `node dist-bench/bench/profile-summary.js <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fixed } from './support/report.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});

const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

const byFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfMicros) {
  const { url } = byId.get(id)!.callFrame;
  add(byFunction, nameOf(id), micros);
  add(byFile, shorten(url) || '(native)', micros);
  total += micros;
  const seen = new Set<string>();
  for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
    const name = nameOf(node);
    if (!seen.has(name)) add(inclusive, name, micros);
    seen.add(name);
  }
}

console.log(`${file}: ${fixed(total / 1000, 1)} ms sampled`);
print('self time by function', byFunction);
print('self time by file', byFile);
print('inclusive time by function (self and callees)', inclusive);

function nameOf(id: number): string {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  return `${functionName || '(anonymous)'} ${shorten(url)}:${lineNumber + 1}`;
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function print(title: string, totals: Map<string, number>): void {
  console.log(`\n${title}:`);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
  for (const [key, micros] of rows) {
    const share = fixed((100 * micros) / total, 1).padStart(5);
    console.log(`${share} %  ${fixed(micros / 1000, 1).padStart(8)} ms  ${key}`);
  }
}

function shorten(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist-bench\//, '');
}
