// Signature check micro-benchmarks: native vs pure-JS secp256k1 recovery, and the whole escrow
// signature check as the payment path will run it (parse headers → build M1 → EIP-191 hash → recover →
// compare signer bytes), with viem's recoverMessageAddress on the same input as a reference.
// Run: ./node_modules/.bin/node bench/signature.bench.ts [--markdown]   (one core; results → bench/RESULTS-signatures.md)
import { execSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { Bench } from 'tinybench';
import { recoverMessageAddress } from 'viem';
import {
  addressToBytes,
  buildClaimMessage,
  createSignatureRecoverer,
  hashSignedMessage,
  keccak256,
  signMessage,
  type SignatureRecoverer,
} from '../src/blockchain/index.ts';
import { parseEscrowPaymentHeaders, type HeaderMap } from '../src/payments/index.ts';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'; // hardhat dev account #1
const SIGNER = addressToBytes('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const MPE = addressToBytes('0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512');
const fields = { mpeAddress: MPE, channelId: 1789n, nonce: 1917n, amount: 31415n };
const message = buildClaimMessage(fields);
const digest = hashSignedMessage(message);
const signature = signMessage(KEY, message);
const headers: HeaderMap = {
  'snet-payment-type': 'escrow',
  'snet-payment-channel-id': '1789',
  'snet-payment-channel-nonce': '1917',
  'snet-payment-channel-amount': '31415',
  'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
  'user-agent': 'grpc-node-js/1.14.7',
};

const native = createSignatureRecoverer({ prefer: 'native', requireNative: true });
const js = createSignatureRecoverer({ prefer: 'js' });

function equal20(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 20; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The escrow check's pure part, as the payment handler will do it (parse, recover the M1 signer, compare with the channel signer/sender: Go `escrow/validation.go`).
function wholeCheck(recoverer: SignatureRecoverer): void {
  const parsed = parseEscrowPaymentHeaders(headers);
  if (!parsed.ok) throw parsed.error;
  const p = parsed.value;
  const hash = hashSignedMessage(buildClaimMessage({ mpeAddress: MPE, channelId: p.channelId, nonce: p.nonce, amount: p.amount }));
  const signer = recoverer.recoverAddressBytes(hash, p.signature);
  if (!signer.ok || !equal20(signer.value, SIGNER)) throw new Error('signature check failed');
}

// Sanity before timing: every path must accept the same input.
wholeCheck(native);
wholeCheck(js);
if ((await recoverMessageAddress({ message: { raw: keccak256(message) }, signature: `0x${Buffer.from(signature).toString('hex')}` })).toLowerCase() !== '0x70997970c51812dc3a010c7d01b50e0d17dc79c8') {
  throw new Error('viem reference disagrees');
}

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('recover: native secp256k1 (libsecp256k1 N-API)', () => {
    native.recoverAddressBytes(digest, signature);
  })
  .add('recover: js @noble/curves', () => {
    js.recoverAddressBytes(digest, signature);
  })
  .add('keccak256(M1 message, 135 B)', () => {
    keccak256(message);
  })
  .add('parse escrow headers', () => {
    parseEscrowPaymentHeaders(headers);
  })
  .add('build M1 + EIP-191 hash', () => {
    hashSignedMessage(buildClaimMessage(fields));
  })
  .add('whole check (parse + build + hash + recover + compare): native', () => {
    wholeCheck(native);
  })
  .add('whole check (parse + build + hash + recover + compare): js', () => {
    wholeCheck(js);
  })
  .add('reference: viem recoverMessageAddress (hash + recover + checksum)', async () => {
    await recoverMessageAddress({ message: { raw: keccak256(message) }, signature: `0x${Buffer.from(signature).toString('hex')}` });
  });

await bench.run();

const commit = (() => {
  try {
    const hash = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src/blockchain/signatures src/payments bench/signature.bench.ts', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${hash} (+ local changes)` : hash;
  } catch {
    return 'unknown';
  }
})();
const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} logical CPUs), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform}-${process.arch}, Node ${process.version}, load average ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} at the end`;

const rows = bench.tasks.map((task) => {
  const result = task.result;
  if (result.state !== 'completed') return { name: task.name, opsPerSecond: 'n/a', meanMicros: 'n/a', p99Micros: 'n/a', rme: 'n/a', samples: 0 };
  return {
    name: task.name,
    // Median-based (1 / median latency): robust to the outliers a shared machine produces.
    opsPerSecond: Math.round(1000 / (result.latency.p50 ?? result.latency.mean)).toLocaleString('en-US'),
    meanMicros: (result.latency.mean * 1000).toFixed(1),
    p99Micros: ((result.latency.p99 ?? Number.NaN) * 1000).toFixed(1),
    rme: `±${result.latency.rme.toFixed(2)}%`,
    samples: result.latency.samples?.length ?? 0,
  };
});

if (process.argv.includes('--markdown')) {
  console.log(`### ${new Date().toISOString().slice(0, 10)} — commit ${commit}\n`);
  console.log(`Machine: ${machine}. tinybench ${1500} ms per task after ${300} ms warm-up, one thread.\n`);
  console.log('| task | ops/s (1/median) | mean µs | p99 µs | ± (mean) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.name} | ${row.opsPerSecond} | ${row.meanMicros} | ${row.p99Micros} | ${row.rme} |`);
} else {
  console.log(`commit ${commit}; ${machine}`);
  console.table(rows);
}
