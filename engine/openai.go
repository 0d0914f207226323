package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/amigo-oss/amigo-server"
)

// ErrModelUnavailable wraps every failure of a model endpoint: refused,
// failing (after the bounded retries), too slow, or cut off mid-stream.
// Callers answer it as 503, or as an error event once streaming.
var ErrModelUnavailable = errors.New("engine: the model is unavailable")

// Defaults of an Endpoint.
const (
	DefaultModelTimeout      = 120 * time.Second
	DefaultFirstTokenTimeout = 30 * time.Second
	DefaultModelRetries      = 2
	DefaultMaxRetryDelay     = 10 * time.Second
)

// OpenAIConfig configures OpenAIModel: which OpenAI-compatible endpoint
// serves which Amigo LLM name (the llm_name of a version set's
// llm_model_preferences).
type OpenAIConfig struct {
	// Endpoints maps an Amigo LLM name to the endpoint that serves it.
	Endpoints map[string]Endpoint
	// Default serves interaction kinds without a preference and LLM names
	// without an endpoint.
	Default Endpoint
}

// Endpoint is one OpenAI-compatible chat-completions server and model:
// OpenAI, Azure OpenAI's v1 API, vLLM, Ollama, a llama.cpp server.
type Endpoint struct {
	// BaseURL is the API root, such as https://api.openai.com/v1 or
	// http://127.0.0.1:11434/v1.
	BaseURL string
	// The API key: APIKey itself, else the environment variable APIKeyEnv,
	// else the content of APIKeyFile (trimmed). None: no Authorization
	// header (local servers).
	APIKey     string
	APIKeyEnv  string
	APIKeyFile string
	// Model is the server's model name.
	Model string
	// Timeout bounds one call, retries and streaming included.
	Timeout time.Duration
	// FirstTokenTimeout bounds the wait for the first piece of a reply.
	FirstTokenTimeout time.Duration
	// MaxRetries is how often a 408, 409, 429 or 5xx answer or a lost
	// connection is retried, after Retry-After (when at most MaxRetryDelay)
	// or an exponential backoff. Negative: never.
	MaxRetries    int
	MaxRetryDelay time.Duration
}

// OpenAIModel asks OpenAI-compatible chat-completions endpoints through
// the official Go SDK. Replies stream; the choices the walker needs are
// asked as strict JSON, parsed, asked once more on a bad answer, and then
// answered by the built-in model (the documented fallback).
type OpenAIModel struct {
	endpoints map[string]*endpoint
	def       *endpoint
}

var _ Model = (*OpenAIModel)(nil)

// endpoint is a configured Endpoint and its client.
type endpoint struct {
	Endpoint
	client openai.Client
}

// modelClient is the HTTP client of every endpoint: Go's default transport
// with 1 KiB connection buffers instead of 4 KiB each way. A connection is
// held for a whole streamed answer, whose events are a few hundred bytes,
// so the smaller buffers cost few extra reads and save 6 KiB of each open
// stream's memory (bench_conversations.go's memory figure).
var modelClient = func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ReadBufferSize, t.WriteBufferSize = 1<<10, 1<<10
	return &http.Client{Transport: t}
}()

// NewOpenAI checks cfg, reads its API keys and returns the model. opts are
// passed to every client (tests pass option.WithHTTPClient).
func NewOpenAI(cfg OpenAIConfig, opts ...option.RequestOption) (*OpenAIModel, error) {
	m := &OpenAIModel{endpoints: map[string]*endpoint{}}
	var err error
	if m.def, err = newEndpoint("default", cfg.Default, opts); err != nil {
		return nil, err
	}
	for name, e := range cfg.Endpoints {
		if m.endpoints[name], err = newEndpoint(name, e, opts); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func newEndpoint(name string, e Endpoint, opts []option.RequestOption) (*endpoint, error) {
	if e.BaseURL == "" || e.Model == "" {
		return nil, fmt.Errorf("engine: model endpoint %q needs a base URL and a model name", name)
	}
	key := e.APIKey
	if key == "" && e.APIKeyEnv != "" {
		key = os.Getenv(e.APIKeyEnv)
		if key == "" {
			return nil, fmt.Errorf("engine: model endpoint %q: the environment variable %s is empty", name, e.APIKeyEnv)
		}
	}
	if key == "" && e.APIKeyFile != "" {
		b, err := os.ReadFile(e.APIKeyFile)
		if err != nil {
			return nil, fmt.Errorf("engine: model endpoint %q: %w", name, err)
		}
		key = strings.TrimSpace(string(b))
	}
	if e.Timeout <= 0 {
		e.Timeout = DefaultModelTimeout
	}
	if e.FirstTokenTimeout <= 0 {
		e.FirstTokenTimeout = DefaultFirstTokenTimeout
	}
	switch {
	case e.MaxRetries == 0:
		e.MaxRetries = DefaultModelRetries
	case e.MaxRetries < 0:
		e.MaxRetries = 0
	}
	if e.MaxRetryDelay <= 0 {
		e.MaxRetryDelay = DefaultMaxRetryDelay
	}
	all := []option.RequestOption{option.WithHTTPClient(modelClient), option.WithBaseURL(e.BaseURL), option.WithMaxRetries(e.MaxRetries), option.WithMaxRetryDelay(e.MaxRetryDelay)}
	if key != "" {
		all = append(all, option.WithAPIKey(key))
	} else {
		all = append(all, option.WithHeaderDel("Authorization"))
	}
	all = append(all, opts...)
	return &endpoint{Endpoint: e, client: openai.NewClient(all...)}, nil
}

// pick returns the endpoint for a preference and the request's options:
// its body (withBody) with the model, and the preference's temperature,
// top_p and top_k (beside llm_name or inside params), top_k as an extra
// JSON field.
func (m *OpenAIModel) pick(llm *amigo.LLMConfig, msgs []openai.ChatCompletionMessageParamUnion) (*endpoint, []option.RequestOption, error) {
	e := m.def
	var opts []option.RequestOption
	p := &openai.ChatCompletionNewParams{Messages: msgs}
	if llm != nil {
		if x := m.endpoints[llm.LLMName]; x != nil {
			e = x
		}
		if v := paramFloat(llm.Temperature, llm.Params, "temperature"); v != nil {
			p.Temperature = openai.Float(*v)
		}
		if v := paramFloat(llm.TopP, llm.Params, "top_p"); v != nil {
			p.TopP = openai.Float(*v)
		}
		var k *float64
		if llm.TopK != nil {
			f := float64(*llm.TopK)
			k = &f
		}
		if v := paramFloat(k, llm.Params, "top_k"); v != nil {
			opts = append(opts, option.WithJSONSet("top_k", int(*v)))
		}
	}
	p.Model = e.Model
	opts, err := withBody(p, opts)
	return e, opts, err
}

// paramFloat returns v, else the number params[key], else nil.
func paramFloat(v *float64, params map[string]json.RawMessage, key string) *float64 {
	if v != nil {
		return v
	}
	var f float64
	if raw, ok := params[key]; ok && json.Unmarshal(raw, &f) == nil {
		return &f
	}
	return nil
}

// complete asks for one whole answer.
func (m *OpenAIModel) complete(ctx context.Context, llm *amigo.LLMConfig, msgs []openai.ChatCompletionMessageParamUnion) (string, error) {
	e, opts, err := m.pick(llm, msgs)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	var res completion
	if err := e.client.Post(ctx, chatCompletions, nil, &res, opts...); err != nil {
		return "", unavailable(ctx, e, err)
	}
	if len(res.Choices) == 0 {
		return "", fmt.Errorf("%w: %s answered no choice", ErrModelUnavailable, e.Model)
	}
	return res.Choices[0].Message.Content, nil
}

// chatCompletions is the path of both calls, under the base URL.
const chatCompletions = "chat/completions"

// completion is what complete reads of a chat.completion.
type completion struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// unavailable wraps err in ErrModelUnavailable, unless it is the caller's
// own cancellation, which is returned as is.
func unavailable(ctx context.Context, e *endpoint, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(context.Cause(ctx), errFirstToken) {
		return err
	}
	if errors.Is(context.Cause(ctx), errFirstToken) {
		return fmt.Errorf("%w: %s sent nothing within %s", ErrModelUnavailable, e.Model, e.FirstTokenTimeout)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s did not answer within %s", ErrModelUnavailable, e.Model, e.Timeout)
	}
	return fmt.Errorf("%w: %s: %v", ErrModelUnavailable, e.Model, err)
}

var errFirstToken = errors.New("no first token in time")

// stream asks for an answer streamed to emit, piece by piece. A stream
// that ends without a finish reason was cut off: ErrModelUnavailable.
func (m *OpenAIModel) stream(ctx context.Context, llm *amigo.LLMConfig, msgs []openai.ChatCompletionMessageParamUnion, emit func(string) error) (string, error) {
	e, opts, err := m.pick(llm, msgs)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	ctx, cancelCause := context.WithCancelCause(ctx)
	defer cancelCause(nil)
	first := time.AfterFunc(e.FirstTokenTimeout, func() { cancelCause(errFirstToken) })
	defer first.Stop()
	s := e.newStreaming(ctx, opts)
	defer s.Close()
	finished := false
	for s.Next() {
		first.Stop()
		piece, finish := chunkPiece(s)
		finished = finished || finish
		if piece != "" {
			if err := emit(piece); err != nil {
				return "", err
			}
		}
	}
	if err := s.Err(); err != nil {
		return "", unavailable(ctx, e, err)
	}
	if err := ctx.Err(); err != nil {
		return "", unavailable(ctx, e, err)
	}
	if !finished {
		return "", fmt.Errorf("%w: %s's stream ended before the answer did", ErrModelUnavailable, e.Model)
	}
	return e.Model, nil
}

// withBody returns opts led by the request's body, p as JSON, which the
// options after it (top_k, stream) then edit. The SDK is called through
// its generic Post, which sends the request with the client's retries,
// authentication and options, rather than through its chat methods, which
// encode their parameters on the caller's goroutine: the SDK's reflective
// encoder runs deep enough to take the request's goroutine past 16 KiB of
// stack, which doubles it to 32 KiB, and a stack shrinks only when less
// than a quarter of it is in use, which a goroutine waiting on the model
// never is: 16 KiB more for every open stream. So p is encoded on a
// goroutine of its own.
func withBody(p *openai.ChatCompletionNewParams, opts []option.RequestOption) ([]option.RequestOption, error) {
	type encoded struct {
		body []byte
		err  error
	}
	c := make(chan encoded, 1)
	go func() {
		defer func() {
			// The request's goroutine, not this one, has the server's
			// recovery.
			if r := recover(); r != nil {
				c <- encoded{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		b, err := p.MarshalJSON()
		c <- encoded{b, err}
	}()
	e := <-c
	if e.err != nil {
		return nil, fmt.Errorf("%w: the request could not be encoded: %v", ErrModelUnavailable, e.err)
	}
	return append([]option.RequestOption{option.WithRequestBody("application/json", e.body)}, opts...), nil
}

// newStreaming starts a streamed answer, its body in opts (withBody). The
// SDK sends the request and frames the server-sent events; each chunk is
// decoded into streamChunk, the two fields a reply reads, rather than into
// the SDK's ChatCompletionChunk, whose decoder (every field, extra fields
// kept, through reflection) took a third of the server's time per relayed
// piece.
func (e *endpoint) newStreaming(ctx context.Context, opts []option.RequestOption) *ssestream.Stream[streamChunk] {
	var raw *http.Response
	err := e.client.Post(ctx, chatCompletions, nil, &raw, append(opts, option.WithJSONSet("stream", true))...)
	if err != nil || raw == nil {
		return ssestream.NewStream[streamChunk](nil, cmp.Or(err, errNoResponse))
	}
	// The decoder reads the body and closes it.
	return ssestream.NewStream[streamChunk](ssestream.NewDecoder(raw), nil)
}

var errNoResponse = errors.New("the model's client returned no response")

// streamChunk is what a reply reads of a chat.completion.chunk.
type streamChunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// chunkPiece returns the text of the stream's current chunk and whether it
// carries a finish reason.
func chunkPiece(s *ssestream.Stream[streamChunk]) (string, bool) {
	c := s.Current()
	if len(c.Choices) == 0 {
		return "", false
	}
	return c.Choices[0].Delta.Content, c.Choices[0].FinishReason != ""
}

// askJSON asks for a JSON answer and parses it into v with parse; a bad
// answer is shown to the model with the parse error and asked once more.
// It reports false when the second answer is bad too.
func (m *OpenAIModel) askJSON(ctx context.Context, llm *amigo.LLMConfig, msgs []openai.ChatCompletionMessageParamUnion, parse func(string) error) (bool, error) {
	for try := 0; try < 2; try++ {
		answer, err := m.complete(ctx, llm, msgs)
		if err != nil {
			return false, err
		}
		perr := parse(answer)
		if perr == nil {
			return true, nil
		}
		msgs = append(msgs, openai.AssistantMessage(answer),
			openai.UserMessage("That answer is not usable ("+perr.Error()+"). Answer again with only the JSON object asked for."))
	}
	return false, nil
}

// decodeStrict decodes the JSON object in answer (a Markdown code fence
// around it is tolerated) into v, refusing unknown fields.
func decodeStrict(answer string, v any) error {
	s := strings.TrimSpace(answer)
	s = strings.TrimPrefix(s, "```json")
	s = strings.TrimPrefix(s, "```")
	s = strings.TrimSuffix(strings.TrimSpace(s), "```")
	d := json.NewDecoder(strings.NewReader(s))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("not the JSON object asked for: %v", err)
	}
	if d.More() {
		return errors.New("text after the JSON object")
	}
	return nil
}
