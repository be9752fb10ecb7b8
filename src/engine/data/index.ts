export { featuresOnScales, gaussianBlobs, type FeaturesOnScalesOptions, type BlobsOptions } from './synthetic';
export { twoMoons, spirals, type ShapeSetOptions, type SpiralsOptions } from './shapes';
export * as mnist from './mnist';
export type { MnistDataset, Batch as MnistBatch, SplitOptions, BatchOptions } from './mnist';
