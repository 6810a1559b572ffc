//go:build !linux

package main

import (
	"os"
	"syscall"
)

// childProcAttr puts a child in its own process group, so a Ctrl-C in the
// terminal reaches careweave-dev alone and the children are stopped in order.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// signalChild signals the child's whole process group, so processes the
// service started stop with it.
func signalChild(p *os.Process, sig syscall.Signal) error {
	if err := syscall.Kill(-p.Pid, sig); err == nil {
		return nil
	}
	return p.Signal(sig)
}
