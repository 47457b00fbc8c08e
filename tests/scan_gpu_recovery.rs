//! A scan across a real device loss (lavapipe in CI). Its own test binary: the loss is
//! made by destroying the device, and on the H200 (NVIDIA 580 driver) other tests
//! scanning on their own devices in the same process at that moment stalled (none
//! finished within 40 s; each passes alone and all pass without this one), so it does
//! not share a process with them.
mod scan_common;

use std::sync::Arc;
use vyre::scan::cpu::{self, Hit};
use vyre::scan::gpu::GpuBackend;
use vyre::scan::{CompileOptions, Dfa, Pattern, Scanner};

#[test]
fn gpu_scan_after_a_device_loss_equals_cpu() {
    // A big scan leaves many round-0 slots in the set's mirror; after a real device loss
    // the set is rebuilt from it. A smaller scan then must not see those slots again.
    let p = [
        Pattern::regex("a[^z]*z", 1),
        Pattern::regex("q+$", 2),
        Pattern::literal(b"ab", 3),
        Pattern::regex("x{3,5}", 4),
    ];
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = scan_common::Rng(0x10_55);
    let mut text = |n: usize| -> Vec<u8> { (0..n).map(|_| b"abqxz k"[rng.below(7)]).collect() };
    let (big, small) = (text(300_000), text(5_000));
    let want = |hay: &[u8], tag: u32| -> Vec<Hit> {
        cpu::scan(&dfa, hay)
            .into_iter()
            .map(|h| Hit { tag, ..h })
            .collect()
    };
    let b = GpuBackend::new(None, 512).expect("GPU backend");
    let dev = b.device().clone();
    let sc = Scanner::new(dfa.clone(), Box::new(b));
    let first = sc.scan(&big, 1).unwrap();
    assert!(first.len() > 1000, "{}", first.len());
    assert_eq!(first, want(&big, 1));
    dev.debug_destroy();
    assert_eq!(sc.scan(&small, 2).unwrap(), want(&small, 2));
    assert_eq!(sc.scan(&big, 3).unwrap(), want(&big, 3));
}

#[test]
fn a_device_lost_before_the_hits_are_read_runs_the_round_again() {
    // The first scan of a buffer set has no region table: its hits are overflow records,
    // more than ride with the dispatch. The second has regions and more compacted hits
    // than the first read held. Losing the device right after either dispatch must run
    // that round again on a rebuilt set, never return what the rebuilt buffers hold.
    let p = [Pattern::literal(b"ab", 1), Pattern::regex("x{3,5}", 2)];
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = scan_common::Rng(0x1057);
    let hay: Vec<u8> = (0..200_000).map(|_| b"abx x"[rng.below(5)]).collect();
    let want = cpu::scan(&dfa, &hay);
    assert!(want.len() > 10_000, "{}", want.len());
    for round in [1, 2] {
        let mut b = GpuBackend::new(None, 4096).expect("GPU backend");
        b.lose_device_after_round0(round);
        let dev = b.device().clone();
        let sc = Scanner::new(dfa.clone(), Box::new(b));
        for call in 1..=3 {
            assert_eq!(
                sc.scan(&hay, 0).unwrap(),
                want,
                "lost after round {round}, call {call}"
            );
        }
        assert!(
            dev.generation() > 1,
            "the device was not lost (round {round})"
        );
    }
}
