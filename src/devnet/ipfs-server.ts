import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { unixfs } from '@helia/unixfs';
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import type { Logger } from '../shared/index.ts';

/** Options of {@link startIpfsServer}. */
export interface IpfsServerOptions {
  /** TCP port on 127.0.0.1; 0 lets the OS pick one. @default 0 */
  readonly port?: number;
  /** Largest accepted `add` body in bytes. @default 16 MiB */
  readonly maxAddBytes?: number;
}

/** A running local IPFS-compatible endpoint (kubo RPC subset + path gateway). */
export interface IpfsServer {
  /** Base URL for `ipfs_endpoint` (kubo RPC at `<url>/api/v0/...`). */
  readonly url: string;
  /** Path-gateway prefix for `lighthouse_endpoint` (`<url>/ipfs/`). */
  readonly gatewayUrl: string;
  readonly port: number;
  /** Adds bytes like `ipfs add` (CIDv0, dag-pb leaves) unless told otherwise; returns the CID text. */
  add(bytes: Uint8Array, options?: { readonly cidVersion?: 0 | 1; readonly rawLeaves?: boolean }): Promise<string>;
  /** Stores bytes under a CID without checking them: lets tests serve content that does not match its CID. */
  putUnverified(cid: string, bytes: Uint8Array): Promise<void>;
  /** Closes the listener and all its connections. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a small kubo-RPC-compatible server on 127.0.0.1 (in this process) over `@helia/unixfs` and an
 * in-memory blockstore, with no libp2p: `POST /api/v0/add` (multipart, `cid-version`, `raw-leaves`),
 * `POST /api/v0/cat?arg=`, `POST /api/v0/block/get?arg=`, `POST /api/v0/version` and `GET /ipfs/<cid>`.
 * CIDs equal `ipfs add` defaults (see docs in src/blockchain/README.md). Content lives until `stop()`.
 */
export async function startIpfsServer(deps: { readonly logger: Logger }, options: IpfsServerOptions = {}): Promise<IpfsServer> {
  const log = deps.logger.child({ component: 'devnet-ipfs' });
  const blockstore = new MemoryBlockstore();
  const fs = unixfs({ blockstore });
  // Bytes planted by putUnverified, served by cat/gateway instead of the DAG.
  const planted = new Map<string, Uint8Array>();
  const maxAddBytes = options.maxAddBytes ?? 16 * 1024 * 1024;

  const add = async (bytes: Uint8Array, opts: { readonly cidVersion?: 0 | 1; readonly rawLeaves?: boolean } = {}): Promise<string> => {
    const cidVersion = opts.cidVersion ?? 0;
    const cid = await fs.addBytes(bytes, { cidVersion, rawLeaves: opts.rawLeaves ?? cidVersion === 1 });
    return cid.toString();
  };

  const readContent = async (arg: string | null): Promise<Uint8Array | undefined> => {
    const cid = parseCidArg(arg);
    const plantedBytes = planted.get(cid.toString());
    if (plantedBytes !== undefined) return plantedBytes;
    if (!(await blockstore.has(cid))) return undefined;
    const chunks: Uint8Array[] = [];
    for await (const chunk of fs.cat(cid)) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/api/v0/') && req.method !== 'POST') return kuboError(res, 405, 'kubo RPC requires POST');
    switch (path) {
      case '/api/v0/version':
        return json(res, 200, { Version: '0.0.0-snetd-devnet', Commit: '', Repo: '0', System: 'node', Golang: '' });
      case '/api/v0/add': {
        const cidVersion = url.searchParams.get('cid-version') === '1' ? 1 : 0;
        const rawLeavesParam = url.searchParams.get('raw-leaves');
        const rawLeaves = rawLeavesParam === null ? cidVersion === 1 : rawLeavesParam === 'true';
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > maxAddBytes) return kuboError(res, 413, `body larger than ${maxAddBytes} bytes`);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
        const form = await new Request(url, { method: 'POST', headers, body: req, duplex: 'half' }).formData();
        const lines: string[] = [];
        for (const [, value] of form) {
          if (typeof value === 'string') continue;
          const bytes = new Uint8Array(await value.arrayBuffer());
          const cid = await add(bytes, { cidVersion, rawLeaves });
          lines.push(JSON.stringify({ Name: value.name || cid, Hash: cid, Size: String(bytes.length) }));
        }
        if (lines.length === 0) return kuboError(res, 400, 'no file part in multipart body');
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(`${lines.join('\n')}\n`);
        return;
      }
      case '/api/v0/block/get': {
        const cid = parseCidArg(url.searchParams.get('arg'));
        if (!(await blockstore.has(cid))) return kuboError(res, 500, `block was not found locally (offline): ${cid.toString()}`);
        const chunks: Uint8Array[] = [];
        for await (const chunk of blockstore.get(cid)) chunks.push(chunk);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.concat(chunks));
        return;
      }
      case '/api/v0/cat': {
        const bytes = await readContent(url.searchParams.get('arg'));
        if (bytes === undefined) return kuboError(res, 500, `block was not found locally (offline): ${url.searchParams.get('arg') ?? ''}`);
        res.writeHead(200, { 'content-type': 'text/plain', 'x-stream-output': '1' });
        res.end(bytes);
        return;
      }
      default:
        if (req.method === 'GET' && path.startsWith('/ipfs/')) {
          const bytes = await readContent(path);
          if (bytes === undefined) {
            res.writeHead(404);
            res.end('not found\n');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(bytes);
          return;
        }
        res.writeHead(404);
        res.end('not found\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.debug({ err }, 'ipfs request failed');
      if (!res.headersSent) kuboError(res, 400, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url }, 'dev IPFS endpoint started');
  let stopping: Promise<void> | undefined;
  return {
    url,
    gatewayUrl: `${url}/ipfs/`,
    port,
    add,
    putUnverified: (cid, bytes) => {
      planted.set(CID.parse(cid).toString(), bytes);
      return Promise.resolve();
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function parseCidArg(arg: string | null): CID {
  const text = (arg ?? '').replace(/^\/?ipfs\//, '').replace(/^ipfs:\/\//, '').split('/')[0] ?? '';
  return CID.parse(text);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

function kuboError(res: ServerResponse, status: number, message: string): void {
  json(res, status, { Message: message, Code: 0, Type: 'error' });
}
