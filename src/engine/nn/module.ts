// Module base class: parameters, buffers and child modules are found through registered names,
// in registration order (the order PyTorch uses, which optimizers and state dicts rely on).
import { Tensor } from '../tensor';

/** A value loadStateDict() accepts for one key: a tensor, flat values, or a number (for counters). */
export type StateValue = Tensor | Float32Array | readonly number[] | number;

/** snake_case → camelCase, so PyTorch state-dict keys (running_mean) load too. */
function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** Base class of layers and losses: parameters, buffers and child modules by name, and a training/eval mode. Like torch.nn.Module. */
export abstract class Module {
  /** True in training mode (the default), false after eval(). Like torch.nn.Module.training. */
  training = true;
  private readonly paramNames: string[] = [];
  private readonly bufferNames: string[] = [];
  private readonly moduleNames: string[] = [];

  /** The module's output for input x (losses take the target as a second argument). Like torch.nn.Module.forward. */
  abstract forward(x: Tensor, ...rest: never[]): Tensor;

  private slot(name: string): unknown {
    return (this as unknown as Record<string, unknown>)[name];
  }

  /** Declares properties (already assigned) holding parameters (Tensor or null). */
  protected registerParameters(...names: string[]): void {
    for (const n of names) if (!this.paramNames.includes(n)) this.paramNames.push(n);
  }

  /** Declares properties holding buffers (Tensor, null or number, e.g. numBatchesTracked). */
  protected registerBuffers(...names: string[]): void {
    for (const n of names) if (!this.bufferNames.includes(n)) this.bufferNames.push(n);
  }

  /** Assigns `module` to the property `name` and registers it as a child (its parameters then belong to this module). */
  protected registerModule(name: string, module: Module): void {
    (this as unknown as Record<string, unknown>)[name] = module;
    if (!this.moduleNames.includes(name)) this.moduleNames.push(name);
  }

  /** [name, module] of the direct children, in registration order. Like torch.nn.Module.named_children. */
  namedChildren(): [string, Module][] {
    return this.moduleNames.map((n) => [n, this.slot(n) as Module]);
  }

  /** The direct child modules, in registration order. Like torch.nn.Module.children. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all descendants, depth first. Like torch.nn.Module.modules. */
  modules(): Module[] {
    const out: Module[] = [this];
    for (const c of this.children()) out.push(...c.modules());
    return out;
  }

  /** [name, tensor] of every parameter, own ones first, children's with dotted names such as '0.weight'. Like torch.nn.Module.named_parameters. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const n of this.paramNames) {
      const t = this.slot(n);
      if (t instanceof Tensor) out.push([prefix + n, t]);
    }
    for (const [n, m] of this.namedChildren()) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every parameter tensor (own, then children's), each once: what an optimizer takes. Like torch.nn.Module.parameters. */
  parameters(): Tensor[] {
    // A tensor shared by two modules is listed once, like PyTorch.
    return [...new Set(this.namedParameters().map(([, t]) => t))];
  }

  /** [name, value] of every buffer (running statistics, counters), with dotted names. Like torch.nn.Module.named_buffers. */
  namedBuffers(prefix = ''): [string, Tensor | number][] {
    const out: [string, Tensor | number][] = [];
    for (const n of this.bufferNames) {
      const t = this.slot(n);
      if (t instanceof Tensor || typeof t === 'number') out.push([prefix + n, t]);
    }
    for (const [n, m] of this.namedChildren()) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Parameters and buffers by dotted camelCase name, e.g. '0.runningMean'; tensors are shared, not copied. Like torch.nn.Module.state_dict. */
  stateDict(): Record<string, Tensor | number> {
    const out: Record<string, Tensor | number> = {};
    for (const [n, t] of this.namedParameters()) out[n] = t;
    for (const [n, t] of this.namedBuffers()) out[n] = t;
    return out;
  }

  /**
   * Copies values into the existing parameters and buffers. Keys may be camelCase or PyTorch's
   * snake_case; with `strict` (default), missing and unexpected keys are errors. Like torch.nn.Module.load_state_dict.
   */
  loadStateDict(state: Record<string, StateValue>, strict = true): void {
    const targets = new Map<string, { owner: Module; name: string }>();
    const collect = (m: Module, prefix: string): void => {
      for (const n of [...m.paramNames, ...m.bufferNames]) targets.set(prefix + n, { owner: m, name: n });
      for (const [n, c] of m.namedChildren()) collect(c, `${prefix}${n}.`);
    };
    collect(this, '');
    const seen = new Set<string>();
    const unexpected: string[] = [];
    for (const [rawKey, value] of Object.entries(state)) {
      const key = rawKey.split('.').map(camel).join('.');
      const target = targets.get(key);
      if (!target) {
        unexpected.push(rawKey);
        continue;
      }
      seen.add(key);
      const current = target.owner.slot(target.name);
      if (typeof current === 'number' || current === undefined) {
        (target.owner as unknown as Record<string, unknown>)[target.name] = typeof value === 'number' ? value : Number((value instanceof Tensor ? value.data : value)[0]);
        continue;
      }
      if (!(current instanceof Tensor)) {
        if (strict) throw new Error(`loadStateDict: ${rawKey} is None in the module`);
        continue;
      }
      const src = typeof value === 'number' ? [value] : value instanceof Tensor ? value.data : value;
      if (src.length !== current.data.length) {
        throw new Error(`size mismatch for ${rawKey}: copying a param with ${src.length} elements, the parameter in the current model has shape ${JSON.stringify(current.shape)}.`);
      }
      current.data.set(src);
    }
    const missing = [...targets.keys()].filter((k) => !seen.has(k) && target(k));
    function target(k: string): boolean {
      const t = targets.get(k)!;
      const v = t.owner.slot(t.name);
      return v instanceof Tensor || typeof v === 'number';
    }
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new Error(`Error(s) in loading state_dict: missing keys ${JSON.stringify(missing)}, unexpected keys ${JSON.stringify(unexpected)}`);
    }
  }

  /** Sets training mode (eval mode with false) on this module and every descendant; returns this. Like torch.nn.Module.train. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets eval mode on this module and every descendant (batch norm then uses its running statistics, dropout passes through); returns this. Like torch.nn.Module.eval. */
  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's .grad to null (PyTorch's set_to_none default). Like torch.nn.Module.zero_grad. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of parameter elements, summed over every parameter (shared ones once). */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.data.length, 0);
  }
}
