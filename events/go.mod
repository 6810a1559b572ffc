module github.com/careweave/careweave/events

go 1.26.8
