//! Device loss for real: `Device::debug_destroy` calls wgpu's `Device::destroy()`; the
//! next use detects the loss, rebuilds device, pipelines and resident buffers (from the
//! host mirror / caller buffers) and retries once, reporting it. Each test opens its own
//! device so destroying it cannot disturb other tests.

mod gpu_common;
use gpu_common::*;
use std::time::Duration;
use vyre::gpu::reference::RefBuffers;
use vyre::gpu::*;
use vyre::protocol::{self, abi::op, abi::state, CONTROL_WORDS};
use vyre::Status;

fn own_device() -> Device {
    Device::new(&DeviceOptions::default()).unwrap()
}

fn atomic_ring(slots: u32, range: std::ops::Range<u32>, value: u32) -> Vec<u8> {
    let mut ring = protocol::encode_empty_ring(slots).unwrap();
    for i in range {
        protocol::publish_slot(&mut ring, i, 0, op::ATOMIC_ADD, &[value, 170]).unwrap();
    }
    ring
}

fn word(set: &ResidentSet, i: u64) -> u32 {
    let mut w = [0u8; 4];
    set.read(buffer::CONTROL, i * 4, &mut w).unwrap();
    u32::from_le_bytes(w)
}

#[test]
fn plain_dispatch_recovers_after_device_destroy() {
    let dev = own_device();
    let mk = Megakernel::bootstrap(&dev).unwrap();
    let mut ring = empty_ring(256);
    for i in 0..256 {
        publish(&mut ring, i, 0, 2, op::ATOMIC_ADD, &[2, 170]);
    }
    let input = RefBuffers {
        control: control(1, 16, 256),
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![],
    };
    let (_, r0) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert_eq!((r0.recovered, dev.generation()), (0, 1));
    dev.debug_destroy();
    // Without recovery: DEVICE_LOST, caller buffers untouched.
    let mut c = words_to_bytes(&input.control);
    let mut r = words_to_bytes(&input.ring);
    let mut d = words_to_bytes(&input.debug_log);
    let (c0, r0b) = (c.clone(), r.clone());
    let no = DispatchOptions {
        recovery_attempts: 0,
        ..Default::default()
    };
    let e = mk
        .dispatch(
            &mut HostBuffers {
                control: &mut c,
                ring: &mut r,
                debug_log: &mut d,
                io_queue: None,
                extras: vec![],
            },
            &no,
        )
        .unwrap_err();
    assert_eq!(e.status, Status::DeviceLost, "{}", e.message);
    assert!(e.message.contains("recovery is disabled"), "{}", e.message);
    assert_eq!((c, r), (c0, r0b));
    // With the default policy: rebuilt once, correct results, reported.
    let (out, rep) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert_eq!(rep.recovered, 1);
    assert_eq!(dev.generation(), 2);
    assert_eq!(out.control[170], 512);
    assert!((0..256).all(|i| status_of(&out.ring, i) == state::DONE));
    // The new device is healthy: no further recovery.
    let (_, rep) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert_eq!(rep.recovered, 0);
}

#[test]
fn resident_sets_are_rebuilt_from_their_mirror() {
    let dev = own_device();
    let mk = Megakernel::bootstrap(&dev).unwrap();
    let control = protocol::encode_control(false, 1, 64, 256).unwrap();
    let plain = ResidentSet::new(&mk, &ResidentDesc::default()).unwrap();
    let synced = ResidentSet::new(
        &mk,
        &ResidentDesc {
            sync_mirror: true,
            ..Default::default()
        },
    )
    .unwrap();
    for set in [&plain, &synced] {
        set.write(buffer::CONTROL, 0, &control).unwrap();
        set.write(buffer::RING, 0, &atomic_ring(256, 0..10, 1))
            .unwrap();
        let r = set.dispatch(&DispatchOptions::default()).unwrap();
        assert_eq!((r.done, r.recovered), (10, 0));
        assert_eq!(word(set, 170), 10);
    }
    dev.debug_destroy();
    for set in [&plain, &synced] {
        // Ten more items published after the loss, into free slots 10..20.
        let more = atomic_ring(256, 10..20, 1);
        set.write(buffer::RING, 10 * 64, &more[10 * 64..20 * 64])
            .unwrap();
    }
    // Plain mirror: it holds what the host wrote, so the rebuilt set replays all 20
    // published items on the initial control block: same totals, 20 executions.
    let r = plain.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!((r.recovered, r.done), (1, 20));
    assert_eq!(word(&plain, 170), 20);
    // Synced mirror: it followed the GPU, so only the 10 new items run.
    let r = synced.dispatch(&DispatchOptions::default()).unwrap();
    assert_eq!(
        (r.recovered, r.done),
        (1, 10),
        "rebuilt (the device itself was rebuilt by the other set)"
    );
    assert_eq!(word(&synced, 170), 20);
    assert_eq!(dev.generation(), 2);
    // Batches recover too.
    dev.debug_destroy();
    plain
        .write(buffer::RING, 0, &atomic_ring(256, 0..1, 100)[..64])
        .unwrap();
    let reports = mk
        .dispatch_batch(&[&plain, &synced], &DispatchOptions::default())
        .unwrap();
    assert_eq!(reports[0].recovered, 1);
    // The plain set replays its mirror again: slot 0 now holds +100, slots 1..19 +1, on
    // the initial control block (the earlier +1 of the reused slot 0 is not in the
    // mirror; that is what sync_mirror is for).
    assert_eq!(word(&plain, 170), 100 + 19);
    assert_eq!(
        word(&synced, 170),
        20,
        "synced: everything already ran, nothing replayed"
    );
    assert_eq!(reports[1].done, 0);
}

#[test]
fn loss_in_the_middle_of_a_many_wave_dispatch_is_recovered() {
    let dev = own_device();
    let mk = Megakernel::bootstrap(&dev).unwrap();
    const LEN: usize = 2_000_000;
    let mut ctl = control(1, 2 * LEN + 16, 256);
    for i in 0..LEN {
        ctl[CONTROL_WORDS + LEN + 8 + i] = i as u32 * 7;
    }
    let mut ring = empty_ring(256);
    let (dst, src) = (CONTROL_WORDS as u32, (CONTROL_WORDS + LEN + 8) as u32);
    publish(&mut ring, 0, 0, 0, op::MEMCPY, &[src, dst, LEN as u32]);
    let input = RefBuffers {
        control: ctl,
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![],
    };
    // Budget 1,000 words per wave: 2,000 waves, far longer than the 100 ms before the loss.
    let opts = DispatchOptions {
        work_budget: 1000,
        ..Default::default()
    };
    let killer = {
        let dev = dev.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            dev.debug_destroy();
        })
    };
    let (out, rep) = gpu_run(&mk, &input, &opts);
    killer.join().unwrap();
    assert_eq!(rep.recovered, 1);
    assert_eq!(rep.stop, StopReason::Complete);
    assert!(
        out.control[dst as usize..dst as usize + LEN]
            == input.control[src as usize..src as usize + LEN]
    );
    assert_eq!(status_of(&out.ring, 0), state::DONE);
}

#[test]
fn megakernels_built_after_a_loss_work() {
    let dev = own_device();
    let mk = Megakernel::bootstrap(&dev).unwrap();
    dev.debug_destroy();
    let sharded = Megakernel::bootstrap_sharded(&dev, 64, 32, vec![]).unwrap();
    let mut ring = empty_ring(64);
    publish(&mut ring, 5, 0, 2, op::STORE_U32, &[9, 170]);
    let input = RefBuffers {
        control: control(1, 16, 64),
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![],
    };
    let (out, _) = gpu_run(&sharded, &input, &DispatchOptions::default());
    assert_eq!(out.control[170], 9);
    let (out, rep) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert_eq!((out.control[170], rep.recovered), (9, 0));
    assert_eq!(dev.generation(), 2);
}
