// The extension loads in a real VS Code extension host: the first thing every other suite relies on.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('smoke', () => {
  test('runs in VS Code 1.100', () => {
    assert.match(vscode.version, /^1\.100\./);
  });

  test('extension bnlab.batchnorm-lab is present and activates', async () => {
    const ext = vscode.extensions.getExtension('bnlab.batchnorm-lab');
    assert.ok(ext, 'extension bnlab.batchnorm-lab not found: is extensionDevelopmentPath the repo?');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
});
