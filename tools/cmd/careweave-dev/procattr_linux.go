package main

import (
	"os"
	"syscall"
)

// childProcAttr puts a child in its own process group, so a Ctrl-C in the
// terminal reaches careweave-dev alone and the children are stopped in order,
// and has the kernel send it SIGTERM should careweave-dev die without
// stopping it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// signalChild signals the child's whole process group, so processes the
// service started stop with it.
func signalChild(p *os.Process, sig syscall.Signal) error {
	if err := syscall.Kill(-p.Pid, sig); err == nil {
		return nil
	}
	return p.Signal(sig)
}
