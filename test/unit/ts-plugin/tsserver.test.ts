// The plugin in a real TypeScript server (the program VS Code runs), loaded as VS Code loads it: a
// notebook's cells complete with the engine's members and with what earlier cells declare.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { benchCellCompletions } from '../../../bench/cell-completions';

describe('the TypeScript server plugin in tsserver', () => {
  for (const perProjectRoot of [true, false]) {
    it(`completes an earlier cell's BatchNorm1d in the last of 20 cells (${perProjectRoot ? 'one project per folder' : 'a project per file'})`, async () => {
      assert.ok(existsSync('node_modules/bnlab-ts-plugin/package.json') && existsSync('dist/ts-plugin.js'), 'run npm run build first');
      const result = await benchCellCompletions({ samples: 2, perProjectRoot });
      assert.equal(result.sawEngineNames, true);
    });
  }
});
