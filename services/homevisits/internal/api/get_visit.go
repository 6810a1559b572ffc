package api

import (
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// visitView is a visit as staff see it: the state with every time in UTC,
// and the window also as read in Europe/London, its zone always named so a
// window across a clock change cannot be misread.
type visitView struct {
	Visit string `json:"visit"`
	domain.VisitState
	WindowLondon string `json:"windowLondon,omitempty"`
	Version      int64  `json:"version"`
}

func (a *API) view(l aggregate.Loaded[domain.VisitState]) visitView {
	v := visitView{Visit: l.ID, VisitState: l.State, Version: l.Version}
	if !l.State.Window.IsZero() {
		v.WindowLondon = l.State.Window.Format(a.london)
	}
	return v
}

// getVisit serves a visit's current state with its ETag, if the caller
// may read it.
func (a *API) getVisit(w http.ResponseWriter, r *http.Request) {
	visit, err := a.existingVisit(r)
	if err == nil {
		err = a.authorize(r, policy.Read, visit.State.policyVisit())
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("ETag", httpkit.ETag(visit.Version))
	httpkit.WriteJSON(w, http.StatusOK, a.view(aggregate.Loaded[domain.VisitState]{ID: visit.ID, State: visit.State.state, Version: visit.Version}))
}
