package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

const (
	// micro is the fixed-point unit of a Mode's scale, so that "0.3x" scales
	// 10 requests to exactly 3, not to the 4 that float rounding would give.
	micro = 1_000_000
	// maxScale is the largest multiplier accepted; "off" is the way to lift
	// the limits altogether.
	maxScale = 1_000_000
)

// Mode is the self-hoster's rate limit setting: off, or on with every limit
// of the spec multiplied by a scale. The zero Mode is "on" at 1x, so a
// forgotten setting keeps the limits of the spec.
type Mode struct {
	off bool
	// micros is the scale in millionths; zero means one.
	micros int64
}

// ParseMode parses "on" (the spec's limits), "off" (no limits), or a
// multiplier with an "x" suffix such as "10x" or "0.5x", case-insensitively.
// A multiplier must be positive, at most 1000000, and precise to millionths.
func ParseMode(s string) (Mode, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "on":
		return Mode{}, nil
	case "off":
		return Mode{off: true}, nil
	default:
		num, ok := strings.CutSuffix(v, "x")
		f, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil || math.IsNaN(f) {
			return Mode{}, fmt.Errorf("ratelimit: mode %q: want on, off, or a multiplier such as 10x or 0.5x", s)
		}
		micros := math.Round(f * micro)
		if micros < 1 || f > maxScale {
			return Mode{}, fmt.Errorf("ratelimit: mode %q: multiplier must be between 0.000001x and %dx", s, maxScale)
		}
		if micros == micro {
			return Mode{}, nil // "1x" is "on"
		}
		return Mode{micros: int64(micros)}, nil
	}
}

// Enabled reports whether limits apply at all; when false the caller should
// not consult a Limiter.
func (m Mode) Enabled() bool { return !m.off }

// Apply returns l with Requests multiplied by the scale, rounded up and at
// least one. The window is unchanged. For a Mode that is off it returns l.
func (m Mode) Apply(l Limit) Limit {
	if m.off || m.micros == 0 || m.micros == micro || l.Requests < 1 {
		return l
	}
	n := int64(l.Requests)
	if n > (math.MaxInt64-micro)/m.micros {
		l.Requests = math.MaxInt
		return l
	}
	scaled := max((n*m.micros+micro-1)/micro, 1)
	l.Requests = int(min(scaled, int64(math.MaxInt)))
	return l
}

// String returns the setting in the form ParseMode accepts: "off", "1x",
// "10x", "0.5x".
func (m Mode) String() string {
	if m.off {
		return "off"
	}
	micros := m.micros
	if micros == 0 {
		micros = micro
	}
	return strconv.FormatFloat(float64(micros)/micro, 'f', -1, 64) + "x"
}

// Set parses s into m, so that *Mode is a pflag.Value for a command-line flag.
func (m *Mode) Set(s string) error {
	v, err := ParseMode(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Type names the flag's value in help text, as pflag.Value requires.
func (m *Mode) Type() string { return "mode" }
