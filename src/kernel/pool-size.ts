/** How many pool workers the setting batchnormLab.kernel.parallelRuns asks for. */

/**
 * 0 or absent: automatic, one per core but one (left to VS Code and the kernel), at least 1; else that
 * number. 1 means no pool: the runs go one after another in the kernel worker.
 */
export function resolveParallelRuns(setting: number | undefined, cores: number): number {
  if (setting === undefined || !Number.isFinite(setting) || setting <= 0) return Math.max(1, cores - 1);
  return Math.max(1, Math.floor(setting));
}
