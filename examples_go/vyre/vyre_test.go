package vyre_test

import (
	"errors"
	"fmt"
	"testing"

	"example.com/vyre-go/vyre"
)

func TestVersionMatchesHeader(t *testing.T) {
	if got := vyre.Version(); got != vyre.HeaderVersion {
		t.Fatalf("libvyre reports version %d, vyre.h says %d", got, vyre.HeaderVersion)
	}
	v := vyre.Version()
	want := fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
	if got := vyre.VersionString(); got != want {
		t.Fatalf("VersionString() = %q, want %q", got, want)
	}
}

func TestStatusStrings(t *testing.T) {
	if got := vyre.OK.String(); got != "ok" {
		t.Fatalf("OK.String() = %q, want \"ok\"", got)
	}
	if got := vyre.Status(9999).String(); got != "unknown vyre status" {
		t.Fatalf("unknown status string = %q", got)
	}
	seen := map[string]vyre.Status{}
	for s := vyre.ErrNullPointer; s <= vyre.ErrIO; s++ {
		msg := s.String()
		if msg == "" || msg == "unknown vyre status" {
			t.Fatalf("status %d has no description", s)
		}
		if prev, dup := seen[msg]; dup {
			t.Fatalf("statuses %d and %d share the description %q", prev, s, msg)
		}
		seen[msg] = s
	}
}

// A panic inside libvyre comes back as an ordinary Go error that keeps its status
// through wrapping.
func TestPanicBecomesWrappedError(t *testing.T) {
	err := fmt.Errorf("warming up: %w", vyre.DebugTriggerPanic())
	if !errors.Is(err, vyre.ErrPanic) {
		t.Fatalf("errors.Is(%v, ErrPanic) = false", err)
	}
	if errors.Is(err, vyre.ErrPoisoned) {
		t.Fatalf("a panic error must not match ErrPoisoned")
	}
	var vErr *vyre.Error
	if !errors.As(err, &vErr) {
		t.Fatalf("errors.As(%v, *vyre.Error) = false", err)
	}
	if vErr.Op != "vyre_debug_trigger_panic" || vErr.Status != vyre.ErrPanic || vErr.Message == "" {
		t.Fatalf("unexpected error details: %+v", *vErr)
	}
	if vErr.RequiredSize != 0 {
		t.Fatalf("RequiredSize = %d for a non-size error", vErr.RequiredSize)
	}
}
