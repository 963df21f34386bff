// A grpc-js client of configuration_service.ConfigurationService that signs each request as `snetd admin` does (M11).
import * as grpc from '@grpc/grpc-js';
import { buildConfigurationMessage, signMessage, type ConfigurationMethod } from '../../src/blockchain/index.ts';
import { configurationMethodPath, configurationTypes } from '../../src/services/index.ts';

/** What one RPC answered: the decoded reply or the error. */
export interface AdminAnswer {
  readonly reply?: Record<string, unknown>;
  readonly error?: grpc.ServiceError;
}

/** Calls `method`; `auth` undefined sends no auth field; `signature` overrides the signed one (bad-signature tests). */
export function callAdmin(
  client: grpc.Client,
  method: ConfigurationMethod,
  options: { key?: string; block?: bigint; signature?: Uint8Array; noAuth?: boolean; updates?: Record<string, string> },
): Promise<AdminAnswer> {
  const block = options.block ?? 0n;
  const sign = (): Uint8Array => options.signature ?? signMessage(options.key ?? '', buildConfigurationMessage({ method, currentBlock: block }));
  const request: Record<string, unknown> = options.noAuth === true ? {} : { auth: { signature: sign(), currentBlock: block.toString() } };
  if (options.updates !== undefined) request['updatedConfiguration'] = options.updates;
  const requestType = method === 'UpdateConfiguration' ? configurationTypes.UpdateRequest : configurationTypes.EmptyRequest;
  const replyType = method === 'GetConfiguration' || method === 'UpdateConfiguration' ? configurationTypes.ConfigurationResponse : configurationTypes.StatusResponse;
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      configurationMethodPath(method),
      (value: Record<string, unknown>) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
      (bytes: Buffer) => replyType.toObject(replyType.decode(bytes), { longs: String, enums: String, defaults: true, arrays: true, objects: true }) as Record<string, unknown>,
      request,
      new grpc.Metadata(),
      {},
      (error, reply) => resolve(error === null ? { reply: reply ?? {} } : { error }),
    );
  });
}
