package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// TestServiceListEncoding holds get-services' spliced answer to what
// writeJSON makes of wire.ServiceList, byte for byte, for services with
// every kind of content, on a first and a repeated (cached) encoding.
func TestServiceListEncoding(t *testing.T) {
	prod, temp, two := "prod & <b>", 0.5, 2
	services := []*amigo.Service{
		{ID: "6b0f99da174589ee3d93763d", Name: "<script>alert(1)</script>", Description: "\u2028 \"quoted\"", IsActive: true,
			AgentID: "a", StateMachineID: "m", Tags: map[string]*string{"env": &prod, "flag": nil, "a": &prod},
			VersionSets: map[string]amigo.VersionSet{
				"edge":    {},
				"release": {AgentVersion: &two, LLMModelPreferences: map[string]amigo.LLMConfig{"x": {LLMName: "m", Temperature: &temp, Params: map[string]json.RawMessage{"k": json.RawMessage(`{"n": 1}`)}}}},
			},
			CreatorOrgID: "o", CreatorUserID: "u", UpdatedByOrgID: "o", UpdatedByUserID: "v", CreatedAt: time.Unix(1, 0)},
		{ID: "6b0f99da174589ee3d93763e", Keyterms: []string{"k"}},
	}
	next := 12
	for _, tc := range []struct {
		page wire.Page
		tags []string
	}{{wire.Page{}, nil}, {wire.Page{HasMore: true, ContinuationToken: &next}, []string{"env:prod", "flag:"}}} {
		want := wire.ServiceList{Page: tc.page}
		for _, s := range services {
			want.Services = append(want.Services, wire.NewService(s))
		}
		want.FilterValues.Tags = tc.tags
		if tc.tags == nil {
			want.FilterValues.Tags = []string{}
		}
		expected := httptest.NewRecorder()
		writeJSON(expected, 200, want)
		var c serviceJSON
		for range 2 {
			got := httptest.NewRecorder()
			c.writeServiceList(got, services, tc.page, tc.tags)
			if !bytes.Equal(got.Body.Bytes(), expected.Body.Bytes()) {
				t.Fatalf("spliced:\n%s\nwriteJSON:\n%s", got.Body, expected.Body)
			}
			if got.Header().Get("Content-Length") != expected.Header().Get("Content-Length") || got.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v, want %v", got.Header(), expected.Header())
			}
		}
	}
}
