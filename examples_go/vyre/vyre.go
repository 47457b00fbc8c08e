// Package vyre is a small, idiomatic Go binding over the vyre C library (libvyre).
//
// It shows the patterns a Go program needs for any vyre call:
//
//   - Errors are objects returned by each call (`vyre_error **out_error`), never
//     thread-local state, so a call's error cannot be lost when the Go scheduler moves
//     a goroutine to another OS thread. Every failed call becomes a *Error that wraps
//     its Status, so callers use errors.Is(err, vyre.ErrInsufficientSize) and
//     errors.As(err, &vErr) and can add context with fmt.Errorf("...: %w", err).
//   - Bulk data lives in caller-owned Go slices passed as (pointer, length). cgo allows
//     this because the slices contain no Go pointers and C does not keep them.
//
// The library is found with pkg-config (`#cgo pkg-config: vyre`); build with
// `-tags vyre_static` to link libvyre.a instead of libvyre.so.
package vyre

// #include <vyre.h>
import "C"

import (
	"fmt"
)

// Status is a vyre_status code. It implements error so that it can be the target of
// errors.Is; a Status on its own carries no message (see Error).
type Status int32

// Status codes of vyre.h (values are never renumbered).
const (
	OK                  Status = C.VYRE_OK
	ErrNullPointer      Status = C.VYRE_ERROR_NULL_POINTER
	ErrInvalidArgument  Status = C.VYRE_ERROR_INVALID_ARGUMENT
	ErrInsufficientSize Status = C.VYRE_ERROR_INSUFFICIENT_SIZE
	ErrSlotInFlight     Status = C.VYRE_ERROR_SLOT_IN_FLIGHT
	ErrMalformedBuffer  Status = C.VYRE_ERROR_MALFORMED_BUFFER
	ErrOutOfRange       Status = C.VYRE_ERROR_OUT_OF_RANGE
	ErrOverflow         Status = C.VYRE_ERROR_OVERFLOW
	ErrUnsupported      Status = C.VYRE_ERROR_UNSUPPORTED
	ErrOutOfMemory      Status = C.VYRE_ERROR_OUT_OF_MEMORY
	ErrShader           Status = C.VYRE_ERROR_SHADER
	ErrDeviceLost       Status = C.VYRE_ERROR_DEVICE_LOST
	ErrNoAdapter        Status = C.VYRE_ERROR_NO_ADAPTER
	ErrGPU              Status = C.VYRE_ERROR_GPU
	ErrTimeout          Status = C.VYRE_ERROR_TIMEOUT
	ErrPanic            Status = C.VYRE_ERROR_PANIC
	ErrPoisoned         Status = C.VYRE_ERROR_POISONED
	ErrPattern          Status = C.VYRE_ERROR_PATTERN
	ErrTooLarge         Status = C.VYRE_ERROR_TOO_LARGE
	ErrIO               Status = C.VYRE_ERROR_IO
)

// String is the library's own description of the code (vyre_status_string).
func (s Status) String() string {
	return C.GoString(C.vyre_status_string(C.vyre_status(s)))
}

// Error makes a Status usable as an errors.Is target.
func (s Status) Error() string { return "vyre: " + s.String() }

// Error is a failed vyre call: the operation, its status, the library's message (what
// was wrong and how to fix it) and, for ErrInsufficientSize, the size that was needed.
type Error struct {
	Op           string // C function that failed, e.g. "vyre_batch_publish"
	Status       Status
	Message      string
	RequiredSize int // bytes or elements as documented by the call; 0 if not a size error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Op, e.Message, e.Status.String())
}

// Unwrap exposes the Status, so errors.Is(err, vyre.ErrPanic) matches.
func (e *Error) Unwrap() error { return e.Status }

// check converts a call's status and error object into a Go error and frees the object.
// It must be called exactly once per call that was given &cerr.
func check(op string, status C.vyre_status, cerr *C.vyre_error) error {
	if cerr != nil {
		defer C.vyre_error_free(cerr)
	}
	if status == C.VYRE_OK {
		return nil
	}
	e := &Error{Op: op, Status: Status(status)}
	if cerr != nil {
		e.Message = C.GoString(C.vyre_error_message(cerr))
		e.RequiredSize = int(C.vyre_error_required_size(cerr))
	}
	return e
}

// Version is the packed runtime version (MAJOR*1000000 + MINOR*1000 + PATCH).
func Version() uint32 { return uint32(C.vyre_version()) }

// VersionString is the runtime version as "MAJOR.MINOR.PATCH".
func VersionString() string { return C.GoString(C.vyre_version_string()) }

// HeaderVersion is VYRE_VERSION_NUMBER from the vyre.h this package was compiled with;
// it differs from Version() when the binary runs against another libvyre.
const HeaderVersion uint32 = C.VYRE_VERSION_NUMBER

// DebugTriggerPanic calls the library's panic-boundary test hook. It always fails with
// an *Error whose Status is ErrPanic: a panic inside libvyre never crosses into Go.
func DebugTriggerPanic() error {
	var cerr *C.vyre_error
	st := C.vyre_debug_trigger_panic(&cerr)
	return check("vyre_debug_trigger_panic", st, cerr)
}
