// `snetd dev call <method> <a> <b>`: a paid call to the example service through the daemon, made the
// way snet-cli makes one (`snet/cli/commands/mpe_client.py`): ask the daemon for the channel state, sign
// current_signed_amount + price for the current nonce, call with the payment headers.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { buildChannelStateMessage, buildClaimMessage, signMessage } from '../blockchain/index.ts';
import { SnetError } from '../errors/index.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { callFailedError } from './dev-call-failure.ts';
import { prepaidPaymentMetadata } from './dev-call-prepaid.ts';
import { encodeCallArguments } from './dev-call-arguments.ts';
import { freeCallMetadata, type DevFreeCallIds } from './dev-free-call.ts';

/** What `snetd dev` leaves in its data dir for `snetd dev call`. */
export interface DevState {
  readonly daemonAddress: string;
  readonly paid: boolean;
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly mpeAddress: string;
  readonly channelId: string;
  readonly priceCogs: string;
  readonly clientPrivateKey: string;
  readonly protoFile: string;
  /** For `--payment free` (signed ids of the daemon's service and group). */
  readonly freeCall?: DevFreeCallIds;
}

const stateTypes = protobuf.Root.fromJSON({
  nested: {
    ChannelStateRequest: { fields: { channel_id: { type: 'bytes', id: 1 }, signature: { type: 'bytes', id: 2 }, current_block: { type: 'uint64', id: 3 } } },
    ChannelStateReply: { fields: { current_nonce: { type: 'bytes', id: 1 }, current_signed_amount: { type: 'bytes', id: 2 } } },
  },
});

function bytesToBigint(bytes: Uint8Array | undefined): bigint {
  return bytes === undefined || bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bigintToBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function unary(client: grpc.Client, path: string, request: Buffer, metadata: grpc.Metadata): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    client.makeUnaryRequest(path, (value: Buffer) => value, (value: Buffer) => value, request, metadata, (error, response) => {
      if (error !== null || response === undefined) reject(error ?? new Error('empty response'));
      else resolvePromise(response);
    });
  });
}

async function currentBlock(rpcUrl: string): Promise<bigint> {
  const response = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) });
  const body = (await response.json()) as { result?: string };
  if (body.result === undefined) throw new SnetError('INTERNAL', `the dev chain at ${rpcUrl} did not return a block number`);
  return BigInt(body.result);
}

/** The channel's nonce and signed amount as the daemon reports them (GetChannelState). */
async function readChannelState(client: grpc.Client, state: DevState): Promise<{ nonce: bigint; signedAmount: bigint }> {
  const channelId = BigInt(state.channelId);
  const block = await currentBlock(state.rpcUrl);
  const requestType = stateTypes.lookupType('ChannelStateRequest');
  const replyType = stateTypes.lookupType('ChannelStateReply');
  const stateSignature = signMessage(state.clientPrivateKey, buildChannelStateMessage({ mpeAddress: state.mpeAddress, channelId, currentBlock: block }));
  const request = Buffer.from(requestType.encode(requestType.create({ channel_id: bigintToBytes(channelId), signature: stateSignature, current_block: Number(block) })).finish());
  const reply = replyType.decode(await unary(client, '/escrow.PaymentChannelStateService/GetChannelState', request, new grpc.Metadata())) as unknown as {
    current_nonce?: Uint8Array;
    current_signed_amount?: Uint8Array;
  };
  return { nonce: bytesToBigint(reply.current_nonce), signedAmount: bytesToBigint(reply.current_signed_amount) };
}

/** The escrow payment headers for one call at the channel's current state. */
async function paymentMetadata(client: grpc.Client, state: DevState): Promise<grpc.Metadata> {
  const channelId = BigInt(state.channelId);
  const { nonce, signedAmount } = await readChannelState(client, state);
  const amount = signedAmount + BigInt(state.priceCogs);
  const signature = signMessage(state.clientPrivateKey, buildClaimMessage({ mpeAddress: state.mpeAddress, channelId, nonce, amount }));
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-type', 'escrow');
  metadata.set('snet-payment-channel-id', channelId.toString());
  metadata.set('snet-payment-channel-nonce', nonce.toString());
  metadata.set('snet-payment-channel-amount', amount.toString());
  metadata.set('snet-payment-channel-signature-bin', Buffer.from(signature));
  return metadata;
}

/** The headers of a v6 free call by the dev client (`--payment free`). */
async function devFreeCallMetadata(client: grpc.Client, state: DevState): Promise<grpc.Metadata> {
  if (state.freeCall === undefined) throw new SnetError('CONFIG_FILE_UNREADABLE', 'this dev network predates free calls', { hint: 'Restart `snetd dev`.' });
  return freeCallMetadata((path, request) => unary(client, path, request, new grpc.Metadata()), state.freeCall, state.clientPrivateKey, await currentBlock(state.rpcUrl));
}

function cogs(amount: bigint | string): string {
  return `${amount} cog${String(amount) === '1' ? '' : 's'}`;
}

/** What the call cost, apart from what the channel has signed in total (which rises with every call). */
function paymentSummary(state: DevState, metadata: grpc.Metadata): string {
  if (!state.paid) return 'free: the dev daemon runs without payments';
  const price = BigInt(state.priceCogs);
  const signed = metadata.get('snet-payment-channel-amount')[0]?.toString() ?? '?';
  return `price ${cogs(price)}; channel ${state.channelId} signed amount now ${cogs(signed)}`;
}

// What a failed call cost when the daemon's answer cannot be checked cheaply: its rule (a payment is committed
// only when the service answers OK, otherwise released: prepaid use given back, free call not counted).
const PREPAID_RELEASED = 'not charged: the daemon gives back the prepaid use of a failed call';
const FREE_CALL_RELEASED = 'not counted: a failed free call does not use one up';

/** Whether a failed escrow call was charged, from the channel's signed amount before and after it. */
async function escrowCharge(client: grpc.Client, state: DevState, metadata: grpc.Metadata): Promise<string> {
  if (!state.paid) return 'nothing charged: the dev network is free';
  const signed = metadata.get('snet-payment-channel-amount')[0];
  const before = BigInt(String(signed)) - BigInt(state.priceCogs);
  try {
    const after = (await readChannelState(client, state)).signedAmount;
    return after === before ? `not charged: channel ${state.channelId} signed amount stays ${cogs(before)}` : `charged: channel ${state.channelId} signed amount now ${cogs(after)}`;
  } catch {
    return `the channel state could not be read to say whether it was charged (it was ${cogs(before)} before the call)`;
  }
}

/** Registers `dev call` under `snetd dev`. */
export function registerDevCallCommand(dev: Command, io: CliIo): void {
  dev
    .command('call')
    .description('make a (paid) call to the example service through the running `snetd dev` daemon')
    .argument('<method>', 'add, sub, mul or div')
    .argument('<a>', 'first number')
    .argument('<b>', 'second number')
    .option('--payment <type>', 'escrow (sign each call), prepaid (a concurrency token from TokenService/GetToken) or free (a v6 free call: GetFreeCallToken, then the call)', 'escrow')
    .action(async (method: string, a: string, b: string, _options: unknown, command: Command) => {
      // --data-dir belongs to `snetd dev`; `snetd dev call … --data-dir X` sets it there.
      const options = command.optsWithGlobals<{ dataDir: string; payment: string }>();
      if (!['escrow', 'prepaid', 'free'].includes(options.payment)) throw new SnetError('REQUEST_MALFORMED', `unknown payment type "${options.payment}"`, { hint: 'Use --payment escrow, prepaid or free.' });
      if (!['add', 'sub', 'mul', 'div'].includes(method)) throw new SnetError('REQUEST_MALFORMED', `unknown method "${method}"`, { hint: 'Use add, sub, mul or div.' });
      const statePath = join(resolve(options.dataDir), 'dev-state.json');
      let state: DevState;
      try {
        state = JSON.parse(await readFile(statePath, 'utf8')) as DevState;
      } catch (error) {
        throw new SnetError('CONFIG_FILE_UNREADABLE', `no running dev network found (${statePath} is missing)`, { cause: error, hint: 'Start one with `npx snetd dev` in another terminal, in this folder.' });
      }
      // A free network takes no payment of any kind: say so rather than silently ignore the flag.
      if (!state.paid && command.getOptionValueSource('payment') === 'cli') {
        writeLine(io.stderr, `note: this dev network runs with --free: no payment is made, --payment ${options.payment} is ignored`);
      }
      const root = await protobuf.load(state.protoFile);
      // Checked before the channel state is asked for: a bad argument signs and charges nothing.
      const request = Buffer.from(encodeCallArguments(root, 'example_service.Calculator', method, [a, b]));
      const result = root.lookupType('example_service.Result');
      const client = new grpc.Client(state.daemonAddress, grpc.credentials.createInsecure());
      try {
        const prepaid = state.paid && options.payment === 'prepaid'
          ? await prepaidPaymentMetadata(state, { unary: (path, request) => unary(client, path, request, new grpc.Metadata()), channelState: () => readChannelState(client, state), currentBlock: () => currentBlock(state.rpcUrl) })
          : undefined;
        const free = state.paid && options.payment === 'free' ? await devFreeCallMetadata(client, state) : undefined;
        const metadata = prepaid?.metadata ?? free ?? (state.paid ? await paymentMetadata(client, state) : new grpc.Metadata());
        const call = `${method}(${a}, ${b})`;
        const reply = await unary(client, `/example_service.Calculator/${method}`, request, metadata).catch(async (error: unknown) => {
          const released = prepaid !== undefined ? PREPAID_RELEASED : free !== undefined ? FREE_CALL_RELEASED : undefined;
          throw (await callFailedError(error, call, () => released ?? escrowCharge(client, state, metadata))) ?? error;
        });
        const response = result.decode(reply) as unknown as { value?: number };
        writeLine(io.stdout, `${call} = ${response.value ?? 0}  (${prepaid?.summary ?? (free === undefined ? paymentSummary(state, metadata) : 'free call')})`);
      } catch (error) {
        throw notRunningError(error, state, statePath) ?? error;
      } finally {
        client.close();
      }
    });
}

/**
 * The dev network's daemon or chain not answering means `snetd dev` stopped (its files stay behind):
 * say so, instead of a bare `fetch failed` or gRPC UNAVAILABLE. Other errors pass through.
 */
function notRunningError(error: unknown, state: DevState, statePath: string): SnetError | undefined {
  const unreachableDaemon = (error as { code?: unknown }).code === grpc.status.UNAVAILABLE;
  const unreachableChain = error instanceof TypeError && error.message === 'fetch failed';
  if (!unreachableDaemon && !unreachableChain) return undefined;
  const what = unreachableDaemon ? `its daemon at ${state.daemonAddress}` : `its chain at ${state.rpcUrl}`;
  return new SnetError('DEVNET_NOT_RUNNING', `the dev network in ${relative('.', dirname(statePath)) || '.'} is not running (${what} does not answer)`, {
    cause: error,
    hint: 'Start it with `npx snetd dev` in this folder (in another terminal), then call again.',
  });
}
