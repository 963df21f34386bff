/**
 * Worker-thread entry of {@link createRecoveryThreads}: recovers batches of signatures so that the ~50–100 µs
 * of secp256k1 per paid call runs beside the event loop instead of on it.
 *
 * Protocol (transferred ArrayBuffers, no copies): a batch is `n × RECOVERY_INPUT_BYTES` (digest 32 ‖ r‖s 64 ‖
 * recovery id 1); the answer is `n × RECOVERY_OUTPUT_BYTES`, each the 65-byte uncompressed key or zeros when
 * nothing could be recovered. The first message out is `{ ready: backend }` or `{ failed: reason }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectRecoverBackend, type SignatureBackend } from './recover-backends.ts';
import { RECOVERY_INPUT_BYTES, RECOVERY_OUTPUT_BYTES } from './recovery-layout.ts';

const port = parentPort;
if (port === null) throw new Error('recovery-worker.ts runs only as a worker thread');
const wanted = (workerData as { backend: SignatureBackend }).backend;

let recover;
try {
  // The same self-tested backend as the main thread's; refusing to fall back keeps both on one implementation.
  recover = selectRecoverBackend(wanted, true).recover;
  port.postMessage({ ready: wanted });
} catch (error) {
  port.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  port.close();
}

if (recover !== undefined) {
  const run = recover;
  port.on('message', (input: ArrayBuffer) => {
    const bytes = new Uint8Array(input);
    const n = Math.floor(bytes.length / RECOVERY_INPUT_BYTES);
    const out = new Uint8Array(n * RECOVERY_OUTPUT_BYTES);
    for (let i = 0; i < n; i++) {
      const at = i * RECOVERY_INPUT_BYTES;
      const key = run(bytes.subarray(at + 32, at + 96), bytes[at + 96] as number, bytes.subarray(at, at + 32));
      if (key !== undefined && key.length === RECOVERY_OUTPUT_BYTES) out.set(key, i * RECOVERY_OUTPUT_BYTES);
    }
    port.postMessage(out.buffer, [out.buffer]);
  });
}
