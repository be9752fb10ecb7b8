/** Builds the kernel worker from source for the tests, so that they never run a stale dist/ bundle. */
import * as esbuild from 'esbuild';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** How the kernel tests bundle worker scripts: as scripts/build.mjs bundles the Node workers. */
export const NODE_WORKER_BUILD: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  logLevel: 'warning',
};

export async function buildWorker(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bnlab-worker-'));
  const outfile = path.join(dir, 'kernel-worker.js');
  await esbuild.build({ ...NODE_WORKER_BUILD, entryPoints: ['src/kernel/worker.ts'], outfile });
  return outfile;
}
