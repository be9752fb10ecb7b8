// Exports an experiment cell to a PyTorch script for the end-to-end workloads (bench/experiments.ts), as
// `bnlab export` does: the cell runs once in the engine with a recorder. Bundled and run by plain node.
// Usage: node export-runner.cjs <cell-source-file> <out-dir> <stem> <mnist.bin.gz>
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { exportExperimentCell } from '../src/export/bundle';
import { writeExport } from '../src/export/write';
import { quietContext } from '../src/experiments/experiment';
import { bytesDatasets } from '../src/kernel/dataset-bytes';

async function main(): Promise<void> {
  const [sourceFile, outDir, stem, mnist] = process.argv.slice(2);
  if (!sourceFile || !outDir || !stem || !mnist) throw new Error('usage: export-runner <cell-source-file> <out-dir> <stem> <mnist.bin.gz>');
  const context = quietContext(bytesDatasets(async () => new Uint8Array(await readFile(mnist))));
  const result = await exportExperimentCell(readFileSync(sourceFile, 'utf8'), { stem, origin: `bench, ${stem}`, weights: false, distributed: false, syncBn: false }, context);
  await writeExport(outDir, stem, result.files);
  console.log(JSON.stringify({ runs: result.runs }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
