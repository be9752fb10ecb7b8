/** An experiment context for tests: records progress, never interrupts, and reads MNIST like the kernel does. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExperimentContext, Progress } from '../../../src/experiments/experiment';
import { fileDatasets } from '../../../src/kernel/datasets';

interface BuildMnist {
  buildMnist(options: { out: null }): Promise<{ cached: string }>;
}

/** The converted digits, from the build's cache (converted first if needed). */
async function mnistDir(): Promise<string> {
  const { buildMnist } = (await import(pathToFileURL(path.resolve('scripts/build-mnist.mjs')).href)) as BuildMnist;
  return path.dirname((await buildMnist({ out: null })).cached);
}

export async function testContext(): Promise<ExperimentContext & { progressSeen: Progress[] }> {
  const progressSeen: Progress[] = [];
  return { checkInterrupt() {}, progress: (p) => progressSeen.push(p), datasets: fileDatasets(await mnistDir()), progressSeen };
}
