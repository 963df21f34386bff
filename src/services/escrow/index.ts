export { escrowTypes } from './escrow-protos.ts';
export type { EscrowServicesDeps, EscrowServicesOptions } from './escrow-service-deps.ts';
export { createGetChannelState, getChannelStatePath, registerChannelStateService } from './state-service.ts';
export { createProviderControlService, providerControlPaths, registerProviderControlService, type ProviderControlService } from './control-service.ts';
export { registerDisabledEscrowServices } from './disabled-services.ts';
export { createGetToken, getTokenPath, registerTokenService, type TokenServiceDeps } from './token-service.ts';
export { freeCallStatePaths, freeCallTypes, isPreV6FreeCallStateRequest } from './free-call-protos.ts';
export {
  createFreeCallStateService,
  MAX_FREE_CALL_TOKEN_LIFETIME_BLOCKS,
  registerDisabledFreeCallStateService,
  registerFreeCallStateService,
  type FreeCallStateService,
  type FreeCallStateServiceDeps,
  type FreeCallStateServiceOptions,
} from './free-call-state-service.ts';
