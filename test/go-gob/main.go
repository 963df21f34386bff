// Command go-gob writes and reads the Go daemon's etcd values with Go's own encoding/gob, for the
// snetd-ts cross-check test and test vectors. Standard library only (builds with Debian's Go 1.19).
//
//	go-gob encode   stdin: {"type":T,"value":V} per line   stdout: {"gob":"<hex>"} per line
//	go-gob decode   stdin: {"type":T,"gob":"<hex>"} per line stdout: {"value":V} or {"error":"…"} per line
//
// T is PaymentChannelData, Payment, FreeCallUserData, PrePaidData or PaymentChannelDataExtended.
// V is JSON: integers as decimal strings (big.Int null = nil pointer), addresses and bytes as 0x-hex.
// Every value gets a fresh gob.Encoder / gob.Decoder, as the daemon's serialize/deserialize do.
package main

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

type request struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
	Gob   string          `json:"gob"`
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "encode" && os.Args[1] != "decode") {
		fmt.Fprintln(os.Stderr, "usage: go-gob encode|decode < requests.jsonl")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := bytes.TrimSpace(in.Bytes())
		if len(line) == 0 {
			continue
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			fail(err)
		}
		var reply interface{}
		if os.Args[1] == "encode" {
			reply = map[string]string{"gob": hex.EncodeToString(encode(req))}
		} else {
			value, err := decode(req)
			if err != nil {
				reply = map[string]string{"error": err.Error()}
			} else {
				reply = map[string]interface{}{"value": value}
			}
		}
		text, err := json.Marshal(reply)
		if err != nil {
			fail(err)
		}
		out.Write(text)
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-gob:", err)
	os.Exit(1)
}

// encode builds the Go value from JSON and gob-encodes it with a fresh encoder (daemon `serialize`).
func encode(req request) []byte {
	value, err := fromJSON(req.Type, req.Value)
	if err != nil {
		fail(err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(value); err != nil {
		fail(err)
	}
	return buf.Bytes()
}

// decode gob-decodes into a fresh value with a fresh decoder (daemon `deserialize`) and returns its JSON form.
func decode(req request) (interface{}, error) {
	raw, err := hex.DecodeString(req.Gob)
	if err != nil {
		return nil, err
	}
	target, err := newValue(req.Type)
	if err != nil {
		return nil, err
	}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(target); err != nil {
		return nil, err
	}
	return toJSON(target), nil
}
