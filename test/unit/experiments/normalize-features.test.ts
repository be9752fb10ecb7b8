import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExperimentCellError } from '../../../src/experiments/cell';
import { quietContext } from '../../../src/experiments/experiment';
import { runExperimentCell } from '../../../src/kernel/experiment-cell';
import { PLOT_MIME, type DistributionComparisonPlot, type PlotPayload } from '../../../src/shared/payload';

async function runExperiment(source: string): Promise<{ plot: DistributionComparisonPlot; markdown: string }> {
  const outputs = await runExperimentCell(source, quietContext());
  assert.equal(outputs.length, 2, 'the plot (with its text fallback), then the summary on its own');
  const [plotItem, markdownItem] = outputs[0]!.items;
  assert.deepEqual(outputs[1]!.items, [{ mime: 'text/markdown', data: markdownItem!.data }]);
  assert.equal(plotItem!.mime, PLOT_MIME);
  assert.equal(markdownItem!.mime, 'text/markdown');
  return { plot: (plotItem!.data as PlotPayload).plot as DistributionComparisonPlot, markdown: markdownItem!.data as string };
}

describe('experiment normalize-features', () => {
  it('standardizes every feature of the default batch, whatever its scale', async () => {
    const { plot, markdown } = await runExperiment('experiment: normalize-features\neps: 1.0e-12');
    assert.equal(plot.kind, 'distribution-comparison');
    assert.deepEqual(plot.stages, ['before BatchNorm', 'after BatchNorm']);
    assert.equal(plot.rows.length, 4);
    const expectedStd = [1000 / Math.sqrt(3), 1 / Math.sqrt(3), 0.001 / Math.sqrt(3), 1 / Math.sqrt(3)];
    plot.rows.forEach((row, j) => {
      const [before, after] = row.distributions;
      assert.equal(before!.moments.count, 256);
      // A uniform [low, high] has std (high - low) / √12; 256 draws land within 10 %.
      assert.ok(Math.abs(before!.moments.std / expectedStd[j]! - 1) < 0.1, `${row.label}: std before ${before!.moments.std}`);
      assert.ok(Math.abs(after!.moments.mean) < 1e-5, `${row.label}: mean after ${after!.moments.mean}`);
      assert.ok(Math.abs(after!.moments.std - 1) < 1e-3, `${row.label}: std after ${after!.moments.std}`);
      for (const { histogram } of row.distributions) {
        assert.equal(histogram.edges.length, histogram.counts.length + 1);
        assert.equal(histogram.counts.reduce((a, b) => a + b, 0), 256, 'every value is in a bin');
      }
    });
    assert.deepEqual(plot.rows[0]!.distributions[1]!.histogram.edges, plot.rows[3]!.distributions[1]!.histogram.edges, 'after: shared bins');
    assert.match(markdown, /\| feature 4: \[9999, 10001\] \| 1\.000e\+4 \|/);
    assert.match(markdown, /Every feature comes out with mean ≈ 0 and standard deviation ≈ 1/);
  });

  it('keeps the 1e4 offset feature exact in float32 (stable variance)', async () => {
    const { plot } = await runExperiment('experiment: normalize-features\nfeatures: [[10000, 10000.01], [-1, 1]]');
    const after = plot.rows[0]!.distributions[1]!.moments;
    assert.ok(Math.abs(after.mean) < 1e-3);
    // Variance 8e-6 is comparable to eps = 1e-5, so std after is √(var / (var + eps)) ≈ 0.67, not 0 or NaN.
    assert.ok(after.std > 0.5 && after.std < 0.8, `std after ${after.std}`);
  });

  it('says when eps dominates a tiny feature, with its numbers', async () => {
    const { plot, markdown } = await runExperiment('experiment: normalize-features');
    const tiny = plot.rows[2]!.distributions;
    const variance = tiny[0]!.moments.std ** 2;
    assert.ok(Math.abs(tiny[1]!.moments.std - Math.sqrt(variance / (variance + 1e-5))) < 1e-3);
    assert.match(markdown, /feature 3: \[-1e-3, 1e-3\] has variance 3\.\d+e-7, not large against eps = 1e-5, so its standard deviation after is 0\.1\d+/);
  });

  it('gives the same numbers for the same seed and different ones for another', async () => {
    const a = await runExperiment('experiment: normalize-features\nseed: 3');
    const b = await runExperiment('experiment: normalize-features\nseed: 3');
    const c = await runExperiment('experiment: normalize-features\nseed: 4');
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.plot.rows[0]!.distributions[0]!.moments, c.plot.rows[0]!.distributions[0]!.moments);
  });
});

describe('experiment cells: errors', () => {
  it('a wrong parameter throws an ExperimentCellError naming key, line and what is allowed', async () => {
    await assert.rejects(runExperimentCell('experiment: normalize-features\nbatchSize: 0', quietContext()), (error: Error) => {
      assert.ok(error instanceof ExperimentCellError);
      assert.equal(error.message, 'Line 2, column 12: "batchSize" must be an integer from 2 to 65536; got 0');
      return true;
    });
  });
});
