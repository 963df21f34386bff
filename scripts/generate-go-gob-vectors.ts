// Regenerates test/vectors/go-gob-vectors.json: the Go daemon's four stored values (plus one written by a
// newer struct with extra fields, and one written after another type in the same process) encoded by Go's
// own encoding/gob through test/go-gob (Debian golang-go, standard library only; installed when missing).
// The bytes are Go's, never snetd-ts's. Deterministic: rerunning gives the same file.
// Usage: ./node_modules/.bin/node scripts/generate-go-gob-vectors.ts
import { writeFileSync } from 'node:fs';
import { buildGoGobTool, goEncode, toGoJson, type GoValue } from '../test/harness/go-gob.ts';
import { edgeCaseValues } from '../test/harness/go-gob-values.ts';

const OUTPUT = new URL('../test/vectors/go-gob-vectors.json', import.meta.url);

/** One vector: a value in test/go-gob's JSON form and the gob bytes Go wrote for it. */
export interface GoGobVector {
  readonly name: string;
  readonly type: GoValue['type'];
  readonly value: Record<string, string | null>;
  /** Lower-case hex of the bytes Go wrote (a fresh gob.Encoder per value, as the daemon). */
  readonly gob: string;
  /**
   * True when the writing Go process had encoded nothing but this type: the type ids are a fresh process's,
   * so snetd-ts must write exactly these bytes. False: ids shifted by earlier types; only decoding is checked.
   */
  readonly freshProcess: boolean;
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');

const tool = buildGoGobTool();
try {
  const vectors: GoGobVector[] = [];
  const values = edgeCaseValues();
  // One process per type, so each type gets the ids of a fresh process.
  for (const type of ['PaymentChannelData', 'PaymentChannelDataExtended', 'Payment', 'FreeCallUserData', 'PrePaidData'] as const) {
    const ofType = values.filter((v) => v.type === type);
    const gobs = await goEncode(tool, ofType);
    ofType.forEach((v, i) => vectors.push({ name: `${type} edge case ${i}`, type, value: toGoJson(v), gob: hex(gobs[i]), freshProcess: true }));
  }
  // A channel written by a process that wrote a prepaid value first: PaymentChannelData is defined with a
  // higher id than its *big.Int field type, and its other field types follow it.
  const prepaidFirst = [values.find((v) => v.type === 'PrePaidData'), values.find((v) => v.type === 'PaymentChannelData' && v.value.authorizedAmount === 250n)] as GoValue[];
  const shifted = await goEncode(tool, prepaidFirst);
  vectors.push({ name: 'PaymentChannelData after a PrePaidData in the same process', type: 'PaymentChannelData', value: toGoJson(prepaidFirst[1] as GoValue), gob: hex(shifted[1]), freshProcess: false });
  const file = { generatedBy: 'scripts/generate-go-gob-vectors.ts', go: tool.goVersion.replace(/^go version /, ''), vectors };
  writeFileSync(OUTPUT, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`wrote ${vectors.length} vectors to ${OUTPUT.pathname}`);
} finally {
  tool.cleanup();
}
