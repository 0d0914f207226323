package ratelimit

import (
	"testing"
	"time"
)

func TestLimitRate(t *testing.T) {
	tests := []struct {
		l              Limit
		unit           time.Duration
		interval, span int64
	}{
		{Limit{10, time.Minute}, time.Nanosecond, 6e9, 60e9},
		{Limit{10, time.Minute}, time.Microsecond, 6e6, 60e6},
		// 7 per second does not divide evenly: the burst costs a little less
		// than the window, never more.
		{Limit{7, time.Second}, time.Microsecond, 142857, 999999},
		// Finer than the unit: capped at one request per unit.
		{Limit{5_000_000, time.Second}, time.Microsecond, 1, 1_000_000},
		{Limit{1, time.Nanosecond}, time.Microsecond, 1, 1},
	}
	for _, tt := range tests {
		interval, span := tt.l.rate(tt.unit)
		if interval != tt.interval || span != tt.span {
			t.Errorf("%+v.rate(%v) = %d, %d; want %d, %d", tt.l, tt.unit, interval, span, tt.interval, tt.span)
		}
	}
}

func TestCeil(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	for _, tt := range []struct{ in, want time.Time }{
		{base, base},
		{base.Add(time.Nanosecond), base.Add(time.Second)},
		{base.Add(999 * time.Millisecond), base.Add(time.Second)},
	} {
		if got := ceilSecond(tt.in); !got.Equal(tt.want) {
			t.Errorf("ceilSecond(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want time.Duration }{
		{0, 0},
		{time.Nanosecond, time.Second},
		{time.Second, time.Second},
		{1500 * time.Millisecond, 2 * time.Second},
	} {
		if got := ceilDuration(tt.in); got != tt.want {
			t.Errorf("ceilDuration(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
