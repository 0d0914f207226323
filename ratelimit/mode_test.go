package ratelimit

import (
	"math"
	"testing"
	"time"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		enabled bool
		str     string
	}{
		{"on", true, "1x"},
		{" ON ", true, "1x"},
		{"off", false, "off"},
		{"Off", false, "off"},
		{"1x", true, "1x"},
		{"10x", true, "10x"},
		{"0.5x", true, "0.5x"},
		{"0.3X", true, "0.3x"},
		{"2.5x", true, "2.5x"},
		{"1000000x", true, "1000000x"},
	}
	for _, tt := range tests {
		m, err := ParseMode(tt.in)
		if err != nil {
			t.Errorf("ParseMode(%q): %v", tt.in, err)
			continue
		}
		if m.Enabled() != tt.enabled || m.String() != tt.str {
			t.Errorf("ParseMode(%q) = enabled %v, %q; want %v, %q", tt.in, m.Enabled(), m, tt.enabled, tt.str)
		}
		if again, err := ParseMode(m.String()); err != nil || again != m {
			t.Errorf("ParseMode(%q) does not round-trip through %q: %v, %v", tt.in, m, again, err)
		}
	}

	for _, in := range []string{"", "x", "10", "ten", "0x", "-1x", "NaNx", "infx", "0.0000001x", "1000001x", "10 x", "on10x"} {
		if m, err := ParseMode(in); err == nil {
			t.Errorf("ParseMode(%q) = %v, want an error", in, m)
		}
	}
}

func TestModeZero(t *testing.T) {
	var m Mode
	if !m.Enabled() || m.String() != "1x" {
		t.Fatalf("zero Mode = enabled %v, %q; want on at 1x", m.Enabled(), m)
	}
}

func TestModeApply(t *testing.T) {
	tests := []struct {
		mode string
		in   int
		want int
	}{
		{"on", 10, 10},
		{"off", 10, 10},
		{"10x", 10, 100},
		{"0.5x", 10, 5},
		{"0.5x", 5, 3},  // 2.5 rounds up
		{"0.3x", 10, 3}, // exactly 3, not 3.0000000000000004 rounded up to 4
		{"0.1x", 5, 1},  // 0.5 rounds up
		{"0.01x", 5, 1}, // never below one
		{"1.5x", 7, 11}, // 10.5 rounds up
		{"1000000x", math.MaxInt64 / 1000, math.MaxInt}, // saturates
	}
	for _, tt := range tests {
		m, err := ParseMode(tt.mode)
		if err != nil {
			t.Fatal(err)
		}
		got := m.Apply(Limit{Requests: tt.in, Window: time.Minute})
		if got.Requests != tt.want || got.Window != time.Minute {
			t.Errorf("%s.Apply(%d per minute) = %d per %v, want %d per minute", tt.mode, tt.in, got.Requests, got.Window, tt.want)
		}
	}
}

func TestModeSet(t *testing.T) {
	var m Mode
	if err := m.Set("0.5x"); err != nil || m.String() != "0.5x" {
		t.Fatalf("Set(0.5x): %v, %q", err, m)
	}
	if err := m.Set("bogus"); err == nil || m.String() != "0.5x" {
		t.Fatalf("Set(bogus): %v, %q; want an error and the value kept", err, m)
	}
	if m.Type() != "mode" {
		t.Fatalf("Type() = %q", m.Type())
	}
}
