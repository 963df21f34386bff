import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { runSnetd } from '../harness/run-cli.ts';
import { freePort } from '../harness/ports.ts';
import { startEtcd } from '../harness/etcd.ts';
import { startTestService } from '../harness/grpc-test-service.ts';

const fixtures = new URL('../fixtures/config/', import.meta.url).pathname;
/** What a paid daemon needs beyond the defaults and the `init` file. */
const chainReady = { SNET_ETHEREUM_JSON_RPC_HTTP_ENDPOINT: 'http://127.0.0.1:8545', SNET_ORGANIZATION_ID: 'test-org', SNET_SERVICE_ID: 'test-service' };

describe('snetd CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('behavior: --help lists the commands', async () => {
    const result = await runSnetd(['--help']);
    assert.equal(result.code, 0, result.stderr);
    for (const command of ['serve', 'init', 'init-full', 'config', 'version']) assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
    const serveHelp = await runSnetd(['serve', '--help']);
    assert.match(serveHelp.stdout, /--daemon-endpoint/);
  });

  it('behavior: init writes the minimal file, refuses to overwrite it, and `config` names its placeholders until they are filled', async () => {
    const first = await runSnetd(['init'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Writing basic configuration to the file: snetd.config.json/);
    const written = JSON.parse(readFileSync(join(dir, 'snetd.config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(written, JSON.parse(readFileSync(join(fixtures, 'reference-init.json'), 'utf8')), 'same keys and values as the Go daemon writes');
    assert.equal(statSync(join(dir, 'snetd.config.json')).mode & 0o777, 0o600);
    const second = await runSnetd(['init'], { cwd: dir });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /CONFIG_FILE_EXISTS.*snetd.config.json/);
    const check = await runSnetd(['config'], { cwd: dir });
    assert.equal(check.code, 1, 'the placeholders are not a configuration yet');
    for (const key of ['service_endpoint', 'organization_id', 'service_id', 'ethereum_json_rpc_http_endpoint']) assert.match(check.stderr, new RegExp(`- ${key}\\b`));
    const filled = await runSnetd(['config', '--json'], { cwd: dir, env: { ...chainReady, SNET_SERVICE_ENDPOINT: 'http://127.0.0.1:5000' } });
    assert.equal(filled.code, 0, filled.stderr);
  });

  it('behavior: init-full writes every key and it loads back, also as YAML', async () => {
    for (const name of ['full.json', 'full.yaml']) {
      const result = await runSnetd(['-c', name, 'init-full'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const check = await runSnetd(['-c', name, 'config', '--json'], { cwd: dir, env: chainReady });
      assert.equal(check.code, 0, check.stderr);
      const config = JSON.parse(check.stdout) as Record<string, unknown>;
      assert.equal(config['daemon_endpoint'], '127.0.0.1:8080');
      assert.equal(config['token_secret_key'], '[hidden]', 'secrets are never printed');
    }
  });

  it('behavior: SNET_DAEMON_ENDPOINT overrides the file and a flag overrides both', async () => {
    const path = join(dir, 'precedence.json');
    writeFileSync(path, JSON.stringify({ daemon_endpoint: '127.0.0.1:7000', blockchain_enabled: false }));
    const env = await runSnetd(['-c', path, 'config', '--json'], { env: { SNET_DAEMON_ENDPOINT: '127.0.0.1:7001' } });
    assert.equal((JSON.parse(env.stdout) as { daemon_endpoint: string }).daemon_endpoint, '127.0.0.1:7001');
    const flag = await runSnetd(['-c', path, 'config', '--json', '--daemon-endpoint', '127.0.0.1:7002'], { env: { SNET_DAEMON_ENDPOINT: '127.0.0.1:7001' } });
    assert.equal((JSON.parse(flag.stdout) as { daemon_endpoint: string }).daemon_endpoint, '127.0.0.1:7002');
  });

  it('error: a config with five mistakes (and a missing certificate) lists all six, exits non-zero and starts nothing', async () => {
    const result = await runSnetd(['-c', join(fixtures, 'five-mistakes.json'), 'serve'], { env: chainReady });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Invalid configuration: 6 problems/);
    for (const key of ['blockchain_enabled', 'ssl_cert', 'ssl_key', 'daemon_endpoint', 'max_message_size_in_mb', 'private_key_for_free_calls']) {
      assert.match(result.stderr, new RegExp(`- ${key}`));
    }
    assert.ok(!result.stderr.includes('abc123notakey'));
    assert.doesNotMatch(result.stdout + result.stderr, /successfully started/);
  });

  it('error: log hook problems are reported together with the other config problems', async () => {
    const path = join(dir, 'hooks.json');
    writeFileSync(path, JSON.stringify({ max_message_size_in_mb: 0, log: { hooks: ['mail', 'ghost'], mail: { type: 'email', levels: ['error'], from: 'snetd@example.org' } } }));
    const result = await runSnetd(['-c', path, 'config']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /- max_message_size_in_mb = 0/);
    assert.match(result.stderr, /- log\.mail .*host/);
    assert.match(result.stderr, /- log\.ghost .*has no section/);
  });

  it('error: `serve` refuses a configuration with the same text as `config`, warnings included, and no stack trace', async () => {
    const path = join(dir, 'typo.json');
    writeFileSync(path, JSON.stringify({ blockchain_enabled: false, service_endpoint: 'YOUR_SERVICE_ENDPOINT', service_endpiont: 'http://127.0.0.1:5000' }));
    const config = await runSnetd(['-c', path, 'config']);
    const serve = await runSnetd(['-c', path, 'serve']);
    assert.equal(config.code, 1);
    assert.equal(serve.code, 1);
    assert.equal(serve.stderr, config.stderr);
    assert.match(serve.stderr, /- service_endpoint = "YOUR_SERVICE_ENDPOINT".*placeholder/);
    assert.match(serve.stderr, /Warnings:\n- service_endpiont .*unknown key/);
    assert.doesNotMatch(serve.stdout + serve.stderr, /\n\s+at /, 'no stack trace');
  });

  it('error: a start-up failure after the checks is one error line; its stack only at debug level', async () => {
    const busy: Server = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const port = (busy.address() as { port: number }).port;
    try {
      const args = ['serve', '--blockchain', 'false', '--daemon-endpoint', `127.0.0.1:${port}`, '--service-endpoint', `http://127.0.0.1:${await freePort()}`, '--set', 'log.output.type=stdout'];
      const info = await runSnetd(args, { cwd: dir });
      assert.equal(info.code, 1);
      assert.match(info.stdout, /daemon failed to start: /);
      assert.doesNotMatch(info.stdout + info.stderr, /\n\s+at |\\n\s+at /, 'no stack trace at info level');
      const debug = await runSnetd([...args, '--log-level', 'debug'], { cwd: dir });
      assert.equal(debug.code, 1);
      assert.match(debug.stdout, /daemon failed to start \(details\)/);
    } finally {
      busy.close();
    }
  });

  it('behavior: `config --check-network` reaches RPC, IPFS, etcd and the service and names the ones that fail', async () => {
    const etcd = await startEtcd();
    const service = await startTestService();
    try {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const path = join(dir, 'network.json');
      writeFileSync(
        path,
        JSON.stringify({
          blockchain_network_selected: 'local',
          organization_id: 'test-org',
          service_id: 'test-service',
          ethereum_json_rpc_http_endpoint: closed,
          ipfs_endpoint: closed,
          service_endpoint: `http://127.0.0.1:${service.port}`,
          payment_channel_storage_client: { endpoints: [etcd.endpoint, closed] },
        }),
      );
      const result = await runSnetd(['-c', path, 'config', '--check-network']);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /network: FAIL rpc .*ECONNREFUSED/);
      assert.match(result.stdout, /network: FAIL ipfs .*ECONNREFUSED/);
      assert.match(result.stdout, new RegExp(`network: ok   etcd +"${etcd.endpoint}/?": etcd \\d`));
      assert.match(result.stdout, new RegExp(`network: FAIL etcd +"${closed}/?"`));
      assert.match(result.stdout, /network: ok {3}service .*accepts connections/);
      assert.match(result.stderr, /^Error \[CONFIG_NETWORK_CHECK_FAILED\]: cannot reach rpc, ipfs, etcd \(the FAIL lines above say why\);/m);
      assert.match(result.stderr, /^Hint: Start each peer or correct its address/m);
    } finally {
      await service.stop();
      await etcd.stop();
    }
  });

  it('behavior: version prints locally, without a config', async () => {
    const result = await runSnetd(['version', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const facts = JSON.parse(result.stdout) as { version: string; node: string };
    assert.match(facts.node, /^v24\./, 'the pinned Node 24 runs the daemon');
  });

  it('error: an unknown command is a usage error', async () => {
    const result = await runSnetd(['frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command|too many arguments/);
  });

  it('error: `snetd channel` without `unlock <id>` and `storage import` without a file are usage errors that say what to type', async () => {
    const lookup = await runSnetd(['channel', '0'], { cwd: dir });
    assert.equal(lookup.code, 2);
    assert.match(lookup.stderr, /unknown action '0': snetd channel unlock <channel id> \(each channel's state: snetd list channels\)/);
    const bare = await runSnetd(['channel'], { cwd: dir });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /say which channel to unlock/);
    const importing = await runSnetd(['storage', 'import'], { cwd: dir });
    assert.equal(importing.code, 2);
    assert.match(importing.stderr, /say what to import: snetd storage import <file>/);
  });
});
