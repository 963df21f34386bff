import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { isSnetError } from '../../errors/index.ts';
import { parseMetadataUri } from './metadata-uri.ts';
import { loadServiceProtos, serviceProtosLocation, untarProtos } from './service-protos.ts';

async function tarOf(entries: { name: string; content: string; type?: 'file' | 'directory' }[]): Promise<Uint8Array> {
  const archive = pack();
  for (const e of entries) {
    if (e.type === 'directory') archive.entry({ name: e.name, type: 'directory' });
    else archive.entry({ name: e.name }, e.content);
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('untarProtos()', () => {
  it('behavior: returns the .proto files of a tar (and of a tar.gz), skipping other entries', async () => {
    const tar = await tarOf([
      { name: 'protos', content: '', type: 'directory' },
      { name: 'protos/a.proto', content: 'syntax = "proto3";' },
      { name: 'README.md', content: '# not a proto' },
      { name: 'pricing.proto', content: 'package pricing;' },
    ]);
    const expected = [
      { name: 'protos/a.proto', content: 'syntax = "proto3";' },
      { name: 'pricing.proto', content: 'package pricing;' },
    ];
    assert.deepEqual(await untarProtos(tar, 'ipfs://x'), expected);
    assert.deepEqual(await untarProtos(gzipSync(tar), 'ipfs://x'), expected);
  });

  it('error: bytes that are not a tar archive are METADATA_INVALID', async () => {
    await assert.rejects(untarProtos(new TextEncoder().encode('x'.repeat(1024)), 'ipfs://bad'), (err: unknown) => isSnetError(err, 'METADATA_INVALID') && /ipfs:\/\/bad is not a readable tar archive/.test(err.message));
  });
});

describe('serviceProtosLocation()', () => {
  it('behavior: service_api_source first, then the legacy model_ipfs_hash', () => {
    const source = parseMetadataUri('ipfs://QmSource');
    assert.equal(serviceProtosLocation({ serviceApiSource: source, modelIpfsHash: 'QmLegacy' }), source);
    assert.deepEqual(serviceProtosLocation({ serviceApiSource: undefined, modelIpfsHash: 'QmLegacy' }), { scheme: 'ipfs', cid: 'QmLegacy', uri: 'QmLegacy' });
    assert.equal(serviceProtosLocation({ serviceApiSource: undefined, modelIpfsHash: undefined }), undefined);
  });
});

describe('loadServiceProtos()', () => {
  it('behavior: fetches the tarball with kubo cat and returns its protos (CID check off for this fake endpoint)', async () => {
    const tar = await tarOf([{ name: 's.proto', content: 'syntax = "proto3";' }]);
    const asked: string[] = [];
    const server: Server = createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.end(tar);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const loaded = await loadServiceProtos({ serviceApiSource: parseMetadataUri('ipfs://QmProtos'), modelIpfsHash: undefined }, { ipfsEndpoint: endpoint, verifyCid: false });
      assert.deepEqual(loaded.files, [{ name: 's.proto', content: 'syntax = "proto3";' }]);
      assert.deepEqual(asked, ['POST /api/v0/cat?arg=QmProtos']);
      // With CID verification on (the default) the same bytes do not match the made-up CID.
      await assert.rejects(loadServiceProtos({ serviceApiSource: parseMetadataUri('ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), modelIpfsHash: undefined }, { ipfsEndpoint: endpoint }), { code: 'METADATA_CID_MISMATCH' });
    } finally {
      server.close();
    }
  });

  it('error: metadata without a proto tarball is METADATA_INVALID', async () => {
    await assert.rejects(loadServiceProtos({ serviceApiSource: undefined, modelIpfsHash: undefined }, { ipfsEndpoint: 'http://127.0.0.1:1' }), { code: 'METADATA_INVALID' });
  });
});
