package server

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
)

// LLMEndpoint is an OpenAI-compatible chat-completions server that answers
// for one Amigo LLM name (a version set's llm_model_preferences name it):
// OpenAI, Azure OpenAI, vLLM, Ollama or a llama.cpp server.
type LLMEndpoint struct {
	BaseURL string // e.g. https://api.openai.com/v1
	Model   string // the model name the endpoint knows
	// APIKeyEnv names the environment variable holding the key;
	// APIKeyFile is a file holding it. Neither: no key (local servers).
	APIKeyEnv  string
	APIKeyFile string
	// Timeout bounds one call of the model; zero is DefaultLLMTimeout.
	Timeout time.Duration
	// FirstTokenTimeout bounds the wait for a streamed reply's first
	// piece; zero is the engine's default.
	FirstTokenTimeout time.Duration
}

// Defaults of the model settings.
const (
	// BuiltinLLM names the built-in deterministic model.
	BuiltinLLM        = "builtin"
	DefaultLLMTimeout = 60 * time.Second
)

// The model settings, one per field of LLMEndpoint, each a mapping from
// Amigo LLM name to value, and the default model. They join Settings, and
// so the flags, variables, file keys and README table, at init.
var llmSettings = []Setting{
	{Flag: "llm-base-url", Env: "AMIGO_LLM_BASE_URLS", Key: "llm.base_urls", Shape: Mapping, Help: "OpenAI-compatible endpoint of an Amigo LLM name, NAME=URL (e.g. https://api.openai.com/v1); naming one configures it",
		set: llmField(func(e *LLMEndpoint, v string) error { e.BaseURL = v; return checkLLMURL(v) })},
	{Flag: "llm-model", Env: "AMIGO_LLM_MODELS", Key: "llm.models", Shape: Mapping, Default: "the LLM name", Help: "model name the endpoint of an LLM name knows, NAME=MODEL",
		set: llmField(func(e *LLMEndpoint, v string) error { e.Model = v; return nil })},
	{Flag: "llm-api-key-env", Env: "AMIGO_LLM_API_KEY_ENVS", Key: "llm.api_key_envs", Shape: Mapping, Help: "environment variable holding the API key of an LLM name, NAME=VARIABLE",
		set: llmField(func(e *LLMEndpoint, v string) error { e.APIKeyEnv = v; return nil })},
	{Flag: "llm-api-key-file", Env: "AMIGO_LLM_API_KEY_FILES", Key: "llm.api_key_files", Shape: Mapping, Help: "file holding the API key of an LLM name, NAME=PATH",
		set: llmField(func(e *LLMEndpoint, v string) error { e.APIKeyFile = v; return nil })},
	{Flag: "llm-timeout", Env: "AMIGO_LLM_TIMEOUTS", Key: "llm.timeouts", Shape: Mapping, Default: DefaultLLMTimeout.String(), Help: "bound of one model call of an LLM name, NAME=DURATION",
		set: llmField(func(e *LLMEndpoint, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 60s, got %q", v)
			}
			e.Timeout = d
			return nil
		})},
	{Flag: "llm-first-token-timeout", Env: "AMIGO_LLM_FIRST_TOKEN_TIMEOUTS", Key: "llm.first_token_timeouts", Shape: Mapping, Default: engine.DefaultFirstTokenTimeout.String(), Help: "bound of the wait for a streamed reply's first piece of an LLM name, NAME=DURATION",
		set: llmField(func(e *LLMEndpoint, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 30s, got %q", v)
			}
			e.FirstTokenTimeout = d
			return nil
		})},
	{Flag: "llm-default", Env: "AMIGO_LLM_DEFAULT", Key: "llm.default", Default: BuiltinLLM, Help: "model of the LLM names not configured: builtin (offline, deterministic) or a configured LLM name",
		set: text(func(c *Config) *string { return &c.DefaultLLM }, nil)},
	{Flag: "interaction-lease", Env: "AMIGO_INTERACTION_LEASE", Key: "interaction_lease", Default: core.DefaultInteractionLease.String(), Help: "how long an interaction holds its conversation between renewals: a server killed mid-interaction leaves it busy this long at most",
		set: setDuration(func(c *Config) *time.Duration { return &c.InteractionLease })},
}

func init() { Settings = append(Settings, llmSettings...) }

// llmField sets one field of the endpoints named by NAME=VALUE items.
func llmField(apply func(e *LLMEndpoint, v string) error) func(c *Config, vals []string) error {
	return func(c *Config, vals []string) error {
		for _, item := range vals {
			name, v, ok := strings.Cut(item, "=")
			name, v = strings.TrimSpace(name), strings.TrimSpace(v)
			if !ok || name == "" || v == "" {
				return fmt.Errorf("%q: want NAME=VALUE, NAME an Amigo LLM name such as openai_gpt-4.1-2025-04-14", item)
			}
			if name == BuiltinLLM {
				return fmt.Errorf("%q: %s names the built-in model, which has no settings", item, BuiltinLLM)
			}
			if c.LLMs == nil {
				c.LLMs = map[string]*LLMEndpoint{}
			}
			e := c.LLMs[name]
			if e == nil {
				e = &LLMEndpoint{}
				c.LLMs[name] = e
			}
			if err := apply(e, v); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	}
}

func checkLLMURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an http:// or https:// URL of the API, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1", v)
	}
	return nil
}

// normalizeLLMs checks the model settings as a whole: every endpoint has a
// base URL, its key is readable, and the default names a model.
func (c *Config) normalizeLLMs() error {
	if c.DefaultLLM == "" {
		c.DefaultLLM = BuiltinLLM
	}
	if c.InteractionLease == 0 {
		c.InteractionLease = core.DefaultInteractionLease
	}
	for _, name := range slices.Sorted(maps.Keys(c.LLMs)) {
		e := c.LLMs[name]
		if e.BaseURL == "" {
			return fmt.Errorf("LLM %s: no base URL: give --llm-base-url %s=URL", name, name)
		}
		if e.Model == "" {
			e.Model = name
		}
		if e.Timeout == 0 {
			e.Timeout = DefaultLLMTimeout
		}
		if e.APIKeyEnv != "" && e.APIKeyFile != "" {
			return fmt.Errorf("LLM %s: give its API key by variable or by file, not both", name)
		}
	}
	if _, ok := c.LLMs[c.DefaultLLM]; c.DefaultLLM != BuiltinLLM && !ok {
		return fmt.Errorf("default LLM %q is neither %s nor a configured LLM name (configure it with --llm-base-url %s=URL)", c.DefaultLLM, BuiltinLLM, c.DefaultLLM)
	}
	return nil
}
