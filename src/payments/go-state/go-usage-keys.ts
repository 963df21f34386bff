// The Go daemon's etcd keys for free-call counters and prepaid usage under the group's base prefix
// (`<network>/<org>/<group b64>`, no MPE: Go `snetd/cmd/components.go` attaches both to the group storage).
// Free calls: `{ID:<address as sent>/<user id>/<org>/<service>/<group>}` (Go `escrow/free_call_api.go`
// `FreeCallUserKey.String`), lock `//freecall/lock/` + the same name (Go `escrow/lock.go`). Prepaid: one key
// per amount kind, `{ID:<channel>/U}` used, `/P` planned, `/R` refunded (Go `escrow/prepaid_storage.go`).

/** The three prepaid amounts the Go daemon keeps per channel. */
export type GoPrepaidKind = 'U' | 'P' | 'R';

/** A free-call counter key of this service, taken apart. */
export interface GoFreeCallKeyParts {
  /** The address exactly as the client sent it (Go does not normalise it: `0xAB…` and `0xab…` count apart). */
  readonly address: string;
  readonly userId: string;
}

/** Free-call and prepaid keys under a base prefix, for one service of the group. */
export interface GoUsageKeyLayout {
  /** Every free-call counter key of the group (all services) starts with this. */
  readonly freeCallPrefix: string;
  /** Every prepaid key of the group starts with this. */
  readonly prepaidPrefix: string;
  freeCallKey(parts: GoFreeCallKeyParts): string;
  freeCallLockKey(parts: GoFreeCallKeyParts): string;
  /**
   * The address and user id of a counter key of THIS org/service/group; `'pre-v6'` for this service's key
   * without an address (pre-v6 Go daemons keyed counters by user id only); `undefined` for another service's key.
   */
  parseFreeCallKey(key: string): GoFreeCallKeyParts | 'pre-v6' | undefined;
  prepaidKey(channelId: bigint, kind: GoPrepaidKind): string;
  parsePrepaidKey(key: string): { readonly channelId: bigint; readonly kind: GoPrepaidKind } | undefined;
}

const PREPAID_SUFFIX = /^\{ID:(0|[1-9][0-9]*)\/([UPR])\}$/;

/** The layout under `basePrefix` for `serviceId` of `organizationId`'s group `groupIdBase64`. */
export function goUsageKeyLayout(basePrefix: string, ids: { readonly organizationId: string; readonly serviceId: string; readonly groupIdBase64: string }): GoUsageKeyLayout {
  const freeCallPrefix = `${basePrefix}//free-call-user/storage/`;
  const lockPrefix = `${basePrefix}//freecall/lock/`;
  const prepaidPrefix = `${basePrefix}//PrePaid/storage/`;
  // The service's part of the name; the group id (base64) may itself contain '/', the address never does.
  const tail = `/${ids.organizationId}/${ids.serviceId}/${ids.groupIdBase64}}`;
  const name = (p: GoFreeCallKeyParts): string => `{ID:${p.address}/${p.userId}${tail}`;
  return {
    freeCallPrefix,
    prepaidPrefix,
    freeCallKey: (p) => `${freeCallPrefix}${name(p)}`,
    freeCallLockKey: (p) => `${lockPrefix}${name(p)}`,
    parseFreeCallKey(key) {
      if (!key.startsWith(`${freeCallPrefix}{ID:`) || !key.endsWith(tail)) return undefined;
      const middle = key.slice(freeCallPrefix.length + 4, key.length - tail.length);
      const slash = middle.indexOf('/');
      if (slash <= 0) return 'pre-v6';
      return { address: middle.slice(0, slash), userId: middle.slice(slash + 1) };
    },
    prepaidKey: (id, kind) => `${prepaidPrefix}{ID:${id}/${kind}}`,
    parsePrepaidKey(key) {
      if (!key.startsWith(prepaidPrefix)) return undefined;
      const match = PREPAID_SUFFIX.exec(key.slice(prepaidPrefix.length));
      return match === null ? undefined : { channelId: BigInt(match[1] as string), kind: match[2] as GoPrepaidKind };
    },
  };
}

/**
 * The signer (lower-case hex, no 0x) an address string sent by a client stands for, as Go's
 * `common.HexToAddress` reads it when it checks the signature; `undefined` for anything but 40 hex digits.
 */
export function signerHexOfSentAddress(address: string): string | undefined {
  const match = /^(?:0[xX])?([0-9a-fA-F]{40})$/.exec(address);
  return match === null ? undefined : (match[1] as string).toLowerCase();
}
