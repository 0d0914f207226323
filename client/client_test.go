package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
	"github.com/amigo-oss/amigo-server/token"
)

// newClient returns an SDK client signed in (lazily) as env's platform
// super administrator, talking to base.
func newClient(t *testing.T, env *testenv.Env, base string, change ...func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{APIKey: env.APIKey, APIKeyID: env.APIKeyID, UserID: env.UserID,
		OrganizationID: testenv.PlatformOrg, BaseURL: base}
	for _, f := range change {
		f(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// agentVersion is a complete first agent version.
func agentVersion(initials string) *client.AgentVersionRequest {
	return &client.AgentVersionRequest{
		Initials: ptr(initials),
		Identity: &client.Identity{Name: "Amy", Role: "Support coach", DevelopedBy: "Acme", DefaultSpokenLanguage: "eng",
			RelationshipToDeveloper: client.RelationshipToDeveloper{Ownership: "owned", Type: "employee", ConversationVisibility: "visible", ThoughtVisibility: "hidden"}},
		Background: ptr("Ten years of support."), Behaviors: &[]string{"Listens first."},
		CommunicationPatterns: &[]string{"Short sentences."}, VoiceConfig: &client.VoiceConfig{VoiceID: "voice-1"},
	}
}

// machineSpec is a valid generated machine of n states without references.
func machineSpec(t *testing.T, n int) *client.StateMachineSpec {
	t.Helper()
	data := coretest.StateMachineJSON(n)
	var spec client.StateMachineSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	return &spec
}

func TestResourcesRoundTrip(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := newClient(t, env, env.URL)
		ctx := context.Background()

		org, err := c.GetOrganization(ctx)
		if err != nil || org.OrgID != testenv.PlatformOrg {
			t.Fatalf("get-organization: %+v, %v", org, err)
		}

		lib, err := c.CreateStateMachine(ctx, "library")
		if err != nil {
			t.Fatal(err)
		}
		libSpec := machineSpec(t, 1)
		libSpec.References = map[string]client.Reference{}
		if _, err := c.CreateStateMachineVersion(ctx, lib, nil, false, libSpec); err != nil {
			t.Fatal(err)
		}
		sm, err := c.CreateStateMachine(ctx, "main")
		if err != nil {
			t.Fatal(err)
		}
		spec := machineSpec(t, 7)
		spec.References = map[string]client.Reference{"lib": {MachineID: lib, Version: 1}}
		if v, err := c.CreateStateMachineVersion(ctx, sm, nil, true, spec); err != nil || v != nil {
			t.Fatalf("dry run: %+v, %v", v, err)
		}
		created, err := c.CreateStateMachineVersion(ctx, sm, ptr(1), false, spec)
		if err != nil || created.Version != 1 {
			t.Fatalf("create version: %+v, %v", created, err)
		}
		versions, err := client.Collect(c.StateMachineVersions(ctx, sm, client.VersionOptions{Version: "latest"}))
		if err != nil || len(versions) != 1 {
			t.Fatalf("versions %+v, %v", versions, err)
		}
		// Every state type survives the trip through the wire structs.
		got, _ := json.Marshal(versions[0].StateMachineDefinition)
		want, _ := json.Marshal(spec)
		if string(got) != string(want) {
			t.Errorf("read back\n%s\nwant\n%s", got, want)
		}

		agent, err := c.CreateAgent(ctx, "amy")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateAgentVersion(ctx, agent, nil, agentVersion("AM")); err != nil {
			t.Fatal(err)
		}
		if v, err := c.CreateAgentVersion(ctx, agent, ptr(2), &client.AgentVersionRequest{Background: ptr("Twenty years.")}); err != nil || v.Version != 2 {
			t.Fatalf("second version %+v, %v", v, err)
		}
		av, err := client.Collect(c.AgentVersions(ctx, agent, client.VersionOptions{Sort: []string{"-version"}}))
		if err != nil || len(av) != 2 || av[0].Background != "Twenty years." || av[0].Initials != "AM" {
			t.Fatalf("agent versions %+v, %v", av, err)
		}

		svc, err := c.CreateService(ctx, &client.CreateServiceRequest{StateMachineID: new(sm), AgentID: new(agent), Name: new("support"),
			Description: new("Support."), IsActive: new(true), Keyterms: new([]string{}), Tags: new(map[string]*string{"team": ptr("support")})})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.UpsertVersionSet(ctx, svc, "canary", &client.VersionSet{AgentVersion: ptr(1), StateMachineVersion: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		if err := c.UpdateService(ctx, svc, &client.UpdateServiceRequest{Description: ptr("Customer support.")}); err != nil {
			t.Fatal(err)
		}
		services, err := client.Collect(c.Services(ctx, client.ServiceListOptions{}))
		if err != nil || len(services) != 1 || services[0].Description != "Customer support." || *services[0].VersionSets["canary"].AgentVersion != 1 {
			t.Fatalf("services %+v, %v", services, err)
		}
		if err := c.DeleteVersionSet(ctx, svc, "canary"); err != nil {
			t.Fatal(err)
		}

		key, err := c.CreateAPIKey(ctx, &client.CreateAPIKeyRequest{Name: ptr("ci"), Duration: new("P1D"), RoleName: new("DefaultSuperAdministratorRole")})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := c.ListAPIKeys(ctx)
		if err != nil || !slices.ContainsFunc(keys, func(k client.APIKey) bool { return k.KeyID == key.APIKeyID }) {
			t.Fatalf("keys %+v, %v", keys, err)
		}
		if err := c.DeleteAPIKey(ctx, key.APIKeyID); err != nil {
			t.Fatal(err)
		}

		invited, err := c.InviteUser(ctx, &client.InviteUserRequest{FirstName: new("Ann"), LastName: new("Lee"), Email: new("ann@example.com"), RoleName: new("DefaultUserRole")})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.UpdateUser(ctx, invited.UserID, &client.UpdateUserRequest{FirstName: ptr("Anne"), Timezone: client.JSONString("Europe/Paris")}); err != nil {
			t.Fatal(err)
		}
		users, err := client.Collect(c.Users(ctx, client.UserListOptions{Emails: []string{"ann@example.com"}}))
		if err != nil || len(users) != 1 || users[0].UserID != invited.UserID || users[0].FirstName != "Anne" || users[0].LastName != "Lee" ||
			users[0].Preferences.Timezone == nil || *users[0].Preferences.Timezone != "Europe/Paris" {
			t.Fatalf("users %+v, %v", users, err)
		}
		// A nil field leaves the timezone; JSONNull erases it.
		if err := c.UpdateUser(ctx, invited.UserID, &client.UpdateUserRequest{LastName: ptr("Li")}); err != nil {
			t.Fatal(err)
		}
		if err := c.UpdateUser(ctx, invited.UserID, &client.UpdateUserRequest{PreferredLanguage: client.JSONString("fra"), Timezone: client.JSONNull}); err != nil {
			t.Fatal(err)
		}
		users, err = client.Collect(c.Users(ctx, client.UserListOptions{Emails: []string{"ann@example.com"}}))
		if err != nil || len(users) != 1 || users[0].LastName != "Li" || users[0].Preferences.Timezone != nil ||
			users[0].Preferences.PreferredLanguage == nil || *users[0].Preferences.PreferredLanguage != "fra" {
			t.Fatalf("after erasing the timezone: %+v, %v", users, err)
		}
		// A role change shows in get-users as the new role's id, which
		// the administrator's own entry carries.
		if err := c.UpdateUserRole(ctx, invited.UserID, "DefaultSuperAdministratorRole"); err != nil {
			t.Fatal(err)
		}
		promoted, err := client.Collect(c.Users(ctx, client.UserListOptions{UserIDs: []string{invited.UserID, env.UserID}}))
		if err != nil || len(promoted) != 2 || promoted[0].Role != promoted[1].Role {
			t.Fatalf("after update-user-role: %+v, %v", promoted, err)
		}
		var apiErr *client.APIError
		if err := c.UpdateUserRole(ctx, invited.UserID, "NoSuchRole"); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
			t.Fatalf("an unknown role: %v", err)
		}
		if err := c.DeleteUser(ctx, invited.UserID); err != nil {
			t.Fatal(err)
		}

		svg, err := c.StateMachineGraph(ctx, sm, "latest", client.GraphSVG)
		if err != nil || strings.Count(string(svg), "data-state=") != 7 {
			t.Fatalf("graph: %d data-state, %v", strings.Count(string(svg), "data-state="), err)
		}

		if err := c.DeleteAgent(ctx, agent); !errors.Is(err, client.ErrBadRequest) {
			t.Errorf("deleting an agent an active service uses: %v, want ErrBadRequest", err)
		}
	})
}

func TestIteratorsFollowContinuationTokens(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := newClient(t, env, env.URL)
		ctx := context.Background()
		var want []string
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			id, err := c.CreateAgent(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		var got []string
		for a, err := range c.Agents(ctx, client.ListOptions{Limit: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("iterated %v, want %v", got, want)
		}
		// Breaking out of the loop stops fetching.
		for range c.Agents(ctx, client.ListOptions{Limit: 2}) {
			break
		}
	})
}

func TestTypedErrors(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := newClient(t, env, env.URL)
		ctx := context.Background()
		var apiErr *client.APIError

		err := c.DeleteAgent(ctx, "aaaaaaaaaaaaaaaaaaaaaaaa")
		if !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Detail == "" {
			t.Errorf("unknown agent: %v", err)
		}

		if _, err := c.CreateAgent(ctx, "dup"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateAgent(ctx, "dup"); !errors.Is(err, client.ErrConflict) {
			t.Errorf("duplicate agent: %v", err)
		}

		sm, err := c.CreateStateMachine(ctx, "bad")
		if err != nil {
			t.Fatal(err)
		}
		spec := machineSpec(t, 3)
		spec.References = map[string]client.Reference{}
		spec.TerminalState = "nowhere"
		_, err = c.CreateStateMachineVersion(ctx, sm, nil, false, spec)
		if !errors.Is(err, client.ErrValidation) || !errors.As(err, &apiErr) || len(apiErr.Items) == 0 {
			t.Fatalf("invalid machine: %v", err)
		}
		if !slices.ContainsFunc(apiErr.Items, func(it client.ValidationItem) bool { return it.Path() == "body.terminal_state" }) {
			t.Errorf("no item at body.terminal_state: %+v", apiErr.Items)
		}

		bad := newClient(t, env, env.URL, func(c *client.Config) { c.APIKey = "wrong" })
		if _, err := bad.GetOrganization(ctx); !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("wrong key: %v", err)
		}

		// A user without permissions is refused with 403.
		invited, err := c.InviteUser(ctx, &client.InviteUserRequest{FirstName: new("No"), LastName: new("Body"), Email: new("nobody@example.com"), RoleName: new("DefaultUserRole")})
		if err != nil {
			t.Fatal(err)
		}
		key, err := c.CreateAPIKey(ctx, &client.CreateAPIKeyRequest{Name: ptr("user"), Duration: new("P1D"), RoleName: new("DefaultUserRole")})
		if err != nil {
			t.Fatal(err)
		}
		user := newClient(t, env, env.URL, func(c *client.Config) { c.APIKey, c.APIKeyID, c.UserID = key.APIKey, key.APIKeyID, invited.UserID })
		if _, err := user.CreateAgent(ctx, "x"); !errors.Is(err, client.ErrForbidden) {
			t.Errorf("user creating an agent: %v", err)
		}

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := c.GetOrganization(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled context: %v", err)
		}
	})
}

// TestRealRateLimit exhausts the server's sign-in limit (5 a minute): the
// sixth sign-in is refused with ErrRateLimited and the server's
// Retry-After, returned at once because waiting would exceed MaxRetryWait.
func TestRealRateLimit(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: func(cfg *server.Config) { cfg.RateLimits = "on" }})
	c := newClient(t, env, env.URL, func(c *client.Config) { c.MaxRetryWait = time.Second })
	ctx := context.Background()
	var err error
	for range 10 {
		if _, err = c.SignIn(ctx); err != nil {
			break
		}
	}
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter <= 0 {
		t.Fatalf("sign-in burst: %v, want ErrRateLimited with a Retry-After", err)
	}
}

func TestRetriesRebuildTheBody(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	p := newProxy(t, env.URL)
	c := newClient(t, env, p.URL)
	ctx := context.Background()
	sm, _ := c.CreateStateMachine(ctx, "m")
	spec := machineSpec(t, 1)
	spec.References = map[string]client.Reference{}
	if _, err := c.CreateStateMachineVersion(ctx, sm, nil, false, spec); err != nil {
		t.Fatal(err)
	}
	agent, _ := c.CreateAgent(ctx, "a")
	if _, err := c.CreateAgentVersion(ctx, agent, nil, agentVersion("AM")); err != nil {
		t.Fatal(err)
	}
	svc, err := c.CreateService(ctx, &client.CreateServiceRequest{StateMachineID: new(sm), AgentID: new(agent), Name: new("s"), Description: new("S."), IsActive: new(true), Keyterms: new([]string{}), Tags: new(map[string]*string{})})
	if err != nil {
		t.Fatal(err)
	}

	// The first two attempts of the upsert meet a 429 and a 503; the third
	// reaches the server with the whole body again.
	p.mu.Lock()
	p.fault = func(r *http.Request, n int) (int, http.Header, bool) {
		if r.Method != http.MethodPut || p.count(http.MethodPut, "/version_sets/canary/") > 2 {
			return 0, nil, false
		}
		if p.count(http.MethodPut, "/version_sets/canary/") == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}}, true
		}
		return http.StatusServiceUnavailable, nil, true
	}
	p.mu.Unlock()
	if err := c.UpsertVersionSet(ctx, svc, "canary", &client.VersionSet{AgentVersion: ptr(1)}); err != nil {
		t.Fatalf("upsert after retries: %v", err)
	}
	bodies := p.bodiesOf("/version_sets/canary/")
	if len(bodies) != 3 || bodies[0] == "" || bodies[0] != bodies[2] {
		t.Fatalf("attempts sent %q", bodies)
	}

	// Creating an agent is not safe to repeat: its 429 comes back at once.
	p.mu.Lock()
	p.fault = func(r *http.Request, n int) (int, http.Header, bool) {
		return http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/agent")
	}
	p.mu.Unlock()
	_, err = c.CreateAgent(ctx, "b")
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter != 7*time.Second || apiErr.Detail != "injected by the test proxy" {
		t.Fatalf("create-agent under 429: %v", err)
	}
	if n := p.count(http.MethodPost, "/organization/agent"); n != 2 {
		t.Errorf("create-agent sent %d times in all, want 2 (one before the fault, one under it)", n)
	}
}

func TestConcurrentCallersShareOneSignIn(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	p := newProxy(t, env.URL)
	c := newClient(t, env, p.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := c.GetOrganization(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := p.count(http.MethodPost, "/signin_with_api_key"); n != 1 {
		t.Errorf("%d sign-ins for 20 concurrent first calls, want 1", n)
	}
}

func TestTokenRenewal(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		p := newProxy(t, env.URL)

		t.Run("a token about to expire is renewed before use", func(t *testing.T) {
			// Tokens live for hours; renewing a year before expiry renews every time.
			c := newClient(t, env, p.URL, func(c *client.Config) { c.RefreshBefore = 365 * 24 * time.Hour })
			before := p.count(http.MethodPost, "/signin_with_api_key")
			for range 3 {
				if _, err := c.GetOrganization(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if n := p.count(http.MethodPost, "/signin_with_api_key") - before; n != 3 {
				t.Errorf("%d sign-ins for 3 calls, want 3", n)
			}
		})

		t.Run("a 401 signs in again once and repeats the request", func(t *testing.T) {
			c := newClient(t, env, p.URL)
			if _, err := c.GetOrganization(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Move to a server sharing the databases but signing with a new
			// key it alone trusts: the client's token is now refused there.
			cfg := env.Runtime.Config
			cfg.SigningKeyFile = filepath.Join(t.TempDir(), "new.pem")
			cfg.VerifyKeyFiles = nil
			if _, err := token.LoadOrCreateSigningKey(cfg.SigningKeyFile); err != nil {
				t.Fatal(err)
			}
			rotated := testenv.Serve(t, b, cfg)
			p.retarget(rotated.URL)
			before := p.count(http.MethodPost, "/signin_with_api_key")
			users, err := client.Collect(c.Users(context.Background(), client.UserListOptions{}))
			if err != nil || len(users) == 0 {
				t.Fatalf("after rotation: %v", err)
			}
			if n := p.count(http.MethodPost, "/signin_with_api_key") - before; n != 1 {
				t.Errorf("%d sign-ins after the 401, want 1", n)
			}
		})
	})
}

// TestPlatformAdministratorManagesOrganizations works on another
// organization as the platform's administrator: the client signs in at its
// own organization and names it in X-ORG-ID.
func TestPlatformAdministratorManagesOrganizations(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		ctx := context.Background()
		c := newClient(t, env, env.URL, func(c *client.Config) { c.OrganizationID, c.CallerOrganizationID = "newco", testenv.PlatformOrg })
		var in client.CreateOrganizationRequest
		data, _ := json.Marshal(testenv.OrgBody("newco"))
		if err := json.Unmarshal(data, &in); err != nil {
			t.Fatal(err)
		}
		if id, err := c.CreateOrganization(ctx, "default", &in); err != nil || id != "newco" {
			t.Fatalf("create-organization: %q, %v", id, err)
		}
		if _, err := c.CreateOrganization(ctx, "default", &in); !errors.Is(err, client.ErrConflict) {
			t.Errorf("second create: %v", err)
		}
		dims := []client.UserDimension{{Description: "Plan", Tags: []string{"free", "pro"}}}
		if err := c.ModifyOrganization(ctx, &client.ModifyOrganizationRequest{UserDimensions: &dims}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetUserDimensions(ctx)
		if err != nil || len(got) != 1 || got[0].Description != "Plan" {
			t.Fatalf("user dimensions %+v, %v", got, err)
		}
		if err := c.DeleteOrganization(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetOrganization(ctx); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("deleted organization: %v", err)
		}
	})
}

// TestRetryWaitEndsWithTheContext: a retry waiting out Retry-After stops
// when the caller's context ends.
func TestRetryWaitEndsWithTheContext(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	p := newProxy(t, env.URL)
	c := newClient(t, env, p.URL)
	if _, err := c.GetOrganization(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.fault = func(r *http.Request, n int) (int, http.Header, bool) {
		return http.StatusServiceUnavailable, http.Header{"Retry-After": {"20"}}, r.Method == http.MethodGet
	}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetOrganization(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("after %s: %v, want the context's deadline", time.Since(start), err)
	}
}
