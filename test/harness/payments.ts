// Test harness for paid calls: a real daemon (startDaemon, in-process) configured from a real dev network,
// grpc-js clients for the example service and the escrow services, escrow headers signed with a real key,
// and the owner's on-chain multiChannelClaim.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type protobuf from 'protobufjs';
import { parseSignature } from 'viem';
import { startDaemon, type RunningDaemon } from '../../src/app/index.ts';
import { buildClaimMessage, buildStartClaimForMultipleChannelsMessage, loadContractArtifact, signMessage } from '../../src/blockchain/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createDevClients, DEV_ROLES, type DevNetwork } from '../../src/devnet/index.ts';
import { escrowTypes, providerControlPaths } from '../../src/services/index.ts';

/** A daemon serving paid calls in front of the dev network's example service. */
export interface PaidDaemon {
  readonly daemon: RunningDaemon;
  readonly target: string;
  /** Everything the daemon logged (JSON lines), to assert no secret leaked and to debug. */
  readonly logs: () => string;
  /**
   * Resolves when a log line matching `pattern` has been written (event-driven, no polling); with
   * `{ newOnly: true }` only lines written after this call count (for events that happen more than once).
   */
  waitForLog(pattern: RegExp, options?: { readonly newOnly?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the daemon with the dev network's `daemonConfig` (+ `overrides`), endpoint 127.0.0.1:0, embedded LMDB in a temp dir. */
export async function startPaidDaemon(net: DevNetwork, overrides: Readonly<Record<string, unknown>> = {}): Promise<PaidDaemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'snetd-payments-'));
  const values: Record<string, unknown> = {
    ...net.daemonConfig,
    daemon_endpoint: '127.0.0.1:0',
    payment_channel_storage_type: 'embedded',
    embedded_storage_dir: join(dataDir, 'store'),
    // Logs go to the sink below only (the default also writes snet-daemon.<date>.log into the working directory).
    'log.output.type': 'stdout',
    ...overrides,
  };
  const loaded = loadConfig({ env: {}, flags: Object.entries(values).map(([key, value]) => ({ key, value, flag: `--set ${key}` })) });
  let logText = '';
  const waiters = new Set<() => void>();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      for (const waiter of [...waiters]) waiter();
      callback();
    },
  });
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(loaded, { version: 'test', stdout: sink, stderr: sink });
  } catch (error) {
    // A daemon that does not start (tests of start-up refusals) leaves no temp folder behind.
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    daemon,
    target: `127.0.0.1:${daemon.address.port}`,
    logs: () => logText,
    waitForLog: (pattern, options) =>
      new Promise<void>((resolve) => {
        const from = options?.newOnly === true ? logText.length : 0;
        const check = (): void => {
          if (pattern.test(from === 0 ? logText : logText.slice(from))) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    stop: async () => {
      await daemon.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The five escrow headers for a payment signed by `privateKey` (the signature as a binary header). */
export function escrowMetadata(args: { privateKey: string; mpe: string; channelId: bigint; nonce: bigint; amount: bigint }): grpc.Metadata {
  const signature = signMessage(args.privateKey, buildClaimMessage({ mpeAddress: args.mpe, channelId: args.channelId, nonce: args.nonce, amount: args.amount }));
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-type', 'escrow');
  metadata.set('snet-payment-channel-id', args.channelId.toString());
  metadata.set('snet-payment-channel-nonce', args.nonce.toString());
  metadata.set('snet-payment-channel-amount', args.amount.toString());
  metadata.set('snet-payment-channel-signature-bin', Buffer.from(signature));
  return metadata;
}

type CalculatorMethod = 'add' | 'sub' | 'mul' | 'div';

/** A grpc-js client of example_service.Calculator; `call` resolves with the value or the status. */
export function createCalculatorClient(target: string, protoFile: string): {
  call(method: CalculatorMethod, a: number, b: number, metadata: grpc.Metadata): Promise<{ value?: number; error?: grpc.ServiceError }>;
  close(): void;
} {
  const definition = protoLoader.loadSync(protoFile);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
  const client = new pkg.example_service.Calculator(target, grpc.credentials.createInsecure());
  return {
    call: (method, a, b, metadata) =>
      new Promise((resolve) => {
        const fn = (client as unknown as Record<string, (req: unknown, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: { value: number }) => void) => void>)[method];
        fn?.call(client, { a, b }, metadata, (error, response) => {
          resolve(error === null ? { value: response?.value ?? 0 } : { error });
        });
      }),
    close: () => client.close(),
  };
}

/** One unary call to a daemon escrow service with protobufjs types; resolves the decoded reply or the error. */
export function callEscrowService(
  client: grpc.Client,
  path: string,
  requestType: protobuf.Type,
  replyType: protobuf.Type,
  request: Record<string, unknown>,
): Promise<{ reply?: Record<string, unknown>; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (value: Record<string, unknown>) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
      (bytes: Buffer) => replyType.toObject(replyType.decode(bytes), { longs: String, arrays: true }) as Record<string, unknown>,
      request,
      new grpc.Metadata(),
      {},
      (error, reply) => resolve(error === null ? (reply === undefined ? {} : { reply }) : { error }),
    );
  });
}

export { escrowTypes };

/** The owner (payment_address) claims channels on chain in one `multiChannelClaim` (actual = planned = signed amount). */
export async function multiChannelClaim(net: DevNetwork, claims: readonly { channelId: bigint; amount: bigint; signature: Uint8Array }[]): Promise<void> {
  const clients = createDevClients(net.rpcUrl, net.chainId);
  const abi = loadContractArtifact('MultiPartyEscrow').abi;
  const parts = claims.map((c) => {
    const { r, s, v, yParity } = parseSignature(`0x${Buffer.from(c.signature).toString('hex')}`);
    return { r, s, v: v === undefined ? 27 + yParity : Number(v) < 27 ? Number(v) + 27 : Number(v) };
  });
  const hash = await clients.wallet(DEV_ROLES.owner).writeContract({
    address: net.contracts.mpe,
    abi,
    functionName: 'multiChannelClaim',
    args: [
      claims.map((c) => c.channelId),
      claims.map((c) => c.amount),
      claims.map((c) => c.amount),
      claims.map(() => false),
      parts.map((p) => p.v),
      parts.map((p) => p.r),
      parts.map((p) => p.s),
    ],
  });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`multiChannelClaim reverted (tx ${hash})`);
}

/** The chain's current block (fresh, for signed daemon-service requests). */
export function currentBlock(net: DevNetwork): Promise<bigint> {
  return createDevClients(net.rpcUrl, net.chainId).publicClient.getBlockNumber({ cacheTime: 0 });
}

/**
 * The owner (payment_address) starts claims through `ProviderControlService.StartClaimForMultipleChannels` of the
 * daemon at `target`, signed at the current block; resolves the claimed payments (protobufjs objects) or the error.
 */
export async function startClaimsAsOwner(net: DevNetwork, target: string, channelIds: readonly bigint[]): Promise<{ payments?: Array<Record<string, unknown>>; error?: grpc.ServiceError }> {
  const control = new grpc.Client(target, grpc.credentials.createInsecure());
  try {
    const block = await currentBlock(net);
    const started = await callEscrowService(control, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      channelIds: channelIds.map(String),
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds, currentBlock: block })),
    });
    return started.error === undefined ? { payments: started.reply?.['payments'] as Array<Record<string, unknown>> } : { error: started.error };
  } finally {
    control.close();
  }
}
