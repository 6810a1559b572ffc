package relay

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	published, duplicates, errors prometheus.Counter
	lag                           prometheus.Gauge
	commitToPublish               prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, name string) (*metrics, error) {
	labels := prometheus.Labels{"relay": name}
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "careweave_relay_published_total", Help: "Events newly stored in JetStream.", ConstLabels: labels}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "careweave_relay_duplicates_total", Help: "Republished events JetStream dropped as duplicates.", ConstLabels: labels}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "careweave_relay_errors_total", Help: "Relay rounds that failed and were retried.", ConstLabels: labels}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "careweave_relay_lag_seconds", Help: "Age of the oldest committed event not yet published.", ConstLabels: labels}),
		commitToPublish: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "careweave_relay_commit_to_publish_seconds", Help: "Time from an event's insert to JetStream's ack.", ConstLabels: labels,
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30}}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.published, m.duplicates, m.errors, m.lag, m.commitToPublish} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return nil, err
			}
		}
	}
	return m, nil
}
