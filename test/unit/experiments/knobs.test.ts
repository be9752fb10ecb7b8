import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog } from '../../../src/experiments/catalog';
import { parseExperimentCell } from '../../../src/experiments/cell';
import { KnobError, knobsFor, setCellParam, yamlValue } from '../../../src/experiments/knobs';

const sample01 = [
  'experiment: normalize-features',
  '# One [low, high] range per feature: each is drawn uniformly from its range.',
  'features:',
  '  - [-1000, 1000]   # large',
  '  - [-1, 1]         # unit scale',
  '  - [-0.001, 0.001] # tiny',
  '  - [9999, 10001]   # offset 1e4',
  'batchSize: 256',
  'eps: 1.0e-5',
  'seed: 0',
].join('\n');

const normalize = catalog.get('normalize-features')!;

test('a knob edit changes only the value: comments, order and the other values stay, and the cell parses to the new params', () => {
  const edited = setCellParam(sample01, normalize, 'eps', 0.001);
  assert.equal(edited, sample01.replace('eps: 1.0e-5', 'eps: 0.001'));
  const before = parseExperimentCell(sample01, catalog).params;
  const after = parseExperimentCell(edited, catalog).params;
  assert.deepEqual(after, { ...before, eps: 0.001 });
});

test('numbers are written so that YAML reads back the same number, rounded as the knob shows it', () => {
  for (const value of [1e-5, 3.16e-7, 0.1, 0.5, 1, 2.5e-3, 123456789]) {
    const edited = setCellParam(sample01, normalize, 'eps', Math.min(value, 1));
    assert.equal(parseExperimentCell(edited, catalog).params.eps, Number(Math.min(value, 1).toPrecision(3)), yamlValue(value));
  }
  const slider = setCellParam(sample01, normalize, 'eps', 0.000123456789);
  assert.match(slider, /^eps: 1\.23e-4$/m);
  assert.equal(parseExperimentCell(slider, catalog).params.eps, 1.23e-4);
  const integer = setCellParam(sample01, normalize, 'batchSize', 511.6);
  assert.equal(parseExperimentCell(integer, catalog).params.batchSize, 512);
});

test('ranges are edited item by item, keeping each item\'s comment; a different count rewrites the list', () => {
  const ranges: [number, number][] = [[-10, 10], [-1, 1], [-0.5, 0.5], [99, 101]];
  const edited = setCellParam(sample01, normalize, 'features', ranges);
  assert.match(edited, /- \[-10, 10\] {3}# large/);
  assert.match(edited, /- \[99, 101\] {3}# offset 1e4/);
  assert.deepEqual(parseExperimentCell(edited, catalog).params.features, ranges);
  const fewer = setCellParam(sample01, normalize, 'features', [[0, 1]]);
  assert.deepEqual(parseExperimentCell(fewer, catalog).params.features, [[0, 1]]);
  assert.match(fewer, /^batchSize: 256$/m);
});

test('a key the cell leaves at its default is added at the end', () => {
  const cell = 'experiment: normalize-features\nbatchSize: 64\n';
  const edited = setCellParam(cell, normalize, 'eps', 0.01);
  assert.equal(edited, 'experiment: normalize-features\nbatchSize: 64\neps: 0.01\n');
});

test('values the catalog refuses, unknown keys and broken cells are refused with a clear message, and nothing is written', () => {
  assert.throws(() => setCellParam(sample01, normalize, 'eps', 0), (e: Error) => e instanceof KnobError && /"eps" must be a number greater than 0/.test(e.message));
  assert.throws(() => setCellParam(sample01, normalize, 'lr', 0.1), /normalize-features has no parameter "lr"/);
  assert.throws(() => setCellParam('experiment: normalize-features\nfeatures: [[1, 2]\n', normalize, 'eps', 0.1), /not a valid experiment cell/);
});

test('knobs follow the catalog: log sliders for values spanning decades, a capped slider for seeds, the run\'s values', () => {
  const withKnobs = { ...normalize, knobs: ['eps', 'batchSize', 'features', 'seed', 'nonsense'] };
  const knobs = knobsFor(withKnobs, parseExperimentCell(sample01, catalog).params);
  assert.deepEqual(knobs.map((k) => k.key), ['eps', 'batchSize', 'features', 'seed']);
  const [eps, batchSize, features, seed] = knobs;
  assert.ok(eps?.kind === 'number' && eps.scale === 'log' && eps.min > 0 && eps.min < 1e-5 && eps.max === 1 && eps.value === 1e-5);
  assert.ok(batchSize?.kind === 'integer' && batchSize.scale === 'log' && batchSize.min === 2 && batchSize.max === 65536 && batchSize.value === 256);
  assert.ok(features?.kind === 'ranges' && features.value.length === 4);
  assert.ok(seed?.kind === 'integer' && seed.scale === 'linear' && seed.min === 0 && seed.max === 1000);
  assert.ok(knobs.every((k) => k.description.length > 0));
});

test('every knob an experiment names is one of its parameters', () => {
  for (const experiment of catalog.values()) {
    for (const key of experiment.knobs ?? []) assert.ok(key in experiment.params, `${experiment.id}: knob "${key}" is a parameter`);
  }
});
