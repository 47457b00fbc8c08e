//go:build vyre_static

package vyre

// Built with `-tags vyre_static`: link libvyre.a into the Go binary.
//
// `pkg-config --static` adds the Libs.private natives the Rust archive needs
// (-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc). Because pkg-config can only say
// `-lvyre`, and the linker prefers libvyre.so when both are installed, we name the
// archive explicitly first (-l:libvyre.a) and let --as-needed drop the unused .so.

// #cgo pkg-config: --static vyre
// #cgo LDFLAGS: -Wl,--as-needed -l:libvyre.a
import "C"
