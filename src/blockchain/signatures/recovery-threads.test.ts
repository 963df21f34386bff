import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildClaimMessage } from './claim-message.ts';
import { selectRecoverBackend } from './recover-backends.ts';
import { createRecoveryThreads, type RecoveryThreads } from './recovery-threads.ts';
import { createSignatureRecoverer } from './signature-recoverer.ts';
import { signMessage } from './sign-message.ts';
import { hashSignedMessage } from './signed-message-hash.ts';

const MPE = '0x5c7a4290f6f8ff64c69eeffdfafc8644a4ec3a4e';
const inline = selectRecoverBackend('native', true);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-recovery-threads-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Vector = { digest: Uint8Array; signature: Uint8Array };

/** `count` signed claims from a few keys, plus broken ones (r = 0, s = 0, not on the curve): what a daemon sees. */
function vectors(count: number): Vector[] {
  const out: Vector[] = [];
  for (let i = 0; i < count; i++) {
    const digest = hashSignedMessage(buildClaimMessage({ mpeAddress: MPE, channelId: BigInt(i % 7), nonce: 0n, amount: BigInt(i + 1) }));
    const key = `0x${(i % 5) + 1}`.padEnd(66, '7');
    const signature = signMessage(key, buildClaimMessage({ mpeAddress: MPE, channelId: BigInt(i % 7), nonce: 0n, amount: BigInt(i + 1) }));
    if (i % 10 === 3) signature.fill(0, 0, 32);
    if (i % 10 === 7) signature.fill(0xff, 0, 64);
    out.push({ digest, signature });
  }
  return out;
}

const expected = (v: Vector): Uint8Array | undefined =>
  inline.recover(v.signature.subarray(0, 64), (v.signature[64] as number) - 27, v.digest);

const recoverAll = (pool: RecoveryThreads, cases: readonly Vector[]): Promise<(Uint8Array | undefined)[]> =>
  Promise.all(cases.map((v) => pool.recover(v.digest, v.signature.subarray(0, 64), (v.signature[64] as number) - 27)));
const assertInlineAnswers = (answers: readonly (Uint8Array | undefined)[], cases: readonly Vector[]): void =>
  answers.forEach((answer, i) => assert.deepEqual(answer, expected(cases[i] as Vector), `request ${i}`));

/** A worker module written for one test: `body` runs in the worker (ESM, has `parentPort`). */
function workerModule(name: string, body: string): URL {
  const file = path.join(tmp, `${name}.mjs`);
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
  return new URL(`file://${file}`);
}

void describe('createRecoveryThreads()', () => {
  void it('behavior: 500 concurrent requests on 1 and 2 threads get exactly the inline answers (keys and failures)', async () => {
    const cases = vectors(500);
    for (const threads of [1, 2]) {
      const problems: string[] = [];
      const pool = createRecoveryThreads({ threads, backend: 'native', inline: inline.recover, onProblem: (m) => problems.push(m) });
      try {
        const answers = await recoverAll(pool, cases);
        assert.equal(answers.length, cases.length);
        let failures = 0;
        answers.forEach((answer, i) => {
          const want = expected(cases[i] as Vector);
          if (want === undefined) failures++;
          assert.deepEqual(answer === undefined ? undefined : Buffer.from(answer), want === undefined ? undefined : Buffer.from(want), `request ${i}`);
        });
        assert.ok(failures >= 50, `the broken signatures are in the set (${failures})`);
        assert.deepEqual(problems, []);
      } finally {
        await pool.close();
      }
    }
  });

  void it('error: a worker that fails its start-up answers nothing itself: every request is recovered inline, the problem is told once', async () => {
    const problems: string[] = [];
    const workerUrl = workerModule('fails', "parentPort.postMessage({ failed: 'no addon here' });");
    const pool = createRecoveryThreads({ threads: 1, backend: 'native', inline: inline.recover, onProblem: (m) => problems.push(m), workerUrl });
    try {
      const cases = vectors(20);
      assertInlineAnswers(await recoverAll(pool, cases), cases);
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /could not start \(no addon here\); recovering on the main thread/);
    } finally {
      await pool.close();
    }
  });

  void it('error: a worker that dies mid-batch loses no request: its batch and later ones are recovered inline', async () => {
    const problems: string[] = [];
    const workerUrl = workerModule('dies', "parentPort.postMessage({ ready: 'native' });\nparentPort.on('message', () => process.exit(3));");
    const pool = createRecoveryThreads({ threads: 1, backend: 'native', inline: inline.recover, onProblem: (m) => problems.push(m), workerUrl });
    try {
      const cases = vectors(30);
      assertInlineAnswers(await recoverAll(pool, cases), cases);
      const later = vectors(3);
      assertInlineAnswers(await recoverAll(pool, later), later);
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /exited \(code 3\)/);
    } finally {
      await pool.close();
    }
  });

  void it('error: an answer of the wrong size is not trusted: the batch is recovered inline', async () => {
    const problems: string[] = [];
    const workerUrl = workerModule('garbles', "parentPort.postMessage({ ready: 'native' });\nparentPort.on('message', () => { const b = new ArrayBuffer(3); parentPort.postMessage(b, [b]); });");
    const pool = createRecoveryThreads({ threads: 1, backend: 'native', inline: inline.recover, onProblem: (m) => problems.push(m), workerUrl });
    try {
      const cases = vectors(12);
      assertInlineAnswers(await recoverAll(pool, cases), cases);
      assert.deepEqual(problems, []);
    } finally {
      await pool.close();
    }
  });

  void it('behavior: close() answers what is in flight and later requests inline', async () => {
    const problems: string[] = [];
    // A worker that never answers: only close() can settle its batch.
    const workerUrl = workerModule('silent', "parentPort.postMessage({ ready: 'native' });\nparentPort.on('message', () => {});");
    const pool = createRecoveryThreads({ threads: 1, backend: 'native', inline: inline.recover, onProblem: (m) => problems.push(m), workerUrl });
    const cases = vectors(10);
    const pending = recoverAll(pool, cases);
    await pool.close();
    assertInlineAnswers(await pending, cases);
    assert.deepEqual(await pool.recover(cases[0]!.digest, cases[0]!.signature.subarray(0, 64), 0), inline.recover(cases[0]!.signature.subarray(0, 64), 0, cases[0]!.digest));
    assert.deepEqual(problems, [], 'closing is not a problem');
  });

  void it('behavior: idle worker threads do not keep the process alive', () => {
    const script = `
      import { createSignatureRecoverer } from ${JSON.stringify(new URL('./signature-recoverer.ts', import.meta.url).href)};
      const problems = [];
      const recoverer = createSignatureRecoverer({ threads: 2, onThreadProblem: (m) => problems.push(m) });
      const answers = await Promise.all([recoverer.recoverPublicKeyAsync(new Uint8Array(32), new Uint8Array(65)), recoverer.recoverPublicKeyAsync(${JSON.stringify([...vectors(1)[0]!.digest])}, ${JSON.stringify([...vectors(1)[0]!.signature])})].map((p) => p.then((a) => a.ok)));
      console.log(JSON.stringify({ threads: recoverer.threads, answers, problems }));
    `.replaceAll(/(\[[0-9,]+\])/g, 'Uint8Array.from($1)');
    // The script's own flags (--input-type, -e) are not passed on to the workers, which would fail to start.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }).toString();
    assert.deepEqual(JSON.parse(out), { threads: 2, answers: [false, true], problems: [] });
  });
  void it('behavior: closing, or exiting, while the threads still load the native addon ends the process cleanly', () => {
    // Ending a worker mid-start aborted the process with a N-API error under load; threads stay referenced
    // until ready and close() waits for that.
    const url = JSON.stringify(new URL('./signature-recoverer.ts', import.meta.url).href);
    for (const script of [
      `import { createSignatureRecoverer } from ${url}; await createSignatureRecoverer({ threads: 2 }).close(); console.log('closed');`,
      `import { createSignatureRecoverer } from ${url}; createSignatureRecoverer({ threads: 2 }); console.log('exiting');`,
    ]) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }).toString().trim();
      assert.match(out, /^(closed|exiting)$/);
    }
  });
});

void describe('SignatureRecoverer.recoverPublicKeyAsync()', () => {
  void it('behavior: with and without threads it answers as recoverPublicKey, including the reference error texts', async () => {
    const threaded = createSignatureRecoverer({ threads: 1 });
    const plain = createSignatureRecoverer();
    try {
      assert.equal(threaded.threads, 1);
      assert.equal(plain.threads, 0);
      const digest = hashSignedMessage(new Uint8Array([1, 2, 3]));
      const good = signMessage(`0x${'01'.padStart(64, '0')}`, new Uint8Array([1, 2, 3]));
      const low = Uint8Array.from(good);
      low[64] = (low[64] as number) - 27;
      const inputs = [good, low, new Uint8Array(64), new Uint8Array(65), new Uint8Array(65).fill(5), Uint8Array.from([...good.subarray(0, 64), 29])];
      for (const signature of inputs) {
        const want = plain.recoverPublicKey(digest, signature);
        assert.deepEqual(await threaded.recoverPublicKeyAsync(digest, signature), want);
        assert.deepEqual(await plain.recoverPublicKeyAsync(digest, signature), want);
      }
      assert.throws(() => threaded.recoverPublicKeyAsync(new Uint8Array(31), good), RangeError);
    } finally {
      await threaded.close();
      await plain.close();
    }
  });
});
