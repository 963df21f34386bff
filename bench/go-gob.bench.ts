// gob codec of the Go daemon's channel record (src/payments/go-state) next to our JSON record codec, per value:
// what a mixed Go/snetd-ts fleet (Go format on the paid path) would pay for the two records of a paid call.
// Run: ./node_modules/.bin/node bench/go-gob.bench.ts   (one core; prints a table, writes nothing)
import { Bench } from 'tinybench';
import { channelFromGo, channelToGo, decodeChannelState, encodeChannelState, goPaymentChannelDataCodec, type ChannelState } from '../src/payments/index.ts';

const state: ChannelState = {
  channelId: 1789n,
  nonce: 3n,
  sender: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  recipient: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  groupId: `0x${'a7'.repeat(32)}`,
  fullAmount: 100_000_000_000n,
  expiration: 19_876_543n,
  authorizedAmount: 31_415n,
  signature: new Uint8Array(65).fill(0x9b),
  pending: undefined,
};
const go = channelToGo(state);
const goBytes = goPaymentChannelDataCodec.encode(go);
const jsonBytes = encodeChannelState(state);

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add(`gob encode PaymentChannelData (${goBytes.length} B)`, () => void goPaymentChannelDataCodec.encode(go))
  .add('gob decode PaymentChannelData', () => void goPaymentChannelDataCodec.decode(goBytes))
  .add('gob decode + map to our record (import path: EIP-55 of 3 addresses)', () => void channelFromGo(state.channelId, goPaymentChannelDataCodec.decode(goBytes)))
  .add(`JSON encode channel record (${jsonBytes.length} B)`, () => void encodeChannelState(state))
  .add('JSON decode channel record', () => void decodeChannelState(jsonBytes));
await bench.run();
console.table(bench.table());
