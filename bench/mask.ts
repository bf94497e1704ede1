/**
 * How long log masking takes on long lines that hold nothing to mask, the case a
 * backtracking pattern would make slow: the time should grow with the length, not faster.
 * `npm run bench:mask`; figures in bench/README.md.
 */
import { maskSensitive } from '../src/logging/mask-sensitive.js';

const LENGTHS = [50_000, 100_000, 200_000, 400_000];
const RUNS = 5;

for (const length of LENGTHS) {
  const line = 'a@'.repeat(length / 2);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    maskSensitive(line);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${length} chars: median ${times[RUNS >> 1].toFixed(1)} ms over ${RUNS} runs`);
}
