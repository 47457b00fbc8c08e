//! Resident sets (range writes, selective reads, no re-upload of unchanged data, extra
//! buffers) and batches of many sets in one submission, encoded and decoded with the
//! protocol layer's publishers and readers.

mod gpu_common;
use gpu_common::*;
use vyre::gpu::*;
use vyre::protocol::{self, abi::op, abi::state};
use vyre::Status;

fn encode_ring(slots: u32, items: &[(u32, u32, u32, &[u32])]) -> Vec<u8> {
    let mut ring = protocol::encode_empty_ring(slots).unwrap();
    for &(slot, prio, opcode, args) in items {
        protocol::publish_slot_with_priority(&mut ring, slot, 0, prio, opcode, args).unwrap();
    }
    ring
}

fn bootstrap() -> Megakernel {
    Megakernel::bootstrap(device()).unwrap()
}

#[test]
fn resident_dispatch_uploads_only_what_changed() {
    let mk = bootstrap();
    let set = ResidentSet::new(&mk, &ResidentDesc::default()).unwrap();
    assert_eq!(set.sizes(), &[(160 + 64) * 4, 256 * 64, 257 * 4, 64 * 32]);
    let control = protocol::encode_control(false, 1, 64, 256).unwrap();
    set.write(buffer::CONTROL, 0, &control).unwrap();
    let items: Vec<(u32, u32, u32, &[u32])> = (0..256)
        .map(|i| (i, i % 5, op::ATOMIC_ADD, &[1u32, 170][..]))
        .collect();
    set.write(buffer::RING, 0, &encode_ring(256, &items))
        .unwrap();
    let r1 = set.dispatch(&DispatchOptions::default()).unwrap();
    let total: u64 = set.sizes().iter().sum();
    assert_eq!(
        r1.bytes_in,
        total + 8,
        "first dispatch builds the GPU set from the mirror (+ 8 parameter bytes)"
    );
    assert_eq!(
        (r1.done, r1.waves, r1.sync_points, r1.bytes_out),
        (256, 1, 1, 64)
    );

    // Republish four slots: only those 4 x 64 bytes travel.
    for slot in [3u32, 100, 101, 255] {
        let mut one = protocol::encode_empty_ring(1).unwrap();
        protocol::publish_slot(&mut one, 0, 0, op::ATOMIC_ADD, &[10, 171]).unwrap();
        set.write(buffer::RING, slot as u64 * 64, &one).unwrap();
    }
    let r2 = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!((r2.bytes_in, r2.done), (4 * 64, 4));
    let r3 = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!(
        (r3.bytes_in, r3.done, r3.claims),
        (0, 0, 0),
        "nothing changed, nothing uploaded"
    );

    let mut ctl = vec![0u8; control.len()];
    set.read(buffer::CONTROL, 0, &mut ctl).unwrap();
    assert_eq!(protocol::read_done_count(&ctl).unwrap(), 260);
    assert_eq!(protocol::read_control_word(&ctl, 170).unwrap(), 256);
    assert_eq!(protocol::read_control_word(&ctl, 171).unwrap(), 40);
    assert_eq!(protocol::read_metric(&ctl, op::ATOMIC_ADD).unwrap(), 260);
    // An unaligned selective read.
    let mut five = [0u8; 5];
    set.read(buffer::CONTROL, 170 * 4 + 1, &mut five).unwrap();
    assert_eq!(five, ctl[170 * 4 + 1..170 * 4 + 6]);
    // The mirror still holds what the host wrote.
    assert_eq!(set.mirror(buffer::CONTROL).unwrap(), control);
}

#[test]
fn dispatch_and_read_rides_along_with_the_last_wave() {
    let mk = bootstrap();
    let set = ResidentSet::new(
        &mk,
        &ResidentDesc {
            observable_words: 8,
            ..Default::default()
        },
    )
    .unwrap();
    set.write(
        buffer::CONTROL,
        0,
        &protocol::encode_control(false, 1, 8, 256).unwrap(),
    )
    .unwrap();
    let items = [
        (0u32, 0u32, op::STORE_U32, &[0xFEED_u32, 160][..]),
        (1, 2, op::PRINTF, &[7, 8, 9][..]),
    ];
    set.write(buffer::RING, 0, &encode_ring(256, &items))
        .unwrap();
    let mut reads = [
        ReadRequest {
            buffer: buffer::CONTROL,
            offset: 0,
            data: vec![0; (160 + 8) * 4],
        },
        ReadRequest {
            buffer: buffer::DEBUG_LOG,
            offset: 0,
            data: vec![0; 257 * 4],
        },
        ReadRequest {
            buffer: buffer::RING,
            offset: 64 + 2,
            data: vec![0; 3],
        },
    ];
    let r = set
        .dispatch_and_read(&DispatchOptions::default(), &mut reads)
        .unwrap();
    assert_eq!((r.waves, r.sync_points), (1, 1), "one submission, one wait");
    assert_eq!(
        protocol::read_observable(&reads[0].data, 0).unwrap(),
        0xFEED
    );
    let log = protocol::read_debug_log(&reads[1].data).unwrap();
    assert_eq!(log.records.len(), 1);
    assert_eq!(
        (
            log.records[0].fmt_id,
            log.records[0].arg1,
            log.records[0].arg2,
            log.records[0].slot_word_offset
        ),
        (7, 8, 9, 16)
    );
    // Bytes 66..69 of the ring: the top half of slot 1's status word, then the low byte
    // of its opcode (PRINTF = 0xFFFE).
    assert_eq!(reads[2].data, [0, 0, 0xFE]);
    let slot1 = protocol::read_slot(
        &{
            let mut ring = vec![0u8; 256 * 64];
            set.read(buffer::RING, 0, &mut ring).unwrap();
            ring
        },
        1,
    )
    .unwrap();
    assert_eq!(slot1.status, state::DONE);
}

#[test]
fn extra_buffers_hold_resident_tables() {
    let desc = MegakernelDesc {
        extra_buffers: vec![ExtraKind::ReadOnly, ExtraKind::ReadWrite],
        ..Default::default()
    };
    let mk = Megakernel::new(device(), &desc).unwrap();
    assert!(
        ResidentSet::new(&mk, &ResidentDesc::default()).is_err(),
        "extra sizes are required"
    );
    let e = ResidentSet::new(
        &mk,
        &ResidentDesc {
            extra_sizes: vec![1028, 6],
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.status, Status::MalformedBuffer);
    let table_words = 1 + 4 * 256;
    let set = ResidentSet::new(
        &mk,
        &ResidentDesc {
            extra_sizes: vec![table_words * 4, 64],
            ..Default::default()
        },
    )
    .unwrap();
    // 4-state DFA: next = (state * 7 + byte) % 4.
    let mut table = vec![4u32];
    for s in 0..4u32 {
        for b in 0..256u32 {
            table.push((s * 7 + b) % 4);
        }
    }
    set.write(buffer::EXTRA, 0, &words_to_bytes(&table))
        .unwrap();
    set.write(
        buffer::CONTROL,
        0,
        &protocol::encode_control(false, 1, 64, 256).unwrap(),
    )
    .unwrap();
    let mut items = Vec::new();
    let args: Vec<[u32; 5]> = (0..40u32).map(|i| [0, 0, i % 4, i * 5 % 256, i]).collect();
    for (i, a) in args.iter().enumerate() {
        items.push((i as u32, 2u32, op::DFA_STEP, &a[..]));
    }
    set.write(buffer::RING, 0, &encode_ring(256, &items))
        .unwrap();
    let r = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!((r.done, r.faulted), (40, 0));
    let mut ctl = vec![0u8; set.sizes()[0] as usize];
    set.read(buffer::CONTROL, 0, &mut ctl).unwrap();
    for (i, a) in args.iter().enumerate() {
        assert_eq!(
            protocol::read_observable(&ctl, i as u32).unwrap(),
            (a[2] * 7 + a[3]) % 4,
            "step {i}"
        );
    }
}

#[test]
fn batch_of_96_sets_in_one_submission_per_wave() {
    let mk = bootstrap();
    // Set 7 has a big observable region and copies 30,000 words in it: several waves.
    let obs = |k: usize| if k == 7 { 64_000 } else { 64 };
    let sets: Vec<ResidentSet> = (0..96)
        .map(|k| {
            ResidentSet::new(
                &mk,
                &ResidentDesc {
                    observable_words: obs(k),
                    ..Default::default()
                },
            )
            .unwrap()
        })
        .collect();
    for (k, set) in sets.iter().enumerate() {
        set.write(
            buffer::CONTROL,
            0,
            &protocol::encode_control(false, 1, obs(k), 256).unwrap(),
        )
        .unwrap();
        let v = [k as u32 + 1, 170];
        let mut items: Vec<(u32, u32, u32, &[u32])> = (0..(k as u32 % 50 + 1))
            .map(|i| (i, 2, op::ATOMIC_ADD, &v[..]))
            .collect();
        let copy = [32_000, 1_000, 30_000];
        if k == 7 {
            items.push((200, 4, op::MEMCPY, &copy[..]));
        }
        set.write(buffer::RING, 0, &encode_ring(256, &items))
            .unwrap();
    }
    let refs: Vec<&ResidentSet> = sets.iter().collect();
    let opts = DispatchOptions {
        work_budget: 10_000,
        ..Default::default()
    };
    let reports = mk.dispatch_batch(&refs, &opts).unwrap();
    assert_eq!(reports.len(), 96);
    for (k, (set, r)) in sets.iter().zip(&reports).enumerate() {
        let n = k as u32 % 50 + 1;
        let mut ctl = vec![0u8; set.sizes()[0] as usize];
        set.read(buffer::CONTROL, 0, &mut ctl).unwrap();
        assert_eq!(
            protocol::read_control_word(&ctl, 170).unwrap(),
            n * (k as u32 + 1),
            "set {k}"
        );
        let extra = if k == 7 { 1 } else { 0 };
        assert_eq!(r.done, (n + extra) as u64);
        assert_eq!(r.waves, if k == 7 { 3 } else { 1 }, "set {k}");
        assert_eq!(r.stop, StopReason::Complete);
    }
    // Same set twice, or a set of another megakernel: refused before anything runs.
    let e = mk
        .dispatch_batch(&[&sets[0], &sets[1], &sets[0]], &opts)
        .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    let other = Megakernel::bootstrap_sharded(device(), 64, 64, vec![]).unwrap();
    let foreign = ResidentSet::new(&other, &ResidentDesc::default()).unwrap();
    let e = mk.dispatch_batch(&[&sets[0], &foreign], &opts).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(mk.dispatch_batch(&[], &opts).unwrap().is_empty());
}

#[test]
fn resident_argument_errors() {
    let mk = bootstrap();
    let set = ResidentSet::new(&mk, &ResidentDesc::default()).unwrap();
    assert_eq!(
        set.write(9, 0, &[1]).unwrap_err().status,
        Status::InvalidArgument
    );
    assert_eq!(
        set.write(buffer::RING, 256 * 64 - 1, &[1, 2])
            .unwrap_err()
            .status,
        Status::OutOfRange
    );
    let mut out = [0u8; 4];
    assert_eq!(
        set.read(buffer::IO_QUEUE, u64::MAX - 1, &mut out)
            .unwrap_err()
            .status,
        Status::OutOfRange
    );
    let bad = DispatchOptions {
        work_budget: 0,
        ..Default::default()
    };
    assert_eq!(
        set.dispatch(&bad).unwrap_err().status,
        Status::InvalidArgument
    );
    let e = ResidentSet::new(
        &mk,
        &ResidentDesc {
            extra_sizes: vec![4],
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.status, Status::InvalidArgument);
}

#[test]
fn threads_share_a_megakernel_with_their_own_sets() {
    let mk = bootstrap();
    std::thread::scope(|s| {
        for t in 0..8u32 {
            let mk = mk.clone();
            s.spawn(move || {
                let set = ResidentSet::new(&mk, &ResidentDesc::default()).unwrap();
                set.write(
                    buffer::CONTROL,
                    0,
                    &protocol::encode_control(false, 1, 64, 256).unwrap(),
                )
                .unwrap();
                for round in 1..=5u32 {
                    let v = [t + round, 170];
                    let items: Vec<(u32, u32, u32, &[u32])> =
                        (0..256).map(|i| (i, 2, op::ATOMIC_ADD, &v[..])).collect();
                    set.write(buffer::RING, 0, &encode_ring(256, &items))
                        .unwrap();
                    let r = set.dispatch(&DispatchOptions::default()).unwrap();
                    assert_eq!(r.done, 256);
                }
                let mut w = [0u8; 4];
                set.read(buffer::CONTROL, 170 * 4, &mut w).unwrap();
                assert_eq!(u32::from_le_bytes(w), 256 * (5 * t + 15));
            });
        }
    });
}

#[test]
fn device_copies_restore_a_ring_from_a_template_without_uploading_it() {
    let desc = MegakernelDesc {
        extra_buffers: vec![ExtraKind::ReadOnly],
        ..Default::default()
    };
    let mk = Megakernel::new(device(), &desc).unwrap();
    let set = ResidentSet::new(
        &mk,
        &ResidentDesc {
            extra_sizes: vec![256 * 64],
            ..Default::default()
        },
    )
    .unwrap();
    let control = protocol::encode_control(false, 1, 64, 256).unwrap();
    set.write(buffer::CONTROL, 0, &control).unwrap();
    let items: Vec<(u32, u32, u32, &[u32])> = (0..256)
        .map(|i| (i, 2, op::ATOMIC_ADD, &[1u32, 170][..]))
        .collect();
    let template = encode_ring(256, &items);
    set.write(buffer::EXTRA, 0, &template).unwrap();
    let ring_bytes = 256 * 64;
    set.copy_on_device(buffer::EXTRA, 0, buffer::RING, 0, ring_bytes)
        .unwrap();
    let first = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!(first.done, 256);
    // Again: the ring (all DONE now) is restored on the device; nothing is uploaded.
    set.copy_on_device(buffer::EXTRA, 0, buffer::RING, 0, ring_bytes)
        .unwrap();
    let again = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!((again.done, again.bytes_in), (256, 0));
    // A host write after a copy wins over it (slot 0 emptied: 255 run).
    set.copy_on_device(buffer::EXTRA, 0, buffer::RING, 0, ring_bytes)
        .unwrap();
    set.write(buffer::RING, 0, &[0u8; 64]).unwrap();
    let third = set.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!(third.done, 255);
    let mut ctl = vec![0u8; control.len()];
    set.read(buffer::CONTROL, 0, &mut ctl).unwrap();
    assert_eq!(
        protocol::read_control_word(&ctl, 170).unwrap(),
        256 + 256 + 255
    );
    // The mirror catches up with the copies (slot 0 as written, the rest the template).
    let mirror = set.mirror(buffer::RING).unwrap();
    assert_eq!(mirror[..64], [0u8; 64]);
    assert_eq!(mirror[64..], template[64..]);
    // Errors: unaligned, overlapping within one buffer, out of range.
    let e = |r: vyre::Result<()>| r.unwrap_err().status;
    assert_eq!(
        e(set.copy_on_device(buffer::EXTRA, 2, buffer::RING, 0, 64)),
        Status::InvalidArgument
    );
    assert_eq!(
        e(set.copy_on_device(buffer::RING, 0, buffer::RING, 32, 64)),
        Status::InvalidArgument
    );
    assert_eq!(
        e(set.copy_on_device(buffer::EXTRA, 64, buffer::RING, 0, ring_bytes)),
        Status::OutOfRange
    );
}

#[test]
fn device_copies_keep_the_order_of_events() {
    // write A; copy A -> B; copy C -> A; the mirror catches up; B must hold A's first
    // value on the GPU and in the mirror (with and without a synced mirror).
    let desc = MegakernelDesc {
        extra_buffers: vec![ExtraKind::ReadWrite; 3],
        ..Default::default()
    };
    let mk = Megakernel::new(device(), &desc).unwrap();
    for sync_mirror in [false, true] {
        let set = ResidentSet::new(
            &mk,
            &ResidentDesc {
                extra_sizes: vec![64, 64, 64],
                sync_mirror,
                ..Default::default()
            },
        )
        .unwrap();
        let (a, b, c) = (buffer::EXTRA, buffer::EXTRA + 1, buffer::EXTRA + 2);
        set.write(c, 0, &[7u8; 64]).unwrap();
        let mut got = [0u8; 64];
        set.read(c, 0, &mut got).unwrap(); // the GPU side exists from here on
        set.write(a, 0, &[1u8; 64]).unwrap();
        set.copy_on_device(a, 0, b, 0, 64).unwrap();
        set.copy_on_device(c, 0, a, 0, 64).unwrap();
        assert_eq!(set.mirror(a).unwrap(), vec![7u8; 64], "sync {sync_mirror}");
        set.read(b, 0, &mut got).unwrap();
        assert_eq!(got, [1u8; 64], "GPU B, sync {sync_mirror}");
        assert_eq!(
            set.mirror(b).unwrap(),
            vec![1u8; 64],
            "mirror B, sync {sync_mirror}"
        );
        set.read(a, 0, &mut got).unwrap();
        assert_eq!(got, [7u8; 64], "GPU A, sync {sync_mirror}");
    }
}
