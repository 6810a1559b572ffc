// Package medreviews is the Structured Medication Review service: review
// episodes from the candidate identified to the prescriber's decision on
// each recommended medicine change. Options wires it into the shared
// runtime; cmd/medreviews runs it.
package medreviews
