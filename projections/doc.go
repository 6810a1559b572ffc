// Package projections is the module of Careweave's read side: projection
// workers that consume every service's events from JetStream and build each
// patient's joined-up care timeline and the operational views, and the
// query API coordinators read them through.
package projections
