import type { ConfigurationMethod } from '../../blockchain/index.ts';
import type { ProcessingSwitch, ServiceRegistry } from '../../pipeline/index.ts';
import type { Logger } from '../../shared/index.ts';
import { authenticateAdmin, type AdminAuthDeps, type CallerAuthentication } from './admin-auth.ts';
import { configurationTypes, decodeConfigurationRequest, encodeConfigurationReply, ProcessingStatus } from './configuration-protos.ts';

/** One `ConfigurationParameter` of the schema the service describes (camelCase, as protobufjs takes it). */
export interface ConfigurationParameter {
  readonly name: string;
  readonly mandatory: boolean;
  readonly description: string;
  /** `ConfigurationParameter.Type` value. */
  readonly type: number;
  readonly editable: boolean;
  /** 0 = RESTART_REQUIRED, 1 = NO_IMPACT. */
  readonly restartDaemon: number;
  readonly section: string;
  readonly defaultValue: string;
}

/** What the configuration service reads and changes; built by app/ from the one configuration. */
export interface ConfigurationServiceDeps extends AdminAuthDeps {
  readonly logger: Logger;
  readonly processing: ProcessingSwitch;
  /** Proxied calls in flight now (IsDaemonProcessingRequests answers REQUEST_IN_PROGRESS or IDLE). */
  callsInFlight(): number;
  /** The running configuration as dotted key → text, secrets masked. */
  currentConfiguration(): Record<string, string>;
  /** Every key with its description, type, default and whether it is updatable. */
  readonly schema: readonly ConfigurationParameter[];
  /** Validates and applies `updates` (dotted keys → text); throws CONFIG_UPDATE_REFUSED naming every problem, changing nothing. Returns the changed keys. */
  update(updates: Readonly<Record<string, string>>): string[];
}

/** Full method paths of `configuration_service.ConfigurationService`. */
export const configurationServicePaths = {
  getConfiguration: '/configuration_service.ConfigurationService/GetConfiguration',
  updateConfiguration: '/configuration_service.ConfigurationService/UpdateConfiguration',
  stopProcessingRequests: '/configuration_service.ConfigurationService/StopProcessingRequests',
  startProcessingRequests: '/configuration_service.ConfigurationService/StartProcessingRequests',
  isDaemonProcessingRequests: '/configuration_service.ConfigurationService/IsDaemonProcessingRequests',
} as const;

/** The full path of a configuration-service RPC by its name. */
export function configurationMethodPath(method: ConfigurationMethod): string {
  return `/configuration_service.ConfigurationService/${method}`;
}

/**
 * Registers the configuration service (the reference's administration API, with UpdateConfiguration and
 * IsDaemonProcessingRequests implemented where the reference answers "work in progress"). Every RPC is
 * authenticated first (see {@link authenticateAdmin}); every admin action is logged with the admin's address.
 */
export function registerConfigurationService(registry: ServiceRegistry, deps: ConfigurationServiceDeps): void {
  const logger = deps.logger.child({ component: 'configuration-service' });
  const authenticated = async (method: ConfigurationMethod, request: Record<string, unknown>): Promise<string> =>
    authenticateAdmin(deps, method, request['auth'] as CallerAuthentication | undefined);
  const status = (): Uint8Array => {
    const value = !deps.processing.processing
      ? ProcessingStatus.HAS_STOPPED_PROCESSING_REQUESTS
      : deps.callsInFlight() > 0
        ? ProcessingStatus.REQUEST_IN_PROGRESS
        : ProcessingStatus.IDLE;
    return encodeConfigurationReply(configurationTypes.StatusResponse, { currentProcessingStatus: value });
  };
  const configuration = (): Uint8Array =>
    encodeConfigurationReply(configurationTypes.ConfigurationResponse, { currentConfiguration: deps.currentConfiguration(), schema: { details: deps.schema } });
  const emptyRequest = (bytes: Uint8Array): Record<string, unknown> => decodeConfigurationRequest(configurationTypes.EmptyRequest, bytes);

  registry.registerUnary(configurationServicePaths.getConfiguration, async (bytes) => {
    await authenticated('GetConfiguration', emptyRequest(bytes));
    return configuration();
  });
  registry.registerUnary(configurationServicePaths.updateConfiguration, async (bytes) => {
    const request = decodeConfigurationRequest(configurationTypes.UpdateRequest, bytes);
    const admin = await authenticated('UpdateConfiguration', request);
    const updates = (request['updatedConfiguration'] ?? {}) as Record<string, string>;
    const changed = deps.update(updates);
    logger.info({ admin, keys: Object.keys(updates), changed }, 'configuration updated by an administrator');
    return configuration();
  });
  registry.registerUnary(configurationServicePaths.stopProcessingRequests, async (bytes) => {
    const admin = await authenticated('StopProcessingRequests', emptyRequest(bytes));
    deps.processing.stop();
    logger.warn({ admin, callsInFlight: deps.callsInFlight() }, 'request processing stopped by an administrator: new calls are refused until StartProcessingRequests');
    return status();
  });
  registry.registerUnary(configurationServicePaths.startProcessingRequests, async (bytes) => {
    const admin = await authenticated('StartProcessingRequests', emptyRequest(bytes));
    deps.processing.start();
    logger.warn({ admin }, 'request processing started by an administrator');
    // As the reference: REQUEST_IN_PROGRESS means "processing" here, whether or not a call is in flight.
    return encodeConfigurationReply(configurationTypes.StatusResponse, { currentProcessingStatus: ProcessingStatus.REQUEST_IN_PROGRESS });
  });
  registry.registerUnary(configurationServicePaths.isDaemonProcessingRequests, async (bytes) => {
    await authenticated('IsDaemonProcessingRequests', emptyRequest(bytes));
    return status();
  });
}
