// The checks `snetd config` and `snetd serve` share and that need no network: init placeholders,
// the RPC endpoint of public networks, the service endpoint, files, TLS key pairs, warnings.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load.ts';
import { expectConfigError } from './testing/expect-config-error.ts';
import { minimalConfigTemplate } from './init-templates.ts';

const offChain = { SNET_BLOCKCHAIN_ENABLED: 'false' };

describe('configuration checks without network', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-checks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('error: the untouched `init` file names every placeholder and the missing RPC endpoint', () => {
    const path = join(dir, 'init.json');
    writeFileSync(path, JSON.stringify(minimalConfigTemplate()));
    const error = expectConfigError(() => loadConfig({ configPath: path, env: {} }));
    assert.deepEqual(error.problems.map((p) => p.key).sort(), ['ethereum_json_rpc_http_endpoint', 'organization_id', 'service_endpoint', 'service_id']);
    assert.match(error.message, /service_endpoint = "YOUR_SERVICE_ENDPOINT" \(from file [^)]*\): still the placeholder written by `snetd init`/);
  });

  it('behavior: with the blockchain off only the service endpoint placeholder matters (ids only name the daemon)', () => {
    const path = join(dir, 'init-free.json');
    writeFileSync(path, JSON.stringify({ ...minimalConfigTemplate(), blockchain_enabled: false }));
    const error = expectConfigError(() => loadConfig({ configPath: path, env: {} }));
    assert.deepEqual(error.problems.map((p) => p.key), ['service_endpoint']);
    const fixed = loadConfig({ configPath: path, env: { SNET_SERVICE_ENDPOINT: 'http://127.0.0.1:5000' } });
    assert.equal(fixed.config.organization_id, 'YOUR_ORG_ID');
  });

  it('error: sepolia and main need an RPC endpoint; local has its own; goerli is gone', () => {
    for (const network of ['sepolia', 'main']) {
      const error = expectConfigError(() => loadConfig({ env: { SNET_BLOCKCHAIN_NETWORK_SELECTED: network, SNET_ORGANIZATION_ID: 'o', SNET_SERVICE_ID: 's' } }));
      assert.deepEqual(error.problems.map((p) => p.key), ['ethereum_json_rpc_http_endpoint']);
      assert.match(error.message, new RegExp(`network ${network} needs an Ethereum JSON-RPC endpoint`));
    }
    loadConfig({ env: { SNET_BLOCKCHAIN_NETWORK_SELECTED: 'local', SNET_ORGANIZATION_ID: 'o', SNET_SERVICE_ID: 's' } });
    const goerli = expectConfigError(() => loadConfig({ env: { SNET_BLOCKCHAIN_NETWORK_SELECTED: 'goerli', SNET_ORGANIZATION_ID: 'o', SNET_SERVICE_ID: 's' } }));
    assert.match(goerli.message, /blockchain_network_selected = "goerli" .*Goerli was shut down/);
  });

  it('error: a service endpoint that cannot be parsed or has a scheme the daemon cannot dial', () => {
    for (const endpoint of ['http://', 'ftp://127.0.0.1:5000', 'unix:///tmp/service.sock']) {
      const error = expectConfigError(() => loadConfig({ env: { ...offChain, SNET_SERVICE_ENDPOINT: endpoint } }));
      assert.deepEqual(error.problems.map((p) => p.key), ['service_endpoint'], endpoint);
    }
    for (const endpoint of ['127.0.0.1:5000', 'grpc://127.0.0.1:5000', 'https://service.example:443']) loadConfig({ env: { ...offChain, SNET_SERVICE_ENDPOINT: endpoint } });
  });

  it('error: files that do not exist or cannot be executed are named with their key', () => {
    const notExecutable = join(dir, 'service.sh');
    writeFileSync(notExecutable, '#!/bin/sh\n');
    chmodSync(notExecutable, 0o644);
    const error = expectConfigError(() =>
      loadConfig({
        env: { ...offChain, SNET_SSL_CERT: join(dir, 'missing.crt'), SNET_SSL_KEY: join(dir, 'missing.key'), SNET_PAYMENT_CHANNEL_CA_PATH: join(dir, 'ca.pem'), SNET_EXECUTABLE_PATH: notExecutable },
      }),
    );
    assert.deepEqual(error.problems.map((p) => p.key).sort(), ['executable_path', 'payment_channel_ca_path', 'ssl_cert', 'ssl_key']);
    assert.match(error.message, /ssl_cert = "[^"]*missing\.crt" \(from env SNET_SSL_CERT\): the file does not exist/);
    assert.match(error.message, /executable_path = .*the file is not executable/);
  });

  it('error: a TLS key that does not belong to its certificate', () => {
    const openssl = (name: string): void => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '1'], { cwd: dir, stdio: 'ignore' });
    };
    execFileSync('bash', [new URL('../../scripts/ensure-system-packages.sh', import.meta.url).pathname, 'openssl'], { stdio: ['ignore', 'ignore', 'inherit'] });
    openssl('one');
    openssl('two');
    const error = expectConfigError(() => loadConfig({ env: { ...offChain, SNET_SSL_CERT: join(dir, 'one.crt'), SNET_SSL_KEY: join(dir, 'two.key') } }));
    assert.deepEqual(error.problems.map((p) => p.key), ['ssl_key']);
    assert.match(error.message, /the private key in [^ ]*two\.key does not belong to the certificate in [^ ]*one\.crt/);
    loadConfig({ env: { ...offChain, SNET_SSL_CERT: join(dir, 'one.crt'), SNET_SSL_KEY: join(dir, 'one.key') } });
  });

  it('error: warnings come with the problems (a misspelled key explains a missing value)', () => {
    const path = join(dir, 'typo.json');
    writeFileSync(path, JSON.stringify({ blockchain_enabled: false, service_endpoint: 'YOUR_SERVICE_ENDPOINT', service_endpiont: 'http://127.0.0.1:5000' }));
    const error = expectConfigError(() => loadConfig({ configPath: path, env: {} }));
    assert.match(error.message, /Invalid configuration: 1 problem\n- service_endpoint/);
    assert.match(error.message, /Warnings:\n- service_endpiont \(from file [^)]*\): unknown key 'service_endpiont' ignored/);
    assert.equal(error.warnings.length, 1);
  });
});
