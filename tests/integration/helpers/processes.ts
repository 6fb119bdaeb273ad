import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export type Started = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

const root = path.resolve(__dirname, '..', '..', '..');

// Runs one of our scripts exactly as `npm start` does (node --import tsx), with an explicit environment.
export function startScript(script: string, env: Record<string, string | undefined>, args: string[] = []): Started {
  const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([key, value]) => value !== undefined && !key.startsWith('VITEST')));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: clean as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null) throw new Error(`process exited with ${started.child.exitCode} before printing ${pattern}:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function killProcess(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGKILL');
  await started.exited;
}

// `npm run controller` as a real process, ready once it says which clusters it watches.
export async function startControllerProcess(env: Record<string, string>, clusters: string[], timeoutMs = 60_000): Promise<Started> {
  const started = startScript('scripts/controller.ts', env);
  try {
    await waitForOutput(started, new RegExp(`controller watching ${clusters.length} cluster\\(s\\): ${clusters.join(', ')}`), timeoutMs);
  } catch (error) {
    await killProcess(started);
    throw error;
  }
  return started;
}
