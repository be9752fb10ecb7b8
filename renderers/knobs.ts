/**
 * The control row above a plot with knobs (`payload.knobs`): a slider with an editable value for numbers
 * (log when the knob says so), a select for a choice, a checkbox for a flag, a pair of number inputs per
 * range. A control commits (calls `commit(key, value)`) when a person releases or confirms it, never on
 * every input event; `drive` operates a control exactly as a person would (set it, fire input and change)
 * so that the same path commits. Themed with VS Code's input colours; labelled for screen readers.
 */
import type { BooleanKnob, ChoiceKnob, Knob, KnobValue, NumberKnob, RangesKnob } from '../src/shared/payload';
import { KEYBOARD_SETTLE_MS, formatKnobNumber, parseKnobNumber, parseNumber, sliderScale } from './knob-scale';
import { ensureKnobStyles } from './knob-styles';

export type Commit = (key: string, value: KnobValue) => void;


interface Control {
  readonly knob: Knob;
  readonly element: HTMLElement;
  /** Shows `value` (from a new payload) unless the person is in the middle of changing the control. */
  follow(value: KnobValue): void;
  /** Sets the control to `value` and fires its input and change events, as a person's interaction would. */
  drive(value: KnobValue): void;
  dispose(): void;
}

export class KnobRow {
  readonly element: HTMLElement;
  private controls: Control[] = [];
  private signature = '';

  constructor(
    knobs: Knob[],
    private readonly commit: Commit,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'bnlab-knobs';
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Parameters of this experiment: changing one edits the cell and runs it again');
    this.update(knobs);
  }

  /** Follows a new payload: the same controls with the payload's values, or new controls if the knobs changed. */
  update(knobs: Knob[]): void {
    ensureKnobStyles(this.element);
    const signature = JSON.stringify(knobs.map(({ value: _value, ...shape }) => ({ ...shape, n: Array.isArray(_value) ? _value.length : 0 })));
    if (signature !== this.signature) {
      this.signature = signature;
      for (const control of this.controls) control.dispose();
      this.controls = knobs.map((knob) => createControl(knob, this.commit));
      this.element.replaceChildren(...this.controls.map((c) => c.element));
      return;
    }
    knobs.forEach((knob, i) => this.controls[i]!.follow(knob.value));
  }

  /** Operates the control of `key`; false when this row has no such knob. */
  drive(key: string, value: KnobValue): boolean {
    const control = this.controls.find((c) => c.knob.key === key);
    if (!control) return false;
    control.drive(value);
    return true;
  }

  dispose(): void {
    for (const control of this.controls) control.dispose();
    this.controls = [];
    this.element.remove();
  }
}

let nextId = 0;
const uniqueId = (key: string): string => `bnlab-knob-${++nextId}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function createControl(knob: Knob, commit: Commit): Control {
  switch (knob.kind) {
    case 'integer':
    case 'number':
      return numberControl(knob, commit);
    case 'choice':
      return choiceControl(knob, commit);
    case 'boolean':
      return booleanControl(knob, commit);
    case 'ranges':
      return rangesControl(knob, commit);
  }
}

/** The knob's box: its key as the label (the YAML key the cell will say) and its description as the tooltip. */
function knobBox(knob: Knob, forId: string): HTMLElement {
  const box = document.createElement('div');
  box.className = `bnlab-knob bnlab-knob-${knob.kind}`;
  box.dataset.key = knob.key;
  box.title = knob.description;
  const label = document.createElement('label');
  label.htmlFor = forId;
  label.textContent = knob.key;
  box.append(label);
  return box;
}

function fire(target: HTMLElement, ...types: string[]): void {
  for (const type of types) target.dispatchEvent(new Event(type, { bubbles: true }));
}

function numberControl(knob: NumberKnob, commit: Commit): Control {
  const scale = sliderScale(knob);
  const id = uniqueId(knob.key);
  const box = knobBox(knob, id);
  const slider = document.createElement('input');
  Object.assign(slider, { type: 'range', id, min: '0', max: String(scale.positions), step: '1' });
  slider.setAttribute('aria-description', knob.description);
  const field = document.createElement('input');
  Object.assign(field, { type: 'text', className: 'bnlab-knob-value', spellcheck: false, autocomplete: 'off' });
  field.setAttribute('inputmode', 'decimal');
  field.setAttribute('aria-label', `${knob.key} value`);
  field.setAttribute('aria-description', knob.description);
  box.append(slider, field);

  let committed = knob.value;
  let dragging = false;
  let keyboard = false;
  let settle: ReturnType<typeof setTimeout> | undefined;
  const show = (value: number, moveSlider = true): void => {
    field.value = formatKnobNumber(value);
    if (moveSlider) slider.value = String(scale.toPosition(value));
    slider.setAttribute('aria-valuetext', formatKnobNumber(value));
    field.removeAttribute('aria-invalid');
    box.title = knob.description;
  };
  const send = (value: number): void => {
    dragging = false;
    show(value);
    if (value === committed) return;
    committed = value;
    commit(knob.key, value);
  };
  show(knob.value);

  slider.addEventListener('keydown', () => (keyboard = true));
  slider.addEventListener('pointerdown', () => (keyboard = false));
  slider.addEventListener('input', () => {
    dragging = true;
    show(scale.fromPosition(slider.valueAsNumber), false);
  });
  slider.addEventListener('change', () => {
    const value = scale.fromPosition(slider.valueAsNumber);
    if (settle !== undefined) clearTimeout(settle);
    settle = undefined;
    if (keyboard) settle = setTimeout(() => ((settle = undefined), send(value)), KEYBOARD_SETTLE_MS);
    else send(value);
  });
  field.addEventListener('change', () => {
    const parsed = parseKnobNumber(field.value, knob);
    if (parsed.ok) return send(parsed.value);
    field.setAttribute('aria-invalid', 'true');
    box.title = `${parsed.message}. ${knob.description}`;
  });
  const revert = (): void => show(committed);
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') revert();
  });
  field.addEventListener('blur', () => {
    if (field.getAttribute('aria-invalid') === 'true') revert();
  });

  return {
    knob,
    element: box,
    follow(value) {
      if (typeof value !== 'number') return;
      committed = value;
      // Not while the person drags the slider, types in the field, or steps with the keys.
      if (!dragging && document.activeElement !== field && settle === undefined) show(value);
    },
    drive(value) {
      field.value = typeof value === 'number' ? formatKnobNumber(value) : String(value);
      fire(field, 'input', 'change');
    },
    dispose: () => settle !== undefined && clearTimeout(settle),
  };
}

function choiceControl(knob: ChoiceKnob, commit: Commit): Control {
  const id = uniqueId(knob.key);
  const box = knobBox(knob, id);
  const select = document.createElement('select');
  select.id = id;
  select.setAttribute('aria-description', knob.description);
  for (const choice of knob.choices) select.append(new Option(choice, choice));
  select.value = knob.value;
  let committed = knob.value;
  select.addEventListener('change', () => {
    if (select.value === committed) return;
    committed = select.value;
    commit(knob.key, select.value);
  });
  box.append(select);
  return {
    knob,
    element: box,
    follow(value) {
      if (typeof value !== 'string') return;
      committed = value;
      if (document.activeElement !== select) select.value = value;
    },
    drive(value) {
      select.value = String(value);
      fire(select, 'input', 'change');
    },
    dispose() {},
  };
}

function booleanControl(knob: BooleanKnob, commit: Commit): Control {
  const id = uniqueId(knob.key);
  const box = knobBox(knob, id);
  const checkbox = document.createElement('input');
  Object.assign(checkbox, { type: 'checkbox', id, checked: knob.value });
  checkbox.setAttribute('aria-description', knob.description);
  box.prepend(checkbox);
  checkbox.addEventListener('change', () => commit(knob.key, checkbox.checked));
  return {
    knob,
    element: box,
    follow(value) {
      if (typeof value === 'boolean') checkbox.checked = value;
    },
    drive(value) {
      checkbox.checked = value === true;
      fire(checkbox, 'input', 'change');
    },
    dispose() {},
  };
}

function rangesControl(knob: RangesKnob, commit: Commit): Control {
  const id = uniqueId(knob.key);
  const box = knobBox(knob, id);
  const inputs = knob.value.map((range, r) =>
    range.map((bound, b) => {
      const input = document.createElement('input');
      Object.assign(input, { type: 'text', className: 'bnlab-knob-value bnlab-knob-bound', spellcheck: false, autocomplete: 'off' });
      if (r === 0 && b === 0) input.id = id;
      input.setAttribute('inputmode', 'decimal');
      input.setAttribute('aria-label', `${knob.key}, range ${r + 1}, ${b === 0 ? 'low' : 'high'}`);
      input.value = formatKnobNumber(bound);
      return input;
    }),
  );
  for (const [r, [low, high]] of inputs.entries()) {
    const pair = document.createElement('span');
    pair.className = 'bnlab-knob-range';
    pair.append('[', low!, ',', high!, ']');
    if (r > 0) box.append(' ');
    box.append(pair);
  }
  let committed = JSON.stringify(knob.value);
  const show = (value: [number, number][]): void => {
    value.forEach((range, r) => range.forEach((bound, b) => (inputs[r]![b]!.value = formatKnobNumber(bound))));
    for (const input of inputs.flat()) input.removeAttribute('aria-invalid');
  };
  const read = (): [number, number][] | undefined => {
    let valid = true;
    const value = inputs.map((pair) => {
      const bounds = pair.map((input) => {
        const parsed = parseNumber(input.value);
        input.toggleAttribute('aria-invalid', !parsed.ok);
        if (!parsed.ok) valid = false;
        return parsed.ok ? parsed.value : NaN;
      });
      if (bounds[0]! > bounds[1]!) {
        pair.forEach((input) => input.setAttribute('aria-invalid', 'true'));
        valid = false;
      }
      return bounds as [number, number];
    });
    return valid ? value : undefined;
  };
  for (const input of inputs.flat()) {
    input.addEventListener('change', () => {
      const value = read();
      if (!value) return;
      if (JSON.stringify(value) === committed) return;
      committed = JSON.stringify(value);
      commit(knob.key, value);
    });
  }
  return {
    knob,
    element: box,
    follow(value) {
      if (!Array.isArray(value)) return;
      committed = JSON.stringify(value);
      if (!box.contains(document.activeElement)) show(value);
    },
    drive(value) {
      if (!Array.isArray(value)) return;
      // Like a person typing every bound, then confirming the last one: one change, one commit.
      const flat = inputs.flat();
      const bounds = value.flat();
      flat.forEach((input, i) => {
        if (bounds[i] !== undefined) input.value = formatKnobNumber(bounds[i]!);
        fire(input, 'input');
      });
      fire(flat[flat.length - 1]!, 'change');
    },
    dispose() {},
  };
}
