// Re-runs every sample notebook with the headless runner, so that samples are committed with their outputs.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

for (const name of readdirSync('samples').filter((f) => f.endsWith('.bnnb')).sort()) {
  console.log(`samples/${name}`);
  execFileSync(process.execPath, ['dist/cli.js', 'run', `samples/${name}`], { stdio: 'inherit' });
}
