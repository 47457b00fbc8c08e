package vyre_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	"example.com/vyre-go/vyre"
)

// markDone plays the GPU kernel's part for one slot: status word (word 0) = DONE.
func markDone(ring []byte, slot int) {
	binary.LittleEndian.PutUint32(ring[slot*vyre.SlotBytes:], vyre.StateDone)
}

func TestPublishBatchAndDecode(t *testing.T) {
	ring, err := vyre.EncodeEmptyRing(8)
	if err != nil {
		t.Fatal(err)
	}
	if len(ring) != 8*64 {
		t.Fatalf("ring is %d bytes, want 512", len(ring))
	}
	items := []vyre.BatchItem{
		{Opcode: vyre.OpStoreU32, Args: []uint32{0, 7}},
		{Opcode: vyre.OpStoreU32, Args: []uint32{1, 8}},
		{Opcode: vyre.OpAtomicAdd, Args: []uint32{2, 5}},
	}
	n, err := vyre.BatchPublish(ring, 2, 1, vyre.PriorityNormal, items, 0xBEEF)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("published %d slots, want 3 items + 1 fence", n)
	}
	for i, it := range items {
		s, err := vyre.ReadSlot(ring, uint32(2+i))
		if err != nil {
			t.Fatal(err)
		}
		var want [12]uint32
		copy(want[:], it.Args)
		if s.Status != vyre.StatePublished || s.Opcode != it.Opcode || s.Tenant != 1 ||
			s.Priority != vyre.PriorityNormal || s.Args != want {
			t.Fatalf("slot %d decoded as %+v, want item %+v", 2+i, s, it)
		}
	}
	fence, err := vyre.ReadSlot(ring, 5)
	if err != nil {
		t.Fatal(err)
	}
	if fence.Status != vyre.StatePublished || fence.Opcode != vyre.OpBatchFence || fence.Args[0] != 3 || fence.Args[1] != 0xBEEF {
		t.Fatalf("fence slot decoded as %+v", fence)
	}
	for _, idx := range []uint32{0, 1, 6, 7} {
		if s, _ := vyre.ReadSlot(ring, idx); s.Status != vyre.StateEmpty {
			t.Fatalf("slot %d outside the batch has status %d", idx, s.Status)
		}
	}

	// The kernel finishes two of the three items: only those count as done.
	markDone(ring, 2)
	markDone(ring, 4)
	if done, err := vyre.CountDone(ring, 8); err != nil || done != 2 {
		t.Fatalf("CountDone = %d, %v; want 2", done, err)
	}
	// A read past the ring is an error value, not a crash.
	if _, err := vyre.ReadSlot(ring, 8); !errors.Is(err, vyre.ErrOutOfRange) {
		t.Fatalf("ReadSlot(8) of an 8-slot ring: %v, want ErrOutOfRange", err)
	}
}

func TestSlotInFlightLeavesRingUnchanged(t *testing.T) {
	ring, err := vyre.EncodeEmptyRing(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vyre.BatchPublish(ring, 0, 0, vyre.PriorityNormal, []vyre.BatchItem{{Opcode: vyre.OpStoreU32, Args: []uint32{0, 1}}}, 1); err != nil {
		t.Fatal(err)
	}
	before := append([]byte(nil), ring...)
	_, err = vyre.BatchPublish(ring, 1, 0, vyre.PriorityNormal, []vyre.BatchItem{{Opcode: vyre.OpStoreU32, Args: []uint32{0, 2}}}, 2)
	if !errors.Is(err, vyre.ErrSlotInFlight) {
		t.Fatalf("publishing over the in-flight fence: %v, want ErrSlotInFlight", err)
	}
	var vErr *vyre.Error
	if !errors.As(err, &vErr) || vErr.Op != "vyre_ring_batch_publish" || vErr.Message == "" {
		t.Fatalf("error details missing: %#v", err)
	}
	if !bytes.Equal(before, ring) {
		t.Fatal("a failed publish modified the ring")
	}
	// Once the kernel has marked them DONE, the slots can be reused.
	markDone(ring, 0)
	markDone(ring, 1)
	if _, err := vyre.BatchPublish(ring, 0, 0, vyre.PriorityNormal, []vyre.BatchItem{{Opcode: vyre.OpStoreU32, Args: []uint32{0, 3}}}, 3); err != nil {
		t.Fatalf("republishing DONE slots: %v", err)
	}
}

func TestTooSmallBufferReportsRequiredSize(t *testing.T) {
	control, err := vyre.EncodeControl(1, 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(control) != (160+4)*4 {
		t.Fatalf("control is %d bytes, want (160+4)*4", len(control))
	}
	if done, err := vyre.ReadDoneCount(control); err != nil || done != 0 {
		t.Fatalf("ReadDoneCount of a fresh control = %d, %v", done, err)
	}
	small := bytes.Repeat([]byte{0xA5}, 100)
	_, err = vyre.EncodeControlInto(small, 1, 4, 8)
	var vErr *vyre.Error
	if !errors.As(err, &vErr) || vErr.Status != vyre.ErrInsufficientSize || vErr.RequiredSize != (160+4)*4 {
		t.Fatalf("encoding into 100 bytes: %v (details %+v), want ErrInsufficientSize needing 656", err, vErr)
	}
	if !bytes.Equal(small, bytes.Repeat([]byte{0xA5}, 100)) {
		t.Fatal("a failed encode modified the caller's buffer")
	}
	if _, err := vyre.ReadDoneCount(small); !errors.Is(err, vyre.ErrMalformedBuffer) {
		t.Fatalf("ReadDoneCount of a 100-byte buffer: %v, want ErrMalformedBuffer", err)
	}
}

// vyre keeps no thread-local "last error": goroutines failing at the same time (and
// moved between OS threads by the scheduler) each get the error of their own call,
// here told apart by the size each call needed.
func TestConcurrentErrorsStayWithTheirCall(t *testing.T) {
	const goroutines, calls = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(observable uint32) {
			defer wg.Done()
			want := int(160+observable) * 4
			dst := make([]byte, 16)
			for i := 0; i < calls; i++ {
				_, err := vyre.EncodeControlInto(dst, 1, observable, 0)
				var vErr *vyre.Error
				if !errors.As(err, &vErr) || vErr.RequiredSize != want {
					errs <- fmt.Errorf("observable=%d call %d: got %v, want required size %d", observable, i, err, want)
					return
				}
			}
		}(uint32(g * 10))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
