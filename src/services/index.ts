export {
  createUpstreamHealthProbe,
  encodeHealthCheckResponse,
  healthCheckPath,
  healthWatchPath,
  registerHealthService,
  type HealthProbe,
  type HealthServiceOptions,
  type HealthStatus,
} from './health/index.ts';
export {
  createGetChannelState,
  createProviderControlService,
  escrowTypes,
  getChannelStatePath,
  providerControlPaths,
  registerChannelStateService,
  registerDisabledEscrowServices,
  registerProviderControlService,
  type EscrowServicesDeps,
  type EscrowServicesOptions,
  type ProviderControlService,
} from './escrow/index.ts';
