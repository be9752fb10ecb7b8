"""Runs an exported PyTorch script (bnlab export) with one thread, as bench/index.ts compares it with the
engine: `python3 torch_script.py <script.py> [script args...]`. Prints one JSON object on stdout: the
script's wall time (torch already imported, as the script's own first line would), the whole process's
and its peak RSS."""
import json
import resource
import runpy
import sys
import time

started = time.time()
import torch  # noqa: E402

torch.set_num_threads(1)
imported = time.time()
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
finished = time.time()
print(json.dumps({
    "runner": "pytorch-script",
    "version": torch.__version__,
    "threads": torch.get_num_threads(),
    "script_s": finished - imported,
    "process_s": finished - started,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
