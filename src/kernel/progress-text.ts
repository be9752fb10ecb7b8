/** Words for a run's progress: step of total, the metrics, elapsed time and an estimate of the time left. */
import type { Progress } from '../experiments/experiment';

export class ProgressClock {
  private readonly started = Date.now();

  describe(progress: Progress, now = Date.now()): string {
    const elapsed = (now - this.started) / 1000;
    const fraction = progress.total > 0 ? Math.min(1, progress.step / progress.total) : 0;
    const parts = [`step ${progress.step.toLocaleString('en-US')} / ${progress.total.toLocaleString('en-US')} (${Math.floor(fraction * 100)} %)`];
    if (progress.label) parts.unshift(progress.label);
    for (const [name, value] of Object.entries(progress.metrics ?? {})) parts.push(`${name} ${formatMetric(value)}`);
    parts.push(`${formatDuration(elapsed)} elapsed`);
    // An estimate needs a few steps behind it to mean anything.
    if (fraction > 0.01 && fraction < 1 && elapsed > 0.5) parts.push(`about ${formatDuration((elapsed / fraction) * (1 - fraction))} left`);
    return parts.join(' · ');
  }
}

function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude >= 1e4 || magnitude < 1e-3) ? value.toExponential(2) : value.toPrecision(4);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
