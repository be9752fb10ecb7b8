// Tests import the engine only through its public API.
export * from '../../../src/engine/index';
