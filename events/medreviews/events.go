package medreviews

import "time"

// Medicine names a medicine as the reviewer wrote it, with its dm+d code
// when known. DmdCode is a string of digits (a SNOMED CT identifier from the
// NHS Dictionary of medicines and devices), never a number: leading digits
// and length matter.
type Medicine struct {
	Name    string `json:"name"`
	DmdCode string `json:"dmdCode,omitempty"`
}

// CandidateIdentified opens a review episode: a patient in one or more
// priority cohorts was identified for a structured medication review.
type CandidateIdentified struct {
	// Patient is the opaque patient reference (also the envelope subject).
	Patient string `json:"patient"`
	// Practice is the ODS code of the patient's registered practice; PCN the
	// ODS code of its Primary Care Network, the routing area.
	Practice string `json:"practice"`
	PCN      string `json:"pcn"`
	// Criteria are the cohorts that made the patient a candidate.
	Criteria []Cohort `json:"criteria"`
	// CareHome is the directory id of the patient's care home, if any
	// (always present for the care-home-resident cohort).
	CareHome string `json:"careHome,omitempty"`
	// IdentifiedBy is the directory id of the identifying clinician, and
	// IdentifiedByRole their directory role.
	IdentifiedBy     string    `json:"identifiedBy"`
	IdentifiedByRole string    `json:"identifiedByRole"`
	IdentifiedAt     time.Time `json:"identifiedAt"`
}

// EventType returns the wire type name.
func (CandidateIdentified) EventType() string { return "careweave.medreviews.candidate_identified.v1" }

// ReviewInvited says the patient was invited to a review. A patient may be
// invited more than once (a reminder, another channel, after not attending).
type ReviewInvited struct {
	Channel   Channel   `json:"channel"`
	InvitedAt time.Time `json:"invitedAt"`
	// RespondBy is when the invitation lapses unbooked and is due a chase
	// (the local invitation validity rule).
	RespondBy time.Time `json:"respondBy"`
	// Invitation counts the invitations of this episode, from 1.
	Invitation int `json:"invitation"`
}

// EventType returns the wire type name.
func (ReviewInvited) EventType() string { return "careweave.medreviews.review_invited.v1" }

// ReviewBooked says an appointment was made for the review.
type ReviewBooked struct {
	AppointmentAt time.Time `json:"appointmentAt"`
	Mode          Mode      `json:"mode"`
	// ClinicianID is the directory id of the clinician who will hold the
	// review (normally a PCN clinical pharmacist).
	ClinicianID   string        `json:"clinicianId"`
	ClinicianRole ClinicianRole `json:"clinicianRole"`
	// CareHome is the care home's directory id when Mode is care-home.
	CareHome string    `json:"careHome,omitempty"`
	BookedAt time.Time `json:"bookedAt"`
}

// EventType returns the wire type name.
func (ReviewBooked) EventType() string { return "careweave.medreviews.review_booked.v1" }

// ReviewRebooked says the review's appointment was moved, or a new one made
// after the patient did not attend.
type ReviewRebooked struct {
	AppointmentAt time.Time `json:"appointmentAt"`
	// PreviousAppointmentAt is the appointment this one replaces.
	PreviousAppointmentAt time.Time     `json:"previousAppointmentAt"`
	Mode                  Mode          `json:"mode"`
	ClinicianID           string        `json:"clinicianId"`
	ClinicianRole         ClinicianRole `json:"clinicianRole"`
	CareHome              string        `json:"careHome,omitempty"`
	// AfterDidNotAttend is true when the previous appointment was missed.
	AfterDidNotAttend bool `json:"afterDidNotAttend"`
	// Reason is why it was moved, if given.
	Reason     string    `json:"reason,omitempty"`
	RebookedAt time.Time `json:"rebookedAt"`
}

// EventType returns the wire type name.
func (ReviewRebooked) EventType() string { return "careweave.medreviews.review_rebooked.v1" }

// AppointmentNotAttended says the patient did not attend the booked review.
// The episode stays open: the patient may be re-invited or rebooked.
type AppointmentNotAttended struct {
	AppointmentAt time.Time `json:"appointmentAt"`
	ClinicianID   string    `json:"clinicianId"`
	// Count is how many appointments of this episode were missed, from 1.
	Count      int       `json:"count"`
	RecordedAt time.Time `json:"recordedAt"`
}

// EventType returns the wire type name.
func (AppointmentNotAttended) EventType() string {
	return "careweave.medreviews.appointment_not_attended.v1"
}

// ReviewCompleted says the structured medication review took place. It is
// coded with SnomedCode (SnomedStructuredMedicationReview). Recommendations
// follow as RecommendationRecorded events.
type ReviewCompleted struct {
	Mode          Mode          `json:"mode"`
	ClinicianID   string        `json:"clinicianId"`
	ClinicianRole ClinicianRole `json:"clinicianRole"`
	CareHome      string        `json:"careHome,omitempty"`
	CompletedAt   time.Time     `json:"completedAt"`
	Summary       string        `json:"summary"`
	SnomedCode    string        `json:"snomedCode"`
	// FollowUpBy is when the patient is due a follow-up (local rule).
	FollowUpBy time.Time `json:"followUpBy"`
}

// EventType returns the wire type name.
func (ReviewCompleted) EventType() string { return "careweave.medreviews.review_completed.v1" }

// ReviewDeclined says the patient declined the review. It maps to the
// SNOMED CT declined cluster carried in CodeCluster (DeclinedCluster).
type ReviewDeclined struct {
	Reason      string    `json:"reason"`
	DeclinedAt  time.Time `json:"declinedAt"`
	CodeCluster string    `json:"codeCluster"`
}

// EventType returns the wire type name.
func (ReviewDeclined) EventType() string { return "careweave.medreviews.review_declined.v1" }

// ReviewClosed says the episode was withdrawn or closed without a review
// (the patient died, moved practice, ...).
type ReviewClosed struct {
	Reason CloseReason `json:"reason"`
	Note   string      `json:"note,omitempty"`
	// PreviousStatus is the review's status before it was closed
	// (identified, invited, booked or did-not-attend).
	PreviousStatus string    `json:"previousStatus"`
	ClosedAt       time.Time `json:"closedAt"`
}

// EventType returns the wire type name.
func (ReviewClosed) EventType() string { return "careweave.medreviews.review_closed.v1" }

// RecommendationRecorded says the reviewer recommended a change (or no
// change) to one medicine. It is a recommendation only: nothing in the GP
// record has changed until a prescriber accepts it.
type RecommendationRecorded struct {
	// RecommendationID is unique within the review ("rec-1", "rec-2", ...).
	RecommendationID string   `json:"recommendationId"`
	Medicine         Medicine `json:"medicine"`
	Action           Action   `json:"action"`
	Reason           string   `json:"reason"`
	// Deprescribing marks a recommendation that reduces or stops a medicine.
	Deprescribing bool `json:"deprescribing"`
	// SwitchTo is the medicine to switch to; present only for ActionSwitch.
	SwitchTo *Medicine `json:"switchTo,omitempty"`
	// NewDose is the proposed dose; present only for ActionChangeDose.
	NewDose string `json:"newDose,omitempty"`
	// RecommendedBy is the reviewing clinician's directory id.
	RecommendedBy     string        `json:"recommendedBy"`
	RecommendedByRole ClinicianRole `json:"recommendedByRole"`
	RecordedAt        time.Time     `json:"recordedAt"`
	// DecisionDueBy is when the prescriber's decision is due (local rule).
	DecisionDueBy time.Time `json:"decisionDueBy"`
}

// EventType returns the wire type name.
func (RecommendationRecorded) EventType() string {
	return "careweave.medreviews.recommendation_recorded.v1"
}

// RecommendationAccepted says a prescriber accepted a recommendation and
// enacted it in the GP record. Medicine and Action repeat the recommendation
// so the timeline can say what changed without looking back.
type RecommendationAccepted struct {
	RecommendationID string        `json:"recommendationId"`
	Medicine         Medicine      `json:"medicine"`
	Action           Action        `json:"action"`
	PrescriberID     string        `json:"prescriberId"`
	PrescriberRole   ClinicianRole `json:"prescriberRole"`
	EnactedAt        time.Time     `json:"enactedAt"`
	Note             string        `json:"note,omitempty"`
}

// EventType returns the wire type name.
func (RecommendationAccepted) EventType() string {
	return "careweave.medreviews.recommendation_accepted.v1"
}

// RecommendationRejected says a prescriber decided not to enact a
// recommendation; the GP record is unchanged.
type RecommendationRejected struct {
	RecommendationID string        `json:"recommendationId"`
	Medicine         Medicine      `json:"medicine"`
	Action           Action        `json:"action"`
	PrescriberID     string        `json:"prescriberId"`
	PrescriberRole   ClinicianRole `json:"prescriberRole"`
	Reason           string        `json:"reason"`
	RejectedAt       time.Time     `json:"rejectedAt"`
}

// EventType returns the wire type name.
func (RecommendationRejected) EventType() string {
	return "careweave.medreviews.recommendation_rejected.v1"
}
