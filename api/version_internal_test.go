package api

import (
	"testing"

	"github.com/amigo-oss/amigo-server"
)

func TestParseVersionSelector(t *testing.T) {
	tests := []struct {
		in   string
		want amigo.VersionFilter
		ok   bool
	}{
		{"", amigo.VersionFilter{}, true},
		{"latest", amigo.VersionFilter{Latest: true}, true},
		{"3", amigo.VersionFilter{From: 3, To: 3}, true},
		{"2-5", amigo.VersionFilter{From: 2, To: 5}, true},
		{"1-latest", amigo.VersionFilter{From: 1}, true},
		{"0", amigo.VersionFilter{}, false},
		{"5-2", amigo.VersionFilter{}, false},
		{"latest-3", amigo.VersionFilter{}, false},
		{"+3", amigo.VersionFilter{}, false},
		{"2-", amigo.VersionFilter{}, false},
		{"x", amigo.VersionFilter{}, false},
	}
	for _, tt := range tests {
		got, err := parseVersionSelector(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("parseVersionSelector(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		} else if !tt.ok && amigo.ErrorCode(err) != amigo.EINVALID {
			t.Errorf("parseVersionSelector(%q) = %+v, %v; want %s", tt.in, got, err, amigo.EINVALID)
		}
	}
}

func TestParseVersionSort(t *testing.T) {
	for _, tt := range []struct {
		in         []string
		descending bool
		ok         bool
	}{
		{nil, false, true},
		{[]string{"version"}, false, true},
		{[]string{"+version"}, false, true},
		{[]string{"-version", "+version"}, true, true},
		{[]string{"--version"}, false, false},
		{[]string{"created_at"}, false, false},
	} {
		desc, err := parseVersionSort(tt.in)
		if tt.ok && (err != nil || desc != tt.descending) {
			t.Errorf("parseVersionSort(%q) = %v, %v", tt.in, desc, err)
		} else if !tt.ok && amigo.ErrorCode(err) != amigo.EINVALID {
			t.Errorf("parseVersionSort(%q) = %v, want %s", tt.in, err, amigo.EINVALID)
		}
	}
}
