// "Try it": talks to a service through the console's endpoints, which act
// through the API with the session's identity. Events arrive as NDJSON
// and are drawn as they come: the agent's reply piece by piece, its steps,
// the state machine's current state and the path taken. Everything the
// server sends is put in the page as text, never as markup.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var log = $("chat-log"), errorBox = $("chat-error"), status = $("chat-status");
  var startForm = $("start-form"), chatForm = $("chat-form"), finishForm = $("finish-form");
  var message = $("message"), send = $("send"), actions = $("agent-actions"), insightsBox = $("insights");
  var conversation = root.getAttribute("data-conversation");
  var insightsOn = root.getAttribute("data-insights") === "on";
  var busy = false, finished = false, path = [], lastInteraction = "";
  var suggest = $("suggest"), suggestions = $("suggestions");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // setBusy disables sending while an interaction runs: the API allows
  // one at a time per conversation.
  function setBusy(on) {
    busy = on;
    send.disabled = on || finished;
    message.disabled = on || finished;
    $("finish").disabled = on || finished;
    $("start").disabled = on;
    suggest.disabled = on || finished || !lastInteraction;
    root.setAttribute("aria-busy", on ? "true" : "false");
  }

  function showError(text) { errorBox.textContent = text; }

  // readEvents calls onEvent for each line of an NDJSON response as soon
  // as the line is complete.
  function readEvents(resp, onEvent) {
    var reader = resp.body.getReader(), decoder = new TextDecoder(), buf = "";
    function pump() {
      return reader.read().then(function (r) {
        buf += decoder.decode(r.value || new Uint8Array(), { stream: !r.done });
        var nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          var line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) { onEvent(JSON.parse(line)); }
        }
        if (!r.done) { return pump(); }
        if (buf.trim()) { onEvent(JSON.parse(buf)); }
      });
    }
    return pump();
  }

  // refusal turns a response that is not a stream into a message: the
  // API's status and detail (409 while another interaction runs).
  function refusal(resp) {
    var type = resp.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === 0) {
      return resp.json().then(function (b) { return resp.status + ": " + (b.detail || resp.statusText); });
    }
    if (resp.redirected) { return Promise.resolve("Your session has ended: sign in again."); }
    return Promise.resolve(resp.status + ": " + (resp.statusText || "refused"));
  }

  // post sends a form's fields; they are read before the form is
  // disabled, as disabled fields are not sent.
  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/x-ndjson, application/json" } });
  }

  // run sends a request whose answer is an event stream and draws it.
  function run(url, form, userText) {
    var body = new URLSearchParams(new FormData(form));
    showError("");
    setBusy(true);
    if (actions) { actions.textContent = ""; }
    var reply = null, moved = false;
    return post(url, body).then(function (resp) {
      if (!resp.ok || (resp.headers.get("Content-Type") || "").indexOf("application/x-ndjson") !== 0) {
        return refusal(resp).then(function (text) { showError(text); });
      }
      if (userText !== undefined) { status.textContent = "The agent is answering…"; }
      return readEvents(resp, function (ev) {
        switch (ev.type) {
        case "conversation-created":
          conversation = ev.conversation_id;
          $("chat-id").textContent = conversation;
          history.replaceState(null, "", location.pathname + "?set=" + encodeURIComponent(root.getAttribute("data-set")));
          startForm.hidden = true;
          var setForm = $("set-form");
          if (setForm) { setForm.hidden = true; }
          chatForm.hidden = false;
          finishForm.hidden = false;
          suggest.hidden = false;
          break;
        case "user-message-available":
          log.appendChild(el("li", "bubble user-message", ev.user_message));
          break;
        case "current-agent-action":
          moved = step(ev.action) || moved;
          break;
        case "new-message":
          if (!reply) {
            reply = el("li", "bubble agent-message streaming", "");
            log.appendChild(reply);
          }
          reply.textContent += ev.message;
          break;
        case "interaction-complete":
          if (reply) { reply.classList.remove("streaming"); reply.setAttribute("data-interaction", ev.interaction_id); }
          status.textContent = "";
          lastInteraction = ev.interaction_id;
          suggestions.textContent = "";
          addInteraction(ev.interaction_id, true, !moved);
          if (ev.conversation_completed) { end("The conversation reached its terminal state and is finished."); }
          break;
        case "error":
          showError(ev.http_error_code + ": " + ev.error_description);
          if (reply) { reply.classList.add("failed"); }
          break;
        }
        reply && reply.scrollIntoView({ block: "nearest" });
      });
    }).catch(function (err) {
      showError("The connection failed: " + err.message);
    }).then(function () {
      setBusy(false);
      if (!finished && !chatForm.hidden) { message.focus(); }
    });
  }

  // step shows one current-agent-action and follows the state machine.
  function step(a) {
    var moved = false;
    var name = a.type.replace(/^navigate-state-machine-/, "");
    var detail = a.action || a.exit_condition || a.annotation || a.reflection || a.prompt || "";
    if (a.type === "navigate-state-machine-state-transitioned") {
      detail = a.prev_state + " → " + a.next_state;
      moveTo(a.next_state, a.prev_state);
      moved = true;
    } else if (a.next_state_name) {
      detail = (a.exit_condition || "") + " → " + a.next_state_name;
    }
    if (actions) {
      var li = el("li", "", "");
      li.appendChild(el("strong", "", name));
      if (detail) { li.appendChild(document.createTextNode(" " + detail)); }
      li.setAttribute("data-action", a.type);
      actions.appendChild(li);
    }
    return moved;
  }

  // Graph marks: the current state, the states visited and the edges
  // taken. Attributes are compared as strings, never built into a
  // selector.
  function nodes() { return document.querySelectorAll("#graph [data-state]"); }
  function moveTo(state, from) {
    if (!state) { return; }
    if (path.length === 0 && from) { path.push(from); }
    if (path[path.length - 1] !== state) { path.push(state); }
    $("current-state").textContent = state;
    $("state-path").textContent = path.join(" → ");
    var found = false;
    nodes().forEach(function (n) {
      var name = n.getAttribute("data-state");
      n.classList.toggle("current", name === state);
      if (path.indexOf(name) >= 0) { n.classList.add("visited"); }
      if (name === state) { found = true; }
    });
    document.querySelectorAll("#graph [data-from]").forEach(function (e) {
      for (var i = 1; i < path.length; i++) {
        if (e.getAttribute("data-from") === path[i - 1] && e.getAttribute("data-to") === path[i]) { e.classList.add("taken"); }
      }
    });
    var g = $("graph");
    if (g) { g.setAttribute("data-current", found ? state : ""); }
  }

  // addInteraction shows an interaction's insights, inner thoughts and
  // model, fetched once it completed.
  function addInteraction(id, open, followPath) {
    var box = null;
    insightsBox.querySelectorAll("details[data-interaction]").forEach(function (d) {
      if (d.getAttribute("data-interaction") === id) { box = d; }
    });
    if (!box) {
      box = el("details", "interaction");
      box.setAttribute("data-interaction", id);
      box.appendChild(el("summary", "", "Interaction " + id));
      insightsBox.appendChild(box);
    }
    if (open) {
      insightsBox.querySelectorAll("details").forEach(function (d) { d.open = false; });
      box.open = true;
    }
    if (!insightsOn) { return Promise.resolve(); }
    return fetch(root.getAttribute("data-conversations") + encodeURIComponent(conversation) + "/interactions/" + encodeURIComponent(id) + "/insights",
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (body) { if (body) { drawInsights(box, body, followPath); } });
  }

  // followPath: the interaction's transitions extend the path (they were
  // not seen live).
  function drawInsights(box, body, followPath) {
    box.querySelectorAll(".insight-body").forEach(function (n) { n.remove(); });
    var div = el("div", "insight-body");
    box.appendChild(div);
    if (!body.allowed) {
      div.appendChild(el("p", "muted", "You may not see this interaction's insights."));
      return;
    }
    var ins = body.insights;
    var facts = el("dl", "facts");
    function fact(k, v) { facts.appendChild(el("dt", "", k)); facts.appendChild(el("dd", "", v)); }
    fact("Model", ins.model || "—");
    fact("State", ins.current_state_name + (ins.current_state_objective ? " — " + ins.current_state_objective : ""));
    if (ins.current_state_action) { fact("Action", ins.current_state_action); }
    div.appendChild(facts);
    var list = el("ol", "transitions");
    (ins.state_transition_logs || []).forEach(function (t) {
      var li = el("li", "", t.previous_state + " → " + t.next_state + " (" + t.type + ")");
      li.setAttribute("data-transition", t.previous_state + ">" + t.next_state);
      if (t.previous_state_exit_condition_description) {
        li.appendChild(el("span", "exit", " exit: " + t.previous_state_exit_condition_description));
      }
      if (t.inner_thought_message_id && body.inner_thoughts && body.inner_thoughts[t.inner_thought_message_id]) {
        li.appendChild(el("blockquote", "inner-thought", body.inner_thoughts[t.inner_thought_message_id]));
      }
      if (t.performed_queries && t.performed_queries.length) {
        li.appendChild(el("span", "recall", " recalled: " + t.performed_queries.join("; ")));
      }
      list.appendChild(li);
      if (followPath) { moveTo(t.next_state, t.previous_state); }
    });
    if (list.childNodes.length) { div.appendChild(list); }
    (ins.reflections || []).forEach(function (r) { div.appendChild(el("p", "reflection", "Reflection: " + r)); });
    (ins.working_memory || []).forEach(function (m) { div.appendChild(el("p", "memory", "Memory: " + m.content + " (" + m.context + ")")); });
    moveTo(ins.current_state_name);
  }

  function end(text) {
    finished = true;
    status.textContent = text;
    chatForm.hidden = true;
    finishForm.hidden = true;
    suggest.hidden = true;
    suggestions.textContent = "";
    setBusy(false);
  }

  // Suggested replies fill the message field when chosen.
  suggest.addEventListener("click", function () {
    if (busy || !lastInteraction) { return; }
    fetch(root.getAttribute("data-conversations") + encodeURIComponent(conversation) + "/interactions/" + encodeURIComponent(lastInteraction) + "/recommend",
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : refusal(resp).then(function (t) { showError(t); return null; }); })
      .then(function (body) {
        suggestions.textContent = "";
        ((body && body.recommended_responses) || []).forEach(function (text) {
          var li = el("li"), b = el("button", "secondary suggestion", text);
          b.type = "button";
          b.addEventListener("click", function () { message.value = text; message.focus(); });
          li.appendChild(b);
          suggestions.appendChild(li);
        });
      })
      .catch(function (err) { showError("The connection failed: " + err.message); });
  });

  startForm.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!busy) { run(startForm.action, startForm); }
  });
  chatForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = message.value.trim();
    if (busy || !text || !conversation) { return; }
    var url = root.getAttribute("data-conversations") + encodeURIComponent(conversation) + "/interact";
    run(url, chatForm, text).then(function () { if (!errorBox.textContent) { message.value = ""; } });
  });
  finishForm.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy || !conversation) { return; }
    var body = new URLSearchParams(new FormData(finishForm));
    setBusy(true);
    post(root.getAttribute("data-conversations") + encodeURIComponent(conversation) + "/finish", body).then(function (resp) {
      if (resp.ok) { end("The conversation is finished."); return; }
      return refusal(resp).then(showError);
    }).catch(function (err) { showError("The connection failed: " + err.message); })
      .then(function () { setBusy(false); });
  });

  // A continued conversation: draw what its interactions did, in order.
  var ids = [];
  insightsBox.querySelectorAll("details[data-interaction]").forEach(function (d) { ids.push(d.getAttribute("data-interaction")); });
  lastInteraction = ids.length ? ids[ids.length - 1] : "";
  ids.reduce(function (p, id) { return p.then(function () { return addInteraction(id, false, true); }); }, Promise.resolve());
  setBusy(false);
})();
