//! Unit tests pinning every number and FIX of SPEC §1.

use super::*;
use crate::error::Status;

fn w(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
}

fn set_w(b: &mut [u8], i: usize, v: u32) {
    b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
}

/// Run a failing mutation on a copy and check the error status and that nothing changed.
fn rejects<F: FnOnce(&mut [u8]) -> crate::Result<R>, R: std::fmt::Debug>(
    buf: &[u8],
    status: Status,
    f: F,
) {
    let mut copy = buf.to_vec();
    let err = f(&mut copy).expect_err("call must fail");
    assert_eq!(err.status, status, "{}", err.message);
    assert_eq!(copy, buf, "a rejected call must leave the buffer unchanged");
}

// ----- frozen numbers -----------------------------------------------------------------

#[test]
fn abi_numbers_are_pinned() {
    assert_eq!(
        (
            SLOT_WORDS,
            SLOT_ARGS,
            CONTROL_WORDS,
            IO_SLOT_WORDS,
            DEBUG_RECORD_WORDS
        ),
        (16, 12, 160, 8, 4)
    );
    assert_eq!((DEFAULT_DEBUG_RECORDS, DEFAULT_IO_SLOTS), (64, 64));
    assert_eq!(
        (MAX_RING_SLOTS, MAX_OBSERVABLE_SLOTS, MAX_DEBUG_RECORDS),
        (1 << 20, 1 << 20, 1 << 20)
    );
    use abi::control as c;
    assert_eq!(
        (c::SHUTDOWN, c::DONE_COUNT, c::TENANT_BASE, c::TENANT_TABLE),
        (0, 1, 2, 3)
    );
    assert_eq!((c::TENANT_TABLE_WORDS, c::MAX_TENANTS), (29, 928));
    assert_eq!(
        (c::TENANT_QUOTA, c::TENANT_FAIRNESS, c::METRICS, c::EPOCH),
        (32, 64, 96, 128)
    );
    assert_eq!(
        (
            c::PRIORITY_OFFSETS,
            c::STARVATION,
            c::PRIORITY_FAIRNESS,
            c::FAULT_COUNT
        ),
        (129, 135, 136, 141)
    );
    assert_eq!((c::RESERVED_START, c::OBSERVABLE), (142, 160));
    use abi::slot as s;
    assert_eq!(
        (
            s::STATUS,
            s::OPCODE,
            s::TENANT,
            s::PRIORITY,
            s::ARGS,
            s::FAULT_CODE
        ),
        (0, 1, 2, 3, 4, 15)
    );
    use abi::state as st;
    assert_eq!(
        [
            st::EMPTY,
            st::PUBLISHED,
            st::CLAIMED,
            st::DONE,
            st::WAIT_IO,
            st::YIELD,
            st::REQUEUE,
            st::FAULT
        ],
        [0, 1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!((st::IO_OK, st::IO_ERROR), (0x10, 0x11));
    use abi::priority as p;
    assert_eq!(
        [p::CRITICAL, p::HIGH, p::NORMAL, p::LOW, p::IDLE],
        [0, 1, 2, 3, 4]
    );
    use abi::op as o;
    assert_eq!(
        [
            o::NOP,
            o::STORE_U32,
            o::ATOMIC_ADD,
            o::LOAD_U32,
            o::COMPARE_SWAP,
            o::MEMCPY,
            o::DFA_STEP,
            o::BATCH_FENCE
        ],
        [0, 1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        (o::SCANNER_FIRST, o::SCANNER_LAST, o::DFA_SCAN),
        (0xFFF0, 0xFFFC, 0xFFF0)
    );
    assert_eq!(
        (o::LOAD_MISS, o::PRINTF, o::PACKED_SLOT, o::SHUTDOWN),
        (0xFFFD, 0xFFFE, 0x8000_0001, 0xFFFF_FFFF)
    );
    assert_eq!(
        (o::TENANT_WINDOW_BASE, o::TENANT_WINDOW_SIZE),
        (0x4000_0000, 1 << 20)
    );
    use abi::io as i;
    assert_eq!(
        [
            i::OP,
            i::SRC,
            i::DST,
            i::OFFSET_LO,
            i::OFFSET_HI,
            i::BYTES,
            i::STATUS,
            i::TAG
        ],
        [0, 1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!((i::READ, i::WRITE, i::FENCE), (1, 2, 3));
    assert_eq!(PACKED_MAX_OPS, 23);
    assert_eq!(DEFAULT_PRIORITY, p::NORMAL);
    assert_eq!(
        (
            TASK_FLAG_PAUSED,
            TASK_FLAG_YIELDED,
            TASK_FLAG_REQUEUE_REQUESTED,
            TASK_FLAG_RESUME_READY
        ),
        (1, 2, 4, 8)
    );
}

// ----- control ------------------------------------------------------------------------

#[test]
fn control_layout_and_sizes() {
    assert_eq!(control_len(0).unwrap(), 640);
    assert_eq!(control_len(7).unwrap(), 167 * 4);
    assert_eq!(control_len(1 << 20).unwrap(), (160 + (1 << 20)) * 4);
    assert_eq!(
        control_len((1 << 20) + 1).unwrap_err().status,
        Status::OutOfRange
    );

    let c = encode_control(true, 40, 4, 40).unwrap();
    assert_eq!(c.len(), 164 * 4);
    assert_eq!(w(&c, 0), 1, "shutdown");
    assert_eq!(w(&c, 1), 0);
    assert_eq!(w(&c, 2), 3, "tenant base");
    assert_eq!(w(&c, 3), u32::MAX, "tenants 0..32");
    assert_eq!(w(&c, 4), 0xFF, "tenants 32..40");
    assert!((5..32).all(|i| w(&c, i) == 0));
    assert!(
        (32..64).all(|i| w(&c, i) == 0),
        "quotas 0 = unlimited (FIX: not 1,000,000)"
    );
    assert_eq!(
        (129..135).map(|i| w(&c, i)).collect::<Vec<_>>(),
        [0, 8, 16, 24, 32, 40]
    );
    assert!((135..164).all(|i| w(&c, i) == 0));
    assert_eq!(
        encode_control(false, 0, 0, 0)
            .unwrap()
            .iter()
            .filter(|b| **b != 0)
            .count(),
        1,
        "only TENANT_BASE"
    );
}

#[test]
fn tenant_bitmap_fix() {
    let c = encode_control(false, 928, 0, 0).unwrap();
    assert!((3..32).all(|i| w(&c, i) == u32::MAX));
    assert!(is_tenant_allowed(&c, 927).unwrap());
    assert_eq!(
        is_tenant_allowed(&c, 928).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(
        encode_control(false, 929, 0, 0).unwrap_err().status,
        Status::OutOfRange
    );
    let c = encode_control(false, 33, 0, 0).unwrap();
    assert!(is_tenant_allowed(&c, 0).unwrap() && is_tenant_allowed(&c, 32).unwrap());
    assert!(!is_tenant_allowed(&c, 33).unwrap());
    let mut c = c;
    set_tenant_allowed(&mut c, 927, true).unwrap();
    assert_eq!(w(&c, 3 + 28), 1 << 31, "tenant 927 = bit 31 of word 31");
    set_tenant_allowed(&mut c, 0, false).unwrap();
    assert_eq!(w(&c, 3), u32::MAX - 1);
    rejects(&c, Status::OutOfRange, |b| set_tenant_allowed(b, 928, true));
}

#[test]
fn default_priority_partitions() {
    assert_eq!(default_priority_offsets(40), [0, 8, 16, 24, 32, 40]);
    assert_eq!(
        default_priority_offsets(42),
        [0, 8, 16, 26, 34, 42],
        "remainder to NORMAL"
    );
    assert_eq!(default_priority_offsets(3), [0, 0, 0, 3, 3, 3]);
    let mut c = encode_control(false, 1, 0, 0).unwrap();
    assert_eq!(
        read_priority_offsets(&c).unwrap(),
        [0; 6],
        "0 ring slots = no table"
    );
    set_priority_partitions(&mut c, 40).unwrap();
    assert_eq!(read_priority_offsets(&c).unwrap(), [0, 8, 16, 24, 32, 40]);
    set_priority_offsets(&mut c, &[0, 1, 1, 5, 9, 10]).unwrap();
    assert_eq!(
        (129..135).map(|i| w(&c, i)).collect::<Vec<_>>(),
        [0, 1, 1, 5, 9, 10]
    );
    rejects(&c, Status::InvalidArgument, |b| {
        set_priority_offsets(b, &[0, 5, 4, 6, 7, 8])
    });
    rejects(&c, Status::InvalidArgument, |b| {
        set_priority_offsets(b, &[1, 5, 5, 6, 7, 8])
    });
    rejects(&c, Status::OutOfRange, |b| {
        set_priority_partitions(b, (1 << 20) + 1)
    });
    set_priority_partitions(&mut c, 0).unwrap();
    assert_eq!(read_priority_offsets(&c).unwrap(), [0; 6]);
}

#[test]
fn control_into_caller_storage() {
    let mut dst = vec![0xAAu8; 700];
    assert_eq!(encode_control_into(false, 2, 1, 5, &mut dst).unwrap(), 644);
    assert_eq!(w(&dst, 3), 3);
    assert_eq!(dst[644..], [0xAA; 56], "bytes past the length untouched");
    let small = vec![0x55u8; 643];
    rejects(&small, Status::InsufficientSize, |b| {
        encode_control_into(false, 2, 1, 5, b)
    });
    let e = encode_control_into(false, 2, 1, 5, &mut [0; 10]).unwrap_err();
    assert_eq!(e.required, 644);
}

#[test]
fn control_readers_are_strict() {
    let mut c = encode_control(false, 1, 3, 0).unwrap();
    set_w(&mut c, 1, 11);
    set_w(&mut c, 128, 22);
    set_w(&mut c, 141, 33);
    set_w(&mut c, 96 + 5, 44);
    set_w(&mut c, 162, 55);
    assert_eq!(read_done_count(&c).unwrap(), 11);
    assert_eq!(read_epoch(&c).unwrap(), 22);
    assert_eq!(read_fault_count(&c).unwrap(), 33);
    assert_eq!(read_metrics(&c).unwrap()[5], 44);
    assert_eq!(read_metric(&c, 5).unwrap(), 44);
    assert_eq!(read_metric(&c, 32).unwrap_err().status, Status::OutOfRange);
    assert_eq!(read_observable(&c, 2).unwrap(), 55);
    assert_eq!(
        read_observable(&c, 3).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(observable_count(&c).unwrap(), 3);
    assert_eq!(read_control_word(&c, 162).unwrap(), 55);
    assert_eq!(
        read_control_word(&c, 163).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(
        read_done_count(&c[..639]).unwrap_err().status,
        Status::MalformedBuffer
    );
    assert_eq!(
        read_done_count(&c[..636]).unwrap_err().status,
        Status::MalformedBuffer
    );
    assert_eq!(
        read_epoch(&c[..641]).unwrap_err().status,
        Status::MalformedBuffer
    );
    assert!(!read_shutdown(&c).unwrap());
    set_shutdown(&mut c, true).unwrap();
    assert!(read_shutdown(&c).unwrap());
}

#[test]
fn tenant_quotas() {
    let mut c = encode_control(false, 1, 0, 0).unwrap();
    set_tenant_quota(&mut c, 31, 7).unwrap();
    assert_eq!(w(&c, 63), 7);
    assert_eq!(read_tenant_quota(&c, 31).unwrap(), 7);
    rejects(&c, Status::OutOfRange, |b| set_tenant_quota(b, 32, 1));
    set_w(&mut c, 64 + 4, 9);
    assert_eq!(read_tenant_claims(&c, 4).unwrap(), 9);
}

// ----- ring ---------------------------------------------------------------------------

#[test]
fn ring_sizes_and_caps() {
    assert_eq!(ring_len(1).unwrap(), 64);
    assert_eq!(ring_len(1 << 20).unwrap(), 64 << 20);
    assert_eq!(
        ring_len((1 << 20) + 1).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(ring_len(0).unwrap_err().status, Status::InvalidArgument);
    assert_eq!(encode_empty_ring(3).unwrap(), vec![0u8; 192]);
    assert_eq!(
        ring_slot_count(&[0u8; 65]).unwrap_err().status,
        Status::MalformedBuffer
    );
    assert_eq!(
        ring_slot_count(&[]).unwrap_err().status,
        Status::MalformedBuffer
    );
}

#[test]
fn publish_one_slot() {
    let mut ring = encode_empty_ring(4).unwrap();
    // Args are zeroed first: leave garbage in a DONE slot and republish with fewer args.
    for i in 0..16 {
        set_w(&mut ring, 16 + i, 0xDEAD);
    }
    set_w(&mut ring, 16, state::DONE);
    publish_slot_with_priority(&mut ring, 1, 5, priority::HIGH, op::STORE_U32, &[9, 170]).unwrap();
    let s = read_slot(&ring, 1).unwrap();
    assert_eq!((s.status, s.opcode, s.tenant, s.priority), (1, 1, 5, 1));
    assert_eq!(s.args, [9, 170, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    publish_slot(&mut ring, 0, 0, op::NOP, &[]).unwrap();
    assert_eq!(read_slot(&ring, 0).unwrap().priority, priority::NORMAL);
    publish_slot(&mut ring, 2, 0, 8, &[1; 12]).unwrap();

    rejects(&ring, Status::SlotInFlight, |r| {
        publish_slot(r, 1, 0, 0, &[])
    });
    rejects(&ring, Status::OutOfRange, |r| publish_slot(r, 4, 0, 0, &[]));
    rejects(&ring, Status::OutOfRange, |r| {
        publish_slot(r, 3, 928, 0, &[])
    });
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot(r, 3, 0, 8, &[0; 13])
    });
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot_with_priority(r, 3, 0, 5, 0, &[])
    });
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot(r, 3, 0, 0xFFF1, &[])
    });
    rejects(&ring, Status::MalformedBuffer, |r| {
        publish_slot(&mut r[..100], 0, 0, 0, &[])
    });
    // Every non-EMPTY/DONE status, garbage included, is in flight.
    for st in [2u32, 4, 5, 6, 7, 8, 0x10, 0xFFFF_FFFF] {
        let mut r = encode_empty_ring(1).unwrap();
        set_w(&mut r, 0, st);
        rejects(&r, Status::SlotInFlight, |r| publish_slot(r, 0, 0, 0, &[]));
    }
    let mut r = encode_empty_ring(1).unwrap();
    set_w(&mut r, 0, 1);
    rejects(&r, Status::SlotInFlight, |r| publish_slot(r, 0, 0, 0, &[]));
    // Tenant 927 is the last valid tenant.
    publish_slot(&mut ring, 3, 927, 0, &[]).unwrap();
}

#[test]
fn opcode_classes() {
    for op in [
        0u32,
        7,
        0xFFF0,
        0xFFFC,
        0xFFFD,
        0xFFFE,
        0xFFFF,
        0x8000_0000,
        0x8000_0001,
        u32::MAX,
    ] {
        assert!(is_system_opcode(op), "{op:#x}");
    }
    for op in [8u32, 0xFFEF, 0x1_0000, 0x7FFF_FFFF, 0x4000_0000] {
        assert!(is_user_opcode(op) && is_publishable_opcode(op), "{op:#x}");
    }
    for op in [
        0u32,
        7,
        op::DFA_SCAN,
        op::LOAD_MISS,
        op::PRINTF,
        op::PACKED_SLOT,
        op::SHUTDOWN,
    ] {
        assert_eq!(classify_opcode(op), OpcodeClass::Builtin, "{op:#x}");
    }
    for op in [
        0xFFF1u32,
        0xFFFC,
        0xFFFF,
        0x8000_0000,
        0x8000_0002,
        0xFFFF_FFFE,
    ] {
        assert_eq!(classify_opcode(op), OpcodeClass::Reserved, "{op:#x}");
        assert!(!is_publishable_opcode(op));
    }
    assert_eq!(tenant_opcode_window(0).unwrap(), (0x4000_0000, 0x4010_0000));
    assert_eq!(tenant_opcode_window(3).unwrap(), (0x4030_0000, 0x4040_0000));
    assert_eq!(
        tenant_opcode_window(927).unwrap(),
        (0x79F0_0000, 0x7A00_0000)
    );
    assert_eq!(
        tenant_opcode_window(928).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(opcode_tenant(0x4030_0001), Some(3));
    assert_eq!(opcode_tenant(0x3FFF_FFFF), None);
    assert_eq!(opcode_tenant(0x7A00_0000), None);
    // Window ownership is enforced on publish.
    let mut ring = encode_empty_ring(2).unwrap();
    publish_slot(&mut ring, 0, 3, 0x4030_0001, &[]).unwrap();
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot(r, 1, 4, 0x4030_0001, &[])
    });
}

#[test]
fn packed_slot_layout() {
    assert_eq!(packed_metadata_words(1), 1);
    assert_eq!(packed_metadata_words(3), 2);
    assert_eq!(packed_metadata_words(23), 12);
    let args = pack_ops(&[(1u8, vec![5u32, 170]), (0, vec![]), (2, vec![1, 171])]).unwrap();
    // 3 ops → 2 metadata words; count 3, total 4, (1,0), (0,2), (2,2).
    assert_eq!(args[0], 3 | 4 << 8 | 1 << 16);
    assert_eq!(args[1], 2 << 8 | 2 << 16 | 2 << 24);
    assert_eq!(args[2..6], [5, 170, 1, 171]);
    let ops = unpack_ops(&args).unwrap();
    assert_eq!(ops.len(), 3);
    assert_eq!(
        ops[2],
        PackedOp {
            opcode: 2,
            args: vec![1, 171]
        }
    );
    assert!(ops[1].args.is_empty());
    // 23 arg-less ops fit; 24 do not; FIX: every accepted op is decoded (not just 4).
    let ops23: Vec<(u8, [u32; 0])> = (0..23).map(|i| (i as u8, [])).collect();
    assert_eq!(unpack_ops(&pack_ops(&ops23).unwrap()).unwrap().len(), 23);
    let ops24: Vec<(u8, [u32; 0])> = (0..24).map(|i| (i as u8, [])).collect();
    assert_eq!(
        pack_ops(&ops24).unwrap_err().status,
        Status::InvalidArgument
    );
    assert_eq!(
        pack_ops::<[u32; 0]>(&[]).unwrap_err().status,
        Status::InvalidArgument
    );
    // 1 op: 1 metadata word + 11 args fits, 12 does not.
    pack_ops(&[(9u8, vec![0u32; 11])]).unwrap();
    assert_eq!(
        pack_ops(&[(9u8, vec![0u32; 12])]).unwrap_err().status,
        Status::InvalidArgument
    );

    let mut ring = encode_empty_ring(2).unwrap();
    publish_packed_slot(&mut ring, 1, 2, &[(1u8, [7u32, 170]), (2, [1, 171])]).unwrap();
    let s = read_slot(&ring, 1).unwrap();
    assert_eq!(
        (s.status, s.opcode, s.tenant, s.priority),
        (1, op::PACKED_SLOT, 2, 2)
    );
    assert_eq!(unpack_ops(&s.args).unwrap()[1].args, vec![1, 171]);
    rejects(&ring, Status::SlotInFlight, |r| {
        publish_packed_slot(r, 1, 2, &[(1u8, [0u32])])
    });
    // A raw PACKED_SLOT publish is checked the same way.
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot(r, 0, 0, op::PACKED_SLOT, &[0])
    });
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_slot(r, 0, 0, op::PACKED_SLOT, &[1 | 12 << 8])
    });
    publish_slot(&mut ring, 0, 0, op::PACKED_SLOT, &args).unwrap();
}

#[test]
fn batch_publish_writes_items_and_fence() {
    let mut ring = encode_empty_ring(8).unwrap();
    let items: Vec<(u32, Vec<u32>)> = vec![
        (op::STORE_U32, vec![1, 170]),
        (op::NOP, vec![]),
        (9, vec![3; 12]),
    ];
    assert_eq!(
        batch_publish(&mut ring, 2, 4, &items, 0xBEEF).unwrap(),
        4,
        "N + 1"
    );
    let fence = read_slot(&ring, 5).unwrap();
    assert_eq!(
        (fence.status, fence.opcode, fence.tenant),
        (1, op::BATCH_FENCE, 4)
    );
    assert_eq!(fence.args[..3], [3, 0xBEEF, 0]);
    assert_eq!(read_slot(&ring, 2).unwrap().args[..2], [1, 170]);
    assert_eq!(read_slot(&ring, 4).unwrap().args, [3; 12]);
    assert_eq!(read_slot_status(&ring, 1).unwrap(), 0);
    assert_eq!(read_slot_status(&ring, 6).unwrap(), 0);
    // Empty batch: the fence alone.
    assert_eq!(
        batch_publish::<[u32; 0]>(&mut ring, 6, 0, &[], 1).unwrap(),
        1
    );
    // All or nothing: the fence slot (7) would be past the end, item 1 is reserved,
    // slot 5 is in flight.
    let ring2 = encode_empty_ring(8).unwrap();
    rejects(&ring2, Status::OutOfRange, |r| {
        batch_publish(r, 5, 0, &items, 0)
    });
    rejects(&ring2, Status::InvalidArgument, |r| {
        batch_publish(r, 0, 0, &[(0u32, vec![]), (0xFFF5, vec![])], 0)
    });
    rejects(&ring2, Status::InvalidArgument, |r| {
        batch_publish(r, 0, 0, &[(0u32, vec![0; 13])], 0)
    });
    rejects(&ring, Status::SlotInFlight, |r| {
        batch_publish(r, 1, 0, &[(0u32, vec![])], 0)
    });
    rejects(&ring2, Status::OutOfRange, |r| {
        batch_publish(r, 0, 928, &items, 0)
    });
}

#[test]
fn work_item_window_and_ring() {
    let items: Vec<WorkItem> = (0..5)
        .map(|i| WorkItem {
            op_handle: 8 + i,
            input_handle: i,
            output_handle: 100 + i,
            param: 7,
        })
        .collect();
    let mut ring = encode_empty_ring(8).unwrap();
    assert_eq!(publish_work_items(&mut ring, 2, 1, &items[..3]).unwrap(), 3);
    let s = read_slot(&ring, 3).unwrap();
    assert_eq!((s.status, s.opcode, s.tenant, s.priority), (1, 9, 1, 2));
    assert_eq!(s.args[..4], [1, 101, 7, 0]);
    assert_eq!(read_slot_status(&ring, 1).unwrap(), 0);
    assert_eq!(read_slot_status(&ring, 5).unwrap(), 0);
    rejects(&ring, Status::SlotInFlight, |r| {
        publish_work_items(r, 0, 1, &items[..3])
    });
    rejects(&ring, Status::OutOfRange, |r| {
        publish_work_items(r, 6, 1, &items[..3])
    });
    let bad = [WorkItem {
        op_handle: 0xFFF3,
        ..Default::default()
    }];
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_work_items(r, 0, 1, &bad)
    });
    let packed = [WorkItem {
        op_handle: op::PACKED_SLOT,
        ..Default::default()
    }];
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_work_items(r, 0, 1, &packed)
    });

    // Whole ring, bytes and words agree; slots past the items are EMPTY.
    let mut bytes = vec![0xEEu8; 8 * 64];
    assert_eq!(
        encode_work_items_ring(8, 1, &items, &mut bytes).unwrap(),
        512
    );
    let mut words = vec![0xEEEE_EEEEu32; 8 * 16];
    assert_eq!(
        encode_work_items_ring_words(8, 1, &items, &mut words).unwrap(),
        128
    );
    let from_words: Vec<u8> = words.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(bytes, from_words);
    assert_eq!(
        read_slot(&bytes, 4).unwrap(),
        Slot {
            status: 1,
            opcode: 12,
            tenant: 1,
            priority: 2,
            args: [4, 104, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        }
    );
    assert!(bytes[5 * 64..].iter().all(|b| *b == 0));
    let old = vec![0x11u8; 512];
    rejects(&old, Status::OutOfRange, |d| {
        encode_work_items_ring(4, 1, &items, d)
    });
    rejects(&old[..511], Status::InsufficientSize, |d| {
        encode_work_items_ring(8, 1, &items, d)
    });
    rejects(&old, Status::InvalidArgument, |d| {
        encode_work_items_ring(8, 1, &bad, d)
    });
    rejects(&old, Status::OutOfRange, |d| {
        encode_work_items_ring(8, 928, &items, d)
    });
    let e = encode_work_items_ring(8, 1, &items, &mut [0u8; 4]).unwrap_err();
    assert_eq!(e.required, 512);
}

#[test]
fn count_done_and_read_slot() {
    let mut ring = encode_empty_ring(4).unwrap();
    set_w(&mut ring, 0, state::DONE);
    set_w(&mut ring, 32, state::DONE);
    set_w(&mut ring, 48, state::FAULT);
    assert_eq!(count_done_slots(&ring, 4).unwrap(), 2);
    assert_eq!(count_done_slots(&ring, 2).unwrap(), 1);
    assert_eq!(
        count_done_slots(&ring, 5).unwrap_err().status,
        Status::OutOfRange
    );
    assert_eq!(
        count_done_slots(&ring[..63], 0).unwrap_err().status,
        Status::MalformedBuffer
    );
    assert_eq!(read_slot(&ring, 4).unwrap_err().status, Status::OutOfRange);
}

// ----- debug log ----------------------------------------------------------------------

#[test]
fn debug_log_sizes_and_records() {
    assert_eq!(debug_log_len(64).unwrap(), 257 * 4);
    assert_eq!(debug_log_len(0).unwrap(), 4);
    assert_eq!(debug_log_len(3).unwrap(), 13 * 4);
    assert_eq!(
        debug_log_len((1 << 20) + 1).unwrap_err().status,
        Status::OutOfRange
    );
    let mut log = encode_empty_debug_log(2).unwrap();
    assert_eq!(read_debug_log(&log).unwrap(), DebugLog::default());
    for i in 0..5 {
        append_debug_record(
            &mut log,
            &DebugRecord {
                fmt_id: i,
                arg1: 10 + i,
                arg2: 20 + i,
                slot_word_offset: 16 * i,
            },
        )
        .unwrap();
    }
    assert_eq!(
        w(&log, 0),
        20,
        "cursor counts words, advancing past the capacity"
    );
    let d = read_debug_log(&log).unwrap();
    assert_eq!(
        d.dropped, 3,
        "FIX: overflow is a dropped count, not an error"
    );
    assert_eq!(
        d.records[1],
        DebugRecord {
            fmt_id: 1,
            arg1: 11,
            arg2: 21,
            slot_word_offset: 16
        }
    );
    assert_eq!(d.records.len(), 2);
    let mut out = [DebugRecord::default(); 2];
    assert_eq!(
        read_debug_log_into(&log, &mut out).unwrap(),
        DebugLogStats {
            capacity: 2,
            stored: 2,
            dropped: 3
        }
    );
    let mut small = [DebugRecord::default(); 1];
    let e = read_debug_log_into(&log, &mut small).unwrap_err();
    assert_eq!((e.status, e.required), (Status::InsufficientSize, 2));
    assert_eq!(small[0], DebugRecord::default());
    set_w(&mut log, 0, 6);
    assert_eq!(
        read_debug_log(&log).unwrap_err().status,
        Status::MalformedBuffer,
        "partial record"
    );
    assert_eq!(
        read_debug_log(&log[..8]).unwrap_err().status,
        Status::MalformedBuffer,
        "2 words is not 1+4k"
    );
    assert_eq!(
        read_debug_log(&log[..3]).unwrap_err().status,
        Status::MalformedBuffer
    );
}

// ----- io queue -----------------------------------------------------------------------

#[test]
fn io_queue_host_operations() {
    assert_eq!(io_queue_len(64).unwrap(), 64 * 32);
    assert_eq!(io_queue_len(0).unwrap_err().status, Status::InvalidArgument);
    let mut q = encode_io_queue(4).unwrap();
    assert_eq!(claim_io_request(&mut q).unwrap(), None);
    let req = IoRequest {
        op: io::READ,
        src: 1,
        dst: 2,
        offset: 0x1_0000_0005,
        bytes: 4096,
        tag: 77,
    };
    post_io_request(&mut q, 2, &req).unwrap();
    assert_eq!(
        (w(&q, 16 + 3), w(&q, 16 + 4), w(&q, 16 + 6), w(&q, 16 + 7)),
        (5, 1, state::PUBLISHED, 77)
    );
    rejects(&q, Status::SlotInFlight, |b| post_io_request(b, 2, &req));
    rejects(&q, Status::InvalidArgument, |b| {
        post_io_request(b, 1, &IoRequest { op: 4, ..req })
    });
    assert_eq!(find_pending_io(&q, 0).unwrap(), Some(2));
    assert_eq!(find_pending_io(&q, 3).unwrap(), None);
    post_io_request(
        &mut q,
        3,
        &IoRequest {
            op: io::WRITE,
            ..req
        },
    )
    .unwrap();
    assert_eq!(claim_io_request(&mut q).unwrap(), Some((2, req)));
    assert_eq!(read_io_slot(&q, 2).unwrap().status, state::CLAIMED);
    complete_io(&mut q, 2, state::IO_OK).unwrap();
    assert_eq!(w(&q, 16 + 6), 0x10);
    rejects(&q, Status::InvalidArgument, |b| {
        complete_io(b, 2, state::IO_OK)
    });
    rejects(&q, Status::InvalidArgument, |b| {
        complete_io(b, 0, state::IO_OK)
    });
    rejects(&q, Status::InvalidArgument, |b| complete_io(b, 3, 0x12));
    rejects(&q, Status::OutOfRange, |b| complete_io(b, 4, 0x10));
    // Batch: all or nothing (slot 0 is not pending; duplicates rejected).
    rejects(&q, Status::InvalidArgument, |b| {
        complete_io_batch(b, &[(3, 0x11), (0, 0x10)])
    });
    rejects(&q, Status::InvalidArgument, |b| {
        complete_io_batch(b, &[(3, 0x11), (3, 0x10)])
    });
    complete_io_batch(&mut q, &[(3, state::IO_ERROR)]).unwrap();
    assert_eq!(read_io_slot(&q, 3).unwrap().status, 0x11);
    // A pending request with a garbage op is malformed and stays pending.
    let mut q = encode_io_queue(1).unwrap();
    set_w(&mut q, 0, 9);
    set_w(&mut q, 6, state::PUBLISHED);
    rejects(&q, Status::MalformedBuffer, claim_io_request);
    assert_eq!(
        io_slot_count(&[0u8; 36]).unwrap_err().status,
        Status::MalformedBuffer
    );
}

// ----- task ---------------------------------------------------------------------------

#[test]
fn task_transitions() {
    assert_eq!(std::mem::size_of::<Task>(), 64);
    let t = Task::new(42, 9, 3, priority::NORMAL, 1, 2, 3);
    assert_eq!(t.task_state().unwrap(), TaskState::Ready);
    assert!(t.is_schedulable().unwrap());
    let p = t.paused(10, 11, 12).unwrap();
    assert_eq!(
        (
            p.state,
            p.continuation_pc,
            p.continuation_data,
            p.resume_epoch,
            p.flags
        ),
        (4, 10, 11, 12, 1)
    );
    assert!(!p.is_schedulable().unwrap());
    let r = p.resumed().unwrap();
    assert_eq!((r.state, r.flags, r.continuation_pc), (1, 8, 10));
    assert_eq!(t.resumed().unwrap_err().status, Status::InvalidArgument);
    let y = r.yielded(20, 21).unwrap();
    assert_eq!(
        (
            y.state,
            y.yield_count,
            y.flags,
            y.continuation_pc,
            y.continuation_data
        ),
        (5, 1, 2, 20, 21)
    );
    assert!(y.is_schedulable().unwrap());
    let q = y.requeued(30, 31, priority::LOW).unwrap();
    assert_eq!(
        (q.state, q.requeue_count, q.age_ticks, q.priority, q.flags),
        (6, 1, 1, 3, 4)
    );
    assert!(q.is_schedulable().unwrap());
    assert_eq!(
        q.requeued(0, 0, 5).unwrap_err().status,
        Status::InvalidArgument
    );
    let c = q.completed().unwrap();
    assert_eq!((c.state, c.flags), (3, 0));
    let f = q.faulted(fault::BAD_ARGUMENT).unwrap();
    assert_eq!((f.state, f.continuation_data), (7, 3));
    assert_eq!(
        c.yielded(0, 0).unwrap_err().status,
        Status::InvalidArgument,
        "finished"
    );
    assert_eq!(f.completed().unwrap_err().status, Status::InvalidArgument);
    // Counter overflow is an error.
    let max = Task {
        yield_count: u32::MAX,
        requeue_count: u32::MAX,
        ..t
    };
    assert_eq!(max.yielded(0, 0).unwrap_err().status, Status::Overflow);
    assert_eq!(max.requeued(0, 0, 0).unwrap_err().status, Status::Overflow);
    let aged = Task {
        age_ticks: u32::MAX,
        ..t
    };
    assert_eq!(aged.requeued(0, 0, 0).unwrap_err().status, Status::Overflow);
    let garbage = Task { state: 8, ..t };
    assert_eq!(
        garbage.task_state().unwrap_err().status,
        Status::MalformedBuffer
    );
    assert_eq!(
        garbage.completed().unwrap_err().status,
        Status::MalformedBuffer
    );

    // A task is one slot.
    let mut ring = encode_empty_ring(2).unwrap();
    publish_task(&mut ring, 1, &y).unwrap();
    assert_eq!(read_task(&ring, 1).unwrap(), y);
    assert_eq!(w(&ring, 16), 5, "state is the slot status");
    assert_eq!(w(&ring, 16 + 10), 42, "task_id is word 10 (arg 6)");
    rejects(&ring, Status::SlotInFlight, |r| publish_task(r, 1, &t));
    rejects(&ring, Status::InvalidArgument, |r| publish_task(r, 0, &c));
    rejects(&ring, Status::InvalidArgument, |r| {
        publish_task(r, 0, &Task { flags: 16, ..t })
    });
    rejects(&ring, Status::OutOfRange, |r| {
        publish_task(r, 0, &Task { tenant: 928, ..t })
    });
    rejects(&ring, Status::MalformedBuffer, |r| {
        publish_task(r, 0, &garbage)
    });
}
