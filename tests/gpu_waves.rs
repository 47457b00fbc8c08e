//! Waves: large rings and long opcodes complete exactly (proves the per-wave loop bound
//! and YIELD), priority order, tenant quotas and denial, the io-queue round trip,
//! max_wall_time drain, and concurrent dispatch from 8 threads.

mod gpu_common;
use gpu_common::*;
use std::time::Duration;
use vyre::gpu::reference::{RefBuffers, RefOptions};
use vyre::gpu::*;
use vyre::protocol::abi::{control as c, fault, op, state, CONTROL_WORDS, SLOT_WORDS};

fn one_lane() -> Megakernel {
    let desc = MegakernelDesc {
        slot_count: 64,
        workgroup_size_x: 1,
        worker_groups: 1,
        ..Default::default()
    };
    Megakernel::new(device(), &desc).unwrap()
}

fn bufs(control: Vec<u32>, ring: Vec<u32>) -> RefBuffers {
    RefBuffers {
        control,
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![],
    }
}

#[test]
fn million_slot_ring_completes_exactly() {
    const N: usize = 1 << 20;
    let desc = MegakernelDesc {
        slot_count: N as u32,
        ..Default::default()
    };
    let mk = Megakernel::new(device(), &desc).unwrap();
    let mut ring = empty_ring(N);
    for i in 0..N {
        if i % 2 == 0 {
            publish(&mut ring, i, (i % 3) as u32, (i % 5) as u32, op::NOP, &[]);
        } else {
            publish(
                &mut ring,
                i,
                (i % 3) as u32,
                (i % 5) as u32,
                op::ATOMIC_ADD,
                &[(i % 7) as u32, 170],
            );
        }
    }
    let input = bufs(control(3, 16, N as u32), ring);
    let (gpu, report) = gpu_run(&mk, &input, &DispatchOptions::default());
    let (cpu, _) = ref_run(&input, &RefOptions::default());
    let want: u32 = (0..N).filter(|i| i % 2 == 1).map(|i| (i % 7) as u32).sum();
    assert_eq!(gpu.control[170], want);
    assert_eq!(gpu.control[c::DONE_COUNT], N as u32);
    assert_eq!(gpu.control[c::METRICS], (N / 2) as u32);
    assert_eq!(gpu.control[c::METRICS + 2], (N / 2) as u32);
    assert!((0..N).all(|i| status_of(&gpu.ring, i) == state::DONE));
    assert_eq!(
        (report.done, report.remaining(), report.stop),
        (N as u64, 0, StopReason::Complete)
    );
    // STARVATION is per workgroup when many groups run; compare everything else exactly.
    let (mut g, mut r) = (gpu, cpu);
    g.control[c::STARVATION] = 0;
    r.control[c::STARVATION] = 0;
    assert_same(&g, &r);
}

#[test]
fn four_million_word_memcpy_completes_exactly_over_many_waves() {
    const LEN: usize = 4_000_000;
    let mk = Megakernel::bootstrap(device()).unwrap();
    let mut ctl = control(1, 2 * LEN + 64, 256);
    let src = CONTROL_WORDS + 16;
    let dst = src + LEN + 8;
    for i in 0..LEN {
        ctl[src + i] = (i as u32).wrapping_mul(2654435761);
    }
    let mut ring = empty_ring(256);
    publish(
        &mut ring,
        0,
        0,
        0,
        op::MEMCPY,
        &[src as u32, dst as u32, LEN as u32],
    );
    publish(&mut ring, 1, 0, 4, op::ATOMIC_ADD, &[1, 170]);
    let input = bufs(ctl, ring);
    let (gpu, report) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert!(
        gpu.control[dst..dst + LEN] == input.control[src..src + LEN],
        "4M words copied exactly"
    );
    assert_eq!(gpu.control[dst + LEN], 0, "nothing copied past the end");
    assert_eq!(gpu.control[170], 1);
    assert_eq!(status_of(&gpu.ring, 0), state::DONE);
    // src < dst copies backward (memmove): progress is the shrinking len arg.
    assert_eq!(&gpu.ring[4..7], &[src as u32, dst as u32, 0]);
    let per_wave = DispatchOptions::default().work_budget as usize;
    assert_eq!(
        report.waves as usize,
        LEN.div_ceil(per_wave),
        "one budget's worth per wave"
    );
    assert_eq!(
        gpu.control[c::METRICS + op::MEMCPY as usize],
        1,
        "counted once, when finished"
    );
    assert_eq!(report.done, 2);
}

#[test]
fn backward_overlapping_memcpy_resumes_with_memmove_semantics() {
    let mk = one_lane();
    let len = 5000usize;
    let mut ctl = control(1, len + 64, 64);
    let src = CONTROL_WORDS;
    for i in 0..len + 10 {
        ctl[src + i] = 7 + i as u32;
    }
    let mut ring = empty_ring(64);
    publish(
        &mut ring,
        0,
        0,
        0,
        op::MEMCPY,
        &[src as u32, src as u32 + 10, len as u32],
    );
    let input = bufs(ctl, ring);
    let opts = DispatchOptions {
        work_budget: 333,
        ..Default::default()
    };
    let (gpu, report) = gpu_run(&mk, &input, &opts);
    let mut model = input.control.clone();
    model.copy_within(src..src + len, src + 10);
    assert!(
        gpu.control[src..src + len + 10] == model[src..src + len + 10],
        "memmove result"
    );
    assert_eq!(report.waves as usize, len.div_ceil(333));
    let (cpu, r) = ref_run(
        &input,
        &RefOptions {
            work_budget: 333,
            ..Default::default()
        },
    );
    assert_same(&gpu, &cpu);
    assert_eq!(r.waves, report.waves);
}

#[test]
fn quotas_and_priority_partitions_are_claimed_in_order() {
    let mk = one_lane();
    let mut ctl = control(4, 16, 64);
    ctl[c::TENANT_QUOTA + 1] = 3;
    let mut ring = empty_ring(64);
    // Slots in ascending priority partitions (64 slots: 12 per level, NORMAL gets 16).
    for i in 0..15 {
        let prio = match i {
            0..=2 => 0,
            3..=5 => 1,
            6..=8 => 2,
            9..=11 => 3,
            _ => 4,
        };
        publish(&mut ring, i * 4, 1, prio, op::ATOMIC_ADD, &[1 << i, 170]);
    }
    publish(&mut ring, 63, 2, 4, op::ATOMIC_ADD, &[1 << 20, 170]); // tenant 2: no quota
    let input = bufs(ctl, ring);
    let one = DispatchOptions {
        max_waves: 1,
        ..Default::default()
    };
    let (w1, r1) = gpu_run(&mk, &input, &one);
    assert_eq!(
        w1.control[170],
        0b111 | 1 << 20,
        "wave 1: the three CRITICAL slots + the unlimited tenant"
    );
    assert_eq!((r1.stop, r1.claimable), (StopReason::TimeLimit, 12));
    let (w2, _) = gpu_run(&mk, &w1, &one);
    assert_eq!(w2.control[170], 0b111111 | 1 << 20, "wave 2: then HIGH");
    let (all, r) = gpu_run(&mk, &input, &DispatchOptions::default());
    assert_eq!(all.control[170], 0x7FFF | 1 << 20);
    assert_eq!((r.waves, r.stop), (5, StopReason::Complete));
    assert_eq!(all.control[c::TENANT_FAIRNESS + 1], 15);
    assert_eq!(
        &all.control[c::PRIORITY_FAIRNESS..c::PRIORITY_FAIRNESS + 5],
        &[3, 3, 3, 3, 4]
    );
    let (cpu, rr) = ref_run(&input, &RefOptions::default());
    assert_same(&all, &cpu);
    assert_eq!(rr.waves, 5);
}

#[test]
fn many_lanes_claim_the_most_urgent_chunk_first() {
    // 64 lanes, one workgroup, budget 1: each lane runs exactly one MEMCPY per wave, the
    // first it meets, so wave 1 completes exactly the first chunk (CRITICAL partition).
    let desc = MegakernelDesc {
        slot_count: 640,
        workgroup_size_x: 64,
        worker_groups: 1,
        ..Default::default()
    };
    let mk = Megakernel::new(device(), &desc).unwrap();
    let mut ring = empty_ring(640);
    for i in 0..640 {
        publish(
            &mut ring,
            i,
            0,
            (i / 128) as u32,
            op::MEMCPY,
            &[CONTROL_WORDS as u32, CONTROL_WORDS as u32 + 1, 1],
        );
    }
    let input = bufs(control(1, 16, 640), ring);
    let opts = DispatchOptions {
        max_waves: 1,
        work_budget: 1,
        ..Default::default()
    };
    let (gpu, r) = gpu_run(&mk, &input, &opts);
    let done: Vec<usize> = (0..640)
        .filter(|&i| status_of(&gpu.ring, i) == state::DONE)
        .collect();
    assert_eq!(done, (0..64).collect::<Vec<_>>());
    assert_eq!((r.done, r.claimable), (64, 576));
    let (gpu, r) = gpu_run(
        &mk,
        &input,
        &DispatchOptions {
            work_budget: 1,
            ..Default::default()
        },
    );
    assert_eq!((r.waves, r.done), (10, 640));
    assert!((0..640).all(|i| status_of(&gpu.ring, i) == state::DONE));
}

#[test]
fn denied_tenants_are_left_untouched_and_do_not_spin() {
    let mk = Megakernel::bootstrap(device()).unwrap();
    let mut ring = empty_ring(256);
    for i in 0..256 {
        let tenant = [0, 1, 40, 927, 928, u32::MAX][i % 6];
        publish(&mut ring, i, tenant, 2, op::ATOMIC_ADD, &[1, 170]);
    }
    let mut ctl = control(2, 16, 256); // tenants 0 and 1
    ctl[c::TENANT_TABLE + 927 / 32] |= 1 << (927 % 32); // and 927, the last one
    let input = bufs(ctl, ring);
    let (gpu, r) = gpu_run(&mk, &input, &DispatchOptions::default());
    let allowed = |i: usize| matches!(i % 6, 0 | 1 | 3);
    for i in 0..256 {
        let w = i * SLOT_WORDS;
        if allowed(i) {
            assert_eq!(gpu.ring[w], state::DONE);
        } else {
            assert_eq!(
                &gpu.ring[w..w + SLOT_WORDS],
                &input.ring[w..w + SLOT_WORDS],
                "slot {i} untouched"
            );
        }
    }
    let n_allowed = (0..256).filter(|&i| allowed(i)).count();
    assert_eq!(gpu.control[170], n_allowed as u32);
    assert_eq!(
        (r.denied, r.claimable, r.waves, r.stop),
        ((256 - n_allowed) as u64, 0, 1, StopReason::Complete)
    );
}

#[test]
fn io_queue_round_trip() {
    let mk = one_lane();
    let mut ring = empty_ring(64);
    for i in 0..6 {
        publish(
            &mut ring,
            i,
            0,
            2,
            op::LOAD_MISS,
            &[
                100 + i as u32,
                200 + i as u32,
                4096 * i as u32,
                0,
                512,
                0xA0 + i as u32,
            ],
        );
    }
    let input = bufs(control(1, 16, 64), ring);
    let (g1, r1) = gpu_run(&mk, &input, &DispatchOptions::default());
    let (c1, _) = ref_run(&input, &RefOptions::default());
    assert_same(&g1, &c1);
    assert_eq!(
        (r1.waiting_io, r1.claimable, r1.stop),
        (6, 0, StopReason::Complete)
    );
    // Four requests fit the 4-slot io queue; two wait for a free io slot.
    let held: Vec<u32> = (0..6).map(|i| g1.ring[i * SLOT_WORDS + 14]).collect();
    assert_eq!(held.iter().filter(|&&h| h != 0).count(), 4);
    for (i, &h) in held.iter().enumerate().filter(|(_, &h)| h != 0) {
        let q = (h as usize - 1) * 8;
        let i = i as u32;
        assert_eq!(
            &g1.io_queue[q..q + 8],
            &[
                1,
                100 + i,
                200 + i,
                4096 * i,
                0,
                512,
                state::PUBLISHED,
                0xA0 + i
            ]
        );
    }
    // A dispatch without host completions changes nothing and does not spin.
    let (g1b, r1b) = gpu_run(&mk, &g1, &DispatchOptions::default());
    assert_eq!(g1b.ring, g1.ring);
    assert_eq!(r1b.waves, 1);
    // The host completes slot 0's request OK and slot 1's with an error.
    let mut host = g1.clone();
    host.io_queue[(held[0] as usize - 1) * 8 + 6] = state::IO_OK;
    host.io_queue[(held[1] as usize - 1) * 8 + 6] = state::IO_ERROR;
    let (g2, r2) = gpu_run(&mk, &host, &DispatchOptions::default());
    let (c2, _) = ref_run(&host, &RefOptions::default());
    assert_same(&g2, &c2);
    assert_eq!(status_of(&g2.ring, 0), state::DONE);
    assert_eq!(
        (status_of(&g2.ring, 1), g2.ring[SLOT_WORDS + 15]),
        (state::FAULT, fault::IO_ERROR)
    );
    assert_eq!((r2.done, r2.faulted, r2.waiting_io), (1, 1, 4));
    // The freed io slots went to the two requests that were waiting for one.
    let held2: Vec<u32> = (0..6).map(|i| g2.ring[i * SLOT_WORDS + 14]).collect();
    assert!(held2[2..].iter().all(|&h| h != 0), "{held2:?}");
}

#[test]
fn max_wall_time_drains_and_a_later_dispatch_finishes_exactly() {
    const LEN: usize = 2_000_000;
    let mk = Megakernel::bootstrap(device()).unwrap();
    let mut ctl = control(1, 2 * LEN + 16, 256);
    for i in 0..LEN {
        ctl[CONTROL_WORDS + LEN + 8 + i] = i as u32 ^ 0x5555;
    }
    let mut ring = empty_ring(256);
    // src > dst: a forward copy, which advances src/dst as it goes.
    let (dst, src) = (CONTROL_WORDS as u32, (CONTROL_WORDS + LEN + 8) as u32);
    publish(&mut ring, 0, 0, 0, op::MEMCPY, &[src, dst, LEN as u32]);
    let input = bufs(ctl, ring);
    let short = DispatchOptions {
        max_wall_time: Duration::from_millis(1),
        ..Default::default()
    };
    let (part, r) = gpu_run(&mk, &input, &short);
    assert_eq!(r.stop, StopReason::TimeLimit);
    assert_eq!((r.claimable, r.remaining(), r.done), (1, 1, 0));
    assert_eq!(
        status_of(&part.ring, 0),
        state::YIELD,
        "progress saved, not dropped"
    );
    let left = part.ring[6] as usize;
    let copied = LEN - left;
    assert!(copied > 0 && left > 0);
    assert_eq!(part.ring[4] as usize, src as usize + copied);
    assert_eq!(part.ring[5] as usize, dst as usize + copied);
    assert!(
        part.control[dst as usize..dst as usize + copied]
            == input.control[src as usize..src as usize + copied]
    );
    let (all, r2) = gpu_run(&mk, &part, &DispatchOptions::default());
    assert_eq!(r2.stop, StopReason::Complete);
    assert!(
        all.control[dst as usize..dst as usize + LEN]
            == input.control[src as usize..src as usize + LEN]
    );
    assert_eq!(all.control[c::DONE_COUNT], 1);
}

#[test]
fn eight_threads_dispatch_concurrently_on_one_megakernel() {
    let mk = Megakernel::bootstrap(device()).unwrap();
    std::thread::scope(|s| {
        for t in 0..8u32 {
            let mk = mk.clone();
            s.spawn(move || {
                for round in 0..12u32 {
                    let mut ring = empty_ring(256);
                    for i in 0..256u32 {
                        publish(
                            &mut ring,
                            i as usize,
                            0,
                            i % 5,
                            op::ATOMIC_ADD,
                            &[t * 1000 + round + i, 170 + (i % 4)],
                        );
                    }
                    publish(&mut ring, 255, 0, 4, op::STORE_U32, &[t, 180]);
                    let input = bufs(control(1, 32, 256), ring);
                    let (g, r) = gpu_run(&mk, &input, &DispatchOptions::default());
                    let (cpu, _) = ref_run(&input, &RefOptions::default());
                    assert_same(&g, &cpu);
                    assert_eq!(g.control[180], t);
                    assert_eq!(r.done, 256);
                }
            });
        }
    });
}
