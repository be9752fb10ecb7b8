/** Builds the kernel worker from source for the tests, so that they never run a stale dist/ bundle. */
import * as esbuild from 'esbuild';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function buildWorker(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bnlab-worker-'));
  const outfile = path.join(dir, 'kernel-worker.js');
  await esbuild.build({
    entryPoints: ['src/kernel/worker.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
