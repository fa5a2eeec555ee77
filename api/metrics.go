package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of the API. HTTP series are labelled by
// route pattern (never by raw path, which would hold ids).
type metrics struct {
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	plan         prometheus.Histogram
	cache        *prometheus.CounterVec
	rateLimited  prometheus.Counter
	notifyErrors prometheus.Counter
	engineBuild  prometheus.Histogram
	dataVersion  prometheus.Gauge
	handler      gin.HandlerFunc
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passerelle_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "passerelle_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		plan: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "passerelle_plan_duration_seconds", Help: "Time to compute one plan (cache misses only).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passerelle_plan_cache_total", Help: "Plan cache lookups by result: hit, miss, bypass (cache unavailable), error (a failed read or write).",
		}, []string{"result"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passerelle_rate_limited_total", Help: "Requests refused with 429.",
		}),
		notifyErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passerelle_notify_errors_total", Help: "Failed publications of a data-version change to the other replicas.",
		}),
		engineBuild: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "passerelle_engine_build_seconds", Help: "Time to rebuild the planning engine from the store.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		dataVersion: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "passerelle_engine_data_version", Help: "Data version of the engine in memory.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.plan, m.cache, m.rateLimited, m.notifyErrors, m.engineBuild, m.dataVersion)
	// The standard process and Go collectors, unless the caller registered them.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for _, r := range []string{"hit", "miss", "bypass", "error"} {
		m.cache.WithLabelValues(r)
	}
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *metrics) engineBuilt(d time.Duration, version int64) {
	m.engineBuild.Observe(d.Seconds())
	m.dataVersion.Set(float64(version))
}
