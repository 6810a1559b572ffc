// Package carehomes is the care-home rounds service: weekly
// multidisciplinary rounds at the PCN's care homes (nominations, outcomes,
// actions) and each resident's residency, with the 7-working-day clock for
// a holistic assessment and a care plan after (re)admission.
package carehomes
