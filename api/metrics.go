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
	}
	reg.MustRegister(m.requests, m.latency, m.drawings)
	// A private registry gets the process and Go collectors explicitly.
	reg.Register(collectors.NewGoCollector())
	reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
