package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/notify/internal/policy"
	"github.com/careweave/careweave/services/notify/internal/webhook"
)

// webhookRequest registers a team's endpoint.
type webhookRequest struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// redeliverRequest revives a webhook; FromSequence, if set, replays the
// team's feed after that sequence (0: from the start).
type redeliverRequest struct {
	FromSequence *int64 `json:"fromSequence"`
}

// team returns the request's community team if the caller may do action
// to its webhook, or answers 400 or 403 and false. A webhook's routes show
// a team's endpoint and delivery state, never a patient's data, so they
// put nothing on an audit trail.
func (a *API) team(w http.ResponseWriter, r *http.Request, action policy.Action) (string, bool) {
	t := r.PathValue("team")
	if !directoryID.MatchString(t) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("team", "must be a directory id such as team-severn-ict"))
		return "", false
	}
	if _, ok := a.directory.Team(t); !ok {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("team", "is not a community team in the directory"))
		return "", false
	}
	return t, a.authorize(w, r, action, policy.WebhookOf(a.directory, t))
}

func (a *API) putWebhook(w http.ResponseWriter, r *http.Request) {
	team, ok := a.team(w, r, policy.ManageWebhook)
	if !ok {
		return
	}
	var req webhookRequest
	if err := httpkit.DecodeJSON(w, r, &req, 16<<10); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	if err := a.webhooks.Register(r.Context(), team, req.URL, req.Secret); err != nil {
		if errors.Is(err, webhook.ErrInvalid) {
			field := "url"
			if strings.Contains(err.Error(), "secret") {
				field = "secret"
			}
			httpkit.WriteError(w, r, a.logger, httpkit.Invalid(field, strings.TrimPrefix(err.Error(), webhook.ErrInvalid.Error()+": ")))
			return
		}
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	a.writeWebhook(w, r, team, http.StatusOK)
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) {
	if team, ok := a.team(w, r, policy.ReadWebhook); ok {
		a.writeWebhook(w, r, team, http.StatusOK)
	}
}

func (a *API) redeliverWebhook(w http.ResponseWriter, r *http.Request) {
	team, ok := a.team(w, r, policy.ManageWebhook)
	if !ok {
		return
	}
	var req redeliverRequest
	if err := httpkit.DecodeJSON(w, r, &req, 4<<10); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	from := int64(-1)
	if req.FromSequence != nil {
		if *req.FromSequence < 0 {
			httpkit.WriteError(w, r, a.logger, httpkit.Invalid("fromSequence", "must be 0 (the start of the feed) or a sequence delivered before"))
			return
		}
		from = *req.FromSequence
	}
	if err := a.webhooks.Redeliver(r.Context(), team, from); err != nil {
		a.webhookError(w, r, err)
		return
	}
	a.writeWebhook(w, r, team, http.StatusAccepted)
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	team, ok := a.team(w, r, policy.ManageWebhook)
	if !ok {
		return
	}
	if err := a.webhooks.Remove(r.Context(), team); err != nil {
		a.webhookError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) writeWebhook(w http.ResponseWriter, r *http.Request, team string, code int) {
	s, err := a.webhooks.Status(r.Context(), team)
	if err != nil {
		a.webhookError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, code, s)
}

func (a *API) webhookError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, webhook.ErrNotFound) {
		httpkit.WriteError(w, r, a.logger, httpkit.Errorf(httpkit.KindNotFound, "team %s has no webhook", r.PathValue("team")))
		return
	}
	httpkit.WriteError(w, r, a.logger, err)
}
