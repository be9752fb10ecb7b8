import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from '../../../src/experiments/catalog';
import { ExperimentCellError, parseExperimentCell } from '../../../src/experiments/cell';

function expectCellError(source: string, pattern: RegExp, line?: number, key?: string): ExperimentCellError {
  let caught: unknown;
  try {
    parseExperimentCell(source, catalog);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ExperimentCellError, `expected an ExperimentCellError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (line !== undefined) assert.equal(caught.line, line, caught.message);
  if (key !== undefined) assert.equal(caught.key, key);
  return caught;
}

describe('bnlab experiment cells', () => {
  it('fills defaults for parameters the cell leaves out', () => {
    const { experiment, params } = parseExperimentCell('experiment: normalize-features\nbatchSize: 64\n', catalog);
    assert.equal(experiment.id, 'normalize-features');
    assert.equal(params.batchSize, 64);
    assert.equal(params.eps, 1e-5);
    assert.equal(params.seed, 0);
    assert.equal((params.features as unknown[]).length, 4);
  });

  it('reads YAML numbers, flow lists and comments', () => {
    const source = ['# four features', 'experiment: normalize-features', 'features: [[-5, 5], [100, 200]]  # two', 'eps: 1.0e-3', 'seed: 7'].join('\n');
    const { params } = parseExperimentCell(source, catalog);
    assert.deepEqual(params.features, [
      [-5, 5],
      [100, 200],
    ]);
    assert.equal(params.eps, 0.001);
    assert.equal(params.seed, 7);
  });

  it('names the key, the line and what is allowed for a wrong value', () => {
    const error = expectCellError('experiment: normalize-features\n\nbatchSize: 1\n', /"batchSize" must be an integer from 2 to 65536; got 1/, 3, 'batchSize');
    assert.match(error.message, /^Line 3, column 12:/);
    expectCellError('experiment: normalize-features\nbatchSize: lots\n', /"batchSize" must be an integer .*; got "lots"/, 2);
    expectCellError('experiment: normalize-features\neps: 0\n', /"eps" must be a number greater than 0 and at most 1; got 0/, 2);
  });

  it('points at the bad item of a list', () => {
    const source = 'experiment: normalize-features\nfeatures:\n  - [-1, 1]\n  - [5, 2]\n';
    expectCellError(source, /"features" must be a list of 1 to 16 ranges \[low, high\] with low < high.*; item 2 is \[5,2\]/, 4, 'features');
  });

  it('suggests the closest key for a misspelled one', () => {
    expectCellError('experiment: normalize-features\nbatchsize: 32\n', /Unknown parameter "batchsize" for normalize-features\. Did you mean "batchSize"\? Parameters: features, batchSize, eps, seed/, 2, 'batchsize');
  });

  it('explains a missing or unknown experiment', () => {
    expectCellError('batchSize: 3\n', /The "experiment" key is missing: name one of normalize-features/, 1);
    expectCellError('experiment: normalise-features\n', /Unknown experiment "normalise-features"\. Did you mean "normalize-features"\?/, 1);
    expectCellError('just some words', /YAML mapping that starts with "experiment: <id>"/);
  });

  it('reports YAML syntax errors with their line', () => {
    expectCellError('experiment: normalize-features\nfeatures: [[1, 2]\n', /not valid YAML/, 2);
    expectCellError('experiment: normalize-features\nseed: 1\nseed: 2\n', /not valid YAML.*[Mm]ap keys must be unique/, 3);
  });
});
