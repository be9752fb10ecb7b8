// `npm run samples`: re-runs every sample notebook with the headless runner and writes the outputs back
// into it, so that the samples are committed with their plots and open with them already drawn.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

for (const name of readdirSync('samples').filter((f) => f.endsWith('.bnnb')).sort()) {
  console.log(`samples/${name}`);
  execFileSync(process.execPath, ['dist/cli.js', 'run', `samples/${name}`, '--out', `samples/${name}`], { stdio: 'inherit' });
}
