import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl, looksLikeApiKey } from './redact-url.ts';

describe('redactUrl()', () => {
  it('behavior: hides an Infura project id in the path', () => {
    assert.equal(
      redactUrl('https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161'),
      'https://mainnet.infura.io/v3/[REDACTED]',
    );
    assert.equal(
      redactUrl('wss://sepolia.infura.io/ws/v3/9aa3d95b3bc440fa88ea12eaa4456161'),
      'wss://sepolia.infura.io/ws/v3/[REDACTED]',
    );
  });

  it('behavior: hides Alchemy, QuickNode, Ankr and telegram bot tokens', () => {
    assert.equal(redactUrl('https://eth-mainnet.g.alchemy.com/v2/Xy3_kP9qLm2Zt8VbNw4RsT6uJh1OaEc'), 'https://eth-mainnet.g.alchemy.com/v2/[REDACTED]');
    assert.equal(redactUrl('https://x.quiknode.pro/0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4/'), 'https://x.quiknode.pro/[REDACTED]/');
    assert.equal(
      redactUrl('https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage'),
      'https://api.telegram.org/[REDACTED]/sendMessage',
    );
  });

  it('behavior: strips userinfo', () => {
    assert.equal(redactUrl('https://user:s3cret@rpc.example.org:8545/'), 'https://[REDACTED]@rpc.example.org:8545/');
    assert.equal(redactUrl('http://onlyuser@127.0.0.1:2379'), 'http://[REDACTED]@127.0.0.1:2379/');
  });

  it('behavior: hides credential query values and keeps the others', () => {
    assert.equal(
      redactUrl('https://api.etherscan.io/api?module=account&apikey=ABC&page=1'),
      'https://api.etherscan.io/api?module=account&apikey=[REDACTED]&page=1',
    );
    assert.equal(redactUrl('https://h/x?api_key=1&token=2&access_token=3&q=hello'), 'https://h/x?api_key=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]&q=hello');
  });

  it('behavior: leaves ordinary URLs byte-for-byte unchanged', () => {
    for (const u of ['https://ipfs.singularitynet.io:443', 'http://127.0.0.1:7000', 'https://example.com/a/b?c=d#e', 'mailto:ops@example.com']) {
      assert.equal(redactUrl(u), u);
    }
  });

  it('error: a non-URL string is returned, minus anything that looks like userinfo', () => {
    assert.equal(redactUrl('not a url'), 'not a url');
    assert.equal(redactUrl('foo://us er:pw@host'), 'foo://[REDACTED]@host');
  });
});

describe('looksLikeApiKey()', () => {
  it('behavior: needs length, letters and digits', () => {
    assert.equal(looksLikeApiKey('9aa3d95b3bc440fa88ea12eaa4456161'), true);
    assert.equal(looksLikeApiKey('sendMessage'), false);
    assert.equal(looksLikeApiKey('averyveryverylongwordonly'), false);
    assert.equal(looksLikeApiKey('v3'), false);
    assert.equal(looksLikeApiKey('create-logger.test.ts:10:5'), false);
    assert.equal(looksLikeApiKey('snet-daemon-v2-production-eu1'), false);
    assert.equal(looksLikeApiKey('123e4567-e89b-12d3-a456-426614174000'), true);
  });
});
