package amigo

import "testing"

func TestParseVersionSelector(t *testing.T) {
	tests := []struct {
		in   string
		want VersionFilter
		ok   bool
	}{
		{"", VersionFilter{}, true},
		{"latest", VersionFilter{Latest: true}, true},
		{"3", VersionFilter{From: 3, To: 3}, true},
		{"2-5", VersionFilter{From: 2, To: 5}, true},
		{"1-latest", VersionFilter{From: 1}, true},
		{"0", VersionFilter{}, false},
		{"5-2", VersionFilter{}, false},
		{"latest-3", VersionFilter{}, false},
		{"+3", VersionFilter{}, false},
		{"2-", VersionFilter{}, false},
		{"x", VersionFilter{}, false},
	}
	for _, tt := range tests {
		got, err := ParseVersionSelector(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseVersionSelector(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		} else if !tt.ok && ErrorCode(err) != EINVALID {
			t.Errorf("ParseVersionSelector(%q) = %+v, %v; want %s", tt.in, got, err, EINVALID)
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
		desc, err := ParseVersionSort(tt.in)
		if tt.ok && (err != nil || desc != tt.descending) {
			t.Errorf("ParseVersionSort(%q) = %v, %v", tt.in, desc, err)
		} else if !tt.ok && ErrorCode(err) != EINVALID {
			t.Errorf("ParseVersionSort(%q) = %v, want %s", tt.in, err, EINVALID)
		}
	}
}
