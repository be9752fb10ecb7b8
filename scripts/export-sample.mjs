// Re-makes samples/11-take-it-to-pytorch/: exports the sample's experiment cell and runs the script with
// PyTorch (Debian's python3-torch, or BNLAB_PYTHON) in one process and in two under torchrun, with and
// without SyncBatchNorm, so that the sample's comparison cell reads metrics that were really produced.
// Called by `npm run samples` before the samples are re-run.
import { execFileSync } from 'node:child_process';

const python = process.env.BNLAB_PYTHON ?? '/usr/bin/python3';
const dir = 'samples/11-take-it-to-pytorch';
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, OMP_NUM_THREADS: '1' } });

run(process.execPath, ['dist/cli.js', 'export', 'samples/11-take-it-to-pytorch.bnnb', '--cell', '2', '--weights', '--distributed', '-o', `${dir}/ics.py`]);
run(python, [`${dir}/ics.py`, '--device', 'cpu']);
// --redirects/--tee: Debian's PyTorch 1.13 under Python 3.11 misparses torchrun's default "0" (fixed in PyTorch 2).
const torchrun = ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', `${dir}/ics.py`, '--device', 'cpu'];
run(python, [...torchrun, '--sync-bn']);
run(python, torchrun);
