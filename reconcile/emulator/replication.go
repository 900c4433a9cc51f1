package emulator

import (
	"strings"
	"time"
)

// replica is an object instantiate created that Graph would not show yet:
// it answers 404 until ready has passed and reads are spent.
type replica struct {
	ready time.Time
	reads int
}

// bornLocked records a new object of kind ("app" or "sp") with id as
// replicating; s.mu must be held.
func (s *Server) bornLocked(kind, id string) {
	if s.opts.ReplicationDelay <= 0 && s.opts.ReplicationReads <= 0 {
		return
	}
	s.born[kind+":"+strings.ToLower(id)] = &replica{ready: time.Now().Add(s.opts.ReplicationDelay), reads: s.opts.ReplicationReads}
}

// replicatingLocked reports whether the object of kind and id still
// answers 404, spending one of its reads; s.mu must be held.
func (s *Server) replicatingLocked(kind, id string) bool {
	r := s.born[kind+":"+strings.ToLower(id)]
	if r == nil {
		return false
	}
	hidden := time.Now().Before(r.ready) || r.reads > 0
	if r.reads > 0 {
		r.reads--
	}
	if !hidden {
		delete(s.born, kind+":"+strings.ToLower(id))
	}
	return hidden
}
