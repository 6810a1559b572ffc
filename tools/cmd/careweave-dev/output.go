package main

import (
	"bytes"
	"io"
	"sync"
)

// syncWriter serialises writes from several goroutines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// lineWriter writes each complete line it receives to out with a prefix,
// whole, so lines of several children never interleave mid-line. A partial
// last line waits for its newline or for Flush.
type lineWriter struct {
	mu     sync.Mutex
	out    io.Writer
	prefix string
	buf    []byte
}

func newLineWriter(out io.Writer, prefix string) *lineWriter {
	return &lineWriter{out: out, prefix: prefix}
}

// Write implements io.Writer; it never fails, so a child is never stopped by
// a broken terminal.
func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > 64<<10 { // a very long line without newline
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
	return len(p), nil
}

// Flush writes a pending partial line.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	msg := make([]byte, 0, len(l.prefix)+len(line))
	msg = append(msg, l.prefix...)
	msg = append(msg, line...)
	_, _ = l.out.Write(msg)
}
