import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createPrepaidTokens, type PrepaidTokenOptions } from './prepaid-token.ts';

const OPTIONS: PrepaidTokenOptions = { secret: 'x'.repeat(32), expiryMinutes: 60, organizationId: 'org', groupIdBase64: 'G+/=' };
const USER = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const NOW = 1_800_000_000_000;

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token signed by hand (as golang-jwt would), to test what the daemon accepts beyond what it issues. */
function handToken(header: Record<string, unknown>, claims: Record<string, unknown>, hash = 'sha256', secret = OPTIONS.secret): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ payload: '7', userAddress: USER, orgId: 'org', groupId: 'G+/=', exp: NOW / 1000 + 60, ...extra });

describe('createPrepaidTokens()', () => {
  const tokens = createPrepaidTokens(OPTIONS, () => NOW);

  it('behavior: an issued token is an HS256 JWT with the reference claims and verifies for its channel', () => {
    const token = tokens.issue(7n, USER);
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(payload, { exp: NOW / 1000 + 3600, groupId: 'G+/=', orgId: 'org', payload: '7', userAddress: USER });
    assert.deepEqual(tokens.verify(token, 7n), { ok: true, userAddress: USER });
    // Verified twice (the second from the cache): same answer.
    assert.deepEqual(tokens.verify(token, 7n), { ok: true, userAddress: USER });
  });

  it('behavior: HS384 and HS512 tokens are accepted like the reference (any HMAC)', () => {
    assert.deepEqual(tokens.verify(handToken({ alg: 'HS384', typ: 'JWT' }, claims(), 'sha384'), 7n), { ok: true, userAddress: USER });
    assert.deepEqual(tokens.verify(handToken({ alg: 'HS512', typ: 'JWT' }, claims(), 'sha512'), 7n), { ok: true, userAddress: USER });
  });

  it('error: every refusal carries the reference (golang-jwt / token/jwt.go) text', () => {
    const cases: Array<[string, string, bigint?]> = [
      ['abc', 'token is malformed: token contains an invalid number of segments'],
      ['a.b.c.d', 'token is malformed: token contains an invalid number of segments'],
      [`!!.${b64(claims())}.x`, 'token is malformed: could not JSON decode header'],
      [`${b64({ alg: 'HS256' })}.!!.x`, 'token is malformed: could not JSON decode claim'],
      [`${b64({ alg: 'none' })}.${b64(claims())}.`, 'token is unverifiable: error while executing keyfunc: unexpected signing method: none'],
      [`${b64({ alg: 'RS256' })}.${b64(claims())}.AAAA`, 'token is unverifiable: error while executing keyfunc: unexpected signing method: RS256'],
      [handToken({ alg: 'HS256' }, claims(), 'sha256', 'y'.repeat(32)), 'token signature is invalid: signature is invalid'],
      [handToken({ alg: 'HS256' }, claims({ exp: NOW / 1000 - 1 })), 'token has invalid claims: token is expired'],
      [handToken({ alg: 'HS256' }, claims({ exp: 'soon' })), 'token has invalid claims: token is malformed: invalid type for claim: exp is invalid'],
      [handToken({ alg: 'HS256' }, claims()), 'payload 7 used to generate the Token doesnt match expected values', 8n],
      [handToken({ alg: 'HS256' }, claims({ orgId: 'other' })), 'organization other is not associated with this Daemon'],
      [handToken({ alg: 'HS256' }, claims({ groupId: undefined })), 'groupId <nil> is not associated with this Daemon'],
      [handToken({ alg: 'HS256' }, claims({ userAddress: '' })), 'token missing sender claim'],
    ];
    for (const [token, reason, channel] of cases) assert.deepEqual(tokens.verify(token, channel ?? 7n), { ok: false, reason }, token);
  });

  it('behavior: a token expires at its exp (checked on every call, also for a cached token)', () => {
    let now = NOW;
    const clocked = createPrepaidTokens({ ...OPTIONS, expiryMinutes: 1 }, () => now);
    const token = clocked.issue(7n, USER);
    assert.equal(clocked.verify(token, 7n).ok, true);
    now += 60_000;
    assert.equal(clocked.verify(token, 7n).ok, true, 'valid through its exp second');
    now += 1000;
    assert.deepEqual(clocked.verify(token, 7n), { ok: false, reason: 'token has invalid claims: token is expired' });
  });

  it('behavior: another secret (another group, or a forged token) does not verify; no exp is accepted like golang-jwt v5', () => {
    const other = createPrepaidTokens({ ...OPTIONS, secret: 'z'.repeat(32) }, () => NOW);
    assert.deepEqual(tokens.verify(other.issue(7n, USER), 7n), { ok: false, reason: 'token signature is invalid: signature is invalid' });
    assert.deepEqual(tokens.verify(handToken({ alg: 'HS256' }, claims({ exp: undefined })), 7n), { ok: true, userAddress: USER });
  });
});
