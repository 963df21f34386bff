import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scrubSecrets, buildRedactPaths, secretKeyNames, redactSecretFields } from './scrub-secrets.ts';

const KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const SIG = `${'ab'.repeat(64)}1b`;
const TX_HASH = `0x${'cd'.repeat(32)}`;

describe('scrubSecrets()', () => {
  it('behavior: replaces 64-hex private keys with and without 0x, anywhere in a line', () => {
    const line = JSON.stringify({ level: 'INFO', msg: `cannot parse key ${KEY}`, nested: { a: [`0x${KEY}`] } });
    const out = scrubSecrets(line);
    assert.ok(!out.includes(KEY));
    const parsed = JSON.parse(out) as { msg: string; nested: unknown };
    assert.equal(parsed.msg, 'cannot parse key [REDACTED]');
    assert.deepEqual(parsed.nested, { a: ['[REDACTED]'] });
  });

  it('behavior: replaces 130-hex signatures', () => {
    const out = scrubSecrets(`{"sig":"0x${SIG}","s2":"${SIG}"}`);
    assert.equal(out, '{"sig":"[REDACTED]","s2":"[REDACTED]"}');
  });

  it('behavior: keeps transaction and block hashes under hash keys', () => {
    const line = `{"txHash":"${TX_HASH}","blockHash":"${TX_HASH}","other":"${TX_HASH}"}`;
    assert.equal(scrubSecrets(line), `{"txHash":"${TX_HASH}","blockHash":"${TX_HASH}","other":"[REDACTED]"}`);
  });

  it('behavior: keeps longer hex (calldata) and shorter hex (addresses)', () => {
    const line = `{"data":"0x${'1'.repeat(200)}","to":"0x${'2'.repeat(40)}"}`;
    assert.equal(scrubSecrets(line), line);
  });

  it('behavior: credentials in URLs and key=value text', () => {
    const line = JSON.stringify({
      msg: 'dial https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161 failed; dsn postgres://u:pw@db/x password=abc api_key=zzz',
    });
    const out = scrubSecrets(line);
    assert.equal(
      (JSON.parse(out) as { msg: string }).msg,
      'dial https://mainnet.infura.io/v3/[REDACTED] failed; dsn postgres://[REDACTED]@db/x password=[REDACTED] api_key=[REDACTED]',
    );
  });

  it('behavior: JWTs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF_123-xyz';
    assert.equal(scrubSecrets(`{"msg":"token ${jwt} rejected"}`), '{"msg":"token [REDACTED] rejected"}');
  });

  it('behavior: leaves ordinary lines untouched', () => {
    const line = '{"level":"INFO","ts":"2026-01-01T00:00:00Z","msg":"invalid token: expired","channelId":"42","price":"100"}';
    assert.equal(scrubSecrets(line), line);
  });
});

describe('redactSecretFields()', () => {
  it('behavior: secret keys at any depth, snake_case, camelCase, -bin headers and pvt_key aliases', () => {
    const input = {
      a: { b: { c: { d: { e: { password: 'hunter2', tokenSecretKey: 'x'.repeat(40) } } } } },
      private_key_for_metering: 'notHexButSecret',
      pvt_key_for_free_calls: 'old-alias',
      list: [{ headers: { 'snet-payment-channel-signature-bin': 'AAEC', 'x-custom-bin': 'AQ==', Authorization: 'Bearer abc' } }],
      telegram_api_key: 12345,
      keep: 'visible',
      emptyPassword: { password: '' },
    };
    const snapshot = structuredClone(input);
    const out = redactSecretFields(input);
    const text = JSON.stringify(out);
    for (const secret of ['hunter2', 'x'.repeat(40), 'notHexButSecret', 'old-alias', 'AAEC', 'AQ==', 'Bearer abc', '12345']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.ok(text.includes('visible'));
    assert.deepEqual(out.emptyPassword, { password: '' });
    assert.deepEqual(input, snapshot, 'the caller object is not mutated');
  });

  it('behavior: walks objects that serialise themselves and hides key/signature-sized buffers', () => {
    class FakeMetadata {
      toJSON(): Record<string, unknown> {
        return { 'snet-payment-channel-signature-bin': [Buffer.alloc(65, 1)], 'snet-payment-channel-nonce': ['3'] };
      }
    }
    const out = redactSecretFields({ metadata: new FakeMetadata(), key: Buffer.alloc(32, 7), small: Buffer.from([1, 2]) });
    assert.deepEqual(JSON.parse(JSON.stringify(out)), {
      metadata: { 'snet-payment-channel-signature-bin': '[REDACTED]', 'snet-payment-channel-nonce': ['3'] },
      key: '[REDACTED]',
      small: { type: 'Buffer', data: [1, 2] },
    });
  });

  it('behavior: returns the same object when nothing is secret', () => {
    const input = { a: { b: [1, { c: 'd' }] } };
    assert.equal(redactSecretFields(input), input);
  });
});

describe('buildRedactPaths()', () => {
  it('behavior: covers every key at the top level with bracket notation for header names', () => {
    const paths = buildRedactPaths();
    assert.ok(paths.includes('private_key_for_metering'));
    assert.ok(paths.includes('privateKeyForMetering'));
    assert.ok(paths.includes('["snet-payment-channel-signature-bin"]'));
    assert.equal(paths.length, secretKeyNames().length);
  });
});

describe('scrubSecrets() hex scan (property)', () => {
  it('behavior: agrees with a regex reference on random hex/separator mixes', async () => {
    const fc = (await import('fast-check')).default;
    const reference = (s: string): string =>
      s.replace(/(?<![0-9A-Fa-f])(?:0x)?(?:[0-9A-Fa-f]{130}|[0-9A-Fa-f]{64})(?![0-9A-Fa-f])/g, '[REDACTED]');
    const hexRun = fc.integer({ min: 0, max: 6 }).chain((k) =>
      fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${[1, 63, 64, 65, 129, 130, 131][k] ?? 64}}$`)));
    const sep = fc.constantFrom(' ', 'x', '0x', ',', '"', 'g', 'zz ');
    fc.assert(fc.property(fc.array(fc.oneof(hexRun, sep), { maxLength: 12 }), (parts) => {
      const line = parts.join('');
      assert.equal(scrubSecrets(line), reference(line));
    }), { numRuns: 300 });
  });
});
