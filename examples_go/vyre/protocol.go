package vyre

// #include <vyre.h>
import "C"

import (
	"unsafe"
)

// Wire-format numbers from vyre.h that Go callers need.
const (
	SlotBytes      = C.VYRE_SLOT_BYTES
	SlotMaxArgs    = C.VYRE_SLOT_MAX_ARGS
	PriorityNormal = C.VYRE_PRIORITY_NORMAL

	StateEmpty     = C.VYRE_STATE_EMPTY
	StatePublished = C.VYRE_STATE_PUBLISHED
	StateDone      = C.VYRE_STATE_DONE

	OpStoreU32   = C.VYRE_OP_STORE_U32
	OpAtomicAdd  = C.VYRE_OP_ATOMIC_ADD
	OpBatchFence = C.VYRE_OP_BATCH_FENCE
)

// bytesPtr passes a Go byte slice to C as (pointer, length). The slice holds no Go
// pointers and C does not keep it, which is what cgo's pointer rules require.
func bytesPtr(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// sized runs a vyre encoder twice: first with a NULL buffer to ask for the size, then
// into a Go slice of exactly that size (the `(buf, len, out_written)` convention).
func sized(op string, encode func(buf *C.uint8_t, n C.size_t, written *C.size_t, cerr **C.vyre_error) C.vyre_status) ([]byte, error) {
	var need C.size_t
	var cerr *C.vyre_error
	if err := check(op, encode(nil, 0, &need, &cerr), cerr); err != nil {
		return nil, err
	}
	buf := make([]byte, int(need))
	var written C.size_t
	cerr = nil
	p, n := bytesPtr(buf)
	if err := check(op, encode(p, n, &written, &cerr), cerr); err != nil {
		return nil, err
	}
	return buf[:int(written)], nil
}

// EncodeControl returns a control buffer allowing tenants 0..tenantCount-1, with
// observableSlots result words and default priority partitions for ringSlots slots.
func EncodeControl(tenantCount, observableSlots, ringSlots uint32) ([]byte, error) {
	return sized("vyre_control_encode", func(buf *C.uint8_t, n C.size_t, w *C.size_t, e **C.vyre_error) C.vyre_status {
		return C.vyre_control_encode(0, C.uint32_t(tenantCount), C.uint32_t(observableSlots), C.uint32_t(ringSlots), buf, n, w, e)
	})
}

// EncodeControlInto writes a control buffer into dst and returns the bytes written.
// A too-small dst fails with ErrInsufficientSize, Error.RequiredSize set, dst untouched.
func EncodeControlInto(dst []byte, tenantCount, observableSlots, ringSlots uint32) (int, error) {
	var written C.size_t
	var cerr *C.vyre_error
	p, n := bytesPtr(dst)
	if p == nil {
		// A nil buffer would be a size query; make an empty dst a real too-small buffer.
		var one [1]byte
		p = (*C.uint8_t)(unsafe.Pointer(&one[0]))
	}
	st := C.vyre_control_encode(0, C.uint32_t(tenantCount), C.uint32_t(observableSlots), C.uint32_t(ringSlots), p, n, &written, &cerr)
	if err := check("vyre_control_encode", st, cerr); err != nil {
		return 0, err
	}
	return int(written), nil
}

// EncodeEmptyRing returns a ring of slotCount EMPTY 64-byte slots.
func EncodeEmptyRing(slotCount uint32) ([]byte, error) {
	return sized("vyre_ring_encode_empty", func(buf *C.uint8_t, n C.size_t, w *C.size_t, e **C.vyre_error) C.vyre_status {
		return C.vyre_ring_encode_empty(C.uint32_t(slotCount), buf, n, w, e)
	})
}

// BatchItem is one work item of a batch: an opcode and up to SlotMaxArgs arguments.
type BatchItem struct {
	Opcode uint32
	Args   []uint32
}

// BatchPublish publishes items into ring slots start.. followed by a BATCH_FENCE slot
// (args [len(items), tag]) and returns the number of slots written (len(items)+1).
// All-or-nothing: on error the ring is unchanged.
func BatchPublish(ring []byte, start, tenant, priority uint32, items []BatchItem, tag uint32) (uint32, error) {
	citems := make([]C.vyre_batch_item, len(items))
	for i, it := range items {
		if len(it.Args) > SlotMaxArgs {
			return 0, &Error{Op: "vyre_ring_batch_publish", Status: ErrInvalidArgument,
				Message: "a batch item has more than 12 args; split the work or pack the args"}
		}
		citems[i].opcode = C.uint32_t(it.Opcode)
		citems[i].arg_count = C.uint32_t(len(it.Args))
		for j, a := range it.Args {
			citems[i].args[j] = C.uint32_t(a)
		}
	}
	var itemsPtr *C.vyre_batch_item
	if len(citems) > 0 {
		itemsPtr = &citems[0]
	}
	var published C.uint32_t
	var cerr *C.vyre_error
	p, n := bytesPtr(ring)
	st := C.vyre_ring_batch_publish(p, n, C.uint32_t(start), C.uint32_t(tenant), C.uint32_t(priority),
		itemsPtr, C.size_t(len(citems)), C.uint32_t(tag), &published, &cerr)
	if err := check("vyre_ring_batch_publish", st, cerr); err != nil {
		return 0, err
	}
	return uint32(published), nil
}

// Slot is one decoded ring slot.
type Slot struct {
	Status, Opcode, Tenant, Priority uint32
	Args                             [SlotMaxArgs]uint32
}

// ReadSlot decodes slot index of ring.
func ReadSlot(ring []byte, index uint32) (Slot, error) {
	var cs C.vyre_slot
	var cerr *C.vyre_error
	p, n := bytesPtr(ring)
	if err := check("vyre_ring_read_slot", C.vyre_ring_read_slot(p, n, C.uint32_t(index), &cs, &cerr), cerr); err != nil {
		return Slot{}, err
	}
	s := Slot{Status: uint32(cs.status), Opcode: uint32(cs.opcode), Tenant: uint32(cs.tenant), Priority: uint32(cs.priority)}
	for i := range s.Args {
		s.Args[i] = uint32(cs.args[i])
	}
	return s, nil
}

// CountDone counts the DONE slots among the first items slots of ring.
func CountDone(ring []byte, items int) (uint64, error) {
	var count C.uint64_t
	var cerr *C.vyre_error
	p, n := bytesPtr(ring)
	if err := check("vyre_ring_count_done", C.vyre_ring_count_done(p, n, C.size_t(items), &count, &cerr), cerr); err != nil {
		return 0, err
	}
	return uint64(count), nil
}

// ReadDoneCount reads the kernel's DONE counter from a control buffer.
func ReadDoneCount(control []byte) (uint32, error) {
	var out C.uint32_t
	var cerr *C.vyre_error
	p, n := bytesPtr(control)
	if err := check("vyre_control_read_done_count", C.vyre_control_read_done_count(p, n, &out, &cerr), cerr); err != nil {
		return 0, err
	}
	return uint32(out), nil
}
