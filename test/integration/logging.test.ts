// Logging through real files, a real SMTP server and a real HTTP server on 127.0.0.1 (docs/operations.md "Logging").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { SMTPServer } from 'smtp-server';
import {
  createLogger,
  DEFAULT_LOGGING_OPTIONS,
  EMAIL_HOOK_SUBJECT,
  type LoggingOptions,
  type LogHookConfig,
} from '../../src/ops/index.ts';
import { isSnetError } from '../../src/errors/index.ts';

const CONTEXT = { organizationId: 'org-1', serviceId: 'svc-1', network: 'sepolia', version: 'v9.9.9' };
const PRIVATE_KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const SMTP_USER = 'daemon@example.com';
const SMTP_PASSWORD = 'smtp-Pa55word';

function memorySink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

function options(overrides: {
  dir?: string;
  type?: LoggingOptions['output']['type'];
  formatter?: 'text' | 'json';
  maxSizeBytes?: number;
  rotationCount?: number;
  level?: LoggingOptions['level'];
  hooks?: LogHookConfig[];
}): LoggingOptions {
  const dir = overrides.dir ?? os.tmpdir();
  return {
    ...DEFAULT_LOGGING_OPTIONS,
    level: overrides.level ?? 'debug',
    formatter: { type: overrides.formatter ?? 'json', timestampFormat: DEFAULT_LOGGING_OPTIONS.formatter.timestampFormat },
    output: {
      ...DEFAULT_LOGGING_OPTIONS.output,
      type: overrides.type ?? ['file'],
      filePattern: path.join(dir, 'snet-daemon.%Y%m%d.log'),
      currentLink: path.join(dir, 'snet-daemon.log'),
      ...(overrides.maxSizeBytes === undefined ? {} : { maxSizeBytes: overrides.maxSizeBytes }),
      rotationCount: overrides.rotationCount ?? 0,
    },
    hooks: overrides.hooks ?? [],
  };
}

/** Every log file in `dir` (live and gunzipped rotated ones), as text. */
function allFileText(dir: string): string {
  return fs.readdirSync(dir).filter((f) => f.startsWith('snet-daemon.')).map((f) => {
    const full = path.join(dir, f);
    if (fs.lstatSync(full).isSymbolicLink()) return '';
    const raw = fs.readFileSync(full);
    return f.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  }).join('');
}

/** Decodes the body of a raw single-part RFC 822 message (7bit, quoted-printable or base64). */
function mailBody(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  let body = raw.slice(split + 4);
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    body = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  } else if (/content-transfer-encoding:\s*base64/i.test(headers)) {
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, body };
}

interface TestSmtp {
  port: number;
  messages: Array<{ raw: string; to: string[]; from: string; user: string | undefined }>;
  nextMessage: () => Promise<void>;
  close: () => Promise<void>;
}

async function startSmtp(): Promise<TestSmtp> {
  const messages: TestSmtp['messages'] = [];
  let waiters: Array<() => void> = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          to: session.envelope.rcptTo.map((a) => a.address),
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        const w = waiters;
        waiters = [];
        for (const f of w) f();
        cb();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const address = server.server.address() as net.AddressInfo;
  return {
    port: address.port,
    messages,
    nextMessage: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function emailHook(port: number, levels: string[], extra: Record<string, unknown> = {}): LogHookConfig {
  return {
    name: 'alerts',
    type: 'email',
    levels,
    settings: { host: '127.0.0.1', port, from: SMTP_USER, to: 'ops@example.com', password: SMTP_PASSWORD, max_per_minute: 6000, ...extra },
  };
}

describe('logging to rotating files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snetd-log-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('behavior: rotates by size into .gz backups that hold the early lines; current link follows', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'size-'));
    const stderr = memorySink();
    const handle = createLogger(options({ dir: sub, maxSizeBytes: 2048 }), CONTEXT, { stderr: stderr.stream });
    const rotated: string[] = [];
    handle.file?.on('rotated', (f: string) => rotated.push(f));
    for (let i = 0; i < 60; i++) handle.logger.info({ i, filler: 'x'.repeat(60) }, `line ${i}`);
    await handle.flush();

    const gz = fs.readdirSync(sub).filter((f) => f.endsWith('.log.gz')).sort();
    assert.ok(gz.length >= 2, `expected at least two rotated files, got ${gz.join(', ')}`);
    assert.equal(rotated.length, gz.length);
    for (const f of gz) assert.match(f, /^snet-daemon\.\d{8}-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log\.gz$/);
    const first = gunzipSync(fs.readFileSync(path.join(sub, gz[0] ?? ''))).toString('utf8');
    assert.match(first.split('\n')[0] ?? '', /"msg":"line 0"/);
    for (const f of gz) assert.ok(fs.statSync(path.join(sub, f)).size > 0);

    // Every line is somewhere, exactly once, in order across backups then the live file.
    const current = handle.currentFile ?? '';
    const all = gz.map((f) => gunzipSync(fs.readFileSync(path.join(sub, f))).toString('utf8')).join('') + fs.readFileSync(current, 'utf8');
    const order = all.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    assert.deepEqual(order, Array.from({ length: 60 }, (_v, i) => i));
    // Each finished file stayed near the limit (one line of slack).
    for (const f of gz) assert.ok(gunzipSync(fs.readFileSync(path.join(sub, f))).length <= 2048);

    const link = path.join(sub, 'snet-daemon.log');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.realpathSync(link), fs.realpathSync(current));
    await handle.close();
    assert.equal(stderr.text(), '', 'no logging failure was reported');
  });

  it('behavior: rotation_count keeps only the newest rotated files', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'count-'));
    const stderr = memorySink();
    const handle = createLogger(options({ dir: sub, maxSizeBytes: 1024, rotationCount: 2 }), CONTEXT, { stderr: stderr.stream });
    const removed: string[] = [];
    handle.file?.on('removed', (f: string) => removed.push(f));
    for (let i = 0; i < 80; i++) handle.logger.info({ i, filler: 'y'.repeat(60) }, `line ${i}`);
    await handle.flush();
    const gz = fs.readdirSync(sub).filter((f) => f.endsWith('.gz'));
    assert.equal(gz.length, 2, gz.join(', '));
    assert.ok(removed.length >= 1);
    // The oldest lines were in deleted files; the last line is in the live file.
    const text = allFileText(sub);
    assert.ok(!text.includes('"msg":"line 0"'));
    assert.ok(fs.readFileSync(handle.currentFile ?? '', 'utf8').includes('"msg":"line 79"'));
    await handle.close();
    assert.equal(stderr.text(), '', 'no logging failure was reported');
  });

  it('behavior: a new file when the pattern date changes; the old one is gzipped and the link moves', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'time-'));
    let now = new Date(2026, 2, 1, 23, 59, 58); // local time, like the file names
    const handle = createLogger(options({ dir: sub }), CONTEXT, { now: () => now });
    handle.logger.info({}, 'before midnight');
    const rotated = once(handle.file ?? new PassThrough(), 'rotated');
    now = new Date(2026, 2, 2, 0, 0, 1);
    handle.logger.info({}, 'after midnight');
    const [gzPath] = (await rotated) as [string];
    await handle.flush();
    assert.equal(path.basename(gzPath), 'snet-daemon.20260301.log.gz');
    assert.match(gunzipSync(fs.readFileSync(gzPath)).toString('utf8'), /before midnight/);
    assert.equal(path.basename(handle.file?.currentFile ?? ''), 'snet-daemon.20260302.log');
    assert.match(fs.readFileSync(path.join(sub, 'snet-daemon.log'), 'utf8'), /after midnight/);
    await handle.close();
  });

  it('error: an unwritable log directory fails start-up with LOG_SETUP_FAILED', () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    assert.throws(
      () => createLogger(options({ dir: path.join(blocker, 'logs') }), CONTEXT),
      (e: unknown) => isSnetError(e, 'LOG_SETUP_FAILED') && /cannot open log file/.test(e.message),
    );
  });
});

describe('email hook', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.close());

  it('behavior: delivers error entries to the SMTP server and not info entries', async () => {
    smtp.messages.length = 0;
    const stdout = memorySink();
    const handle = createLogger(options({ type: ['stdout'], hooks: [emailHook(smtp.port, ['error'])] }), CONTEXT, { stdout: stdout.stream });
    const delivered = smtp.nextMessage();
    handle.logger.info({ channelId: '7' }, 'routine info line');
    handle.logger.error({ channelId: '7' }, 'payment store unreachable');
    await delivered;
    await handle.close();

    assert.equal(smtp.messages.length, 1, 'only the error entry is mailed');
    const msg = smtp.messages[0];
    assert.ok(msg !== undefined);
    assert.deepEqual(msg.to, ['ops@example.com']);
    assert.equal(msg.from, SMTP_USER);
    assert.equal(msg.user, SMTP_USER, 'authenticated with PLAIN as from (username default)');
    const { headers, body } = mailBody(msg.raw);
    assert.match(headers, new RegExp(`^Subject: ${EMAIL_HOOK_SUBJECT}$`, 'm'));
    assert.match(headers, /^To: ops@example\.com$/m);
    for (const line of ['OrgID: org-1', 'ServiceID: svc-1', 'Network: sepolia', 'Daemon version: v9.9.9', 'Log level: error', 'Message: payment store unreachable']) {
      assert.ok(body.includes(line), `missing "${line}" in\n${body}`);
    }
    assert.match(body, /Time UTC: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+0000 UTC/);
    assert.ok(body.includes('"channelId":"7"'));
    assert.ok(!body.includes('routine info line'));
    assert.match(stdout.text(), /routine info line/);
  });

  it('behavior: an SMTP server that never answers does not block logging; overflow is dropped and reported', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      // Accept and say nothing: nodemailer waits for the greeting.
      sockets.add(socket);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as net.AddressInfo).port;
    const stdout = memorySink();
    const handle = createLogger(
      options({ type: ['stdout'], formatter: 'text', hooks: [emailHook(port, ['error'], { max_queue: 2, close_timeout_ms: 50 })] }),
      CONTEXT,
      { stdout: stdout.stream },
    );
    for (let i = 0; i < 10; i++) handle.logger.error({ i }, `failure ${i}`);
    // All ten lines reached stdout at once although the mail server is stuck.
    for (let i = 0; i < 10; i++) assert.match(stdout.text(), new RegExp(`\tERROR\tfailure ${i}\t`));
    await handle.close();
    assert.match(stdout.text(), /\tWARN\tlog hook "alerts" queue is full \(2\); entries are dropped and counted\t\{"hook":"alerts"\}/);
    assert.match(stdout.text(), /\tWARN\tlog hook "alerts" closed\t\{"hook":"alerts","dropped":\d+/);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('error: a hook section without a password fails start-up with the reference message', () => {
    const bad: LogHookConfig = { name: 'alerts', type: 'email', levels: ['error'], settings: { host: '127.0.0.1', port: 25, from: 'a@b.c', to: 'd@e.f' } };
    assert.throws(
      () => createLogger(options({ type: ['stdout'], hooks: [bad] }), CONTEXT, { stdout: memorySink().stream }),
      (e: unknown) =>
        isSnetError(e, 'LOG_SETUP_FAILED') &&
        e.message === 'unable to add log hook "alerts", error: unable to create instance of mail auth hook: invalid configuration: log.alerts.password missing',
    );
  });
});

describe('webhook hook', () => {
  it('behavior: POSTs JSON entries for its levels', async () => {
    const bodies: unknown[] = [];
    let notify: () => void = () => undefined;
    const got = new Promise<void>((resolve) => {
      notify = resolve;
    });
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ auth: req.headers['x-auth'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        res.end('ok');
        notify();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const handle = createLogger(
      options({
        type: ['stdout'],
        hooks: [{ name: 'hook1', type: 'webhook', levels: ['warn'], settings: { url: `http://127.0.0.1:${port}/hook`, headers: { 'x-auth': 'secret-header' } } }],
      }),
      CONTEXT,
      { stdout: memorySink().stream },
    );
    handle.logger.error({}, 'not for this hook');
    handle.logger.warn({ k: 1 }, 'disk almost full');
    await got;
    await handle.close();
    server.close();
    assert.equal(bodies.length, 1);
    assert.deepEqual(bodies[0], {
      auth: 'secret-header',
      body: {
        level: 'WARN', time: (bodies[0] as { body: { time: string } }).body.time, ts: (bodies[0] as { body: { ts: string } }).body.ts,
        message: 'disk almost full', fields: { k: 1 },
        organization_id: 'org-1', service_id: 'svc-1', network: 'sepolia', daemon_version: 'v9.9.9',
      },
    });
  });
});

describe('telegram_bot hook', () => {
  it('behavior: POSTs the reference sendMessage payload; a failing API is reported without the bot key', async () => {
    const requests: Array<{ url: string; body: unknown }> = [];
    let status = 200;
    let notify: () => void = () => undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ url: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        res.statusCode = status;
        res.end('{}');
        notify();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const botKey = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const stdout = memorySink();
    const handle = createLogger(
      options({
        type: ['stdout'],
        formatter: 'text',
        hooks: [{
          name: 'tg', type: 'telegram_bot', levels: ['error'],
          settings: { telegram_api_key: botKey, telegram_chat_id: -1001234567890, telegram_disable_notifications: true, telegram_api_url: `http://127.0.0.1:${port}` },
        }],
      }),
      CONTEXT,
      { stdout: stdout.stream },
    );
    let got = new Promise<void>((resolve) => { notify = resolve; });
    handle.logger.error({}, 'upstream down');
    await got;
    status = 500;
    got = new Promise<void>((resolve) => { notify = resolve; });
    handle.logger.error({}, 'still down');
    await got;
    await handle.close();
    server.close();

    assert.equal(requests[0]?.url, `/bot${botKey}/sendMessage`);
    const body = requests[0]?.body as { chat_id: number; text: string; disable_notification: boolean };
    assert.equal(body.chat_id, -1001234567890);
    assert.equal(body.disable_notification, true);
    assert.ok(body.text.startsWith('⚠️Daemon hook⚠️\r\n\r\nOrgID: org-1\r\nServiceID: svc-1\r\nLog Level: error\r\nUTC Time: '));
    assert.ok(body.text.endsWith('\r\nMessage: upstream down'));
    assert.match(stdout.text(), /WARN\tlog hook "tg" could not deliver an entry; further failures are only counted\t\{"hook":"tg","error":"telegram API answered HTTP 500"\}/);
    assert.ok(!stdout.text().includes('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'));
  });
});

describe('secrets never reach a log line', () => {
  let smtp: TestSmtp;
  let dir: string;
  before(async () => {
    smtp = await startSmtp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snetd-log-secret-'));
  });
  after(async () => {
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const formatter of ['text', 'json'] as const) {
    it(`behavior: a private key in the config is absent from stdout, stderr, files and e-mails (${formatter})`, async () => {
      smtp.messages.length = 0;
      const sub = fs.mkdtempSync(path.join(dir, `${formatter}-`));
      const stdout = memorySink();
      const stderr = memorySink();
      const levels = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
      const handle = createLogger(
        options({ dir: sub, formatter, type: ['file', 'stdout', 'stderr'], maxSizeBytes: 1500, hooks: [emailHook(smtp.port, [...levels])] }),
        CONTEXT,
        { stdout: stdout.stream, stderr: stderr.stream },
      );
      const config = {
        private_key_for_metering: PRIVATE_KEY,
        payment_channel_storage_client: { private_key: `0x${PRIVATE_KEY}` },
        blockchain_provider_api_key: 'prov-key-123',
        ethereum_json_rpc_endpoint: `https://user:${PRIVATE_KEY}@rpc.example.org/v3/9aa3d95b3bc440fa88ea12eaa4456161`,
      };
      const child = handle.logger.child({ component: 'config', pvt_key_for_metering: PRIVATE_KEY });
      for (const level of levels) {
        handle.logger[level]({ config }, `effective config at ${level}`);
        child[level]({ note: `cannot parse key ${PRIVATE_KEY}` }, `parse failure ${PRIVATE_KEY}`);
        handle.logger[level](new Error(`bad key 0x${PRIVATE_KEY}`), 'error object');
      }
      while (smtp.messages.length < levels.length * 3) await smtp.nextMessage();
      await handle.close();

      const mails = smtp.messages.map((m) => mailBody(m.raw).body).join('\n');
      const outputs = { stdout: stdout.text(), stderr: stderr.text(), files: allFileText(sub), mails };
      assert.ok(fs.readdirSync(sub).some((f) => f.endsWith('.gz')), 'rotated files are checked too');
      for (const [name, text] of Object.entries(outputs)) {
        assert.ok(text.length > 0, `${name} is empty`);
        assert.ok(!text.includes(PRIVATE_KEY), `private key leaked into ${name}`);
        assert.ok(!text.toLowerCase().includes(PRIVATE_KEY.slice(0, 40)), `part of the key leaked into ${name}`);
        assert.ok(!text.includes('prov-key-123'), `provider key leaked into ${name}`);
        assert.ok(!text.includes('9aa3d95b3bc440fa88ea12eaa4456161'), `infura key leaked into ${name}`);
        assert.ok(!text.includes(SMTP_PASSWORD), `smtp password leaked into ${name}`);
        assert.match(text, /\[REDACTED\]/);
      }
      assert.match(outputs.stdout, /effective config at fatal/);
      assert.match(mails, /Message: effective config at debug/);
    });
  }
});
