package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

const ttl = 100 * time.Millisecond

var errInjected = errors.New("injected crash")

// moveEnv is a server with extra clusters and the operator side of the
// same configuration, as move-org opens it.
type moveEnv struct {
	*testenv.Env
	op *server.Runtime
}

func startMoveEnv(t *testing.T, b testenv.Backend, clusters map[string]string) *moveEnv {
	t.Helper()
	env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) {
		for name, url := range clusters {
			cfg.Clusters[name] = url
		}
		cfg.DirectoryCacheTTL = ttl
	}})
	return &moveEnv{Env: env, op: openOperator(t, env.Runtime.Config)}
}

func openOperator(t *testing.T, cfg server.Config) *server.Runtime {
	t.Helper()
	rt, err := server.OpenOperator(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

// populate creates org on cluster with some of everything: users, API
// keys, an agent with versions and a deprecated one.
func (e *moveEnv) populate(t *testing.T, org, cluster string) *testenv.Org {
	t.Helper()
	o := e.CreateOrgOn(t, org, cluster)
	c, base := o.Admin, "/v1/"+org
	for _, name := range []string{"ann", "bob"} {
		c.Do(t, "POST", base+"/user/", map[string]any{
			"first_name": name, "last_name": "Lee", "email": name + "@" + org + ".example", "role_name": "DefaultUserRole",
		}).Expect(201)
	}
	c.Do(t, "POST", base+"/organization/api_key/", map[string]any{"name": "ci", "duration": "P30D", "role_name": "DefaultUserRole"}).Expect(201)
	var agent, gone struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", base+"/organization/agent", map[string]any{"agent_name": "Amy"}).Expect(201).Decode(&agent)
	c.Do(t, "POST", base+"/organization/agent/"+agent.ID+"/", map[string]any{
		"initials": "AM",
		"identity": map[string]any{
			"name": "Amy", "role": "Support coach", "developed_by": "Acme", "default_spoken_language": "eng",
			"relationship_to_developer": map[string]any{
				"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden",
			},
		},
		"background": "Ten years of customer support.", "behaviors": []string{"Listens first."},
		"communication_patterns": []string{"Short sentences."}, "voice_config": map[string]any{"voice_id": "voice-1"},
	}).Expect(201)
	c.Do(t, "POST", base+"/organization/agent/"+agent.ID+"/", map[string]any{"background": "Eleven years, ünïcödé."}).Expect(201)
	c.Do(t, "POST", base+"/organization/agent", map[string]any{"agent_name": "Old"}).Expect(201).Decode(&gone)
	c.Do(t, "DELETE", base+"/organization/agent/"+gone.ID+"/", nil).Expect(200)
	e.populateConversations(t, o, agent.ID)
	return o
}

// populateConversations adds a service and conversations with every
// conversation table's rows: a finished conversation whose
// post-conversation job waits, an open one with its tags, and a user
// model. The conversations are seeded through the store until
// create-conversation exists.
func (e *moveEnv) populateConversations(t *testing.T, o *testenv.Org, agentID string) {
	t.Helper()
	c, base := o.Admin, "/v1/"+o.ID
	var machine, service struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", base+"/organization/service_hierarchical_state_machine", map[string]any{"state_machine_name": "flow"}).Expect(201).Decode(&machine)
	var body map[string]any
	if err := json.Unmarshal(coretest.StateMachineJSON(1), &body); err != nil {
		t.Fatal(err)
	}
	body["references"] = map[string]any{}
	c.Do(t, "POST", base+"/organization/service_hierarchical_state_machine/"+machine.ID+"/", body).Expect(201)
	c.Do(t, "POST", base+"/service/", map[string]any{"service_hierarchical_state_machine_id": machine.ID, "agent_id": agentID,
		"name": "helper", "description": "Helps.", "is_active": true, "keyterms": []string{}, "tags": map[string]any{}}).Expect(201).Decode(&service)
	turn := []testenv.SeedMessage{{Type: amigo.MessageUser, Content: "hello"}, {Type: amigo.MessageAgent, Content: "hi, ünïcödé"}}
	done := e.SeedConversation(t, o.ID, service.ID, o.UserID, nil, time.Minute, turn, turn)
	c.Do(t, "POST", base+"/conversation/"+done.ID+"/finish/", nil).Expect(204)
	gold := "gold"
	e.SeedConversation(t, o.ID, service.ID, o.UserID, map[string]*string{"tier": &gold, "flag": nil}, time.Minute, turn)
	tenant, err := e.Runtime.App.Resolve(context.Background(), o.ID, core.ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tenant.Store.PutUserModel(context.Background(), &amigo.UserModel{OrgID: o.ID, UserID: o.UserID, UpdatedAt: e.Runtime.App.Now(),
		Models: []amigo.UserModelEntry{{Content: "Likes tea.", InsightIDs: []string{}, Dimensions: []amigo.UserDimension{}}}}); err != nil {
		t.Fatal(err)
	}
}

// sums returns the checksums of org on cluster, read by the operator.
func (e *moveEnv) sums(t *testing.T, cluster, org string) []amigo.TableChecksum {
	t.Helper()
	s, err := e.op.Clusters[cluster].OrganizationChecksums(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *moveEnv) rows(t *testing.T, cluster, org string) int {
	t.Helper()
	return testenv.TotalRows(testenv.OrgRows(t, e.op.Clusters[cluster].SQL(), org))
}

func (e *moveEnv) placement(t *testing.T, org string) *amigo.Placement {
	t.Helper()
	p, err := e.op.Directory.Lookup(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// move runs the move as move-org does, crashing after step crashAt if set.
func (e *moveEnv) move(org, to, crashAt string, progress *[]string) error {
	return e.op.App.MoveOrganization(context.Background(), org, to, core.MoveOptions{
		Settle: 2 * ttl,
		AfterStep: func(step string) error {
			if progress != nil {
				*progress = append(*progress, step)
			}
			if step == crashAt {
				return errInjected
			}
			return nil
		},
	})
}

// expectMoved checks that org lives on to only, active, with the rows it
// had before the move, and that its administrator still works.
// moved is false for a cancelled move, which leaves no record.
func (e *moveEnv) expectMoved(t *testing.T, o *testenv.Org, to, from string, before []amigo.TableChecksum, moved bool) {
	t.Helper()
	if p := e.placement(t, o.ID); p.Cluster != to || p.State != amigo.OrgActive || p.Maintenance || p.MoveTarget != "" {
		t.Fatalf("placement %+v", p)
	}
	// Every table arrives intact; the change log also gains the move's
	// own record, written once the move is done.
	got := e.sums(t, to, o.ID)
	isLog := func(s amigo.TableChecksum) bool { return s.Table == "change_log" }
	logRows := func(sums []amigo.TableChecksum) int64 {
		if i := slices.IndexFunc(sums, isLog); i >= 0 {
			return sums[i].Rows
		}
		return -1
	}
	want := logRows(before)
	if moved {
		want++
	}
	if logRows(got) != want {
		t.Fatalf("change log on %s: %d records, want %d", to, logRows(got), want)
	}
	if got, before := slices.DeleteFunc(slices.Clone(got), isLog), slices.DeleteFunc(slices.Clone(before), isLog); !slices.Equal(got, before) {
		t.Fatalf("rows on %s differ from before the move:\n got %v\nwant %v", to, got, before)
	}
	if n := e.rows(t, from, o.ID); n != 0 {
		t.Fatalf("%d rows left on %s", n, from)
	}
	testenv.Eventually(t, 5*time.Second, o.ID+" served again", func() bool {
		return o.Admin.Do(t, "GET", "/v1/"+o.ID+"/user/", nil).Status == 200
	})
	var users struct {
		Users []any `json:"users"`
	}
	o.Admin.Do(t, "GET", "/v1/"+o.ID+"/user/", nil).Expect(200).Decode(&users)
	if len(users.Users) != 3 {
		t.Fatalf("%d users after the move, want 3", len(users.Users))
	}
	var convs struct {
		Conversations []struct {
			ID          string `json:"id"`
			NumMessages int    `json:"num_messages"`
		} `json:"conversations"`
	}
	o.Admin.Do(t, "GET", "/v1/"+o.ID+"/conversation/", nil).Expect(200).Decode(&convs)
	if len(convs.Conversations) != 2 || convs.Conversations[0].NumMessages != 4 {
		t.Fatalf("conversations after the move: %+v", convs.Conversations)
	}
	var msgs struct {
		Messages []any `json:"messages"`
	}
	o.Admin.Do(t, "GET", "/v1/"+o.ID+"/conversation/"+convs.Conversations[0].ID+"/messages/", nil).Expect(200).Decode(&msgs)
	if len(msgs.Messages) != 4 {
		t.Fatalf("%d messages after the move, want 4", len(msgs.Messages))
	}
}

func (e *moveEnv) expectUnavailable(t *testing.T, o *testenv.Org) {
	t.Helper()
	testenv.Eventually(t, 5*time.Second, o.ID+" in maintenance", func() bool {
		return o.Admin.Do(t, "GET", "/v1/"+o.ID+"/user/", nil).Status == 503
	})
}

func TestMoveOrganization(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		e := startMoveEnv(t, b, map[string]string{"dedicated": b.NewURL(t, "dedicated"), "spare": b.NewURL(t, "spare")})

		t.Run("copy, verify, switch, erase, end maintenance", func(t *testing.T) {
			o := e.populate(t, "acme", "default")
			before := e.sums(t, "default", "acme")
			for _, s := range before {
				if s.Rows == 0 && slices.Contains([]string{"organizations", "roles", "users", "api_keys", "resources", "resource_versions", "change_log",
					"conversations", "conversation_tags", "interactions", "messages", "user_models", "post_conversation_jobs"}, s.Table) {
					t.Fatalf("the fixture has no rows in %s: %v", s.Table, before)
				}
			}
			var steps []string
			if err := e.move("acme", "dedicated", "", &steps); err != nil {
				t.Fatal(err)
			}
			want := []string{core.MoveStepMaintenance, core.MoveStepSettled, core.MoveStepCopied, core.MoveStepVerified,
				core.MoveStepSwitched, core.MoveStepErased, core.MoveStepDone}
			if !slices.Equal(steps, want) {
				t.Fatalf("steps %v, want %v", steps, want)
			}
			e.expectMoved(t, o, "dedicated", "default", before, true)
			t.Run("a stale copy from the emptied source changes nothing", func(t *testing.T) {
				// What a second, concurrent run of the same move would try.
				live := e.sums(t, "dedicated", "acme")
				err := e.op.Clusters["dedicated"].ReplaceOrganization(context.Background(), "acme", e.op.Clusters["default"])
				if err == nil {
					t.Fatal("copied an organization that is not on the source")
				}
				if got := e.sums(t, "dedicated", "acme"); !slices.Equal(got, live) {
					t.Fatalf("the live copy changed: %v", got)
				}
			})
			t.Run("run again, it has nothing to do", func(t *testing.T) {
				if err := e.move("acme", "dedicated", "", nil); err != nil {
					t.Fatal(err)
				}
				e.expectMoved(t, o, "dedicated", "default", before, true)
			})
		})

		for _, crash := range []string{core.MoveStepMaintenance, core.MoveStepSettled, core.MoveStepCopied,
			core.MoveStepVerified, core.MoveStepSwitched, core.MoveStepErased} {
			t.Run("interrupted after "+crash+", a re-run finishes", func(t *testing.T) {
				org := "crash-" + crash
				o := e.populate(t, org, "default")
				before := e.sums(t, "default", org)
				if err := e.move(org, "dedicated", crash, nil); !errors.Is(err, errInjected) {
					t.Fatalf("move: %v", err)
				}
				// Wherever it stopped, the cluster the directory names
				// holds every row, and nobody can write meanwhile.
				p := e.placement(t, org)
				if !p.Maintenance {
					t.Fatalf("placement %+v is out of maintenance mid-move", p)
				}
				if got := e.sums(t, p.Cluster, org); !slices.Equal(got, before) {
					t.Fatalf("rows on %s (the directory's) after the crash: %v, want %v", p.Cluster, got, before)
				}
				e.expectUnavailable(t, o)
				if err := e.move(org, "dedicated", "", nil); err != nil {
					t.Fatal(err)
				}
				e.expectMoved(t, o, "dedicated", "default", before, true)
			})
		}

		t.Run("a copy that does not verify never switches", func(t *testing.T) {
			o := e.populate(t, "tamper", "default")
			before := e.sums(t, "default", "tamper")
			err := e.op.App.MoveOrganization(context.Background(), "tamper", "dedicated", core.MoveOptions{
				Settle: 2 * ttl,
				AfterStep: func(step string) error {
					if step == core.MoveStepCopied { // a value changes on the target
						_, err := e.op.Clusters["dedicated"].SQL().Exec(`UPDATE users SET first_name = 'eve' WHERE org_id = $1 AND email = $2`, "tamper", "bob@tamper.example")
						return err
					}
					return nil
				},
			})
			if err == nil || !strings.Contains(err.Error(), "users") {
				t.Fatalf("move: %v, want a verification error naming users", err)
			}
			if p := e.placement(t, "tamper"); p.Cluster != "default" || p.State != amigo.OrgMoving {
				t.Fatalf("placement %+v", p)
			}
			if err := e.move("tamper", "dedicated", "", nil); err != nil {
				t.Fatal(err)
			}
			e.expectMoved(t, o, "dedicated", "default", before, true)
		})

		t.Run("a source that changes during the copy is not committed", func(t *testing.T) {
			e.populate(t, "shifty", "default")
			src := e.op.Clusters["default"]
			changing := scanFunc(func(ctx context.Context, org string, fn func(string, []string, []any) error) error {
				changed := false
				return src.ScanOrganization(ctx, org, func(table string, cols []string, vals []any) error {
					if table == "users" && !changed { // organizations was read already
						changed = true
						if _, err := src.SQL().Exec(`UPDATE organizations SET title = 'late write' WHERE id = $1`, org); err != nil {
							return err
						}
					}
					return fn(table, cols, vals)
				})
			})
			err := e.op.Clusters["dedicated"].ReplaceOrganization(context.Background(), "shifty", changing)
			if err == nil || !strings.Contains(err.Error(), "organizations") {
				t.Fatalf("copy: %v, want a mismatch in organizations", err)
			}
			if n := e.rows(t, "dedicated", "shifty"); n != 0 {
				t.Fatalf("%d rows of a mismatched copy committed", n)
			}
		})

		t.Run("an unreachable source stops the move before the switch", func(t *testing.T) {
			o := e.populate(t, "island", "default")
			before := e.sums(t, "default", "island")
			broken := openOperator(t, e.Runtime.Config)
			broken.Clusters["default"].Close() // as if the source stopped answering
			err := broken.App.MoveOrganization(context.Background(), "island", "dedicated", core.MoveOptions{Settle: 2 * ttl})
			if err == nil {
				t.Fatal("move succeeded without its source")
			}
			p := e.placement(t, "island")
			if p.Cluster != "default" || p.State != amigo.OrgMoving || !p.Maintenance {
				t.Fatalf("placement %+v", p)
			}
			if n := e.rows(t, "dedicated", "island"); n != 0 {
				t.Fatalf("%d rows copied from an unreachable source", n)
			}
			if err := e.move("island", "dedicated", "", nil); err != nil {
				t.Fatal(err)
			}
			e.expectMoved(t, o, "dedicated", "default", before, true)
		})

		t.Run("a source that cannot be opened changes nothing", func(t *testing.T) {
			e.populate(t, "closed", "default")
			cfg := e.Runtime.Config
			cfg.Clusters = map[string]string{"dedicated": cfg.Clusters["dedicated"]} // as if "default" failed to open
			err := openOperator(t, cfg).App.MoveOrganization(context.Background(), "closed", "dedicated", core.MoveOptions{Settle: 2 * ttl})
			if amigo.ErrorCode(err) != amigo.ENOTFOUND || !strings.Contains(err.Error(), "default") {
				t.Fatalf("move: %v", err)
			}
			if p := e.placement(t, "closed"); p.Cluster != "default" || p.State != amigo.OrgActive || p.Maintenance {
				t.Fatalf("placement %+v", p)
			}
		})

		t.Run("a move that has not switched can be cancelled", func(t *testing.T) {
			o := e.populate(t, "undo", "default")
			before := e.sums(t, "default", "undo")
			if err := e.move("undo", "dedicated", core.MoveStepCopied, nil); !errors.Is(err, errInjected) {
				t.Fatalf("move: %v", err)
			}
			if err := e.move("undo", "spare", "", nil); amigo.ErrorCode(err) != amigo.ECONFLICT {
				t.Fatalf("move elsewhere mid-move: %v, want a conflict", err)
			}
			if err := e.move("undo", "default", "", nil); err != nil {
				t.Fatal(err)
			}
			e.expectMoved(t, o, "default", "dedicated", before, false)
		})

		t.Run("lifting maintenance mid-move is refused", func(t *testing.T) {
			e.populate(t, "busy", "default")
			if err := e.move("busy", "dedicated", core.MoveStepCopied, nil); !errors.Is(err, errInjected) {
				t.Fatalf("move: %v", err)
			}
			if err := e.op.App.SetOrgMaintenance(context.Background(), "busy", false); amigo.ErrorCode(err) != amigo.ECONFLICT {
				t.Fatalf("maintenance off: %v, want a conflict", err)
			}
			st, err := e.op.App.Maintenance(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(st.Organizations, func(o core.OrgMaintenance) bool {
				return o.OrgID == "busy" && o.State == amigo.OrgMoving && o.MoveTo == "dedicated" && o.Maintenance
			}) {
				t.Fatalf("status %+v lacks the move of busy", st)
			}
		})

		t.Run("unknown target or organization", func(t *testing.T) {
			if err := e.move("acme", "nowhere", "", nil); amigo.ErrorCode(err) != amigo.ENOTFOUND {
				t.Fatalf("unknown cluster: %v", err)
			}
			if err := e.move("ghost", "dedicated", "", nil); amigo.ErrorCode(err) != amigo.ENOTFOUND {
				t.Fatalf("unknown org: %v", err)
			}
		})
	})
}

// TestMoveOrganizationAcrossEngines moves an organization from SQLite to
// PostgreSQL and back: the rows, and their checksums, survive both ways.
func TestMoveOrganizationAcrossEngines(t *testing.T) {
	pg, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("needs PostgreSQL")
	}
	e := startMoveEnv(t, testenv.SQLite(), map[string]string{"pg": pg.NewURL(t, "pg")})
	o := e.populate(t, "acme", "default")
	before := e.sums(t, "default", "acme")

	if err := e.move("acme", "pg", core.MoveStepVerified, nil); !errors.Is(err, errInjected) {
		t.Fatalf("move: %v", err)
	}
	if err := e.move("acme", "pg", "", nil); err != nil {
		t.Fatal(err)
	}
	e.expectMoved(t, o, "pg", "default", before, true)
	o.Admin.Do(t, "POST", "/v1/acme/organization/", map[string]any{"title": "Written on PostgreSQL"}).Expect(204)
	after := e.sums(t, "pg", "acme")

	if err := e.move("acme", "default", "", nil); err != nil {
		t.Fatal(err)
	}
	e.expectMoved(t, o, "default", "pg", after, true)
	got := o.Admin.Do(t, "GET", "/v1/acme/organization/", nil).Expect(200).JSON()
	if got["title"] != "Written on PostgreSQL" {
		t.Fatalf("title %v", got["title"])
	}
}

// scanFunc adapts a function to amigo.OrgRowScanner.
type scanFunc func(ctx context.Context, orgID string, fn func(table string, cols []string, vals []any) error) error

func (f scanFunc) ScanOrganization(ctx context.Context, orgID string, fn func(table string, cols []string, vals []any) error) error {
	return f(ctx, orgID, fn)
}
