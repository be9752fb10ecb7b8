export { featuresOnScales, gaussianBlobs, type FeaturesOnScalesOptions, type BlobsOptions } from './synthetic';
