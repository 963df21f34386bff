package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// JSON forms of the values (see main.go): every field a string, a nil *big.Int is null.

type channelJSON struct {
	ChannelID        *string
	Nonce            *string
	State            string
	Sender           string
	Recipient        string
	GroupID          string
	FullAmount       *string
	Expiration       *string
	Signer           string
	AuthorizedAmount *string
	Signature        string
}

type paymentJSON struct {
	MpeContractAddress string
	ChannelID          *string
	ChannelNonce       *string
	Amount             *string
	Signature          string
}

type freeCallJSON struct {
	Address        string
	UserID         string
	FreeCallsMade  string
	OrganizationId string
	ServiceId      string
	GroupID        string
}

type prepaidJSON struct {
	Amount *string
}

func newValue(typ string) (interface{}, error) {
	switch typ {
	case "PaymentChannelData":
		return &PaymentChannelData{}, nil
	case "PaymentChannelDataExtended":
		return &PaymentChannelDataExtended{}, nil
	case "Payment":
		return &Payment{}, nil
	case "FreeCallUserData":
		return &FreeCallUserData{}, nil
	case "PrePaidData":
		return &PrePaidData{}, nil
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}

func fromJSON(typ string, raw json.RawMessage) (interface{}, error) {
	p := parser{}
	var value interface{}
	switch typ {
	case "PaymentChannelData", "PaymentChannelDataExtended":
		var j channelJSON
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		v := PaymentChannelData{
			ChannelID:        p.big(j.ChannelID),
			Nonce:            p.big(j.Nonce),
			State:            PaymentChannelState(p.int(j.State)),
			Sender:           p.address(j.Sender),
			Recipient:        p.address(j.Recipient),
			FullAmount:       p.big(j.FullAmount),
			Expiration:       p.big(j.Expiration),
			Signer:           p.address(j.Signer),
			AuthorizedAmount: p.big(j.AuthorizedAmount),
			Signature:        p.bytes(j.Signature),
		}
		copy(v.GroupID[:], p.fixed(j.GroupID, 32))
		value = &v
		if typ == "PaymentChannelDataExtended" {
			value = extend(v)
		}
	case "Payment":
		var j paymentJSON
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		value = &Payment{
			MpeContractAddress: p.address(j.MpeContractAddress),
			ChannelID:          p.big(j.ChannelID),
			ChannelNonce:       p.big(j.ChannelNonce),
			Amount:             p.big(j.Amount),
			Signature:          p.bytes(j.Signature),
		}
	case "FreeCallUserData":
		var j freeCallJSON
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		value = &FreeCallUserData{
			Address:        j.Address,
			UserID:         j.UserID,
			FreeCallsMade:  int(p.int(j.FreeCallsMade)),
			OrganizationId: j.OrganizationId,
			ServiceId:      j.ServiceId,
			GroupID:        j.GroupID,
		}
	case "PrePaidData":
		var j prepaidJSON
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		value = &PrePaidData{Amount: p.big(j.Amount)}
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	return value, p.err
}

// extend fills every extra field of PaymentChannelDataExtended with a non-zero value (all must be skipped).
func extend(v PaymentChannelData) *PaymentChannelDataExtended {
	return &PaymentChannelDataExtended{
		ExtraFirst:       "written before the known fields",
		ChannelID:        v.ChannelID,
		Nonce:            v.Nonce,
		State:            v.State,
		Sender:           v.Sender,
		Recipient:        v.Recipient,
		GroupID:          v.GroupID,
		FullAmount:       v.FullAmount,
		Expiration:       v.Expiration,
		Signer:           v.Signer,
		AuthorizedAmount: v.AuthorizedAmount,
		Signature:        v.Signature,
		ExtraBool:        true,
		ExtraUint:        1<<64 - 1,
		ExtraFloat:       -3.25,
		ExtraComplex:     complex(1.5, -2),
		ExtraMap:         map[string]int{"a": 1, "b": -2},
		ExtraSlice:       []uint16{0, 1, 65535},
		ExtraStruct:      Inner{A: -7, B: []string{"x", ""}},
		ExtraPointer:     &Inner{A: 9},
		ExtraArray:       [3]int8{-128, 0, 127},
		ExtraBig:         new(big.Int).Lsh(big.NewInt(1), 300),
		ExtraAny:         "an interface value",
	}
}

func toJSON(value interface{}) interface{} {
	switch v := value.(type) {
	case *PaymentChannelData:
		return channelJSON{
			ChannelID:        bigText(v.ChannelID),
			Nonce:            bigText(v.Nonce),
			State:            strconv.FormatInt(int64(v.State), 10),
			Sender:           v.Sender.Hex(),
			Recipient:        v.Recipient.Hex(),
			GroupID:          "0x" + hex.EncodeToString(v.GroupID[:]),
			FullAmount:       bigText(v.FullAmount),
			Expiration:       bigText(v.Expiration),
			Signer:           v.Signer.Hex(),
			AuthorizedAmount: bigText(v.AuthorizedAmount),
			Signature:        "0x" + hex.EncodeToString(v.Signature),
		}
	case *PaymentChannelDataExtended:
		return toJSON(&PaymentChannelData{v.ChannelID, v.Nonce, v.State, v.Sender, v.Recipient, v.GroupID, v.FullAmount, v.Expiration, v.Signer, v.AuthorizedAmount, v.Signature})
	case *Payment:
		return paymentJSON{
			MpeContractAddress: v.MpeContractAddress.Hex(),
			ChannelID:          bigText(v.ChannelID),
			ChannelNonce:       bigText(v.ChannelNonce),
			Amount:             bigText(v.Amount),
			Signature:          "0x" + hex.EncodeToString(v.Signature),
		}
	case *FreeCallUserData:
		return freeCallJSON{v.Address, v.UserID, strconv.Itoa(v.FreeCallsMade), v.OrganizationId, v.ServiceId, v.GroupID}
	case *PrePaidData:
		return prepaidJSON{bigText(v.Amount)}
	}
	panic(fmt.Sprintf("toJSON: %T", value))
}

func bigText(v *big.Int) *string {
	if v == nil {
		return nil
	}
	s := v.String()
	return &s
}

// parser keeps the first conversion error so fromJSON can report it once.
type parser struct{ err error }

func (p *parser) fail(format string, args ...interface{}) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *parser) big(text *string) *big.Int {
	if text == nil {
		return nil
	}
	v, ok := new(big.Int).SetString(*text, 10)
	if !ok {
		p.fail("not a decimal integer: %q", *text)
	}
	return v
}

func (p *parser) int(text string) int64 {
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		p.fail("not an int64: %q", text)
	}
	return v
}

func (p *parser) bytes(text string) []byte {
	raw, err := hex.DecodeString(strings.TrimPrefix(text, "0x"))
	if err != nil {
		p.fail("not hex: %q", text)
	}
	if len(raw) == 0 {
		return nil
	}
	return raw
}

func (p *parser) fixed(text string, n int) []byte {
	raw := p.bytes(text)
	if len(raw) != n {
		p.fail("want %d bytes: %q", n, text)
		return make([]byte, n)
	}
	return raw
}

func (p *parser) address(text string) Address {
	var a Address
	if err := a.UnmarshalText([]byte(text)); err != nil {
		p.fail("%v", err)
	}
	return a
}
