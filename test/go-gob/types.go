package main

// The four values the Go daemon stores in etcd, mirrored field for field (names and Go types) from
// singnet/snet-daemon escrow/payment_channel_api.go, escrow/free_call_api.go and escrow/prepaid_storage.go.
// gob matches struct fields by name and wire type, so these decode exactly what the daemon writes.

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// Address mirrors go-ethereum common.Address: a named [20]byte with text (and JSON) marshalling but no
// GobEncoder or BinaryMarshaler, so gob sends it as an array of 20 uints.
type Address [20]byte

// Hex returns the lower-case 0x-hex form (go-ethereum adds the EIP-55 checksum; not needed here).
func (a Address) Hex() string { return "0x" + hex.EncodeToString(a[:]) }

func (a Address) String() string { return a.Hex() }

// MarshalText is go-ethereum's text marshaller (hexutil.Bytes form). gob never calls it.
func (a Address) MarshalText() ([]byte, error) { return []byte(a.Hex()), nil }

// UnmarshalText parses a 0x-prefixed 40-digit hex address, as go-ethereum does.
func (a *Address) UnmarshalText(input []byte) error {
	text := strings.TrimPrefix(string(input), "0x")
	raw, err := hex.DecodeString(text)
	if err != nil || len(raw) != len(a) {
		return fmt.Errorf("invalid address %q", input)
	}
	copy(a[:], raw)
	return nil
}

// PaymentChannelState mirrors escrow.PaymentChannelState (a named int).
type PaymentChannelState int

// PaymentChannelData mirrors escrow.PaymentChannelData.
type PaymentChannelData struct {
	ChannelID        *big.Int
	Nonce            *big.Int
	State            PaymentChannelState
	Sender           Address
	Recipient        Address
	GroupID          [32]byte
	FullAmount       *big.Int
	Expiration       *big.Int
	Signer           Address
	AuthorizedAmount *big.Int
	Signature        []byte
}

// Payment mirrors escrow.Payment (a claim in progress).
type Payment struct {
	MpeContractAddress Address
	ChannelID          *big.Int
	ChannelNonce       *big.Int
	Amount             *big.Int
	Signature          []byte
}

// FreeCallUserData mirrors escrow.FreeCallUserData.
type FreeCallUserData struct {
	Address        string
	UserID         string
	FreeCallsMade  int
	OrganizationId string
	ServiceId      string
	GroupID        string
}

// PrePaidData mirrors escrow.PrePaidData.
type PrePaidData struct {
	Amount *big.Int
}

// Inner is a nested struct of PaymentChannelDataExtended (exercises skipping an unknown struct field).
type Inner struct {
	A int
	B []string
}

// PaymentChannelDataExtended is PaymentChannelData as a future daemon version might write it: the same
// fields plus fields of every other gob kind. A reader of PaymentChannelData must skip the extra ones.
type PaymentChannelDataExtended struct {
	ExtraFirst       string
	ChannelID        *big.Int
	Nonce            *big.Int
	State            PaymentChannelState
	Sender           Address
	Recipient        Address
	GroupID          [32]byte
	FullAmount       *big.Int
	Expiration       *big.Int
	Signer           Address
	AuthorizedAmount *big.Int
	Signature        []byte
	ExtraBool        bool
	ExtraUint        uint64
	ExtraFloat       float64
	ExtraComplex     complex128
	ExtraMap         map[string]int
	ExtraSlice       []uint16
	ExtraStruct      Inner
	ExtraPointer     *Inner
	ExtraArray       [3]int8
	ExtraBig         *big.Int
	ExtraAny         interface{}
}
