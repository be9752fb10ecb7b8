export { moments, featureMoments, channelMoments, channelValues, featureValues, type Moments, type Values } from './moments';
export { histogram, sharedBins, linspaceEdges, type Histogram, type SharedBinsOptions } from './histogram';
export { percentiles, quantiles } from './percentiles';
