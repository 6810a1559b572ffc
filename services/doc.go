// Package services is the module of Careweave's care services. Each service
// lives in services/<name>: its process in cmd/<name>, its aggregates in
// internal/domain, its HTTP adapter in internal/api. Go's internal rule keeps
// one service out of another's code: they talk through events.
package services
