package shape

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The state-machine document writes three things the same way in its wire
// and stored forms: a state as its variant's object with the "type" key
// first, a next state as "name" or ["reference.state", "jumpback"], and a
// reference as ["machine id", version]. The functions below are those
// encodings, so that both forms' JSON methods are one line each.

// MarshalTagged writes body, a struct with at least one field, as an
// object whose first key is "type": typ.
func MarshalTagged(typ string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' || b[1] == '}' {
		return nil, fmt.Errorf("shape: state of type %q has no fields", typ)
	}
	return append([]byte(`{"type":`+strconv.Quote(typ)+`,`), b[1:]...), nil
}

// TypeOf returns the "type" key of a JSON object.
func TypeOf(data []byte) (string, error) {
	var head struct {
		Type string `json:"type"`
	}
	err := json.Unmarshal(data, &head)
	return head.Type, err
}

// MarshalNextState writes a next state: its name, or the 2-tuple of an
// external one.
func MarshalNextState(name, jumpback string, external bool) ([]byte, error) {
	if external {
		return json.Marshal([2]string{name, jumpback})
	}
	return json.Marshal(name)
}

// UnmarshalNextState decodes a next state strictly.
func UnmarshalNextState(data []byte) (name, jumpback string, external bool, err error) {
	if json.Unmarshal(data, &name) == nil {
		return name, "", false, nil
	}
	var pair []string
	if err := json.Unmarshal(data, &pair); err != nil {
		return "", "", false, err
	} else if len(pair) != 2 {
		return "", "", false, fmt.Errorf("shape: next state tuple has %d elements", len(pair))
	}
	return pair[0], pair[1], true, nil
}

// MarshalReference writes a reference's 2-tuple.
func MarshalReference(machineID string, version int) []byte {
	return []byte(`[` + strconv.Quote(machineID) + `,` + strconv.Itoa(version) + `]`)
}

// UnmarshalReference decodes a reference's 2-tuple strictly.
func UnmarshalReference(data []byte) (machineID string, version int, err error) {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil {
		return "", 0, err
	} else if len(pair) != 2 {
		return "", 0, fmt.Errorf("shape: reference tuple has %d elements", len(pair))
	}
	if err := json.Unmarshal(pair[0], &machineID); err != nil {
		return "", 0, err
	}
	err = json.Unmarshal(pair[1], &version)
	return machineID, version, err
}
