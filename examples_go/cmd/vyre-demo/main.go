// vyre-demo: the smallest Go program using libvyre through cgo. It checks that the
// library it runs against matches the header it was built with, then shows how a vyre
// failure surfaces as an ordinary wrapped Go error.
package main

import (
	"errors"
	"fmt"
	"os"

	"example.com/vyre-go/vyre"
)

func run() error {
	if vyre.Version() != vyre.HeaderVersion {
		return fmt.Errorf("libvyre %s does not match vyre.h (%d)", vyre.VersionString(), vyre.HeaderVersion)
	}
	fmt.Printf("vyre %s (status 0 = %q)\n", vyre.VersionString(), vyre.OK.String())

	// Errors are returned objects: wrap them with context like any Go error.
	err := vyre.DebugTriggerPanic()
	if err == nil {
		return errors.New("the panic hook reported success")
	}
	wrapped := fmt.Errorf("panic boundary check: %w", err)
	var vErr *vyre.Error
	if !errors.Is(wrapped, vyre.ErrPanic) || !errors.As(wrapped, &vErr) {
		return fmt.Errorf("unexpected error: %v", wrapped)
	}
	fmt.Printf("caught as a Go error: %v\n", wrapped)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vyre-demo:", err)
		os.Exit(1)
	}
}
