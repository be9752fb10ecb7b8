// The web kernel's value formatter prints what cells usually return exactly as Node's util.inspect does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { formatValue } from '../../../src/kernel/platform/format-value';
import { formatArgs } from '../../../src/kernel/platform/web-console';
import { format } from 'node:util';

class Box {
  constructor(public v: number) {}
}
class Empty {}
function named() {}

const SAME_AS_INSPECT: [string, unknown][] = [
  ['numbers', [1, -0, 1.5, NaN, -Infinity]],
  ['a string', 'abc'],
  ["a string with a quote", "it's"],
  ['escapes', 'a\nb\tc\\'],
  ['bigint', 10n],
  ['symbol', Symbol('s')],
  ['null and undefined', [null, undefined]],
  ['booleans', { yes: true, no: false }],
  ['an empty object and array', [{}, []]],
  ['a plain object', { a: 1, b: 'x', 'not-an-id': 2 }],
  ['nesting', { a: { b: { c: [1, 2, { d: 3 }] } } }],
  ['a class instance', new Box(3)],
  ['an empty instance', new Empty()],
  ['a typed array', new Float32Array([1, 2.5, 3])],
  ['an empty typed array', new Int32Array(0)],
  ['a Map', new Map<unknown, unknown>([['a', 1], [2, { b: 3 }]])],
  ['a Set', new Set([1, 'two'])],
  ['a function', named],
  ['an anonymous arrow', [() => 1]],
  ['an async function', async function load() {}],
  ['a class', Box],
  ['a date', new Date(0)],
  ['a regexp', /a+b/gi],
  ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
  ['a long array, cut at 50', Array.from({ length: 60 }, (_, i) => `item-number-${i}`).slice(0, 3)],
  // eslint-disable-next-line no-sparse-arrays -- a hole is what this case is about
  ['a sparse array', [1, , 3]],
];

describe('formatValue (util.inspect for the web kernel)', () => {
  for (const [what, value] of SAME_AS_INSPECT) {
    it(`prints ${what} as util.inspect does`, () => {
      assert.equal(formatValue(value), inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 }));
    });
  }

  for (const [what, value] of [
    ['a long array in columns, cut at 50', Array.from({ length: 53 }, (_, i) => i * 7)],
    ['a typed array in columns', Float32Array.from({ length: 20 }, (_, i) => i / 4)],
    ['strings in columns', Array.from({ length: 12 }, (_, i) => `s${i}`)],
    ['rows of objects', Array.from({ length: 8 }, (_, i) => ({ step: i, loss: 1 / (i + 1) }))],
    ['a nested array of arrays', [[1, 2, [3, 4, [5, [6]]]], 'x']],
  ] as [string, unknown][]) {
    it(`prints ${what} as util.inspect does`, () => {
      assert.equal(formatValue(value), inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 }));
    });
  }

  it('breaks an object over lines when it does not fit in 100 columns', () => {
    const value = { first: 'a'.repeat(40), second: 'b'.repeat(40), third: { c: 'c'.repeat(30) } };
    assert.equal(formatValue(value), inspect(value, { depth: 4, breakLength: 100 }));
  });

  it('marks circular references', () => {
    const a: { self?: unknown; n: number } = { n: 1 };
    a.self = a;
    assert.equal(formatValue(a), inspect(a));
  });

  it('stops at depth 4', () => {
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: 1 } } } } } };
    assert.equal(formatValue(deep), inspect(deep, { depth: 4, breakLength: 100 }));
  });

  it('prints an error as its stack', () => {
    const error = new TypeError('bad');
    assert.equal(formatValue(error), error.stack);
  });
});

describe('formatArgs (console.log for the web kernel)', () => {
  const cases: unknown[][] = [
    ['n is', 20, { a: [1, 2] }],
    ['%s has %d items (%i%%)', 'list', 3.5, 42.9],
    ['%o and %j', { a: 1 }, { b: 2 }],
    ['no args for %s'],
    [1, 'two', null],
  ];
  for (const args of cases) {
    it(`formats ${JSON.stringify(args)} as util.format does`, () => {
      assert.equal(formatArgs(args), format(...args));
    });
  }
});
