export { registerConfigurationService, configurationMethodPath, configurationServicePaths, type ConfigurationParameter, type ConfigurationServiceDeps } from './configuration-service.ts';
export { authenticateAdmin, type AdminAuthDeps, type CallerAuthentication } from './admin-auth.ts';
export { configurationTypes, ParameterType, ProcessingStatus } from './configuration-protos.ts';
