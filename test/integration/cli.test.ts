import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSnetd } from '../harness/run-cli.ts';

const fixtures = new URL('../fixtures/config/', import.meta.url).pathname;

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

  it('behavior: init writes the minimal file, refuses to overwrite it, and the file loads', async () => {
    const first = await runSnetd(['init'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Writing basic configuration to the file: snetd.config.json/);
    const written = JSON.parse(readFileSync(join(dir, 'snetd.config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(written, JSON.parse(readFileSync(join(fixtures, 'reference-init.json'), 'utf8')), 'same keys and values as the Go daemon writes');
    assert.equal(statSync(join(dir, 'snetd.config.json')).mode & 0o777, 0o600);
    const second = await runSnetd(['init'], { cwd: dir });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /CONFIG_FILE_EXISTS.*snetd.config.json/);
    const check = await runSnetd(['config', '--json'], { cwd: dir });
    assert.equal(check.code, 0, check.stderr);
  });

  it('behavior: init-full writes every key and it loads back, also as YAML', async () => {
    for (const name of ['full.json', 'full.yaml']) {
      const result = await runSnetd(['-c', name, 'init-full'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const check = await runSnetd(['-c', name, 'config', '--json'], { cwd: dir });
      assert.equal(check.code, 0, check.stderr);
      const config = JSON.parse(check.stdout) as Record<string, unknown>;
      assert.equal(config['daemon_endpoint'], '127.0.0.1:8080');
      assert.equal(config['token_secret_key'], '[hidden]', 'secrets are never printed');
    }
  });

  it('behavior: SNET_DAEMON_ENDPOINT overrides the file and a flag overrides both', async () => {
    const path = join(dir, 'precedence.json');
    writeFileSync(path, JSON.stringify({ daemon_endpoint: '127.0.0.1:7000' }));
    const env = await runSnetd(['-c', path, 'config', '--json'], { env: { SNET_DAEMON_ENDPOINT: '127.0.0.1:7001' } });
    assert.equal((JSON.parse(env.stdout) as { daemon_endpoint: string }).daemon_endpoint, '127.0.0.1:7001');
    const flag = await runSnetd(['-c', path, 'config', '--json', '--daemon-endpoint', '127.0.0.1:7002'], { env: { SNET_DAEMON_ENDPOINT: '127.0.0.1:7001' } });
    assert.equal((JSON.parse(flag.stdout) as { daemon_endpoint: string }).daemon_endpoint, '127.0.0.1:7002');
  });

  it('error: a config with five mistakes lists all five, exits non-zero and starts nothing', async () => {
    const result = await runSnetd(['-c', join(fixtures, 'five-mistakes.json'), 'serve']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Invalid configuration: 5 problems/);
    for (const key of ['blockchain_enabled', 'ssl_key', 'daemon_endpoint', 'max_message_size_in_mb', 'private_key_for_free_calls']) {
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
});
