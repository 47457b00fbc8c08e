// vyre-demo: the smallest Go program using libvyre through cgo. It encodes a control
// block and a ring, publishes a batch, decodes it, plays the kernel's part by marking
// items DONE, counts them, shows a vyre failure surfacing as a wrapped Go error, and
// scans a buffer for a small pattern set.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"example.com/vyre-go/vyre"
)

func run() error {
	if vyre.Version() != vyre.HeaderVersion {
		return fmt.Errorf("libvyre %s does not match vyre.h (%d)", vyre.VersionString(), vyre.HeaderVersion)
	}
	fmt.Printf("vyre %s from Go\n", vyre.VersionString())

	const slots = 8
	control, err := vyre.EncodeControl(1, 0, slots)
	if err != nil {
		return fmt.Errorf("encoding control: %w", err)
	}
	ring, err := vyre.EncodeEmptyRing(slots)
	if err != nil {
		return fmt.Errorf("encoding ring: %w", err)
	}
	batch := []vyre.BatchItem{
		{Opcode: vyre.OpStoreU32, Args: []uint32{0, 42}},
		{Opcode: vyre.OpAtomicAdd, Args: []uint32{1, 5}},
		{Opcode: vyre.OpStoreU32, Args: []uint32{2, 7}},
	}
	n, err := vyre.BatchPublish(ring, 0, 0, vyre.PriorityNormal, batch, 0x600D)
	if err != nil {
		return fmt.Errorf("publishing batch: %w", err)
	}
	fmt.Printf("published %d slots (%d items + fence) into a %d-byte ring, control %d bytes\n",
		n, len(batch), len(ring), len(control))
	for i := uint32(0); i < n; i++ {
		s, err := vyre.ReadSlot(ring, i)
		if err != nil {
			return fmt.Errorf("decoding slot %d: %w", i, err)
		}
		fmt.Printf("  slot %d: status %d opcode %d args %v\n", i, s.Status, s.Opcode, s.Args[:2])
	}

	// On a GPU the kernel marks finished slots DONE; here we do it by hand.
	for i := 0; i < len(batch); i++ {
		binary.LittleEndian.PutUint32(ring[i*vyre.SlotBytes:], vyre.StateDone)
	}
	done, err := vyre.CountDone(ring, len(batch))
	if err != nil {
		return fmt.Errorf("counting done: %w", err)
	}
	fmt.Printf("done: %d of %d\n", done, len(batch))

	// Errors are values returned by each call: wrap them with context as usual.
	_, err = vyre.BatchPublish(ring, 2, 0, vyre.PriorityNormal, batch, 1)
	wrapped := fmt.Errorf("republishing over the fence: %w", err)
	if !errors.Is(wrapped, vyre.ErrSlotInFlight) {
		return fmt.Errorf("expected a slot-in-flight error, got %v", err)
	}
	fmt.Printf("expected failure: %v\n", wrapped)

	// Scan a buffer for a pattern set (CPU backend here; the GPU backend is the default).
	dfa, err := vyre.CompileDFA([]vyre.Pattern{
		{Expression: "secret", ID: 1, Flags: vyre.PatternLiteral},
		{Expression: "key[0-9]+", ID: 2},
	})
	if err != nil {
		return fmt.Errorf("compiling patterns: %w", err)
	}
	scanner, err := vyre.NewCPUScanner(dfa, 0)
	dfa.Close()
	if err != nil {
		return fmt.Errorf("creating scanner: %w", err)
	}
	defer scanner.Close()
	hits, err := scanner.Scan([]byte("my secret key42 and key7"))
	if err != nil {
		return fmt.Errorf("scanning: %w", err)
	}
	fmt.Printf("scan hits (pattern@end): %v\n", hits)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vyre-demo:", err)
		os.Exit(1)
	}
}
