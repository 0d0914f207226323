package api

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	drawings *prometheus.CounterVec
	phases   *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amigo_http_requests_total", Help: "HTTP requests by operation id and status.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "amigo_http_request_duration_seconds", Help: "HTTP request latency by operation id and status.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"operation", "status"}),
		drawings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amigo_graph_drawings_total", Help: "SVG drawings of state machines by outcome: drawn, too_large, cancelled.",
		}, []string{"outcome"}),
		phases: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "amigo_interaction_phase_seconds",
			Help: "Server-side duration of each phase of the interactions that completed, by operation id and phase (docs/conversations.md).",
			// 0.1 ms to about 4 s, each bucket half again the last: fine
			// enough to tell a round trip from a wait.
			Buckets: prometheus.ExponentialBuckets(0.0001, 1.5, 27),
		}, []string{"operation", "phase"}),
	}
	reg.MustRegister(m.requests, m.latency, m.drawings, m.phases)
	// A private registry gets the process and Go collectors explicitly.
	reg.Register(collectors.NewGoCollector())
	reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
