//go:build ignore

// bench_conversations measures what amigo-server adds to a model's latency
// in conversations, never as a timed test. It builds the server and
// ../shared/bench/fakemodel (fixed time to first token and tokens per
// second), points the server at the fake model, and drives concurrent
// conversations over HTTP:
//
//   - added latency: time to the first new-message event less the model's
//     time to its first token, and time to interaction-complete less the
//     model's whole answer, p50 and p99, at each concurrency, on SQLite and
//     PostgreSQL. The model's times are each call's own, taken where the
//     model answers (modelClock): on a loaded machine its sleeps overshoot
//     the nominal ttft + (tokens-1)/tps, by different amounts for different
//     streams. The figures less the model's median times alone, measured
//     just before each round, go to standard error too;
//   - memory per open stream: what N streams hold (live heap and stacks)
//     and the RSS they add, over N, with the streams waiting on a model
//     that takes a minute to its first token and relaying an answer that
//     comes a token a second (-hold);
//   - the built-in model's interactions per second;
//   - non-2xx answers, error events and "database is locked" in the log,
//     which must all be 0;
//   - on standard error, each phase's p50 / p99 of the server's own time
//     during each round, per operation (its amigo_interaction_phase_seconds
//     histograms, docs/conversations.md).
//
// Each concurrency runs two ways (-arrival). Staggered, the conversations
// start spread evenly over one model answer: n are always in flight, each
// sending its next message as soon as its last answer completes, their
// messages at different instants, as n concurrent users' are. In step,
// they start at once: the model takes the same time for each, so all of
// them send every message at the same instant, the worst burst n
// conversations can make. -think gives each user a random pause before
// each message, as people have.
//
// Each concurrency first runs one unmeasured round (-warm): what a running
// server has warm, a database connection per conversation in flight and
// the services' caches, a server just started has not. That cold burst's
// figures go to standard error.
//
// Each interaction is one model call: the service's state machine is one
// action state without exit conditions, so the walker only engages.
//
//	go run scripts/bench_conversations.go                    # both databases, 1/16/256
//	go run scripts/bench_conversations.go -db sqlite -c 1,16 -rounds 3
//	go run scripts/bench_conversations.go -db sqlite -c= -builtin 0 -baseline -pprof  # memory only, with the floor
//
// -baseline measures the floor the same way: a bare net/http server (this
// program with -relay) relaying the slow model's stream through openai-go.
// What an open stream holds is its share of the live heap and the
// goroutine stacks right after a collection (read from the server's pprof
// listener, which the benchmark's build includes); the RSS it adds also
// holds garbage the collector has not yet collected (GOGC). -pprof records
// every allocation and saves heap profiles before and with the streams
// open, and the goroutines (go tool pprof -diff_base
// heap-pg-waiting-before.pb.gz heap-pg-waiting.pb.gz). An empty -c skips the latency rounds, -builtin 0 the built-in model.
//
// Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and psql for
// -db pg. Work files: $AMIGO_BENCH_DIR/conversations (default /tmp/amigo-bench).
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"math/big"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	_ "net/http/pprof" // the relay's profiles with -pprof
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

var (
	dbs     = flag.String("db", "sqlite,pg", "databases: sqlite, pg")
	concs   = flag.String("c", "1,16,256", "concurrent conversations")
	rounds  = flag.Int("rounds", 4, "interactions per conversation after its creation")
	ttft    = flag.Duration("ttft", 200*time.Millisecond, "the fake model's time to first token")
	tps     = flag.Int("tps", 50, "the fake model's tokens per second")
	tokens  = flag.Int("tokens", 40, "tokens in the fake model's answer")
	streams = flag.Int("streams", 256, "open streams for the memory figure")
	builtin = flag.Duration("builtin", 10*time.Second, "how long to run the built-in model for interactions per second")
	floor   = flag.Bool("baseline", false, "measure the floor too: a bare net/http relay of the same model stream through openai-go")
	profile = flag.Bool("pprof", false, "record every allocation and save heap profiles before and with the streams open in the work directory")
	think   = flag.Duration("think", 0, "each user waits a random time up to this long before each message (0: all send at once, in step)")
	arrival = flag.String("arrival", "staggered,in-step", "how the conversations of a round start: staggered (spread evenly over one model answer, so as many are in flight, each sending its next message as its last answer completes) and in step (all at once, so with a model of fixed latency all send every message at the same instant)")
	warm    = flag.Bool("warm", true, "run an unmeasured round at each concurrency first (its cold figures go to standard error)")
	relay   = flag.String("relay", "", "serve the bare relay on this address (what -baseline starts)")
	hold    = flag.String("hold", "waiting,answering", "what the memory figure's streams do: wait for a model that takes a minute to its first token, and relay an answer that comes one token a second")
	tlsSlow = flag.Bool("model-tls", false, "hold the memory figure's streams on a model served over HTTPS and HTTP/2, as OpenAI's and Azure's endpoints are: a TLS proxy in this program in front of the slow fake model, trusted by the server and the relay through SSL_CERT_FILE")
	pgURL   = flag.String("pg", "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable", "PostgreSQL URL pattern (database name as %s)")
	offset  = flag.Int("port-offset", 0, "added to every port, and appended to the PostgreSQL database names, so that two runs on one machine do not meet")
)

// The ports, moved by -port-offset.
var (
	port      = 18960
	pprofPort = 18961
	relayPort = 18962
	fakePort  = 18700
	slowPort  = 18701
	tlsPort   = 18702
	clockPort = 18703
)

var work = filepath.Join(cmp.Or(os.Getenv("AMIGO_BENCH_DIR"), "/tmp/amigo-bench"), "conversations")

func main() {
	flag.Parse()
	for _, p := range []*int{&port, &pprofPort, &relayPort, &fakePort, &slowPort, &tlsPort, &clockPort} {
		*p += *offset
	}
	if *relay != "" {
		serveRelay(*relay)
		return
	}
	must(os.MkdirAll(work, 0o755))
	root, _ := os.Getwd()
	// With its pprof listener, which reads the heap right after a
	// collection (the memory an open stream holds).
	build(root, "./cmd/amigo-server", filepath.Join(work, "amigo-server"), "-tags", "pprof")
	fakeDir := filepath.Join(root, "..", "shared", "bench", "fakemodel")
	cmd := exec.Command("go", "build", "-o", filepath.Join(work, "fakemodel"), ".")
	cmd.Dir, cmd.Stderr = fakeDir, os.Stderr
	must(cmd.Run())
	fast := startProc(filepath.Join(work, "fakemodel"), nil, "--listen", fmt.Sprint("127.0.0.1:", fakePort), "--ttft", ttft.String(), "--tps", strconv.Itoa(*tps), "--tokens", strconv.Itoa(*tokens))
	defer stop(fast)
	defer stopSlow()
	var slowEnv []string // what the server and the relay need to reach the slow model
	if *tlsSlow {
		slowEnv = []string{"SSL_CERT_FILE=" + serveSlowModelTLS()}
	}
	modelTime := answerTime()
	clock = newModelClock(fmt.Sprintf("http://127.0.0.1:%d", fakePort))
	go func() { log.Fatal(http.ListenAndServe(fmt.Sprint("127.0.0.1:", clockPort), clock)) }()

	fmt.Printf("model: ttft %s, %d tokens/s, %d tokens (answer %s); %d interactions per conversation after create\n\n", *ttft, *tps, *tokens, modelTime, *rounds)
	fmt.Println("| database | concurrent | arrival | interactions | added to first new-message p50 / p99 | added to interaction-complete p50 / p99 | non-2xx / error events |")
	fmt.Println("|---|---|---|---|---|---|---|")
	var extra []string
	for _, db := range strings.Split(*dbs, ",") {
		s := newServer(db)
		s.start(fmt.Sprintf("http://127.0.0.1:%d/v1", clockPort))
		f := s.fixture(256)
		for _, c := range strings.Split(*concs, ",") {
			n, _ := strconv.Atoi(c)
			if n <= 0 {
				continue
			}
			// The model's own times at this concurrency, asked directly:
			// on a loaded machine its sleeps overshoot the nominal ones.
			baseFirst, baseDone := direct(n)
			if *warm {
				// What a running server has warm: a connection for each
				// conversation in flight (a new PostgreSQL connection
				// prepares its statements and fills its catalog caches on
				// first use) and the services' caches. The first burst
				// is reported apart.
				w := f.round(n, 1, false)
				fmt.Fprintf(os.Stderr, "%s c=%d: warm-up round, a cold burst of %d creations and interactions: added to first new-message %s / %s, to interaction-complete %s / %s\n", db, n, len(w.first),
					pct(w.first, 50, 0), pct(w.first, 99, 0), pct(w.done, 50, 0), pct(w.done, 99, 0))
			}
			for _, a := range strings.Split(*arrival, ",") {
				phasesBefore := phaseBuckets()
				r := f.round(n, *rounds, a == "staggered")
				fmt.Fprintf(os.Stderr, "%s c=%d %s: %s\n", db, n, a, phaseTable(phasesBefore, phaseBuckets()))
				fmt.Printf("| %s | %d | %s | %d | %s / %s | %s / %s | %d / %d |\n", db, n, a, len(r.first), pct(r.first, 50, 0), pct(r.first, 99, 0),
					pct(r.done, 50, 0), pct(r.done, 99, 0), r.refused.Load(), r.errors.Load())
				if u := r.unmatched.Load(); u > 0 {
					fmt.Fprintf(os.Stderr, "%s c=%d %s: %d calls left out: the model clock did not see their one model call\n", db, n, a, u)
				}
				fmt.Fprintf(os.Stderr, "%s c=%d %s: interactions alone (%d, creations left out): added to first new-message %s / %s, to interaction-complete %s / %s\n", db, n, a, len(r.iFirst),
					pct(r.iFirst, 50, 0), pct(r.iFirst, 99, 0), pct(r.iDone, 50, 0), pct(r.iDone, 99, 0))
				fmt.Fprintf(os.Stderr, "%s c=%d %s: less the model's median time alone instead of each call's own: added to first new-message %s / %s, to interaction-complete %s / %s\n", db, n, a,
					pct(r.rawFirst, 50, baseFirst), pct(r.rawFirst, 99, baseFirst), pct(r.rawDone, 50, baseDone), pct(r.rawDone, 99, baseDone))
				fmt.Fprintf(os.Stderr, "%s c=%d %s: from the last new-message to interaction-complete (the commit, no model time subtracted): %s / %s\n", db, n, a,
					pct(r.last, 50, 0), pct(r.last, 99, 0))
				fmt.Fprintf(os.Stderr, "%s c=%d %s: the model alone: first token %s, answer %s (nominal %s, %s)\n", db, n, a, baseFirst.Round(10*time.Microsecond), baseDone.Round(10*time.Microsecond), *ttft, modelTime)
				viaFirst, viaDone := streamModel(n, clockPort)
				fmt.Fprintf(os.Stderr, "%s c=%d %s: the model through the clock (which counts against the server): first token %s, answer %s\n", db, n, a, viaFirst.Round(10*time.Microsecond), viaDone.Round(10*time.Microsecond))
			}
		}
		s.stop()
		// Memory: streams held open by a slow model.
		for _, h := range strings.Split(*hold, ",") {
			startSlow(h)
			s.start(slowModelURL(), slowEnv...)
			f.signIn()
			extra = append(extra, db+", "+holdText[h]+": "+holdStreams(s.cmd.Process.Pid, port, pprofPort, db+"-"+h, func(ctx context.Context, i int) (*http.Response, error) {
				return f.post(ctx, "/v1/acme/conversation/?response_format=text", "application/json", []byte(`{"service_id":"`+f.services[i%len(f.services)]+`"}`))
			}, f.finishAll))
			f.finishAll()
			s.stop()
		}
		if *builtin > 0 {
			// The built-in model.
			s.start("")
			f.signIn()
			f.finishAll()
			n := f.throughput(16, *builtin)
			extra = append(extra, fmt.Sprintf("%s: built-in model, 16 concurrent conversations: %.0f interactions/s", db, n))
			s.stop()
		}
		extra = append(extra, fmt.Sprintf("%s: \"database is locked\" in the server log: %d lines", db, s.locked()))
	}
	if *floor {
		// The floor: the same streams through a bare net/http relay.
		self, err := os.Executable()
		must(err)
		var env []string
		if *profile {
			env = []string{"GODEBUG=memprofilerate=1"}
		}
		for _, h := range strings.Split(*hold, ",") {
			startSlow(h)
			r := startProc(self, append(env, slowEnv...), "-relay", fmt.Sprint("127.0.0.1:", relayPort), "-port-offset", strconv.Itoa(*offset),
				"-model-tls="+strconv.FormatBool(*tlsSlow))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
			for range 100 {
				if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", relayPort)); err == nil {
					resp.Body.Close()
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			extra = append(extra, "net/http relay (the floor), "+holdText[h]+": "+holdStreams(r.Process.Pid, relayPort, relayPort, "relay-"+h, func(ctx context.Context, _ int) (*http.Response, error) {
				req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("http://127.0.0.1:%d/relay", relayPort), strings.NewReader(`{"service_id":"x"}`))
				req.Header.Set("Content-Type", "application/json")
				return client.Do(req)
			}, nil))
			stop(r)
		}
	}
	fmt.Println()
	for _, l := range extra {
		fmt.Println(l)
	}
}

func build(root, pkg, out string, flags ...string) {
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", out, pkg)...)
	cmd.Dir, cmd.Stderr = root, os.Stderr
	must(cmd.Run())
}

// running are the processes started, stopped by must before it exits.
var running sync.Map

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		running.Range(func(k, _ any) bool { stop(k.(*exec.Cmd)); return true })
		os.Exit(1)
	}
}

func startProc(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	must(cmd.Start())
	running.Store(cmd, true)
	return cmd
}

func stop(cmd *exec.Cmd) {
	if _, ok := running.LoadAndDelete(cmd); ok {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}
}

// server is one amigo-server process on a database kept across restarts.
type server struct {
	db, dir, log string
	args         []string
	cmd          *exec.Cmd
}

func newServer(db string) *server {
	s := &server{db: db, dir: filepath.Join(work, db)}
	os.RemoveAll(s.dir)
	must(os.MkdirAll(s.dir, 0o755))
	s.log = filepath.Join(s.dir, "server.log")
	s.args = []string{"--data-dir", s.dir}
	if db == "pg" {
		cluster, dir := "amigo_conv", "amigo_conv_dir"
		if *offset != 0 {
			cluster, dir = fmt.Sprint(cluster, "_", *offset), fmt.Sprint(dir, "_", *offset)
		}
		for _, name := range []string{cluster, dir} {
			exec.Command("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS "+name).Run()
			exec.Command("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE "+name).Run()
		}
		s.args = append(s.args, "--directory-url", fmt.Sprintf(*pgURL, dir), "--cluster", "default="+fmt.Sprintf(*pgURL, cluster))
	}
	return s
}

// start runs the server with the model at modelURL ("": the built-in
// model), adding env to its environment.
func (s *server) start(modelURL string, env ...string) {
	args := append([]string{"serve", "--listen", fmt.Sprint("127.0.0.1:", port), "--rate-limits", "off", "--log-format", "json"}, s.args...)
	if modelURL != "" {
		args = append(args, "--llm-base-url", "fake="+modelURL, "--llm-model", "fake=fake-model", "--llm-default", "fake")
	}
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	must(err)
	s.cmd = exec.Command(filepath.Join(work, "amigo-server"), args...)
	s.cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("AMIGO_PPROF_LISTEN=127.0.0.1:%d", pprofPort))
	if *profile {
		s.cmd.Env = append(s.cmd.Env, "GODEBUG=memprofilerate=1") // every allocation in the heap profiles
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	must(s.cmd.Start())
	running.Store(s.cmd, true)
	for range 300 {
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port)); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(fmt.Errorf("the server did not start; see %s", s.log))
}

func (s *server) stop() { stop(s.cmd) }

// rss returns a process's resident set in KiB.
func rss(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

func (s *server) locked() int {
	b, _ := os.ReadFile(s.log)
	return strings.Count(string(b), "database is locked")
}

// fixture is org acme with services whose machine is one action state.
type fixture struct {
	s        *server
	creds    map[string]string
	token    string
	services []string
	client   *http.Client
}

func (s *server) fixture(n int) *fixture {
	out, err := exec.Command(filepath.Join(work, "amigo-server"), append([]string{"bootstrap", "--org", "acme"}, s.args...)...).Output()
	must(err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := &fixture{s: s, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}}}
	must(json.Unmarshal([]byte(lines[len(lines)-1]), &f.creds))
	f.signIn()
	agent := f.call("POST", "/v1/acme/organization/agent", `{"agent_name": "bench"}`)["id"].(string)
	f.call("POST", "/v1/acme/organization/agent/"+agent+"/", `{"initials": "BE", "identity": {"name": "Bea", "role": "assistant", "developed_by": "Bench",
		"default_spoken_language": "eng", "relationship_to_developer": {"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden"}},
		"background": "Helps.", "behaviors": ["Listens."], "communication_patterns": ["Short."], "voice_config": {"voice_id": "v"}}`)
	machine := f.call("POST", "/v1/acme/organization/service_hierarchical_state_machine", `{"state_machine_name": "chat"}`)["id"].(string)
	action := func(name string) string {
		return `{"type": "action", "name": "` + name + `", "objective": "Help the user.", "actions": ["Answer the user."], "intra_state_navigation_guidelines": [],
			"action_guidelines": [], "boundary_constraints": [], "action_tool_call_specs": [], "exit_condition_tool_call_specs": [], "exit_conditions": [], "skip_active_memory_retrieval": true}`
	}
	f.call("POST", "/v1/acme/organization/service_hierarchical_state_machine/"+machine+"/", `{"description": "Chat.", "new_user_initial_state": "chat",
		"returning_user_initial_state": "chat", "terminal_state": "end", "references": {}, "global_intra_state_navigation_guidelines": [],
		"global_action_guidelines": [], "global_boundary_constraints": [], "states": [`+action("chat")+`, `+action("end")+`]}`)
	for i := range n {
		f.services = append(f.services, f.call("POST", "/v1/acme/service/", fmt.Sprintf(`{"service_hierarchical_state_machine_id": %q, "agent_id": %q,
			"name": "svc-%03d", "description": "Bench.", "is_active": true, "keyterms": [], "tags": {}}`, machine, agent, i))["id"].(string))
	}
	return f
}

func (f *fixture) signIn() {
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/acme/user/signin_with_api_key", port), nil)
	req.Header.Set("x-api-key", f.creds["api_key"])
	req.Header.Set("x-api-key-id", f.creds["api_key_id"])
	req.Header.Set("x-user-id", f.creds["user_id"])
	resp, err := http.DefaultClient.Do(req)
	must(err)
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"id_token"`
	}
	must(json.NewDecoder(resp.Body).Decode(&out))
	f.token = out.IDToken
}

func (f *fixture) call(method, path, body string) map[string]any {
	req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := f.client.Do(req)
	must(err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		must(fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b))
	}
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func (f *fixture) post(ctx context.Context, path, ct string, body []byte) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+f.token)
	return f.client.Do(req)
}

// result collects a round's samples.
type result struct {
	mu sync.Mutex
	// first and done are each call's times to the first new-message and
	// to interaction-complete less the model's own times for that call
	// (modelClock): what the server added.
	first, done []time.Duration
	// iFirst and iDone are the interactions' samples alone, without the
	// creations (whose first round meets cold caches and connections).
	iFirst, iDone []time.Duration
	// rawFirst and rawDone are the times as the client saw them, model
	// included.
	rawFirst, rawDone []time.Duration
	// unmatched counts the calls whose model call the clock did not see
	// exactly once (they are left out of first and done; must be 0).
	unmatched atomic.Int64
	// last is each stream's time from its last new-message to
	// interaction-complete: the server's commit after the model's last
	// token, measured on one clock with no model time to subtract.
	last            []time.Duration
	refused, errors atomic.Int64
}

// timed runs one streamed call and returns the times to the first
// new-message and to interaction-complete, and the conversation id. id is
// the bench number in the call's message, by which the model clock knows
// its model call (0: none).
func (f *fixture) timed(r *result, path, ct string, body []byte, interaction bool, id int64) string {
	start := time.Now()
	resp, err := f.post(context.Background(), path, ct, body)
	if err != nil || resp.StatusCode >= 300 {
		r.refused.Add(1)
		if resp != nil {
			resp.Body.Close()
		}
		return ""
	}
	defer resp.Body.Close()
	var first, done, lastMessage time.Duration
	var conv string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var ev struct {
			Type           string `json:"type"`
			ConversationID string `json:"conversation_id"`
		}
		json.Unmarshal(sc.Bytes(), &ev)
		switch ev.Type {
		case "conversation-created":
			conv = ev.ConversationID
		case "new-message":
			lastMessage = time.Since(start)
			if first == 0 {
				first = lastMessage
			}
		case "interaction-complete":
			done = time.Since(start)
		case "error":
			r.errors.Add(1)
		}
	}
	if done == 0 {
		return conv
	}
	m, ok := clock.took(id)
	if !ok {
		r.unmatched.Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rawFirst, r.rawDone = append(r.rawFirst, first), append(r.rawDone, done)
	r.last = append(r.last, done-lastMessage)
	if ok {
		first, done = first-m.first, done-m.done
		r.first, r.done = append(r.first, first), append(r.done, done)
		if interaction {
			r.iFirst, r.iDone = append(r.iFirst, first), append(r.iDone, done)
		}
	}
	return conv
}

// benchID numbers the messages the bench sends ("bench-N" in their text),
// so that the model clock can tell which call a model request serves.
var benchID atomic.Int64

var benchIDs = regexp.MustCompile(`bench-([0-9]+)`)

// clock times the fast model's answers.
var clock *modelClock

// modelClock stands between the server and the fast fake model and times
// each answer where the model gives it: from sending the request upstream
// to the first bytes and to the end of the stream, read as they come. A
// call's time less its model's is what the server added; subtracting the
// model's median time alone instead would count against the server the
// fake model's own spread (its 39 sleeps overshoot under load, by
// different amounts for different streams). What this relay itself adds
// lies outside the model's times, so it counts against the server.
type modelClock struct {
	upstream string
	client   *http.Client
	mu       sync.Mutex
	times    map[int64]modelTime
}

type modelTime struct {
	first, done time.Duration
	calls       int
}

func newModelClock(upstream string) *modelClock {
	return &modelClock{upstream: upstream, times: map[int64]modelTime{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
}

// ServeHTTP relays one model request; the call it serves is the largest
// bench number in it (the history holds the earlier ones).
func (m *modelClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var id int64
	for _, sub := range benchIDs.FindAllSubmatch(body, -1) {
		n, _ := strconv.ParseInt(string(sub[1]), 10, 64)
		id = max(id, n)
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, m.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	must(err)
	req.Header = r.Header.Clone()
	start := time.Now()
	resp, err := m.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	maps.Copy(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	var first, done time.Duration
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if first == 0 {
				first = time.Since(start)
			}
			if done == 0 && bytes.Contains(buf[:n], []byte("[DONE]")) {
				done = time.Since(start) // the answer's end, before the body's
			}
			w.Write(buf[:n])
			rc.Flush()
		}
		if err != nil {
			break
		}
	}
	done = cmp.Or(done, time.Since(start))
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.times[id]
	m.times[id] = modelTime{first: cmp.Or(t.first, first), done: t.done + done, calls: t.calls + 1}
}

// took returns the model's times for the call numbered id, if it made
// exactly one model call.
func (m *modelClock) took(id int64) (modelTime, bool) {
	if id == 0 {
		return modelTime{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// The relay records a call after passing its end on, and the server
	// may answer its client before that.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if _, ok := m.times[id]; ok {
			break
		}
		m.mu.Unlock()
		time.Sleep(time.Millisecond)
		m.mu.Lock()
	}
	t, ok := m.times[id]
	delete(m.times, id)
	return t, ok && t.calls == 1
}

func form(msg string) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("initial_message_type", "user-message")
	mw.WriteField("recorded_message", msg)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// round runs n conversations at once: each is created, takes rounds
// messages and is finished. Staggered, the i-th starts i/n of a model
// answer after the first; else all start together.
func (f *fixture) round(n, rounds int, staggered bool) *result {
	r := &result{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if staggered {
				time.Sleep(time.Duration(i) * answerTime() / time.Duration(n))
			}
			svc := f.services[i%len(f.services)]
			id := benchID.Add(1)
			conv := f.timed(r, "/v1/acme/conversation/?response_format=text", "application/json",
				fmt.Appendf(nil, `{"service_id":%q,"initial_message":"Hello (bench-%d).","initial_message_type":"user-message"}`, svc, id), false, id)
			if conv == "" {
				return
			}
			for k := range rounds {
				if *think > 0 {
					time.Sleep(rand.N(*think))
				}
				id := benchID.Add(1)
				ct, body := form(fmt.Sprintf("Message %d (bench-%d): what can you tell me?", k, id))
				f.timed(r, "/v1/acme/conversation/"+conv+"/interact?request_format=text&response_format=text", ct, body, true, id)
			}
			f.call("POST", "/v1/acme/conversation/"+conv+"/finish/", "")
		}()
	}
	wg.Wait()
	return r
}

// answerTime is the fake model's nominal time for a whole answer.
func answerTime() time.Duration {
	return *ttft + time.Duration(*tokens-1)*time.Second/time.Duration(*tps)
}

// finishAll finishes every unfinished conversation (the memory phase's).
func (f *fixture) finishAll() {
	out := f.call("GET", "/v1/acme/conversation/?is_finished=false&limit=150", "")
	for len(out["conversations"].([]any)) > 0 {
		for _, c := range out["conversations"].([]any) {
			id := c.(map[string]any)["id"].(string)
			req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/acme/conversation/%s/finish/", port, id), nil)
			req.Header.Set("Authorization", "Bearer "+f.token)
			if resp, err := f.client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		out = f.call("GET", "/v1/acme/conversation/?is_finished=false&limit=150", "")
	}
}

// throughput runs n conversations interacting as fast as they can for d
// and returns completed interactions per second.
func (f *fixture) throughput(n int, d time.Duration) float64 {
	r := &result{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	var count atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conv := f.timed(r, "/v1/acme/conversation/?response_format=text", "application/json", []byte(`{"service_id":"`+f.services[i]+`"}`), false, 0)
			for conv != "" && time.Now().Before(end) {
				ct, body := form("Tell me more.")
				f.timed(r, "/v1/acme/conversation/"+conv+"/interact?request_format=text&response_format=text", ct, body, true, 0)
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(count.Load()) / d.Seconds()
}

// direct streams n answers of the fake model at once, straight from it,
// and returns the medians of the times to the first token and to the end.
func direct(n int) (time.Duration, time.Duration) { return streamModel(n, fakePort) }

// streamModel streams n answers of the model on port at once and returns
// the medians of the times to the first token and to the end.
func streamModel(n, port int) (time.Duration, time.Duration) {
	var mu sync.Mutex
	var firsts, dones []time.Duration
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/v1/chat/completions", port), "application/json",
				strings.NewReader(`{"model":"fake-model","stream":true,"messages":[{"role":"user","content":"Hello"}]}`))
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var first time.Duration
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "data:") && first == 0 {
					first = time.Since(start)
				}
			}
			mu.Lock()
			firsts, dones = append(firsts, first), append(dones, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(firsts)
	slices.Sort(dones)
	return firsts[len(firsts)/2], dones[len(dones)/2]
}

// metric reads one gauge of the /metrics of the process on port.
func metric(port int, name string) float64 {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}

// pct returns the p-th percentile of samples less base, in milliseconds.
func pct(samples []time.Duration, p int, base time.Duration) string {
	if len(samples) == 0 {
		return "–"
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	v := s[min(len(s)-1, (len(s)*p+99)/100-1)] - base
	return fmt.Sprintf("%.1f ms", float64(v)/float64(time.Millisecond))
}

// holdStreams opens -streams streams with open on the process pid (its
// /metrics on port) from the slow model and reports its memory per open
// stream. With -pprof it saves heap profiles, from pprofPort, before and
// with the streams open. What a stream costs is measured from a process
// that has held streams before: 64 are opened and hung up on first, then
// settle runs (it finishes their conversations), so that what the first
// streams open once for all that follow (database connections up to the
// pool's size, their prepared statements, caches, the heap's growth) is
// not counted per stream.
func holdStreams(pid, port, pprofPort int, name string, open func(ctx context.Context, i int) (*http.Response, error), settle func()) string {
	warm := openStreams(min(64, *streams), open)
	warm.cancel()
	warm.wg.Wait()
	if settle != nil {
		settle()
	}
	time.Sleep(time.Second)
	before, heapBefore, goBefore := rss(pid), metric(port, "go_memstats_heap_inuse_bytes"), metric(port, "go_goroutines")
	stackBefore := metric(port, "go_memstats_stack_inuse_bytes")
	liveBefore, gcStackBefore := afterGC(pprofPort)
	if *profile {
		saveProfile(pprofPort, "heap-"+name+"-before.pb.gz", "heap?gc=1")
	}
	asked := served()
	held := openStreams(*streams, open)
	waiting := served() - asked
	during, heapDuring, goDuring := rss(pid), metric(port, "go_memstats_heap_inuse_bytes"), metric(port, "go_goroutines")
	stackDuring := metric(port, "go_memstats_stack_inuse_bytes")
	opened := held.opened.Load()
	liveDuring, gcStackDuring := afterGC(pprofPort)
	if *profile {
		// The goroutines first: the heap profile takes long enough with
		// every allocation recorded for the streams to reach the model's
		// first-token timeout.
		saveProfile(pprofPort, "goroutines-"+name+".txt", "goroutine?debug=1")
		saveProfile(pprofPort, "heap-"+name+".pb.gz", "heap?gc=1")
	}
	held.cancel()
	held.wg.Wait()
	k := float64(max(opened, 1)) * 1024
	live, stacks := (liveDuring-liveBefore)/k, (gcStackDuring-gcStackBefore)/k
	return fmt.Sprintf("%d streams open (%d asked of the model): held %.1f KiB per stream (live heap %.1f KiB and goroutine stacks %.1f KiB after a collection); RSS %d KiB before, %d KiB with them open: %.1f KiB per stream (heap in use %.1f KiB, stacks %.1f KiB before the collection); %.1f goroutines per stream",
		opened, waiting, live+stacks, live, stacks, before, during, float64(during-before)*1024/k, (heapDuring-heapBefore)/k, (stackDuring-stackBefore)/k, (goDuring-goBefore)*1024/k)
}

// saveProfile saves the profile at path under /debug/pprof/ on port in
// the work directory as file.
func saveProfile(port int, file, path string) {
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/%s", port, path)); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		os.WriteFile(filepath.Join(work, file), b, 0o644)
	}
}

// streamsOpen are streams opened by openStreams, held until cancel.
type streamsOpen struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	opened atomic.Int64
}

// openStreams opens n streams with open and returns once the slow model
// has been asked by each: 5 s after the first was opened or, on a loaded
// machine, a second after the last was asked, within its first-token
// timeout (30 s).
func openStreams(n int, open func(ctx context.Context, i int) (*http.Response, error)) *streamsOpen {
	asked := served()
	ctx, cancel := context.WithCancel(context.Background())
	s := &streamsOpen{cancel: cancel}
	// At most 16 streams are being opened at once (a stream is open once
	// its first line has come): a burst of 256 creates on a loaded
	// machine runs into the database deadline and measures failures.
	opening := make(chan struct{}, 16)
	for i := range n {
		s.wg.Add(1)
		opening <- struct{}{}
		go func() {
			defer s.wg.Done()
			resp, err := open(ctx, i)
			if err != nil {
				<-opening
				return
			}
			rd := bufio.NewReader(resp.Body)
			_, err = rd.ReadString('\n')
			<-opening
			if err == nil && resp.StatusCode < 300 {
				s.opened.Add(1)
			}
			io.Copy(io.Discard, rd)
			resp.Body.Close()
		}()
	}
	start := time.Now()
	for served()-asked < n && time.Since(start) < 20*time.Second {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(max(time.Second, 5*time.Second-time.Since(start)))
	return s
}

// served returns how many requests the slow model has been asked.
func served() int {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/stats", slowPort))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var out struct {
		Served int `json:"served"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Served
}

// afterGC returns the live heap and the goroutine stacks in bytes right
// after a garbage collection, from the pprof server on port.
func afterGC(port int) (heap, stacks float64) {
	// Twice: what sync.Pools hold survives one collection.
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap?gc=1&debug=1", port)); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap?gc=1&debug=1", port))
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// "# HeapAlloc = n" and "# Stack = inuse / sys"
		if f := strings.Fields(sc.Text()); len(f) >= 4 && f[0] == "#" {
			switch f[1] {
			case "HeapAlloc":
				heap, _ = strconv.ParseFloat(f[3], 64)
			case "Stack":
				stacks, _ = strconv.ParseFloat(f[3], 64)
			}
		}
	}
	return heap, stacks
}

// The slow model of the memory figure, by what its streams do (-hold):
// its arguments and the words that say it.
var (
	holdArgs = map[string][]string{
		"waiting":   {"--ttft", "60s", "--tps", "50", "--tokens", "5"},
		"answering": {"--ttft", "100ms", "--tps", "1", "--tokens", "90"},
	}
	holdText = map[string]string{
		"waiting":   "waiting on the model's first token",
		"answering": "relaying an answer, a token a second",
	}
	slow *exec.Cmd
)

// startSlow (re)starts the slow model for streams that do h.
func startSlow(h string) {
	args, ok := holdArgs[h]
	if !ok {
		log.Fatalf("-hold: %q is neither waiting nor answering", h)
	}
	stopSlow()
	slow = startProc(filepath.Join(work, "fakemodel"), nil, append([]string{"--listen", fmt.Sprint("127.0.0.1:", slowPort)}, args...)...)
	for range 100 {
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/stats", slowPort)); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func stopSlow() {
	if slow != nil {
		stop(slow)
		slow = nil
	}
}

// slowModelURL is the base URL of the model that holds streams open.
func slowModelURL() string {
	if *tlsSlow {
		return fmt.Sprintf("https://127.0.0.1:%d/v1", tlsPort)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/v1", slowPort)
}

// serveSlowModelTLS serves the slow model over HTTPS, and so HTTP/2, on
// tlsPort: a reverse proxy to it with a self-signed certificate for
// 127.0.0.1, whose PEM file it returns. An HTTP/2 client's streams share
// one connection, and its transport's goroutines and buffers with it.
func serveSlowModelTLS() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	must(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake model"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(err)
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	must(err)
	certFile, keyFile := filepath.Join(work, "model-cert.pem"), filepath.Join(work, "model-key.pem")
	must(os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600))
	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", slowPort))
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.FlushInterval = -1
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the streams are cancelled at the end
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
	srv := &http.Server{Addr: fmt.Sprint("127.0.0.1:", tlsPort), Handler: proxy}
	go func() { fmt.Fprintln(os.Stderr, srv.ListenAndServeTLS(certFile, keyFile)) }()
	return certFile
}

// serveRelay is the floor for a Go server relaying a model's stream: a
// net/http server with amigo-server's settings whose handler streams the
// slow fake model's answer through openai-go with the default transport
// (as amigo-server's model client does), one NDJSON line per piece.
func serveRelay(addr string) {
	client := openai.NewClient(option.WithBaseURL(slowModelURL()), option.WithHeaderDel("Authorization"))
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {})
	http.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(w, "go_memstats_heap_inuse_bytes %d\ngo_memstats_stack_inuse_bytes %d\ngo_goroutines %d\n", ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine())
	})
	http.HandleFunc("/relay", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ServiceID string `json:"service_id"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("X-Accel-Buffering", "no")
		rc := http.NewResponseController(w)
		fmt.Fprintln(w, `{"type":"conversation-created"}`)
		rc.Flush()
		s := client.Chat.Completions.NewStreaming(r.Context(), openai.ChatCompletionNewParams{Model: "fake-model",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello " + in.ServiceID)}})
		defer s.Close()
		for s.Next() {
			if c := s.Current(); len(c.Choices) > 0 {
				b, _ := json.Marshal(map[string]string{"type": "new-message", "message": c.Choices[0].Delta.Content})
				w.Write(append(b, '\n'))
				rc.Flush()
			}
		}
	})
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintln(os.Stderr, srv.ListenAndServe())
}

// phaseBuckets reads the server's amigo_interaction_phase_seconds
// histograms: cumulative counts by phase and bucket bound, both
// operations summed.
func phaseBuckets() map[string]map[float64]float64 {
	out := map[string]map[float64]float64{}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "amigo_interaction_phase_seconds_bucket{") {
			continue
		}
		var op, phase, le string
		for _, kv := range strings.Split(line[strings.Index(line, "{")+1:strings.Index(line, "}")], ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "operation":
				op = strings.Trim(v, `"`)
			case "phase":
				phase = strings.Trim(v, `"`)
			case "le":
				le = strings.Trim(v, `"`)
			}
		}
		bound, err := strconv.ParseFloat(le, 64)
		if err != nil {
			continue // +Inf
		}
		n, _ := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		key := op + " " + phase
		if out[key] == nil {
			out[key] = map[float64]float64{}
		}
		out[key][bound] += n
	}
	return out
}

// phaseOrder is the order of the server's phases (amigo.Phase).
var phaseOrder = []string{"request", "input", "check", "lease", "load", "stream_start", "model", "first_event", "reply", "commit", "complete"}

// phaseTable returns the p50 / p99 of each operation's phases between two
// readings of phaseBuckets, each the upper bound of the bucket it falls in.
func phaseTable(before, after map[string]map[float64]float64) string {
	var b strings.Builder
	ops := map[string]bool{}
	for key := range after {
		op, _, _ := strings.Cut(key, " ")
		ops[op] = true
	}
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		fmt.Fprintf(&b, "\n  %s:", op)
		phaseLine(&b, op, before, after)
	}
	return "phases ms p50/p99:" + b.String()
}

func phaseLine(b *strings.Builder, op string, before, after map[string]map[float64]float64) {
	for _, phase := range phaseOrder {
		phase := op + " " + phase
		var bounds []float64
		for le := range after[phase] {
			bounds = append(bounds, le)
		}
		slices.Sort(bounds)
		if len(bounds) == 0 {
			continue
		}
		total := after[phase][bounds[len(bounds)-1]] - before[phase][bounds[len(bounds)-1]]
		at := func(p float64) string {
			for _, le := range bounds {
				if after[phase][le]-before[phase][le] >= p*total {
					return fmt.Sprintf("≤%.2g", le*1000)
				}
			}
			return ">" + fmt.Sprintf("%.2g", bounds[len(bounds)-1]*1000)
		}
		fmt.Fprintf(b, " %s %s/%s", strings.TrimPrefix(phase, op+" "), at(0.5), at(0.99))
	}
}
