package vyre

// #include <stdlib.h>
// #include <vyre.h>
import "C"

import (
	"unsafe"
)

// Pattern flags (VYRE_PATTERN_* bits).
const (
	PatternCaseless = C.VYRE_PATTERN_CASELESS
	PatternLiteral  = C.VYRE_PATTERN_LITERAL
)

// Pattern is one pattern of a set: a regex (or literal bytes with PatternLiteral), the
// id reported in hits, and VYRE_PATTERN_* flags.
type Pattern struct {
	Expression string
	ID         uint32
	Flags      uint32
}

// DFA is a compiled pattern set. Close it when done; scanners keep it alive, so it may
// be closed right after creating them. Safe to share between goroutines.
type DFA struct{ p *C.vyre_dfa }

// CompileDFA compiles patterns into one DFA reporting every match end of every pattern.
func CompileDFA(patterns []Pattern) (*DFA, error) {
	cpats := make([]C.vyre_dfa_pattern, len(patterns))
	for i, p := range patterns {
		// C memory for the bytes (a Go string may not be handed to C to keep); freed
		// after the call, since vyre copies what it needs.
		expr := C.CString(p.Expression)
		defer C.free(unsafe.Pointer(expr))
		cpats[i].expression = expr
		cpats[i].length = C.size_t(len(p.Expression))
		cpats[i].id = C.uint32_t(p.ID)
		cpats[i].flags = C.uint32_t(p.Flags)
	}
	var first *C.vyre_dfa_pattern
	if len(cpats) > 0 {
		first = &cpats[0]
	}
	var dfa *C.vyre_dfa
	var cerr *C.vyre_error
	st := C.vyre_dfa_compile(first, C.size_t(len(cpats)), nil, &dfa, &cerr)
	if err := check("vyre_dfa_compile", st, cerr); err != nil {
		return nil, err
	}
	return &DFA{p: dfa}, nil
}

// Close releases the DFA; calling it twice is harmless.
func (d *DFA) Close() {
	C.vyre_dfa_destroy(d.p)
	d.p = nil
}

// Hit is one match: the pattern id and the end offset (exclusive) in the scanned data.
type Hit struct {
	Pattern uint32
	End     uint64
}

// Scanner binds a DFA to a backend. Close it when done. Scans may run concurrently.
type Scanner struct{ p *C.vyre_scanner }

// NewCPUScanner creates a scanner on the CPU backend (threads 0 = all cores).
func NewCPUScanner(d *DFA, threads uint32) (*Scanner, error) {
	opts := C.vyre_scanner_options{backend: C.VYRE_SCAN_BACKEND_CPU, threads: C.uint32_t(threads)}
	var s *C.vyre_scanner
	var cerr *C.vyre_error
	if err := check("vyre_scanner_create", C.vyre_scanner_create(d.p, &opts, &s, &cerr), cerr); err != nil {
		return nil, err
	}
	return &Scanner{p: s}, nil
}

// Close releases the scanner; calling it twice is harmless.
func (s *Scanner) Close() {
	C.vyre_scanner_destroy(s.p)
	s.p = nil
}

// Scan returns every hit in data, sorted by (end, pattern): a size query, then one call
// into a slice of exactly that many hits.
func (s *Scanner) Scan(data []byte) ([]Hit, error) {
	var dataPtr *C.uint8_t
	if len(data) > 0 {
		dataPtr = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	var count C.size_t
	var cerr *C.vyre_error
	st := C.vyre_scanner_scan(s.p, dataPtr, C.size_t(len(data)), nil, 0, &count, &cerr)
	if err := check("vyre_scanner_scan", st, cerr); err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, nil
	}
	chits := make([]C.vyre_hit, int(count))
	cerr = nil
	st = C.vyre_scanner_scan(s.p, dataPtr, C.size_t(len(data)), &chits[0], C.size_t(len(chits)), &count, &cerr)
	if err := check("vyre_scanner_scan", st, cerr); err != nil {
		return nil, err
	}
	hits := make([]Hit, int(count))
	for i := range hits {
		hits[i] = Hit{Pattern: uint32(chits[i].pattern), End: uint64(chits[i].end)}
	}
	return hits, nil
}
