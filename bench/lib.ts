/** Small helpers shared by the benchmarks: percentiles, a bounded-concurrency runner, and result output. */
import fs from 'node:fs';
import path from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Runs `count` jobs with at most `concurrency` in flight; returns wall time in ms. */
export async function runConcurrent(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        await job(i);
      }
    }),
  );
  return performance.now() - started;
}

export function progress(label: string, done: number, total: number) {
  if (done % Math.max(1, Math.floor(total / 10)) === 0 || done === total) {
    process.stderr.write(`  ${label}: ${done}/${total}\n`);
  }
}

/** Prints the human summary, writes bench/results/<name>.json, and prints the JSON as the last line. */
export function report(name: string, lines: string[], result: Record<string, unknown>) {
  for (const line of lines) process.stdout.write(`${line}\n`);
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
