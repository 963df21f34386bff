import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateLogHookConfig, BUILT_IN_HOOK_TYPES } from './validate-hook-config.ts';

const email = { host: 'smtp.example.org', port: 587, from: 'a@example.org', to: 'b@example.org', password: 'pw' };

describe('validateLogHookConfig()', () => {
  it('behavior: a complete email section has no problems', () => {
    assert.deepEqual(validateLogHookConfig({ name: 'mail', type: 'email', levels: ['error', 'warning', 'panic'], settings: email }), []);
  });

  it('error: lists every problem at once, never echoing the password', () => {
    const problems = validateLogHookConfig({ name: 'mail', type: 'email', levels: ['error', 'loud'], settings: { host: 'h', port: 'x', password: 'Secr3t!' } });
    assert.deepEqual(problems, [
      'unable parse log level string: "loud"',
      'unable to create instance of mail auth hook: invalid configuration: log.mail.from, log.mail.to missing',
      'unable to create instance of mail auth hook: invalid configuration: log.mail.port must be an integer 1..65535',
    ]);
    assert.ok(!problems.join().includes('Secr3t!'));
  });

  it('error: missing type, unknown type and missing levels use the reference texts', () => {
    assert.deepEqual(validateLogHookConfig({ name: 'h', type: '', levels: [], settings: {} }), ['no hook type in hook config', 'no levels in hook config']);
    assert.deepEqual(validateLogHookConfig({ name: 'h', type: 'pager', levels: ['error'], settings: {} }), [
      'unexpected hook type: "pager" (known: email, telegram_bot, webhook)',
    ]);
  });

  it('behavior: telegram and webhook sections', () => {
    assert.deepEqual(validateLogHookConfig({ name: 't', type: 'telegram_bot', levels: ['error'], settings: { telegram_api_key: 'k', telegram_chat_id: '-100123' } }), []);
    assert.deepEqual(validateLogHookConfig({ name: 't', type: 'telegram_bot', levels: ['error'], settings: { telegram_api_key: 'k' } }), [
      'unable to create instance of telegram bot hook: invalid configuration: log.t.telegram_chat_id must be a non-zero integer',
    ]);
    assert.deepEqual(validateLogHookConfig({ name: 'w', type: 'webhook', levels: ['error'], settings: { url: 'ftp://x' } }), [
      'unable to create instance of webhook hook: log.w.url must be an http(s) URL (got "ftp://x")',
    ]);
  });

  it('behavior: custom types are checked with the types passed in', () => {
    const types = { ...BUILT_IN_HOOK_TYPES, pager: { create: () => { throw new Error('unused'); }, validate: () => ['pager needs a number'] } };
    assert.deepEqual(validateLogHookConfig({ name: 'p', type: 'pager', levels: ['error'], settings: {} }, types), ['pager needs a number']);
  });
});
