package core

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseISODuration parses the day-and-time subset of ISO 8601 durations
// (PnW, PnD, PTnH, PTnM, PTnS and their combinations). Years and months are
// refused because their length in days is ambiguous.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s[len(s)-1] == 'T' {
		return 0, errors.New("not an ISO 8601 duration such as P30D or PT36H")
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, unit := range units {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil || v > 1e6 {
			return 0, errors.New("duration out of range")
		}
		d += time.Duration(v * float64(unit))
	}
	return d, nil
}
