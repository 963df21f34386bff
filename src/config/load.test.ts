import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load.ts';
import { expectConfigError } from './testing/expect-config-error.ts';
import { isSnetError } from '../errors/index.ts';

const fixtures = new URL('../../test/fixtures/config/', import.meta.url).pathname;
/** What a paid daemon needs beyond the defaults (without it the defaults are reported as unfinished). */
const chainReady = { SNET_ETHEREUM_JSON_RPC_HTTP_ENDPOINT: 'http://127.0.0.1:8545', SNET_ORGANIZATION_ID: 'test-org', SNET_SERVICE_ID: 'test-service' };
/** For tests about something else than the chain. */
const offChain = { SNET_BLOCKCHAIN_ENABLED: 'false' };

describe('loadConfig()', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("behavior: loads the reference's `init` output unchanged", () => {
    const { config, warnings } = loadConfig({ configPath: join(fixtures, 'reference-init.json'), env: { ...chainReady, SNET_SERVICE_ENDPOINT: 'http://127.0.0.1:5000' } });
    assert.equal(config.daemon_endpoint, '127.0.0.1:8080');
    assert.equal(config.min_balance_for_free_call, 10);
    assert.deepEqual(config.log.output.type, ['file', 'stdout']);
    assert.deepEqual(warnings.filter((w) => w.message.includes('unknown')), []);
  });

  it("behavior: loads the reference's `init-full` output (string numbers, full sections) unchanged", () => {
    const { config, warnings } = loadConfig({ configPath: join(fixtures, 'reference-init-full.json'), env: chainReady });
    assert.equal(config.min_balance_for_free_call, 10, '"10" is coerced like Viper does');
    assert.equal(config.payment_channel_storage_server.enabled, false, 'explicit enabled:false wins over the section-present rule');
    assert.equal(config.service_timeout, '100s');
    assert.deepEqual(warnings.filter((w) => w.message.includes('unknown')), []);
    assert.ok(warnings.some((w) => w.key === 'token_secret_key'), 'the public default secret is flagged');
  });

  it('behavior: migrates every deprecated alias (upper-case keys too) with one warning each', () => {
    const { config, warnings } = loadConfig({ configPath: join(fixtures, 'deprecated-aliases.json'), env: {} });
    assert.equal(config.daemon_endpoint, '127.0.0.1:7000');
    assert.equal(config.service_endpoint, 'http://127.0.0.1:7003');
    assert.equal(config.ipfs_endpoint, 'http://127.0.0.1:5002');
    assert.equal(config.metering_endpoint, 'https://marketplace-mt-v2.singularitynet.io');
    assert.equal(config.heartbeat_endpoint, 'http://127.0.0.1:7003/heartbeat');
    assert.equal(config.notification_endpoint, 'https://notification.example.org/notify');
    assert.equal(config.private_key_for_metering, '1'.repeat(64));
    assert.equal(config.private_key_for_free_calls, '2'.repeat(64));
    assert.equal(config.ethereum_json_rpc_http_endpoint, 'https://sepolia.infura.io/v3/0123456789abcdef0123456789abcdef');
    const deprecations = warnings.filter((w) => w.message.includes('deprecated'));
    assert.equal(deprecations.length, 9);
    assert.ok(deprecations.some((w) => w.message === "Config parameter 'daemon_end_point' is deprecated, use 'daemon_endpoint' instead"));
  });

  it('error: reports all five mistakes at once (and the missing certificate file), naming key, source and masked value', () => {
    const path = join(fixtures, 'five-mistakes.json');
    const error = expectConfigError(() => loadConfig({ configPath: path, env: chainReady }));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal(error.problems.length, 6, error.message);
    const keys = error.problems.map((p) => p.key).sort();
    assert.deepEqual(keys, ['blockchain_enabled', 'daemon_endpoint', 'max_message_size_in_mb', 'private_key_for_free_calls', 'ssl_cert', 'ssl_key']);
    assert.match(error.message, /ssl_cert = "\/etc\/snetd\/cert.pem" .*the file does not exist/);
    const bySource = new Map(error.problems.map((p) => [p.key, p.source]));
    assert.equal(bySource.get('daemon_endpoint'), `file ${path}`);
    assert.equal(bySource.get('ssl_key'), 'default');
    assert.match(error.message, /max_message_size_in_mb = 5000 .*between 1 and 2048/);
    assert.ok(!error.message.includes('abc123notakey'), 'the (bad) private key is never shown');
    assert.match(error.message, /private_key_for_free_calls = \[hidden, 54 chars\]/);
  });

  it('behavior: SNET_ env overrides the file, a flag overrides both', () => {
    const path = join(dir, 'precedence.json');
    writeFileSync(path, JSON.stringify({ daemon_endpoint: '127.0.0.1:7000', log: { level: 'info' } }));
    const fromEnv = loadConfig({ configPath: path, env: { ...offChain, SNET_DAEMON_ENDPOINT: '127.0.0.1:7001', SNET_LOG__LEVEL: 'debug' } });
    assert.equal(fromEnv.config.daemon_endpoint, '127.0.0.1:7001');
    assert.equal(fromEnv.config.log.level, 'debug', 'nested keys through SNET_A__B');
    const fromFlag = loadConfig({
      configPath: path,
      env: { ...offChain, SNET_DAEMON_ENDPOINT: '127.0.0.1:7001' },
      flags: [{ key: 'daemon_endpoint', value: '127.0.0.1:7002', flag: '--daemon-endpoint' }],
    });
    assert.equal(fromFlag.config.daemon_endpoint, '127.0.0.1:7002');
    assert.equal(fromFlag.sources.get('daemon_endpoint'), 'flag --daemon-endpoint');
  });

  it('error: names the environment variable a bad value came from', () => {
    const error = expectConfigError(() => loadConfig({ env: { SNET_MAX_MESSAGE_SIZE_IN_MB: 'lots', SNET_LOG__LEVEL: 'loud' } }));
    const bySource = new Map(error.problems.map((p) => [p.key, p.source]));
    assert.equal(bySource.get('max_message_size_in_mb'), 'env SNET_MAX_MESSAGE_SIZE_IN_MB');
    assert.equal(bySource.get('log.level'), 'env SNET_LOG__LEVEL');
  });

  it('behavior: unknown and retired keys are warnings, not failures', () => {
    const path = join(dir, 'unknown.json');
    writeFileSync(path, JSON.stringify({ daemon_endpoint: '127.0.0.1:7000', hdwallet_index: 1, damon_endpoint: 'typo', log: { level: 'info', colour: true, hooks: ['mail'], mail: { type: 'email' } } }));
    const { warnings } = loadConfig({ configPath: path, env: { ...offChain, SNET_NOT_A_KEY: 'x' }, flags: [{ key: 'log.levle', value: 'debug', flag: '--set log.levle' }] });
    const texts = warnings.map((w) => w.message).join('\n');
    // log holds hook sections under their own names, but a plain value beside them is a misspelt key.
    assert.match(texts, /unknown key 'log.colour' ignored/);
    assert.equal(warnings.find((w) => w.key === 'log.levle')?.source, 'flag --set log.levle');
    assert.doesNotMatch(texts, /'log.mail'/);
    assert.match(texts, /'hdwallet_index' is documented by the reference daemon but was never implemented/);
    assert.match(texts, /unknown key 'damon_endpoint' ignored/);
    assert.match(texts, /SNET_NOT_A_KEY does not name a config key/);
  });

  it('behavior: loose values as Viper reads them (strings for booleans, numbers and lists)', () => {
    const { config } = loadConfig({
      env: { SNET_BLOCKCHAIN_ENABLED: 'false', SNET_MAX_MESSAGE_SIZE_IN_MB: '16', SNET_ALLOWED_USER_ADDRESSES: '0x1111111111111111111111111111111111111111 0x2222222222222222222222222222222222222222' },
    });
    assert.equal(config.blockchain_enabled, false);
    assert.equal(config.max_message_size_in_mb, 16);
    assert.equal(config.allowed_user_addresses.length, 2);
  });

  it('behavior: YAML files load too', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'daemon_endpoint: 127.0.0.1:7100\nlog:\n  level: warning\n');
    const { config } = loadConfig({ configPath: path, env: offChain });
    assert.equal(config.daemon_endpoint, '127.0.0.1:7100');
    assert.equal(config.log.level, 'warn');
  });

  it('error: an unreadable or invalid file names the file and the parse error', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"daemon_endpoint": "127.0.0.1:1",}');
    assert.throws(() => loadConfig({ configPath: path, env: {} }), (error: unknown) => isSnetError(error, 'CONFIG_FILE_UNREADABLE') && error.message.includes(path));
    assert.throws(() => loadConfig({ configPath: join(dir, 'missing.json'), env: {} }), (error: unknown) => isSnetError(error, 'CONFIG_FILE_UNREADABLE') && (error.hint ?? '').includes('snetd init'));
  });

  it('args: a __proto__ key in the file pollutes nothing', () => {
    const path = join(dir, 'proto.json');
    writeFileSync(path, '{"__proto__": {"polluted": true}, "log": {"__proto__": {"polluted": true}}}');
    loadConfig({ configPath: path, env: offChain });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('error: the same endpoint for daemon and service is refused', () => {
    const error = expectConfigError(() => loadConfig({ env: { SNET_DAEMON_ENDPOINT: '0.0.0.0:7000', SNET_SERVICE_ENDPOINT: 'http://localhost:7000' } }));
    assert.match(error.message, /service_endpoint .* can't be the same as daemon_endpoint/);
  });

  it('error: an automatic-certificate renewal window that would renew in a loop, or never before expiry, is refused', () => {
    const autoSsl = { ...offChain, SNET_AUTO_SSL_DOMAIN: 'example.org' };
    const letsEncrypt = expectConfigError(() => loadConfig({ env: { ...autoSsl, SNET_AUTO_SSL_RENEW_BEFORE: '2160h' } }));
    assert.match(letsEncrypt.message, /auto_ssl_renew_before = "2160h" \(from env SNET_AUTO_SSL_RENEW_BEFORE\): must be shorter than Let's Encrypt's certificate lifetime \(90 days = 2160h\)/);
    const otherCa = { ...autoSsl, SNET_AUTO_SSL_DIRECTORY_URL: 'https://ca.example.org/acme/directory' };
    assert.match(expectConfigError(() => loadConfig({ env: { ...otherCa, SNET_AUTO_SSL_RENEW_BEFORE: '9552h' } })).message, /must be shorter than the longest lifetime of a public certificate \(398 days = 9552h\)/);
    assert.match(expectConfigError(() => loadConfig({ env: { ...autoSsl, SNET_AUTO_SSL_RENEW_BEFORE: '0s' } })).message, /auto_ssl_renew_before = "0s" .*must be longer than 0s/);
    // Accepted: shorter than the known lifetime (another CA may issue longer certificates than Let's Encrypt).
    assert.equal(loadConfig({ env: { ...autoSsl, SNET_AUTO_SSL_RENEW_BEFORE: '2159h' } }).config.auto_ssl_renew_before, '2159h');
    assert.equal(loadConfig({ env: { ...otherCa, SNET_AUTO_SSL_RENEW_BEFORE: '4000h' } }).config.auto_ssl_renew_before, '4000h');
    // Without auto_ssl_domain the window is not used, so not checked.
    assert.equal(loadConfig({ env: { ...offChain, SNET_AUTO_SSL_RENEW_BEFORE: '99999h' } }).config.auto_ssl_renew_before, '99999h');
  });

  it('error: auto_ssl_challenge takes http-01 (the default) or tls-alpn-01 only; tls-alpn-01 off port 443 is warned about', () => {
    assert.equal(loadConfig({ env: offChain }).config.auto_ssl_challenge, 'http-01');
    assert.equal(loadConfig({ env: { ...offChain, SNET_AUTO_SSL_CHALLENGE: 'tls-alpn-01' } }).config.auto_ssl_challenge, 'tls-alpn-01');
    const alpn = { ...offChain, SNET_AUTO_SSL_DOMAIN: 'example.org', SNET_AUTO_SSL_CHALLENGE: 'tls-alpn-01' };
    const off443 = loadConfig({ env: { ...alpn, SNET_DAEMON_ENDPOINT: '0.0.0.0:7000' } }).warnings.find((w) => w.key === 'auto_ssl_challenge');
    assert.match(off443?.message ?? '', /validates on port 443 of example\.org, but daemon_endpoint listens on port 7000; forward port 443 to it/);
    assert.equal(loadConfig({ env: { ...alpn, SNET_DAEMON_ENDPOINT: '0.0.0.0:443' } }).warnings.find((w) => w.key === 'auto_ssl_challenge'), undefined);
    const error = expectConfigError(() => loadConfig({ env: { ...offChain, SNET_AUTO_SSL_CHALLENGE: 'dns-01' } }));
    assert.match(error.message, /auto_ssl_challenge = "dns-01"[^\n]*http-01[^\n]*tls-alpn-01/);
  });

  it('error: daemon_type http is refused with an explanation', () => {
    const error = expectConfigError(() => loadConfig({ env: { SNET_DAEMON_TYPE: 'http' } }));
    assert.match(error.message, /daemon_type = "http" \(from env SNET_DAEMON_TYPE\): the unpaid plain-HTTP daemon/);
  });
});
