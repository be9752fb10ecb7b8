/** The `console` of TypeScript cells in a Web Worker: util.format's rules, every call one line of text. */
import { formatValue } from './format-value';
import type { StreamName } from './types';

/** Formats console arguments as Node's util.format does: printf directives in a first string, the rest after. */
export function formatArgs(args: unknown[]): string {
  const parts: string[] = [];
  let rest = args;
  if (typeof args[0] === 'string') {
    let i = 1;
    const first = args[0].replace(/%([sdifjoOc%])/g, (directive, code: string) => {
      if (code === '%') return '%';
      if (i >= args.length) return directive;
      const arg = args[i++];
      switch (code) {
        case 's':
          return typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null ? formatValue(arg, { depth: 1 }) : String(arg);
        case 'd':
        case 'i': {
          const n = typeof arg === 'bigint' ? arg : Number(arg);
          return typeof n === 'bigint' ? `${n}n` : String(code === 'i' ? Math.trunc(n) : n);
        }
        case 'f':
          return String(Number.parseFloat(String(arg)));
        case 'j':
          try {
            return JSON.stringify(arg);
          } catch {
            return '[Circular]';
          }
        case 'c':
          return '';
        default:
          return formatValue(arg);
      }
    });
    parts.push(first);
    rest = args.slice(i);
  }
  for (const arg of rest) parts.push(typeof arg === 'string' ? arg : formatValue(arg));
  return parts.join(' ');
}

export function webConsole(write: (stream: StreamName, text: string) => void): Console {
  let indent = '';
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const line = (stream: StreamName) => (...args: unknown[]) => write(stream, formatArgs(args).replace(/^/gm, indent) + '\n');
  const log = line('stdout');
  const error = line('stderr');
  const console = {
    log,
    info: log,
    debug: log,
    dirxml: log,
    error,
    warn: error,
    trace: (...args: unknown[]) => error(`Trace${args.length ? ': ' + formatArgs(args) : ''}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}`),
    dir: (value: unknown) => log(formatValue(value)),
    table: (value: unknown) => log(value),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) error(args.length ? `Assertion failed: ${formatArgs(args)}` : 'Assertion failed');
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      log(`${label}: ${n}`);
    },
    countReset: (label = 'default') => void counts.delete(label),
    time: (label = 'default') => void timers.set(label, performance.now()),
    timeLog: (label = 'default', ...args: unknown[]) => log(`${label}: ${elapsed(timers.get(label))}`, ...args),
    timeEnd: (label = 'default') => {
      log(`${label}: ${elapsed(timers.get(label))}`);
      timers.delete(label);
    },
    group: (...args: unknown[]) => {
      if (args.length) log(...args);
      indent += '  ';
    },
    groupCollapsed: (...args: unknown[]) => console.group(...args),
    groupEnd: () => void (indent = indent.slice(2)),
  };
  return console as unknown as Console;
}

function elapsed(start: number | undefined): string {
  if (start === undefined) return '0ms';
  const ms = performance.now() - start;
  return ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`;
}
