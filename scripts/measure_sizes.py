#!/usr/bin/env python3
"""Start a real amigo-server, send large bodies, report server CPU time and peak RSS above idle (VmHWM after clear_refs).

usage: scripts/measure_sizes.py BINARY sqlite|postgres KIND SIZE...
KIND: agent (SIZE in MB; SECOND=1 measures a second version changing every item), machine and graph (SIZE in
states), and in MB: tags, keyterms (create-service), versionset (upsert-service-version-set, one set of many
llm_model_preferences; LLM_NAME=a known model stores it), context, audio_keyterms (update-user-info's lists),
interact and interact_file (interact-with-conversation's form: a recorded_message of 32,768 four-byte characters, as a
field or a file part, then external events of up to 32,768 three-byte characters, at most 50), and create
(create-conversation: an initial_message of 32,768 escaped four-byte characters, then an unknown key, which is ignored).
PostgreSQL: a fresh database on 127.0.0.1:5432 (user postgres), dropped at the end. PROFILE=prefix with a -tags pprof build saves profiles.
"""
import json, os, subprocess, sys, time, tempfile, requests, uuid

binary, db, kind = sys.argv[1], sys.argv[2], sys.argv[3]
sizes = [float(x) for x in sys.argv[4:]]
work = tempfile.mkdtemp(prefix="amigo-measure-")
env = dict(os.environ)
port = 18000 + os.getpid() % 1000
env["AMIGO_LISTEN"] = f"127.0.0.1:{port}"
env["AMIGO_DATA_DIR"] = work + "/data"
env["AMIGO_RATE_LIMITS"] = "off"
env["AMIGO_LOG_FORMAT"] = "text"
if db == "postgres":
    name = "sizes_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", f"create database {name}"], check=True)
    url = f"postgres://postgres@127.0.0.1:5432/{name}?sslmode=disable"
    env["AMIGO_DIRECTORY_URL"] = url
    env["AMIGO_CLUSTERS"] = "default=" + url
base = f"http://127.0.0.1:{port}"
boot = json.loads(subprocess.run([binary, "bootstrap", "--org", "acme"], env=env, cwd=work, capture_output=True, check=True).stdout)
log = open(work + "/server.log", "w")
srv = subprocess.Popen([binary, "serve"], env=env, cwd=work, stdout=log, stderr=log)
try:
    for _ in range(100):
        try:
            if requests.get(base + "/readyz").status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    tok = requests.post(f"{base}/v1/acme/user/signin_with_api_key", headers={
        "x-api-key": boot["api_key"], "x-api-key-id": boot["api_key_id"], "x-user-id": boot["user_id"]}).json()["id_token"]
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}

    def status():
        out = {}
        for line in open(f"/proc/{srv.pid}/status"):
            k, v = line.split(":", 1)
            out[k] = v.strip()
        return int(out["VmHWM"].split()[0]), int(out["VmRSS"].split()[0])

    def reset_peak():
        with open(f"/proc/{srv.pid}/clear_refs", "w") as f:
            f.write("5")

    def cpu():
        parts = open(f"/proc/{srv.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def agent_body(mb, item="a"):
        n = int(mb * 1e6 / 4)  # "a", = 4 bytes
        return json.dumps({"initials": "AM", "identity": {"name": "Amy", "role": "coach", "developed_by": "Acme",
            "default_spoken_language": "eng", "relationship_to_developer": {"ownership": "owned", "type": "employee",
            "conversation_visibility": "visible", "thought_visibility": "hidden"}},
            "background": "b", "behaviors": [item] * n, "communication_patterns": ["c"], "voice_config": {"voice_id": "v"}},
            separators=(",", ":")).encode()

    def chain(n):
        states = [{"type": "annotation", "name": f"s{i}", "inner_thought": "t", "next_state": f"s{i+1}" if i + 1 < n else "end"} for i in range(n)]
        states[0] = {"type": "action", "name": "s0", "objective": "o", "actions": ["a"], "intra_state_navigation_guidelines": [],
            "action_guidelines": [], "boundary_constraints": [], "exit_conditions": [{"description": "d", "next_state": states[0]["next_state"]}],
            "action_tool_call_specs": [], "exit_condition_tool_call_specs": [], "skip_active_memory_retrieval": False}
        states.append({"type": "action", "name": "end", "objective": "o", "actions": ["a"], "intra_state_navigation_guidelines": [],
            "action_guidelines": [], "boundary_constraints": [], "exit_conditions": [], "action_tool_call_specs": [], "exit_condition_tool_call_specs": [],
            "skip_active_memory_retrieval": False})
        return {"description": "A chain.", "global_intra_state_navigation_guidelines": [], "global_action_guidelines": [], "global_boundary_constraints": [], "new_user_initial_state": "s0", "returning_user_initial_state": "s0", "terminal_state": "end", "references": {}, "states": states}

    def measure(label, data, send):
        """Send one body with the peak and CPU counters reset; PROFILE=prefix saves a CPU and heap profile (-tags pprof build)."""
        import gc, threading
        gc.collect(); time.sleep(2)
        pp, th = os.environ.get("PROFILE"), None
        if pp:
            pprof = "http://" + os.environ.get("AMIGO_PPROF_LISTEN", "127.0.0.1:6060") + "/debug/pprof/"
            th = threading.Thread(target=lambda: open(f"{pp}-{label}-cpu.pb.gz", "wb").write(requests.get(pprof + "profile?seconds=8").content)); th.start(); time.sleep(0.5)
        idle = status()[1]; reset_peak(); c0 = cpu(); t0 = time.time()
        r = send(data)
        dt = time.time() - t0; c1 = cpu(); peak = status()[0]
        if th:
            th.join()
            open(f"{pp}-{label}-allocs.pb.gz", "wb").write(requests.get(pprof + "allocs").content)
        print(f"{db} {label} {len(data)/1e6:.2f}MB: {r.status_code} wall {dt:.2f}s cpu {c1-c0:.2f}s peak-above-idle {(peak-idle)/1024:.0f}MB ({(peak-idle)*1024/len(data):.1f}x body) {r.text[:300] if r.status_code>=300 else ''}", flush=True)
        return r

    time.sleep(1)
    post = lambda path: (lambda data: requests.post(base + path, headers=h, data=data))
    if kind == "agent":
        for mb in sizes:
            aid = requests.post(f"{base}/v1/acme/organization/agent", headers=h, json={"agent_name": f"a{mb}"}).json()["id"]
            if os.environ.get("SECOND"):
                print("first version", post(f"/v1/acme/organization/agent/{aid}/")(agent_body(mb, "b")).status_code, flush=True)
            measure("agent", agent_body(mb), post(f"/v1/acme/organization/agent/{aid}/"))
    elif kind in ("tags", "keyterms", "versionset"):
        aid = requests.post(f"{base}/v1/acme/organization/agent", headers=h, json={"agent_name": "sa"}).json()["id"]
        print("agent v1", requests.post(f"{base}/v1/acme/organization/agent/{aid}/", headers=h, data=agent_body(0.0001)).status_code)
        mid = requests.post(f"{base}/v1/acme/organization/service_hierarchical_state_machine", headers=h, json={"state_machine_name": "sm"}).json()["id"]
        print("machine v1", requests.post(f"{base}/v1/acme/organization/service_hierarchical_state_machine/{mid}/", headers=h, json=chain(2)).status_code)
        for k, mb in enumerate(sizes):
            body = {"name": f"svc{k}", "description": "d", "is_active": True, "agent_id": aid, "service_hierarchical_state_machine_id": mid, "tags": {}, "keyterms": []}
            if kind == "tags":
                body["tags"] = {f"t{i:07d}": "v" for i in range(int(mb * 1e6 / 15))}
            elif kind == "keyterms":
                body["keyterms"] = [f"k{i:07d}" for i in range(int(mb * 1e6 / 12))]
            data = json.dumps(body, separators=(",", ":")).encode()
            if kind != "versionset":
                measure(f"service {kind}", data, post("/v1/acme/service/"))
                continue
            # One version set whose llm_model_preferences name many interactions.
            sid = post("/v1/acme/service/")(data).json()["id"]
            n = int(mb * 1e6 / 27)
            # LLM_NAME=a known model (azure_gpt-4.1-2025-04-14) measures a stored set; the default "m" is refused (400).
            prefs = {f"i{i:07d}": {"llm_name": os.environ.get("LLM_NAME", "m")} for i in range(n)}
            vs = json.dumps({"version_set": {"agent_version_number": None, "service_hierarchical_state_machine_version_number": None, "llm_model_preferences": prefs}}, separators=(",", ":")).encode()
            measure("version set", vs, lambda d: requests.put(f"{base}/v1/acme/service/{sid}/version_sets/big/", headers=h, data=d))
    elif kind in ("context", "audio_keyterms"):
        me = boot["user_id"]
        for mb in sizes:
            n = int(mb * 1e6 / 12)
            data = json.dumps({kind if kind == "audio_keyterms" else "additional_context": [f"c{i:07d}" for i in range(n)]}, separators=(",", ":")).encode()
            measure(f"user {kind}", data, post(f"/v1/acme/user/{me}"))
    elif kind in ("interact", "interact_file", "create"):
        # A service whose machine is one action state: the built-in model answers.
        aid = requests.post(f"{base}/v1/acme/organization/agent", headers=h, json={"agent_name": "chat"}).json()["id"]
        print("agent v1", requests.post(f"{base}/v1/acme/organization/agent/{aid}/", headers=h, data=agent_body(0.0001)).status_code)
        mid = requests.post(f"{base}/v1/acme/organization/service_hierarchical_state_machine", headers=h, json={"state_machine_name": "chat"}).json()["id"]
        print("machine v1", requests.post(f"{base}/v1/acme/organization/service_hierarchical_state_machine/{mid}/", headers=h, json=chain(1)).status_code)
        sid = requests.post(f"{base}/v1/acme/service/", headers=h, json={"name": "chat", "description": "d", "is_active": True, "agent_id": aid,
            "service_hierarchical_state_machine_id": mid, "tags": {}, "keyterms": []}).json()["id"]
        conv_path = "/v1/acme/conversation/?response_format=text"
        start = json.dumps({"service_id": sid, "initial_message": "Hello.", "initial_message_type": "user-message"}).encode()
        cid = None
        for mb in sizes:
            size = int(mb * 1e6)
            if kind == "create":
                # 12 bytes a character: a surrogate pair escaped.
                msg = "\\ud83d\\ude00" * min(32768, size // 12)
                pad = "a" * max(0, size - len(msg) - 150)
                data = ('{"service_id":"%s","initial_message":"%s","initial_message_type":"user-message","x":"%s"}' % (sid, msg, pad)).encode()
                r = measure("create", data, post(conv_path))
                if r.status_code == 201:  # one unfinished conversation per user and service
                    requests.post(f"{base}/v1/acme/conversation/{json.loads(r.text.splitlines()[0])['conversation_id']}/finish/", headers=h)
                continue
            if cid:  # one unfinished conversation per user and service
                requests.post(f"{base}/v1/acme/conversation/{cid}/finish/", headers=h)
            r = requests.post(base + conv_path, headers=h, data=start)
            cid = json.loads(r.text.splitlines()[0])["conversation_id"] if r.status_code == 201 else print(r.status_code, r.text[:300])
            msg = "\U0001F600" * min(32768, size // 4)
            fields = [("initial_message_type", (None, "user-message"))]
            n, left = 0, size - len(msg.encode())
            time.sleep(0.01)
            t0 = time.time()  # after the conversation's last message, in order
            stamp = lambda i: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0)) + ".%06dZ" % (int(t0 % 1 * 1e6) // 1000 * 1000 + i)
            while left > 1000 and n < 50:
                text = "\u20ac" * min(32768, (left - 300) // 3)
                fields += [("external_event_message_content", (None, text)), ("external_event_message_timestamp", (None, stamp(n)))]
                left -= len(text.encode()) + 300; n += 1
            fields.append(("recorded_message", ("message.txt", msg, "text/plain") if kind == "interact_file" else (None, msg)))
            req = requests.Request("POST", f"{base}/v1/acme/conversation/{cid}/interact?request_format=text&response_format=text",
                headers={"Authorization": h["Authorization"]}, files=fields).prepare()
            sess = requests.Session()
            r = measure(f"{kind} ({n} events)", req.body, lambda d: sess.send(req))
            print("  last event:", r.text.splitlines()[-1][:200] if r.text else "")
    elif kind in ("machine", "graph"):
        for n in [int(x) for x in sizes]:
            mid = requests.post(f"{base}/v1/acme/organization/service_hierarchical_state_machine", headers=h, json={"state_machine_name": f"m{n}"}).json()["id"]
            measure(f"machine {n} states", json.dumps(chain(n), separators=(",", ":")).encode(), post(f"/v1/acme/organization/service_hierarchical_state_machine/{mid}/"))
            if kind == "graph":
                for fmt in ("json", "svg"):
                    time.sleep(1)
                    idle = status()[1]; reset_peak(); c0 = cpu(); t0 = time.time()
                    try:
                        r = requests.get(f"{base}/v1/acme/organization/service_hierarchical_state_machine/{mid}/graph?format={fmt}", headers=h, timeout=float(os.environ.get("GRAPH_TIMEOUT", "600")))
                        code, ln, txt = r.status_code, len(r.content), r.text[:200] if r.status_code >= 300 else ""
                    except requests.Timeout:
                        code, ln, txt = "timeout", 0, ""
                    dt = time.time() - t0; c1 = cpu(); peak = status()[0]
                    print(f"{db} graph {fmt} {n} states: {code} wall {dt:.2f}s cpu {c1-c0:.2f}s out {ln/1e6:.2f}MB peak-above-idle {(peak-idle)/1024:.0f}MB {txt}", flush=True)
finally:
    srv.terminate(); srv.wait()
    if db == "postgres":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", f"drop database {name} with (force)"])
