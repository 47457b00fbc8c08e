//! Benchmark (not a test): encode a 1,048,576-item work-item ring (64 MiB) and compare
//! with a plain memcpy of the same number of bytes, in the same run.
//!
//! Run: `cargo bench --bench encode` (prints ns/item and the ratio to memcpy; median of
//! RUNS runs after a warm-up that faults every page in).

use std::hint::black_box;
use std::time::Instant;
use vyre::protocol::{self as p, WorkItem};

const ITEMS: usize = 1 << 20;
const RUNS: usize = 15;

fn median_ns(mut f: impl FnMut()) -> f64 {
    f(); // warm-up: page faults and caches
    let mut t: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_nanos() as f64
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[RUNS / 2]
}

fn main() {
    let items: Vec<WorkItem> = (0..ITEMS as u32)
        .map(|i| WorkItem {
            op_handle: 8 + i % 100,
            input_handle: i,
            output_handle: i ^ 0x5555,
            param: 3,
        })
        .collect();
    let len = p::ring_len(ITEMS as u32).expect("ring size");
    let src = vec![0x5Au8; len];
    let mut dst = vec![0u8; len];
    let mut ring = vec![0u8; len];
    let mut words = vec![0u32; len / 4];
    let c_items: &[vyre::ffi::protocol::vyre_work_item] = bytemuck::cast_slice(&items);

    let memcpy = median_ns(|| {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
    });
    let bytes = median_ns(|| {
        p::encode_work_items_ring(ITEMS as u32, 0, black_box(&items), &mut ring).expect("encode");
        black_box(&mut ring);
    });
    let word_form = median_ns(|| {
        p::encode_work_items_ring_words(ITEMS as u32, 0, black_box(&items), &mut words)
            .expect("encode");
        black_box(&mut words);
    });
    let c_api = median_ns(|| {
        let mut written = 0usize;
        let st = unsafe {
            vyre::ffi::protocol::vyre_ring_encode_work_items(
                ITEMS as u32,
                0,
                c_items.as_ptr(),
                c_items.len(),
                ring.as_mut_ptr(),
                ring.len(),
                &mut written,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(st, 0);
        black_box(&mut ring);
    });
    let validate_only = median_ns(|| {
        // A size query validates every item and writes nothing: the validation pass alone.
        let mut written = 0usize;
        let st = unsafe {
            vyre::ffi::protocol::vyre_ring_encode_work_items(
                ITEMS as u32,
                0,
                c_items.as_ptr(),
                c_items.len(),
                std::ptr::null_mut(),
                0,
                &mut written,
                std::ptr::null_mut(),
            )
        };
        assert_eq!((st, written), (0, len));
    });
    // The encoders agree with each other (and are not optimised away).
    assert_eq!(bytemuck::cast_slice::<u32, u8>(&words), &ring[..]);
    assert_eq!(p::read_slot(&ring, 7).expect("slot").args[0], 7);

    let mib = len as f64 / (1024.0 * 1024.0);
    println!("protocol encode: {ITEMS} work items -> {mib:.0} MiB ring, median of {RUNS} runs");
    let row = |name: &str, ns: f64| {
        println!(
            "  {name:<34} {:>8.2} ms  {:>6.2} ns/item  {:>6.2} GiB/s  {:>5.2}x memcpy",
            ns / 1e6,
            ns / ITEMS as f64,
            len as f64 / ns / 1.073_741_824,
            ns / memcpy
        );
    };
    row("memcpy (copy_from_slice, 64 MiB)", memcpy);
    row("encode_work_items_ring (bytes)", bytes);
    row("encode_work_items_ring_words", word_form);
    row("vyre_ring_encode_work_items (C)", c_api);
    row("  of which validation pass (C query)", validate_only);
}
