// The ops domain's public surface (other domains import only this file).
export * from './logging/index.ts';
export * from './heartbeat/index.ts';
export * from './metrics/index.ts';
export * from './alerts/index.ts';
export * from './metering/index.ts';
