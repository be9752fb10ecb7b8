// The editor's help in experiment cells, over every experiment of the catalog: completions, hovers,
// squiggles with the run's own words at the right place, and quick fixes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { catalog } from '../../../src/experiments/catalog';
import { ExperimentCellError, parseExperimentCell } from '../../../src/experiments/cell';
import { ExperimentCellLanguage, yamlValue } from '../../../src/experiments/cell-language';
import { checkParam } from '../../../src/experiments/params';

const language = new ExperimentCellLanguage(catalog);

/** The error a run gives for this cell. */
function runError(source: string): ExperimentCellError {
  try {
    parseExperimentCell(source, catalog);
  } catch (error) {
    assert.ok(error instanceof ExperimentCellError);
    return error;
  }
  assert.fail('the cell parses');
}

function lineColumn(source: string, offset: number): [number, number] {
  const before = source.slice(0, offset).split('\n');
  return [before.length, before.at(-1)!.length + 1];
}

describe('experiment cells in the editor', () => {
  for (const experiment of catalog.values()) {
    describe(experiment.id, () => {
      const keys = Object.keys(experiment.params);

      it('describes every parameter and the experiment in words', () => {
        assert.ok(experiment.title.trim().length > 0 && experiment.description.trim().length > 20, 'the experiment has a title and a description');
        for (const [key, spec] of Object.entries(experiment.params)) assert.ok(spec.description.trim().length > 10, `${experiment.id}.${key} has a description`);
      });

      it('completes its own parameter keys only, with type, default and description', () => {
        const source = `experiment: ${experiment.id}\n`;
        const items = language.completions(source, source.length);
        assert.deepEqual(items.map((i) => i.label).sort(), [...keys].sort());
        for (const item of items) {
          const spec = experiment.params[item.label]!;
          assert.ok(item.detail.includes(`default ${yamlValue(spec.default)}`), item.detail);
          assert.ok(item.documentation.includes(spec.description));
        }
        // A key already written is not offered again.
        if (keys.length > 1) {
          const more = `${source}${keys[0]}: ${yamlValue(experiment.params[keys[0]!]!.default)}\n`;
          assert.ok(!language.completions(more, more.length).some((i) => i.label === keys[0]));
        }
      });

      it('inserts its missing parameters with their defaults, and the result runs as the defaults', () => {
        const source = `experiment: ${experiment.id}`;
        const fix = language.fixes(source).find((f) => f.title.startsWith('Add the'));
        assert.ok(fix, 'a fix adds the missing parameters');
        const fixed = source.slice(0, fix.edit.start) + fix.edit.text + source.slice(fix.edit.end);
        assert.deepEqual(Object.keys(parse(fixed) as object).slice(1).sort(), [...keys].sort());
        // A default that is a placeholder (pytorch-comparison's empty list of files) is flagged once written.
        const placeholders = keys.filter((key) => 'problem' in checkParam(experiment.params[key]!, experiment.params[key]!.default));
        assert.deepEqual(language.check(fixed).problems.map((p) => p.key), placeholders);
        if (placeholders.length === 0) assert.deepEqual(parseExperimentCell(fixed, catalog).params, parseExperimentCell(source, catalog).params);
      });

      it('hovers a key with its description, default and allowed values', () => {
        const key = keys[0]!;
        const source = `experiment: ${experiment.id}\n${key}: ${yamlValue(experiment.params[key]!.default)}\n`;
        const hover = language.hover(source, source.indexOf(`\n${key}:`) + 2)!;
        assert.ok(hover.markdown.includes(experiment.params[key]!.description));
        assert.match(hover.markdown, /Must be .*Default: /s);
        const idHover = language.hover(source, source.indexOf(experiment.id) + 1)!;
        assert.ok(idHover.markdown.includes(experiment.description));
      });
    });
  }

  it('completes experiment ids with their titles after "experiment:"', () => {
    const source = 'experiment: norm';
    const items = language.completions(source, source.length);
    assert.deepEqual(items.map((i) => i.label), [...catalog.keys()]);
    assert.equal(items.find((i) => i.label === 'normalize-features')!.detail, catalog.get('normalize-features')!.title);
    assert.deepEqual([items[0]!.start, items[0]!.end], [12, 16], 'replaces the word typed so far');
  });

  it('completes enum values and booleans', () => {
    const [id, key, spec] = [...catalog.values()].flatMap((e) => Object.entries(e.params).map(([k, s]) => [e.id, k, s] as const)).find(([, , s]) => s.kind === 'choice')!;
    assert.equal(spec.kind, 'choice');
    const source = `experiment: ${id}\n${key}: `;
    assert.deepEqual(language.completions(source, source.length).map((i) => i.label), [...spec.choices]);
  });

  it('squiggles a misspelled key with the run\'s message, at the key, and fixes it', () => {
    const source = 'experiment: normalize-features\nbatchSzie: 32\n';
    const [problem, ...rest] = language.check(source).problems;
    assert.deepEqual(rest, []);
    const error = runError(source);
    assert.equal(problem!.problem, error.problem);
    assert.match(problem!.problem, /Unknown parameter "batchSzie" for normalize-features\. Did you mean "batchSize"\?/);
    assert.deepEqual(lineColumn(source, problem!.start), [error.line, error.column]);
    assert.equal(source.slice(problem!.start, problem!.end), 'batchSzie');
    const fix = language.fixes(source).find((f) => f.fixes?.problem === problem!.problem)!;
    assert.equal(fix.title, 'Change to "batchSize"');
    const fixed = source.slice(0, fix.edit.start) + fix.edit.text + source.slice(fix.edit.end);
    assert.equal(fixed, 'experiment: normalize-features\nbatchSize: 32\n');
    assert.deepEqual(language.check(fixed).problems, []);
  });

  it('squiggles every wrong value with the run\'s message at the value, the first one as a run reports it', () => {
    const source = 'experiment: normalize-features\nbatchSize: 1\neps: "small"\nfeatures: [[-1, 1], [3, 2]]\nseed: 1.5\n';
    const problems = language.check(source).problems;
    assert.deepEqual(problems.map((p) => source.slice(p.start, p.end)), ['1', '"small"', '[3, 2]', '1.5']);
    assert.match(problems[0]!.problem, /"batchSize" must be an integer from 2 to 65536; got 1/);
    assert.match(problems[1]!.problem, /"eps" must be a number .*; got "small"/);
    assert.match(problems[2]!.problem, /item 2 is \[3,2\]/);
    const error = runError(source);
    assert.equal(error.problem, problems[0]!.problem);
    assert.deepEqual(lineColumn(source, problems[0]!.start), [error.line, error.column]);
  });

  it('squiggles YAML syntax errors and unknown experiments, with a did-you-mean fix', () => {
    const broken = 'experiment: normalize-features\nfeatures: [[-1, 1]\n';
    const [syntax] = language.check(broken).problems;
    assert.match(syntax!.problem, /^This cell is not valid YAML/);
    assert.equal(syntax!.problem, runError(broken).problem);
    const unknown = 'experiment: normalise-features\n';
    const [problem] = language.check(unknown).problems;
    assert.equal(unknown.slice(problem!.start, problem!.end), 'normalise-features');
    assert.equal(language.fixes(unknown)[0]!.edit.text, 'normalize-features');
  });

  it('offers only "experiment" before an experiment is named', () => {
    assert.deepEqual(language.completions('', 0).map((i) => i.label), ['experiment']);
    assert.deepEqual(language.completions('  ', 2), [], 'not inside an indented block');
  });
});
