module github.com/careweave/careweave/projections

go 1.26.8

require (
	github.com/careweave/careweave/events v0.0.0
	github.com/careweave/careweave/kit v0.0.0
)

replace github.com/careweave/careweave/events => ../events

replace github.com/careweave/careweave/kit => ../kit
