/**
 * "Run Experiment…": pick an experiment from the catalog, review and edit its parameters (each checked
 * as a cell would be), then get a new notebook with the generated cell, run at once.
 */
import * as vscode from 'vscode';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { catalog } from '../experiments/catalog';
import type { Experiment } from '../experiments/experiment';
import { checkParam, describeAllowed, type ParamSpec } from '../experiments/params';

/** Asks for an experiment and its parameters; undefined when the user cancels. */
export async function pickExperiment(): Promise<{ experiment: Experiment; values: Record<string, unknown> } | undefined> {
  const picked = await vscode.window.showQuickPick(
    [...catalog.values()].filter((experiment) => !experiment.readsFiles).map((experiment) => ({ label: experiment.title, description: experiment.id, detail: experiment.description, experiment })),
    { title: 'BatchNorm Lab: Run Experiment', placeHolder: 'Pick an experiment', matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) return undefined;
  const values = await editParameters(picked.experiment);
  return values ? { experiment: picked.experiment, values } : undefined;
}

interface ParamItem extends vscode.QuickPickItem {
  name?: string;
}

/** A list of the parameters with their values; picking one edits it, picking "Run" returns them all. */
async function editParameters(experiment: Experiment): Promise<Record<string, unknown> | undefined> {
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(experiment.params).map(([name, spec]) => [name, structuredClone(spec.default)]));
  for (;;) {
    const run: ParamItem = { label: '$(play) Run', description: 'with the values below' };
    const items: ParamItem[] = [
      run,
      { label: 'Parameters', kind: vscode.QuickPickItemKind.Separator },
      ...Object.entries(experiment.params).map(([name, spec]) => ({
        label: `${name}: ${formatValue(values[name])}`,
        description: values[name] === spec.default ? 'default' : 'changed',
        detail: spec.description,
        name,
      })),
    ];
    const choice = await vscode.window.showQuickPick(items, { title: `${experiment.title}: parameters`, placeHolder: 'Run, or pick a parameter to change it' });
    if (!choice) return undefined;
    if (choice === run) return values;
    const name = choice.name!;
    const edited = await editValue(name, experiment.params[name]!, values[name]);
    if (edited !== undefined) values[name] = edited;
  }
}

async function editValue(name: string, spec: ParamSpec, current: unknown): Promise<unknown> {
  if (spec.kind === 'boolean' || spec.kind === 'choice') {
    const options = spec.kind === 'boolean' ? ['true', 'false'] : [...spec.choices];
    const choice = await vscode.window.showQuickPick(options, { title: name, placeHolder: spec.description });
    return choice === undefined ? undefined : spec.kind === 'boolean' ? choice === 'true' : choice;
  }
  const text = await vscode.window.showInputBox({
    title: name,
    prompt: `${spec.description} Allowed: ${describeAllowed(spec)}.`,
    value: formatValue(current),
    validateInput: (input) => problemWith(spec, input),
  });
  return text === undefined ? undefined : parseYaml(text);
}

/** The same check a cell's parameter gets, on the text typed (read as YAML, as in a cell). */
function problemWith(spec: ParamSpec, input: string): string | undefined {
  let value: unknown;
  try {
    value = parseYaml(input);
  } catch (error) {
    return `Not a valid value: ${(error as Error).message.split('\n')[0]}`;
  }
  const checked = checkParam(spec, value);
  return 'problem' in checked ? `Must be ${describeAllowed(spec)}; ${checked.problem}` : undefined;
}

function formatValue(value: unknown): string {
  return stringifyYaml(value, { flowCollectionPadding: false, collectionStyle: 'flow' }).trim();
}

/** The `bnlab` cell for an experiment: every parameter written out, so that the cell documents the run. */
export function experimentCellSource(experiment: Experiment, values: Record<string, unknown>): string {
  const lines = [`experiment: ${experiment.id}`];
  for (const [name, value] of Object.entries(values)) lines.push(`${name}: ${formatValue(value)}`);
  return lines.join('\n');
}
