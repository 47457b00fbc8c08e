//go:build !vyre_static

package vyre

// Default: link the shared library (libvyre.so.0) found through pkg-config.

// #cgo pkg-config: vyre
import "C"
