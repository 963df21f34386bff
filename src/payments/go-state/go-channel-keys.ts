// The Go daemon's etcd keys for channels, claims and channel locks under one MPE prefix (Go
// `escrow/payment_channel_storage.go`: `{ID: <id>}` = Go's `%v` of the channel key; `escrow/payment_storage.go`:
// `<id>/<nonce>`; `escrow/lock.go` values `locked` / `unlocked`). Our own records use the same shape under
// the snetd-ts root, so one layout serves both sides.

/** Channel, claim and lock keys under an MPE prefix (`<network>/<org>/<group b64>/<MPE EIP-55>`, no root for Go). */
export interface ChannelKeyLayout {
  /** Every channel state key starts with this. */
  readonly channelPrefix: string;
  /** Every claim-in-progress key starts with this. */
  readonly claimPrefix: string;
  channelKey(channelId: bigint): string;
  claimKey(channelId: bigint, nonce: bigint): string;
  /** The Go channel lock (`locked` while a Go replica serves a call on the channel). */
  lockKey(channelId: bigint): string;
  /** The channel id of a key returned by a scan of {@link ChannelKeyLayout.channelPrefix}, or `undefined`. */
  parseChannelKey(key: string): bigint | undefined;
  /** The channel id and nonce of a claim key, or `undefined`. */
  parseClaimKey(key: string): { readonly channelId: bigint; readonly nonce: bigint } | undefined;
}

const CHANNEL_SUFFIX = /^\{ID: (0|[1-9][0-9]*)\}$/;
const CLAIM_SUFFIX = /^(0|[1-9][0-9]*)\/(0|[1-9][0-9]*)$/;

/** The layout under `mpePrefix` (double slashes are the reference's: an empty layer name joined with `/`). */
export function channelKeyLayout(mpePrefix: string): ChannelKeyLayout {
  const channelPrefix = `${mpePrefix}//payment-channel/storage/`;
  const claimPrefix = `${mpePrefix}//payment/storage/`;
  const lockPrefix = `${mpePrefix}//payment-channel/lock/`;
  return {
    channelPrefix,
    claimPrefix,
    channelKey: (id) => `${channelPrefix}{ID: ${id}}`,
    claimKey: (id, nonce) => `${claimPrefix}${id}/${nonce}`,
    lockKey: (id) => `${lockPrefix}{ID: ${id}}`,
    parseChannelKey(key) {
      if (!key.startsWith(channelPrefix)) return undefined;
      const match = CHANNEL_SUFFIX.exec(key.slice(channelPrefix.length));
      return match === null ? undefined : BigInt(match[1] as string);
    },
    parseClaimKey(key) {
      if (!key.startsWith(claimPrefix)) return undefined;
      const match = CLAIM_SUFFIX.exec(key.slice(claimPrefix.length));
      return match === null ? undefined : { channelId: BigInt(match[1] as string), nonce: BigInt(match[2] as string) };
    },
  };
}
