// Builds and drives test/go-gob (a Go program, standard library only, that writes and reads the Go daemon's
// etcd values with Go's own encoding/gob), and converts values between snetd-ts and its JSON form.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  goFreeCallUserDataCodec,
  goPaymentChannelDataCodec,
  goPaymentCodec,
  goPrePaidDataCodec,
  type GobStructCodec,
  type GoFreeCallUserData,
  type GoPayment,
  type GoPaymentChannelData,
  type GoPrePaidData,
} from '../../src/payments/index.ts';

/** The Go type names the tool knows (PaymentChannelDataExtended: the channel plus extra fields of every gob kind). */
export type GoTypeName = 'PaymentChannelData' | 'PaymentChannelDataExtended' | 'Payment' | 'FreeCallUserData' | 'PrePaidData';

/** snetd-ts's codec of each type (the extended channel is read with the plain channel codec, skipping the extras). */
export const goGobCodecs: Record<GoTypeName, GobStructCodec<unknown>> = {
  PaymentChannelData: goPaymentChannelDataCodec,
  PaymentChannelDataExtended: goPaymentChannelDataCodec,
  Payment: goPaymentCodec,
  FreeCallUserData: goFreeCallUserDataCodec,
  PrePaidData: goPrePaidDataCodec,
};

/** A value of one of the four stored types, tagged with its Go type. */
export type GoValue =
  | { readonly type: 'PaymentChannelData' | 'PaymentChannelDataExtended'; readonly value: GoPaymentChannelData }
  | { readonly type: 'Payment'; readonly value: GoPayment }
  | { readonly type: 'FreeCallUserData'; readonly value: GoFreeCallUserData }
  | { readonly type: 'PrePaidData'; readonly value: GoPrePaidData };

/** The tool's JSON form of a value: every field a string (0x-hex for bytes), a nil *big.Int is null. */
export type GoJson = Record<string, string | null>;

const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/^0x/, ''), 'hex'));
const big = (v: bigint | undefined): string | null => (v === undefined ? null : v.toString());
const unbig = (v: string | null | undefined): bigint | undefined => (v === null || v === undefined ? undefined : BigInt(v));
const str = (json: GoJson, key: string): string => {
  const v = json[key];
  if (typeof v !== 'string') throw new Error(`go-gob JSON field ${key} is not a string: ${JSON.stringify(v)}`);
  return v;
};

/** `value` in the tool's JSON form. */
export function toGoJson(v: GoValue): GoJson {
  switch (v.type) {
    case 'PaymentChannelData':
    case 'PaymentChannelDataExtended': {
      const c = v.value;
      return {
        ChannelID: big(c.channelId),
        Nonce: big(c.nonce),
        State: c.state.toString(),
        Sender: hex(c.sender),
        Recipient: hex(c.recipient),
        GroupID: hex(c.groupId),
        FullAmount: big(c.fullAmount),
        Expiration: big(c.expiration),
        Signer: hex(c.signer),
        AuthorizedAmount: big(c.authorizedAmount),
        Signature: hex(c.signature),
      };
    }
    case 'Payment': {
      const p = v.value;
      return { MpeContractAddress: hex(p.mpeContractAddress), ChannelID: big(p.channelId), ChannelNonce: big(p.channelNonce), Amount: big(p.amount), Signature: hex(p.signature) };
    }
    case 'FreeCallUserData': {
      const f = v.value;
      return { Address: f.address, UserID: f.userId, FreeCallsMade: f.freeCallsMade.toString(), OrganizationId: f.organizationId, ServiceId: f.serviceId, GroupID: f.groupId };
    }
    case 'PrePaidData':
      return { Amount: big(v.value.amount) };
  }
}

/** Inverse of {@link toGoJson}. */
export function fromGoJson(type: GoTypeName, json: GoJson): GoValue {
  switch (type) {
    case 'PaymentChannelData':
    case 'PaymentChannelDataExtended':
      return {
        type,
        value: {
          channelId: unbig(json['ChannelID']),
          nonce: unbig(json['Nonce']),
          state: BigInt(str(json, 'State')),
          sender: unhex(str(json, 'Sender')),
          recipient: unhex(str(json, 'Recipient')),
          groupId: unhex(str(json, 'GroupID')),
          fullAmount: unbig(json['FullAmount']),
          expiration: unbig(json['Expiration']),
          signer: unhex(str(json, 'Signer')),
          authorizedAmount: unbig(json['AuthorizedAmount']),
          signature: unhex(str(json, 'Signature')),
        },
      };
    case 'Payment':
      return {
        type,
        value: {
          mpeContractAddress: unhex(str(json, 'MpeContractAddress')),
          channelId: unbig(json['ChannelID']),
          channelNonce: unbig(json['ChannelNonce']),
          amount: unbig(json['Amount']),
          signature: unhex(str(json, 'Signature')),
        },
      };
    case 'FreeCallUserData':
      return {
        type,
        value: {
          address: str(json, 'Address'),
          userId: str(json, 'UserID'),
          freeCallsMade: BigInt(str(json, 'FreeCallsMade')),
          organizationId: str(json, 'OrganizationId'),
          serviceId: str(json, 'ServiceId'),
          groupId: str(json, 'GroupID'),
        },
      };
    case 'PrePaidData':
      return { type, value: { amount: unbig(json['Amount']) } };
  }
}

/** A built go-gob binary; `cleanup()` deletes it with its build caches. */
export interface GoGobTool {
  readonly path: string;
  /** `go version` of the toolchain that built it. */
  readonly goVersion: string;
  cleanup(): void;
}

/**
 * Installs Debian's `golang-go` when missing and builds test/go-gob into a temporary directory (GOCACHE and
 * GOPATH there too; standard library only, no network: GOPROXY=off).
 */
export function buildGoGobTool(): GoGobTool {
  const root = resolve(import.meta.dirname, '../..');
  execFileSync('bash', [join(root, 'scripts/ensure-system-packages.sh'), 'golang-go'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), 'snetd-go-gob-'));
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    GOCACHE: join(dir, 'cache'),
    GOPATH: join(dir, 'gopath'),
    GOPROXY: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  try {
    const path = join(dir, 'go-gob');
    execFileSync('go', ['build', '-o', path, '.'], { cwd: join(root, 'test/go-gob'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    const goVersion = execFileSync('go', ['version'], { env, encoding: 'utf8' }).trim();
    return { path, goVersion, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `go-gob <mode>` over JSON-line requests (one fresh process; waits for its exit) and parses its reply lines. */
async function run(tool: GoGobTool, mode: 'encode' | 'decode', requests: readonly object[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn(tool.path, [mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveExit(code));
  });
  child.stdin.end(requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const code = await exited;
  if (code !== 0) throw new Error(`go-gob ${mode} exited with ${code}: ${stderr}`);
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** gob bytes Go writes for each value (one process for all: type ids then depend on the order of types). */
export async function goEncode(tool: GoGobTool, values: readonly GoValue[]): Promise<Uint8Array[]> {
  const replies = await run(tool, 'encode', values.map((v) => ({ type: v.type, value: toGoJson(v) })));
  return replies.map((r) => unhex(String(r['gob'])));
}

/** What Go decodes from each `gob` as `type`: the value, or Go's error text. */
export async function goDecode(tool: GoGobTool, items: ReadonlyArray<{ readonly type: GoTypeName; readonly gob: Uint8Array }>): Promise<Array<GoValue | { readonly error: string }>> {
  const replies = await run(tool, 'decode', items.map((i) => ({ type: i.type, gob: Buffer.from(i.gob).toString('hex') })));
  return replies.map((r, index) => (typeof r['error'] === 'string' ? { error: r['error'] } : fromGoJson((items[index] as { type: GoTypeName }).type, r['value'] as GoJson)));
}
