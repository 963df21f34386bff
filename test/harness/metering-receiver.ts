// A local marketplace for metering tests: an HTTP server that checks every request's signature the way the
// marketplace does (recover the signer of "_usage" ‖ X-username ‖ X-Organizationid ‖ X-Serviceid ‖ X-Groupid ‖
// uint256(X-Currentblocknumber)), refuses a wrong signer with 401 and records what it saw.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { meteringSignerOf } from './metering-signature.ts';

/** One request the receiver took. */
export interface MeteringRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The address that signed the request's headers. */
  readonly signer: string;
}

/** A running receiver. */
export interface MeteringReceiver {
  /** `http://127.0.0.1:<port>` — the daemon's `metering_endpoint`. */
  readonly url: string;
  readonly seen: MeteringRequest[];
  /** What `GET /metering/verify` answers (from a correctly signed request). */
  verifyAnswer: { status: number; body: string };
  /** Resolves with the first request (from the start) whose path matches. */
  next(path: RegExp, from?: number): Promise<MeteringRequest>;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1:0, accepting requests signed by `signer` (a checksummed address). */
export async function startMeteringReceiver(signer: string): Promise<MeteringReceiver> {
  const seen: MeteringRequest[] = [];
  const waiters = new Set<() => void>();
  const receiver = {
    verifyAnswer: { status: 200, body: '{"data":"success"}' },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const h = req.headers;
        const recovered = await meteringSignerOf(h).catch(() => '');
        seen.push({ method: req.method ?? '', path: req.url ?? '', headers: h, body: Buffer.concat(chunks).toString(), signer: recovered });
        if (recovered !== signer) res.writeHead(401).end('bad signature');
        else if (req.url === '/metering/verify') res.writeHead(receiver.verifyAnswer.status).end(receiver.verifyAnswer.body);
        else res.writeHead(200).end('{}');
        for (const waiter of [...waiters]) waiter();
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    next(path: RegExp, from = 0) {
      return new Promise<MeteringRequest>((resolve) => {
        const check = (): void => {
          const found = seen.slice(from).find((request) => path.test(request.path));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
