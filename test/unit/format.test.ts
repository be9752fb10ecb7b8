import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { BnnbFormatError, parseBnnb, stringifyBnnb, type BnnbNotebook } from '../../src/shared/bnnb-format';

const sample: BnnbNotebook = {
  metadata: { title: 'demo', author: { z: 1, a: 2 } },
  cells: [
    { kind: 'markdown', language: 'markdown', source: '# Title\n\nSome *text*.', outputs: [] },
    {
      kind: 'code',
      language: 'bnlab',
      source: 'experiment: normalize-features\nbatchSize: 64\n',
      outputs: [
        {
          items: [
            { mime: 'application/vnd.bnlab.plot+json', data: { version: 1, plot: { kind: 'x', rows: [1, 2] } } },
            { mime: 'text/markdown', data: '| a |\n|---|' },
            { mime: 'image/png', data: 'iVBORw0KGgo=', encoding: 'base64' },
          ],
        },
      ],
      execution: { order: 3, success: true, startTime: 1700000000000, endTime: 1700000000123 },
    },
  ],
};

function expectFormatError(text: string, pattern: RegExp, line?: number): BnnbFormatError {
  let caught: unknown;
  try {
    parseBnnb(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof BnnbFormatError, `expected a BnnbFormatError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (line !== undefined) assert.equal(caught.location?.line, line, caught.message);
  return caught;
}

describe('.bnnb format v1', () => {
  it('round-trips a notebook exactly', () => {
    const text = stringifyBnnb(sample);
    assert.deepEqual(parseBnnb(text), { ...sample, metadata: { title: 'demo', author: { a: 2, z: 1 } }, cells: [{ ...sample.cells[0], outputs: [] }, sample.cells[1]] });
    assert.equal(stringifyBnnb(parseBnnb(text)), text, 'writing what was read gives the same bytes');
  });

  it('writes a stable key order, 2-space indent, source as lines and a trailing newline', () => {
    const text = stringifyBnnb(sample);
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "format": "bnnb",\n  "version": 1,\n  "metadata": {\n    "author": {\n      "a": 2,'), text.slice(0, 120));
    assert.match(text, /"source": \[\n {8}"experiment: normalize-features",\n {8}"batchSize: 64",\n {8}""\n {6}\]/);
    const cellKeys = Object.keys(JSON.parse(text).cells[1]);
    assert.deepEqual(cellKeys, ['kind', 'language', 'source', 'outputs', 'execution']);
  });

  it('opens an empty file as an empty notebook (a new file has nothing to lose)', () => {
    assert.deepEqual(parseBnnb(''), { metadata: {}, cells: [] });
    assert.deepEqual(parseBnnb('  \n'), { metadata: {}, cells: [] });
  });

  it('accepts a source written as one string', () => {
    const nb = parseBnnb('{"format":"bnnb","version":1,"cells":[{"kind":"code","language":"bnlab","source":"a\\nb"}]}');
    assert.equal(nb.cells[0]!.source, 'a\nb');
    assert.deepEqual(nb.cells[0]!.outputs, []);
  });

  it('refuses broken JSON and says where', () => {
    const text = '{\n  "format": "bnnb",\n  "version": 1,\n  "cells": [\n    {"kind": "code",, }\n  ]\n}\n';
    const error = expectFormatError(text, /JSON is broken/, 5);
    assert.ok(error.location!.column > 1);
  });

  it('refuses a truncated file', () => {
    const text = stringifyBnnb(sample);
    expectFormatError(text.slice(0, text.length / 2), /JSON is broken/);
  });

  it('refuses git merge-conflict markers and names the line', () => {
    const text = stringifyBnnb(sample).replace('  "version": 1,', '<<<<<<< HEAD\n  "version": 1,\n=======\n  "version": 1,\n>>>>>>> branch');
    expectFormatError(text, /merge-conflict markers/, 3);
  });

  it('refuses an unknown version and says which it reads', () => {
    const text = stringifyBnnb(sample).replace('"version": 1', '"version": 2');
    expectFormatError(text, /Unsupported \.bnnb version 2: this BatchNorm Lab reads version 1\. It was written by a newer/, 3);
  });

  it('refuses a file that is JSON but not a notebook', () => {
    expectFormatError('{"cells": []}', /"format" must be "bnnb"/);
    expectFormatError('[1, 2, 3]', /must be a JSON object, got an array/);
    expectFormatError('{"format":"bnnb","cells":[]}', /"version" field is missing/);
  });

  it('refuses wrong types with the JSON path and line', () => {
    const wrongKind = stringifyBnnb(sample).replace('"kind": "code"', '"kind": "python"');
    const e1 = expectFormatError(wrongKind, /"kind" must be "markdown" or "code", got "python"/);
    assert.equal(e1.location?.path, 'cells[1].kind');

    const wrongSource = stringifyBnnb(sample).replace(/"source": \[\n\s+"# Title",/, '"source": [\n 42,');
    const e2 = expectFormatError(wrongSource, /each line of "source" must be a string/);
    assert.equal(e2.location?.path, 'cells[0].source[0]');

    const wrongOrder = stringifyBnnb(sample).replace('"order": 3', '"order": "three"');
    const e3 = expectFormatError(wrongOrder, /"order" must be a non-negative integer, got a string/);
    assert.equal(e3.location?.path, 'cells[1].execution.order');
    assert.equal(e3.location?.line, wrongOrder.split('\n').findIndex((l) => l.includes('"three"')) + 1);

    const textAsNumber = stringifyBnnb(sample).replace('"data": "| a |\\n|---|"', '"data": 7');
    expectFormatError(textAsNumber, /"data" of text\/markdown must be a string, got a number/);

    expectFormatError('{"format":"bnnb","version":1,"cells":{}}', /"cells" must be an array, got an object/);
    expectFormatError('{"format":"bnnb","version":1,"cells":[],"cels":[]}', /unknown field "cels"/);
  });

  it('reads every sample notebook in samples/', () => {
    const dir = resolve('samples'); // tests run from the repository root
    const files = readdirSync(dir).filter((f) => f.endsWith('.bnnb'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const nb = parseBnnb(text);
      assert.ok(nb.cells.length > 0, file);
      assert.equal(stringifyBnnb(nb), text, `${file} is written in the canonical form`);
    }
  });
});
