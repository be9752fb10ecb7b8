export { featuresOnScales, gaussianBlobs, type FeaturesOnScalesOptions, type BlobsOptions } from './synthetic';
export * as mnist from './mnist';
export type { MnistDataset, Batch as MnistBatch, SplitOptions, BatchOptions } from './mnist';
