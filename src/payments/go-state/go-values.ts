import { createGobStructCodec, type GobStructCodec } from './gob-struct-codec.ts';

// The four values the Go daemon keeps in etcd, field for field as its structs declare them (Go
// `escrow/payment_channel_api.go`, `escrow/free_call_api.go`, `escrow/prepaid_storage.go`). Integers are
// bigints (Go int is 64-bit; amounts are uint256); a `*big.Int` that Go left nil is `undefined`; addresses
// are the 20 raw bytes and `GroupID` the 32 raw bytes of the group id; an empty `[]byte` is empty.

/** Go `escrow.PaymentChannelData`: one channel's state as the Go daemon stores it. */
export interface GoPaymentChannelData {
  readonly channelId: bigint | undefined;
  readonly nonce: bigint | undefined;
  /** Go `PaymentChannelState`: 0 Open, 1 Closed (never written by the Go daemon). */
  readonly state: bigint;
  readonly sender: Uint8Array;
  readonly recipient: Uint8Array;
  readonly groupId: Uint8Array;
  readonly fullAmount: bigint | undefined;
  readonly expiration: bigint | undefined;
  readonly signer: Uint8Array;
  readonly authorizedAmount: bigint | undefined;
  readonly signature: Uint8Array;
}

/** Go `escrow.Payment`: a claim in progress (`MpeContractAddress` is all zero in stored claims). */
export interface GoPayment {
  readonly mpeContractAddress: Uint8Array;
  readonly channelId: bigint | undefined;
  readonly channelNonce: bigint | undefined;
  readonly amount: bigint | undefined;
  readonly signature: Uint8Array;
}

/** Go `escrow.FreeCallUserData`: the free calls one user made of one service. */
export interface GoFreeCallUserData {
  readonly address: string;
  readonly userId: string;
  readonly freeCallsMade: bigint;
  readonly organizationId: string;
  readonly serviceId: string;
  readonly groupId: string;
}

/** Go `escrow.PrePaidData`: one prepaid amount (used, planned or refunded) of a channel. */
export interface GoPrePaidData {
  readonly amount: bigint | undefined;
}

/** gob codec of {@link GoPaymentChannelData}. */
export const goPaymentChannelDataCodec: GobStructCodec<GoPaymentChannelData> = createGobStructCodec({
  goName: 'PaymentChannelData',
  fields: [
    { goName: 'ChannelID', property: 'channelId', kind: 'bigint' },
    { goName: 'Nonce', property: 'nonce', kind: 'bigint' },
    { goName: 'State', property: 'state', kind: 'int' },
    { goName: 'Sender', property: 'sender', kind: 'address' },
    { goName: 'Recipient', property: 'recipient', kind: 'address' },
    { goName: 'GroupID', property: 'groupId', kind: 'bytes32' },
    { goName: 'FullAmount', property: 'fullAmount', kind: 'bigint' },
    { goName: 'Expiration', property: 'expiration', kind: 'bigint' },
    { goName: 'Signer', property: 'signer', kind: 'address' },
    { goName: 'AuthorizedAmount', property: 'authorizedAmount', kind: 'bigint' },
    { goName: 'Signature', property: 'signature', kind: 'bytes' },
  ],
});

/** gob codec of {@link GoPayment}. */
export const goPaymentCodec: GobStructCodec<GoPayment> = createGobStructCodec({
  goName: 'Payment',
  fields: [
    { goName: 'MpeContractAddress', property: 'mpeContractAddress', kind: 'address' },
    { goName: 'ChannelID', property: 'channelId', kind: 'bigint' },
    { goName: 'ChannelNonce', property: 'channelNonce', kind: 'bigint' },
    { goName: 'Amount', property: 'amount', kind: 'bigint' },
    { goName: 'Signature', property: 'signature', kind: 'bytes' },
  ],
});

/** gob codec of {@link GoFreeCallUserData}. */
export const goFreeCallUserDataCodec: GobStructCodec<GoFreeCallUserData> = createGobStructCodec({
  goName: 'FreeCallUserData',
  fields: [
    { goName: 'Address', property: 'address', kind: 'string' },
    { goName: 'UserID', property: 'userId', kind: 'string' },
    { goName: 'FreeCallsMade', property: 'freeCallsMade', kind: 'int' },
    { goName: 'OrganizationId', property: 'organizationId', kind: 'string' },
    { goName: 'ServiceId', property: 'serviceId', kind: 'string' },
    { goName: 'GroupID', property: 'groupId', kind: 'string' },
  ],
});

/** gob codec of {@link GoPrePaidData}. */
export const goPrePaidDataCodec: GobStructCodec<GoPrePaidData> = createGobStructCodec({
  goName: 'PrePaidData',
  fields: [{ goName: 'Amount', property: 'amount', kind: 'bigint' }],
});
