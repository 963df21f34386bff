// Cross-check of the gob codec (src/payments/go-state) against Go's own encoding/gob: test/go-gob, built
// here with Debian's golang-go (standard library only), mirrors the Go daemon's stored structs.
// Both directions, for edge cases and seeded random values: what snetd-ts writes, Go decodes to the same
// value; what Go writes, snetd-ts decodes to the same value; a fresh Go process writes the same bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildGoGobTool, goDecode, goEncode, goGobCodecs, type GoGobTool, type GoValue } from '../harness/go-gob.ts';
import { edgeCaseValues, randomValues } from '../harness/go-gob-values.ts';

const codecs = goGobCodecs;

const seed = Number(process.env['GO_GOB_SEED'] ?? Date.now() % 1_000_000);
const encodable = (v: GoValue): boolean => v.type !== 'PaymentChannelDataExtended';
const asBase = (v: GoValue): GoValue => (v.type === 'PaymentChannelDataExtended' ? { type: 'PaymentChannelData', value: v.value } : v);

describe(`gob codec against Go's encoding/gob (random seed ${seed}; rerun with GO_GOB_SEED=${seed})`, { timeout: 180_000 }, () => {
  let tool: GoGobTool;
  const values = [...edgeCaseValues(), ...randomValues(seed, 400)];

  before(() => {
    tool = buildGoGobTool();
  });
  after(() => tool?.cleanup());

  it('Go decodes what snetd-ts encodes to the same values', async () => {
    const ours = values.filter(encodable);
    const decoded = await goDecode(
      tool,
      ours.map((v) => ({ type: v.type, gob: codecs[v.type].encode(v.value) })),
    );
    assert.equal(decoded.length, ours.length);
    ours.forEach((v, i) => assert.deepEqual(decoded[i], v, `value ${i} (${v.type})`));
  });

  it('snetd-ts decodes what Go encodes to the same values (one Go process: type ids shift with history)', async () => {
    const gobs = await goEncode(tool, values);
    values.forEach((v, i) => assert.deepEqual({ type: asBase(v).type, value: codecs[v.type].decode(gobs[i] as Uint8Array) }, asBase(v), `value ${i} (${v.type})`));
  });

  it('a fresh Go process per type writes exactly the bytes snetd-ts writes', async () => {
    for (const type of ['PaymentChannelData', 'Payment', 'FreeCallUserData', 'PrePaidData'] as const) {
      const ofType = values.filter((v) => v.type === type);
      const gobs = await goEncode(tool, ofType);
      ofType.forEach((v, i) => assert.equal(Buffer.from(codecs[type].encode(v.value)).toString('hex'), Buffer.from(gobs[i] as Uint8Array).toString('hex'), `${type} ${i}`));
    }
  });

  it('Go and snetd-ts agree on what they refuse and what they ignore', async () => {
    const channel = codecs.PaymentChannelData.encode((edgeCaseValues()[2] as { value: unknown }).value);
    const cut = channel.subarray(0, channel.length - 3);
    const freeCall = codecs.FreeCallUserData.encode({ address: 'a', userId: '', freeCallsMade: 1n, organizationId: '', serviceId: '', groupId: 'g' });
    const [goCut, goClash, goForeign] = await goDecode(tool, [
      // a value cut short
      { type: 'PaymentChannelData', gob: cut },
      // a field name both structs have with another type (GroupID: string vs [32]byte)
      { type: 'PaymentChannelData', gob: freeCall },
      // no field name in common: a value of another struct
      { type: 'Payment', gob: freeCall },
    ]);
    assert.ok(goCut !== undefined && 'error' in goCut, 'Go rejects a truncated value');
    assert.throws(() => codecs.PaymentChannelData.decode(cut), { code: 'STORAGE_GO_FORMAT_INVALID' });
    assert.ok(goClash !== undefined && 'error' in goClash, 'Go rejects a field of another type');
    assert.throws(() => codecs.PaymentChannelData.decode(freeCall), { code: 'STORAGE_GO_FORMAT_INVALID', message: /field GroupID has wire type string/ });
    assert.ok(goForeign !== undefined && 'error' in goForeign && /no fields matched/.test(goForeign.error));
    assert.throws(() => codecs.Payment.decode(freeCall), { code: 'STORAGE_GO_FORMAT_INVALID', message: /FreeCallUserData with no field of Payment/ });
  });
});
