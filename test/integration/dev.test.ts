// `snetd dev` from a user's point of view: one command brings the network up, `snetd dev call`
// makes a call through the daemon, Ctrl-C stops everything it started.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSnetd, startSnetd, type CliResult, type RunningCli } from '../harness/run-cli.ts';
import { assertTwoPaidDevCalls } from '../harness/dev-calls.ts';
import { freePort, isProcessAlive as isAlive } from '../harness/ports.ts';

describe('snetd dev', () => {
  let dir: string;
  let dev: RunningCli;
  let chainPid: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-dev-'));
    // The default data dir (.snetd-dev in the working folder): the other commands find it there.
    dev = startSnetd(['dev', '--port', String(await freePort())], { cwd: dir });
    const [, pid] = await dev.waitFor(/dev chain started[^\n]*"pid":(\d+)/);
    chainPid = Number(pid);
    await dev.waitFor(/Health:/);
  });

  after(async () => {
    await dev.stop();
    if (isAlive(chainPid)) process.kill(chainPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: the banner prints the exact commands, and they work from this folder without -c', async () => {
    const banner = dev.output();
    assert.doesNotMatch(banner, /\tWARN\t/, 'the config snetd dev writes gives the daemon nothing to warn about');
    assert.match(banner, /^Try a call: +(npx )?snetd dev call add 2 3$/m);
    assert.match(banner, /^Channels: +(npx )?snetd list channels$/m);
    assert.match(banner, /^service .*, 1 cog per call$/m);
    assert.match(banner, /^contracts +Registry 0x[0-9a-fA-F]{40}, MPE 0x[0-9a-fA-F]{40}, token 0x[0-9a-fA-F]{40}$/m);
    const channels = await runSnetd(['list', 'channels'], { cwd: dir });
    assert.equal(channels.code, 0, channels.stderr);
    assert.match(channels.stderr, /using the dev network's configuration \.snetd-dev\/snetd\.config\.json/);
  });

  it('behavior: the banner prints the metrics URL, which serves Prometheus metrics; the heartbeat probes the example service and says Online', async () => {
    const [, metricsUrl] = dev.output().match(/^Metrics: +curl (http:\/\/127\.0\.0\.1:\d+\/metrics) /m) ?? [];
    assert.ok(metricsUrl !== undefined, 'a Metrics: line with the URL');
    const metrics = await fetch(metricsUrl);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /^snetd_info\{version="[^"]+"\} 1$/m);
    const heartbeat = (await (await fetch(metricsUrl.replace(/\/metrics$/, '/heartbeat'))).json()) as { status: string; serviceheartbeat: string };
    assert.equal(heartbeat.status, 'Online', 'grpc Health/Check of the example service, not a bare TCP connect (Warning)');
    assert.equal((JSON.parse(heartbeat.serviceheartbeat) as { status: string }).status, 'SERVING');
    const config = JSON.parse(readFileSync(join(dir, '.snetd-dev', 'snetd.config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config['service_heartbeat_type'], 'grpc');
    assert.match(String(config['heartbeat_endpoint']), /^127\.0\.0\.1:\d+$/);
  });

  it('behavior: `snetd dev call` makes paid calls through the daemon and prints the price apart from the signed total', async () => {
    await assertTwoPaidDevCalls(join(dir, '.snetd-dev'), dir);
    const channels = await runSnetd(['list', 'channels'], { cwd: dir });
    assert.match(channels.stdout, /channel 0: nonce 0, signed amount 2 of /);
  });

  it('error: an argument that does not fit the input type is refused before anything is signed or charged', async () => {
    const bad = await runSnetd(['dev', 'call', 'add', 'two', '3'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /REQUEST_MALFORMED.*argument a = "two" is not a number \(example_service\.Numbers\.a is float\); nothing was signed or charged/);
    const next = await runSnetd(['dev', 'call', 'sub', '5', '3'], { cwd: dir });
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /sub\(5, 3\) = 2 {2}\(price 1 cog; channel 0 signed amount now 3 cogs\)/, 'the refused call cost nothing');
  });

  it('behavior: `snetd dev call --payment prepaid` plans 5 calls with one signature and uses them; escrow goes on above', async () => {
    const args = (method: string, ...rest: string[]): string[] => ['dev', 'call', method, '1', '1', ...rest];
    const first = await runSnetd(args('add', '--payment', 'prepaid'), { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /add\(1, 1\) = 2 {2}\(prepaid: 1 of 5 cogs planned on channel 0 used after this call\)/);
    const second = await runSnetd(args('mul', '--payment', 'prepaid'), { cwd: dir });
    assert.match(second.stdout, /mul\(1, 1\) = 1 {2}\(prepaid: 2 of 5 cogs planned on channel 0 used after this call\)/);
    const escrow = await runSnetd(args('sub'), { cwd: dir });
    // 3 cogs signed by the escrow calls above, 5 planned for prepaid, then one more escrow call.
    assert.match(escrow.stdout, /sub\(1, 1\) = 0 {2}\(price 1 cog; channel 0 signed amount now 9 cogs\)/);
    const unknown = await runSnetd(args('add', '--payment', 'gift'), { cwd: dir });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown payment type "gift"/);
  });

  it('behavior: `snetd dev call --payment free` makes the free calls the dev network grants, then says to pay', async () => {
    for (let i = 0; i < 5; i++) {
      const free = await runSnetd(['dev', 'call', 'add', String(i), '1', '--payment', 'free'], { cwd: dir });
      assert.equal(free.code, 0, free.stderr);
      assert.match(free.stdout, new RegExp(`add\\(${i}, 1\\) = ${i + 1} {2}\\(free call\\)`));
    }
    const none = await runSnetd(['dev', 'call', 'add', '1', '1', '--payment', 'free'], { cwd: dir });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /grants 0x[0-9a-fA-F]{40} no more free calls/);
  });

  it('error: a call the service refuses (div 1 0) is one line with its status, exits 1 and is not charged', async () => {
    const failed = await runSnetd(['dev', 'call', 'div', '1', '0'], { cwd: dir });
    assert.equal(failed.code, 1);
    const [, stays] = failed.stderr.match(/^Error \[DEVNET_CALL_FAILED\]: div\(1, 0\) failed: the daemon answered INVALID_ARGUMENT: division by zero \(not charged: channel 0 signed amount stays (\d+) cogs\)$/m) ?? [];
    assert.ok(stays !== undefined, failed.stderr);
    assert.doesNotMatch(failed.stderr, /^\s+at /m, 'no stack trace');
    const next = await runSnetd(['dev', 'call', 'add', '1', '1'], { cwd: dir });
    assert.match(next.stdout, new RegExp(`add\\(1, 1\\) = 2 {2}\\(price 1 cog; channel 0 signed amount now ${Number(stays) + 1} cogs\\)`), 'the failed call was released');
    // Prepaid: the failed call's use is given back (the next call uses one more than the call before it).
    const prepaid = (method: string, b: string): Promise<CliResult> => runSnetd(['dev', 'call', method, '1', b, '--payment', 'prepaid'], { cwd: dir });
    const [, used] = (await prepaid('add', '1')).stdout.match(/prepaid: (\d+) of \d+ cogs planned/) ?? [];
    const prepaidFailed = await prepaid('div', '0');
    assert.equal(prepaidFailed.code, 1);
    assert.match(prepaidFailed.stderr, /div\(1, 0\) failed: the daemon answered INVALID_ARGUMENT: division by zero \(not charged: the daemon gives back the prepaid use of a failed call\)/);
    assert.match((await prepaid('mul', '1')).stdout, new RegExp(`prepaid: ${Number(used) + 1} of \\d+ cogs planned`));
  });

  it('behavior: against a free dev network, `dev call --payment X` says no payment is made, and a failed call cost nothing', async () => {
    // The daemon `snetd dev --free` starts: the dev network's config with the blockchain off (the same chain and
    // example service, so no second dev network), and the dev state it writes for it (paid: false).
    const devDir = join(dir, '.snetd-dev');
    const freeDir = join(dir, 'free-dev');
    const settings = { blockchain_enabled: 'false', daemon_endpoint: '127.0.0.1:0', embedded_storage_dir: join(freeDir, 'channel-state'), 'log.output.type': 'stdout' };
    const daemon = startSnetd(['serve', '-c', join(devDir, 'snetd.config.json'), ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])], { cwd: dir });
    try {
      const [, port] = await daemon.waitFor(/"address":"127\.0\.0\.1:(\d+)"/);
      mkdirSync(freeDir);
      const state = JSON.parse(readFileSync(join(devDir, 'dev-state.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(freeDir, 'dev-state.json'), JSON.stringify({ ...state, paid: false, daemonAddress: `127.0.0.1:${port}` }));
      const call = await runSnetd(['dev', 'call', 'add', '2', '3', '--payment', 'prepaid', '--data-dir', freeDir], { cwd: dir });
      assert.equal(call.code, 0, call.stderr);
      assert.match(call.stderr, /^note: this dev network runs with --free: no payment is made, --payment prepaid is ignored$/m);
      assert.match(call.stdout, /add\(2, 3\) = 5 {2}\(free: the dev daemon runs without payments\)/);
      const plain = await runSnetd(['dev', 'call', 'div', '1', '0', '--data-dir', freeDir], { cwd: dir });
      assert.equal(plain.code, 1);
      assert.doesNotMatch(plain.stderr, /note:/, 'no note without --payment');
      assert.match(plain.stderr, /div\(1, 0\) failed: the daemon answered INVALID_ARGUMENT: division by zero \(nothing charged: the dev network is free\)/);
    } finally {
      await daemon.stop();
    }
  });

  it('behavior: SIGINT stops the daemon and every child process', async () => {
    dev.child.kill('SIGINT');
    const [code] = (await once(dev.child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(isAlive(chainPid), false, 'the dev chain process is gone');
  });

  it('error: once `snetd dev` has stopped, `dev call` and `list channels` from its folder say so and how to start it', async () => {
    const call = await runSnetd(['dev', 'call', 'add', '1', '1'], { cwd: dir });
    assert.equal(call.code, 1);
    assert.match(call.stderr, /DEVNET_NOT_RUNNING.*the dev network in \.snetd-dev is not running \(its chain at http:\/\/127\.0\.0\.1:\d+ does not answer\)/);
    assert.match(call.stderr, /Hint: Start it with `npx snetd dev` in this folder/);
    const channels = await runSnetd(['list', 'channels'], { cwd: dir });
    assert.equal(channels.code, 1);
    assert.match(channels.stderr, /DEVNET_NOT_RUNNING.*the dev network in \.snetd-dev is not running/);
  });
});
