import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeMachine } from './machine';
import { benchRenderTimeline } from './render-timeline';

// `npm run bench`: every figure with the machine and conditions it was measured under.
async function main(): Promise<void> {
  const machine = describeMachine();
  const results = { measuredAt: new Date().toISOString(), machine, figures: [await benchRenderTimeline()] };
  await mkdir('bench', { recursive: true });
  await writeFile(path.join('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const rows = results.figures.map((figure) => `${figure.figure.padEnd(10)} median ${figure.renderMs.median} ms (target ≤ ${figure.target.renderMs} ms, ${figure.met ? 'met' : 'NOT met'}); hover ${figure.hoverMs.median} ms`);
  process.stdout.write(`machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpu}, Node ${machine.node}\n${rows.join('\n')}\nwritten to bench/results.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
