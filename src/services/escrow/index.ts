export { escrowTypes } from './escrow-protos.ts';
export type { EscrowServicesDeps, EscrowServicesOptions } from './escrow-service-deps.ts';
export { createGetChannelState, getChannelStatePath, registerChannelStateService } from './state-service.ts';
export { createProviderControlService, providerControlPaths, registerProviderControlService, type ProviderControlService } from './control-service.ts';
export { registerDisabledEscrowServices } from './disabled-services.ts';
export { createGetToken, getTokenPath, registerTokenService, type TokenServiceDeps } from './token-service.ts';
