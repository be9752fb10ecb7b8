/** The kernel platform in a Node worker thread: vm, util.inspect, node:console, the file system. */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { notebookFiles } from '../notebook-files';
import type { KernelPlatform, StreamName } from './types';

export const nodePlatform: KernelPlatform = {
  evaluate: (code, filename) => new vm.Script(code, { filename }).runInThisContext(),
  describe: (value) => inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 }),
  createConsole(write) {
    const stream = (name: StreamName) =>
      new Writable({
        write: (chunk: Buffer | string, _encoding, callback) => {
          write(name, chunk.toString());
          callback();
        },
      });
    return new Console({ stdout: stream('stdout'), stderr: stream('stderr'), colorMode: false });
  },
  writeStray: (stream, text) => void process[stream].write(text),
  notebookFiles,
};
