// Package discharge is the hospital discharge service: one stay per
// hospital admission, from admission through the discharge plan and the
// discharge to the summary, the Discharge Medicines Service referral and
// the community follow-up, with a readmission within the window detected on
// the previous stay when the patient is admitted again. Its domain is in
// internal/domain, its HTTP API in internal/api, its process in
// cmd/discharge.
package discharge
