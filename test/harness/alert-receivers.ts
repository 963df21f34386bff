// Where a daemon's alerts land in tests: a real SMTP server (smtp-server, PLAIN login `smtp-pass`) and a local
// HTTP server taking the webhook POSTs, both on 127.0.0.1. Received messages are kept in order.
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

/** What the receivers got so far. */
export interface ReceivedAlerts {
  readonly emails: Array<{ raw: string; to: string[] }>;
  readonly posts: Array<{ headers: http.IncomingHttpHeaders; body: Record<string, string> }>;
}

/** Running receivers. */
export interface AlertReceivers {
  readonly received: ReceivedAlerts;
  readonly smtpPort: number;
  readonly webhookPort: number;
  /** Daemon config keys that send alerts here (e-mail to owner@example.com, webhook at /notify). */
  readonly daemonConfig: Readonly<Record<string, string | number>>;
  close(): Promise<void>;
}

/** Resolves once `predicate` holds, re-checking every 10 ms (bounded by the test timeout). */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Starts the SMTP server and the webhook receiver on free ports. */
export async function startAlertReceivers(): Promise<AlertReceivers> {
  const received: ReceivedAlerts = { emails: [], posts: [] };
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN'],
    logger: false,
    onAuth: (auth, _session, cb) => (auth.password === 'smtp-pass' ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'))),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Long headers arrive folded (RFC 5322): unfold them for matching.
        received.emails.push({ raw: Buffer.concat(chunks).toString('utf8').replace(/\r\n[ \t]/g, ' '), to: session.envelope.rcptTo.map((a) => a.address) });
        cb();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  const webhook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.posts.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string> });
      res.writeHead(200).end('{}');
    });
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const smtpPort = (smtp.server.address() as net.AddressInfo).port;
  const webhookPort = (webhook.address() as net.AddressInfo).port;
  return {
    received,
    smtpPort,
    webhookPort,
    daemonConfig: {
      alerts_email: 'owner@example.com',
      notification_endpoint: `http://127.0.0.1:${webhookPort}/notify`,
      'alerts.smtp.host': '127.0.0.1',
      'alerts.smtp.port': smtpPort,
      'alerts.smtp.from': 'daemon@example.com',
      'alerts.smtp.password': 'smtp-pass',
    },
    close: async () => {
      webhook.close();
      webhook.closeAllConnections();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
