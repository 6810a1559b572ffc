package main

import (
	"context"
	"strings"
	"testing"
)

func TestBadWebhookSettingsStopTheStart(t *testing.T) {
	for setting, want := range map[string]string{
		"WEBHOOK_MAX_ATTEMPTS=0":    "WEBHOOK_MAX_ATTEMPTS",
		"WEBHOOK_ALLOW_HTTP=maybe":  "WEBHOOK_ALLOW_HTTP",
		"WEBHOOK_TIMEOUT=1ms":       "WEBHOOK_TIMEOUT",
		"WEBHOOK_MAX_BACKOFF=100ms": "WEBHOOK_MAX_BACKOFF",
	} {
		env := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "NATS_URL": "nats://127.0.0.1:1"}
		k, v, _ := strings.Cut(setting, "=")
		env[k] = v
		err := run(context.Background(), nil, func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: start said %v, want an error naming %s", setting, err, want)
		}
	}
}
