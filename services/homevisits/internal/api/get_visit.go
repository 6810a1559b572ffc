package api

import (
	"net/http"

	"github.com/careweave/careweave/events/access"
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
// may read it: the read is recorded on the patient's trail, with the
// policy's basis, before it is answered, and a refusal as denied.
func (a *API) getVisit(w http.ResponseWriter, r *http.Request) {
	id, err := visitID(r)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	a.reads.Read(w, r, id, func(l aggregate.Loaded[visitAccess]) (access.Basis, error) {
		return a.authorize(r, policy.Read, l.State.policyVisit())
	})
}
