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
