//! DFA_SCAN on the GPU (lavapipe in CI) against the CPU reference scan.

use std::sync::Arc;
use vyre::scan::cpu::{self, Hit};
use vyre::scan::gpu::GpuBackend;
use vyre::scan::{reference, CompileOptions, Dfa, DfaSet, Pattern, Scanner};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn gpu(dfa: &Arc<Dfa>, chunk: u64, pass_bytes: Option<usize>) -> Scanner {
    let mut b = GpuBackend::new(None, chunk).expect("GPU backend (lavapipe after scripts/setup)");
    if let Some(p) = pass_bytes {
        b.set_pass_bytes(p);
    }
    Scanner::new(dfa.clone(), Box::new(b))
}

fn patterns() -> Vec<Pattern> {
    vec![
        Pattern::regex("a[^z]*z", 1),
        Pattern::regex("^b+", 2),
        Pattern::regex("q+$", 3),
        Pattern::regex(r"\bkey\b", 4),
        Pattern::regex("aa", 5),
        Pattern::literal(b"ab", 6),
        Pattern::regex("x{3,5}", 7),
    ]
}

fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| b"abzqx key\n"[rng.below(10)]).collect()
}

#[test]
fn gpu_scan_equals_cpu_scan() {
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = Rng(77);
    // Tiny chunks force many speculative chunks and lockstep fix-ups.
    for chunk in [1u64, 5, 64, 4096] {
        let sc = gpu(&dfa, chunk, None);
        for len in [0usize, 1, 3, 100, 5000] {
            let hay = text(&mut rng, len);
            let want = cpu::scan(&dfa, &hay);
            assert_eq!(sc.scan(&hay, 0).unwrap(), want, "chunk {chunk} len {len}");
            if len == 5000 {
                assert_eq!(want, reference::scan(&p, &hay).unwrap());
                assert!(want.len() > 100);
            }
        }
    }
    // A match spanning every chunk boundary: "a" + 3000 non-z bytes + "z".
    let mut hay = b"bb a".to_vec();
    hay.extend(std::iter::repeat_n(b'y', 3000));
    hay.extend_from_slice(b"z key qq");
    let sc = gpu(&dfa, 7, None);
    assert_eq!(sc.scan(&hay, 9).unwrap(), {
        let mut w = cpu::scan(&dfa, &hay);
        w.iter_mut().for_each(|h| h.tag = 9);
        w
    });
}

#[test]
fn gpu_batch_stream_and_passes() {
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = Rng(3);
    let inputs: Vec<Vec<u8>> = (0..40).map(|i| text(&mut rng, i * 37)).collect();
    let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
    let tags: Vec<u32> = (0..40).map(|i| 1000 + i).collect();
    let mut want = Vec::new();
    for (b, &t) in refs.iter().zip(&tags) {
        want.extend(cpu::scan(&dfa, b).into_iter().map(|h| Hit { tag: t, ..h }));
    }
    // Multi-pass: haystack bindings of 256 bytes force items to split across passes.
    for pass in [None, Some(256usize)] {
        let sc = gpu(&dfa, 16, pass);
        assert_eq!(sc.scan_many(&refs, &tags).unwrap(), want, "pass {pass:?}");
    }
    // Streaming: pieces of a long input, state carried across calls.
    let hay = text(&mut rng, 3000);
    let sc = gpu(&dfa, 32, None);
    let mut st = sc.stream_open(4).unwrap();
    let mut got = Vec::new();
    let mut at = 0;
    while at < hay.len() {
        let n = (1 + rng.below(700)).min(hay.len() - at);
        got.extend(sc.stream_write(&mut st, &hay[at..at + n]).unwrap());
        at += n;
    }
    got.extend(sc.stream_close(&mut st));
    let want: Vec<Hit> = cpu::scan(&dfa, &hay)
        .into_iter()
        .map(|h| Hit { tag: 4, ..h })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn gpu_ten_thousand_literals_and_hit_overflow() {
    let mut rng = Rng(11);
    let alpha = b"abcdefghijklmnopqrstuvwxyz";
    let lits: Vec<Vec<u8>> = (0..10_000)
        .map(|_| {
            (0..4 + rng.below(6))
                .map(|_| alpha[rng.below(26)])
                .collect()
        })
        .collect();
    let p: Vec<Pattern> = lits
        .iter()
        .enumerate()
        .map(|(i, l)| Pattern::literal(l, i as u32))
        .collect();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut hay = Vec::new();
    while hay.len() < 300_000 {
        hay.extend_from_slice(&lits[rng.below(lits.len())]);
        hay.push(b' ');
    }
    let want = cpu::scan(&dfa, &hay);
    // More hits than the initial ring capacity (hay/64 = 4,687): overflow is counted and
    // the round re-run with enough room.
    assert!(want.len() > 20_000, "{}", want.len());
    assert_eq!(gpu(&dfa, 4096, None).scan(&hay, 0).unwrap(), want);
}

#[test]
fn gpu_input_larger_than_one_binding() {
    // > 128 MiB (lavapipe's max binding): split across passes, one chunk state carried.
    let p = vec![
        Pattern::regex("needle[0-9]+!", 1),
        Pattern::literal(b"zz", 2),
    ];
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let len = (129 << 20) + 12345;
    let mut hay = vec![b'.'; len];
    let mut rng = Rng(5);
    for _ in 0..200 {
        let at = rng.below(len - 20);
        hay[at..at + 10].copy_from_slice(b"needle123!");
    }
    // One match straddling the 128 MiB pass boundary.
    let b = 128 << 20;
    hay[b - 8..b + 4].copy_from_slice(b"needle99999!");
    hay[b - 1] = b'9';
    let want = cpu::scan(&dfa, &hay);
    let got = gpu(&dfa, 1 << 20, None).scan(&hay, 0).unwrap();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    assert!(want.iter().any(|h| h.end == b as u64 + 4));
}

#[test]
fn gpu_resident_haystack_scans_again_and_again() {
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = Rng(4242);
    // Default chunking (chosen from the size) and tiny chunks (many fix-ups, unaligned
    // chunk starts); a 3-byte haystack with no whole word; an empty one.
    for chunk in [0u64, 7] {
        let sc = gpu(&dfa, chunk, None);
        for len in [0usize, 3, 70_001] {
            let bytes = text(&mut rng, len);
            let want = cpu::scan(&dfa, &bytes);
            let hay = sc.load(&bytes).unwrap();
            assert_eq!(hay.bytes(), &bytes[..]);
            for round in 0..3 {
                assert_eq!(
                    sc.scan_resident(&hay, 0).unwrap(),
                    want,
                    "chunk {chunk} len {len} round {round}"
                );
                // Scans from host memory in between reuse the scanner's own buffers and
                // must not disturb the resident haystack.
                let other = text(&mut rng, 999);
                assert_eq!(sc.scan(&other, 0).unwrap(), cpu::scan(&dfa, &other));
            }
            let tagged = sc.scan_resident(&hay, 9).unwrap();
            assert!(tagged.iter().all(|h| h.tag == 9));
            assert_eq!(tagged.len(), want.len());
        }
    }
    // A haystack with far more hits than the initial hit ring: the ring grows (the set is
    // rebuilt with table and haystack carried over) and later scans stay exact.
    let dense =
        Arc::new(Dfa::compile(&[Pattern::regex("a", 1)], &CompileOptions::default()).unwrap());
    let sc = gpu(&dense, 0, None);
    let bytes = vec![b'a'; 300_000];
    let hay = sc.load(&bytes).unwrap();
    for _ in 0..2 {
        let hits = sc.scan_resident(&hay, 0).unwrap();
        assert_eq!(hits.len(), 300_000);
        assert_eq!(hits[299_999].end, 300_000);
    }
    // Haystacks larger than one pass fall back to scanning from host memory in passes.
    let sc = gpu(&dfa, 0, Some(4096));
    let bytes = text(&mut rng, 10_000);
    let hay = sc.load(&bytes).unwrap();
    assert_eq!(sc.scan_resident(&hay, 0).unwrap(), cpu::scan(&dfa, &bytes));
}

#[test]
fn gpu_split_sets_equal_per_pattern_scans() {
    // A set that must be split into several DFAs (groups); ids 1 and 3 appear twice.
    let p = vec![
        Pattern::regex("a[ab]{6}b", 1),
        Pattern::regex("b[ab]{5}a", 2),
        Pattern::regex("[ab]a[ab]{7}", 3),
        Pattern::regex("ab+a", 4),
        Pattern::literal(b"bab", 5),
        Pattern::regex("x[ab]{4}x", 6),
        Pattern::regex("(?i)A[ab]{6}", 1),
        Pattern::regex("b{2,4}x", 7),
        Pattern::regex("z$", 8),
        Pattern::regex("^a", 3),
    ];
    let set = DfaSet::compile_grouped(&p, &CompileOptions::default(), 48 << 10).unwrap();
    assert!(set.group_count() >= 2, "{} groups", set.group_count());
    let mut b = GpuBackend::new(None, 16).expect("GPU backend");
    b.set_pass_bytes(512);
    let sc = Scanner::new(set, Box::new(b));
    let mut rng = Rng(4242);
    for round in 0..6 {
        let inputs: Vec<Vec<u8>> = (0..3)
            .map(|_| {
                (0..rng.below(1500))
                    .map(|_| b"aabbAxz\n "[rng.below(9)])
                    .collect()
            })
            .collect();
        let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
        let tags = [5, 6, 7];
        let mut want = Vec::new();
        for (b, &t) in refs.iter().zip(&tags) {
            let per = reference::scan(&p, b).unwrap();
            want.extend(per.into_iter().map(|h| Hit { tag: t, ..h }));
        }
        assert_eq!(sc.scan_many(&refs, &tags).unwrap(), want, "round {round}");
        let mut st = sc.stream_open(5).unwrap();
        let mut got = Vec::new();
        let mut at = 0;
        while at < refs[0].len() {
            let n = (1 + rng.below(300)).min(refs[0].len() - at);
            got.extend(sc.stream_write(&mut st, &refs[0][at..at + n]).unwrap());
            at += n;
        }
        got.extend(sc.stream_close(&mut st));
        got.sort_unstable_by_key(|h| (h.end, h.pattern));
        let want0: Vec<Hit> = want.iter().filter(|h| h.tag == 5).copied().collect();
        assert_eq!(got, want0, "stream, round {round}");
        let hay = sc.load(refs[1]).unwrap();
        let want1: Vec<Hit> = want.iter().filter(|h| h.tag == 6).copied().collect();
        for _ in 0..2 {
            assert_eq!(sc.scan_resident(&hay, 6).unwrap(), want1, "resident");
        }
    }
}

mod scan_common;

#[test]
fn prefiltered_rule_file_on_gpu_equals_reference() {
    // The literal DFA of the prefilter runs as a group next to the residual regex
    // groups; factor hits are verified on the host.
    let p = scan_common::rules();
    let set = DfaSet::compile(&p, &CompileOptions::default()).unwrap();
    assert!(set.prefiltered_count() >= 100);
    let mut b = GpuBackend::new(None, 64).expect("GPU backend");
    b.set_pass_bytes(4096);
    let sc = Scanner::new(set, Box::new(b));
    let r = reference::Reference::new(&p).unwrap();
    let planter = scan_common::Planter::new(&p);
    let mut rng = scan_common::Rng(0x6b0);
    let inputs: Vec<Vec<u8>> = [3000, 0, 9000]
        .iter()
        .map(|&n| planter.input(&mut rng, n))
        .collect();
    let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
    let tags = [1, 2, 1];
    let mut want = Vec::new();
    for (b, &t) in refs.iter().zip(&tags) {
        want.extend(r.scan(b).unwrap().into_iter().map(|h| Hit { tag: t, ..h }));
    }
    want.sort_unstable_by_key(|h| (h.tag, h.end, h.pattern));
    want.dedup();
    assert!(want.len() > 10);
    assert_eq!(sc.scan_many(&refs, &tags).unwrap(), want);
    let hay = sc.load(refs[2]).unwrap();
    let want2: Vec<Hit> = r
        .scan(refs[2])
        .unwrap()
        .into_iter()
        .map(|h| Hit { tag: 9, ..h })
        .collect();
    assert_eq!(sc.scan_resident(&hay, 9).unwrap(), want2);
}

#[test]
fn gpu_hot_table_edges_on_an_imported_table() {
    // 40,000 states, 3 classes, random transitions, start state 7: the staged (hot)
    // states lead to staged and unstaged states (some just past 0x7FFF, the limit of a
    // 16-bit entry should the staging format change); every 97th state matches. GPU
    // must equal the CPU scan.
    let mut rng = Rng(0x5eed_1234);
    let n = 40_000u32;
    let classes = 3u32;
    let mut class_map = [0u8; 256];
    for (b, c) in class_map.iter_mut().enumerate() {
        *c = (b % 3) as u8;
    }
    let transitions: Vec<u32> = (0..n * classes)
        .map(|i| match i % 4 {
            0 => 0x7FFF + rng.below(4) as u32, // just past the 16-bit range
            1 => rng.below(300) as u32,        // staged
            _ => rng.below(n as usize) as u32,
        })
        .collect();
    let mut match_offsets = vec![0u32];
    let mut match_ids = Vec::new();
    for s in 0..n {
        if s % 97 == 0 {
            match_ids.push(s % 5);
        }
        match_offsets.push(match_ids.len() as u32);
    }
    let dfa = Arc::new(
        Dfa::import(
            &vyre::scan::ImportTable {
                state_count: n,
                class_count: classes,
                start_state: 7,
                delay: 0,
                class_map,
                transitions,
                match_offsets,
                match_ids,
                eoi_offsets: Vec::new(),
                eoi_ids: Vec::new(),
            },
            &CompileOptions::default(),
        )
        .unwrap(),
    );
    let hay: Vec<u8> = (0..200_000).map(|_| rng.below(256) as u8).collect();
    let want = Scanner::cpu(dfa.clone(), 1).scan(&hay, 3).unwrap();
    assert!(want.len() > 1000, "{} hits", want.len());
    for chunk in [0u64, 4096] {
        assert_eq!(
            gpu(&dfa, chunk, None).scan(&hay, 3).unwrap(),
            want,
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_new_table_at_a_dropped_tables_address_is_uploaded() {
    // The backend caches device buffers per table. Tables of equal size built one after
    // another usually land at the address the last one was freed from; each must still
    // be scanned with its own transitions.
    use vyre::scan::Backend;
    let b = GpuBackend::new(None, 64).expect("GPU backend");
    let input = b"foo bar baz foo";
    for (i, word) in [&b"foo"[..], b"bar", b"baz", b"foo"].iter().enumerate() {
        let dfa = Box::new(
            Dfa::compile(
                &[Pattern::literal(word, i as u32)],
                &CompileOptions::default(),
            )
            .unwrap(),
        );
        let item = [vyre::scan::Item {
            bytes: input,
            state: dfa.start_state(),
            base: 0,
            tag: 0,
        }];
        let mut got = Vec::new();
        b.scan_items(&dfa, &item, &mut got).unwrap();
        got.sort_by_key(|h| (h.end, h.pattern));
        let want = cpu::scan(&dfa, input);
        assert_eq!(got, want, "table {i} ({})", String::from_utf8_lossy(word));
        assert!(!want.is_empty());
    }
}

#[test]
fn a_round_longer_than_the_wall_time_limit_continues() {
    // 1 ms per dispatch: every round (and a resident haystack's, with the queue of
    // literal hits) needs many dispatches; the hits must equal the CPU scan's.
    let dfa = Arc::new(Dfa::compile(&patterns(), &CompileOptions::default()).unwrap());
    let mut rng = Rng(77);
    let hay = text(&mut rng, 3 << 20);
    let want = cpu::scan(&dfa, &hay);
    assert!(want.len() > 100);
    let mut b = GpuBackend::new(None, 1 << 20).expect("GPU backend");
    b.set_wall_time(std::time::Duration::ZERO);
    let sc = Scanner::new(dfa.clone(), Box::new(b));
    assert_eq!(sc.scan(&hay, 0).unwrap(), want);
    let loaded = sc.load(&hay).unwrap();
    assert_eq!(sc.scan_resident(&loaded, 0).unwrap(), want);
}

#[test]
fn hit_regions_sized_from_the_last_call_hold_every_hit() {
    // Round 0 writes each chunk's first hits into a region sized from that chunk's hits
    // in the last call (or of a fixed size, VYRE_SCAN_REGION), the rest as overflow
    // records. Inputs of one length (same chunking) whose hits move from the first
    // half to the second and back: regions too small, too large and empty, then right;
    // a resident haystack scanned again. 64-byte chunks: the ring's region room (8
    // records per chunk on average) holds every chunk's hits; 256-byte chunks: it does
    // not, and each chunk gets its share. Every scan equals the CPU scan.
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = Rng(4242);
    let len = 8192;
    let quiet = |n: usize| vec![b'.'; n];
    let mut front = text(&mut rng, len / 2);
    front.extend(quiet(len / 2));
    let mut back = quiet(len / 2);
    back.extend(text(&mut rng, len / 2));
    let mixed = text(&mut rng, len);
    let configs = [
        (64, None),
        (256, None),
        (256, Some(0)),
        (256, Some(1)),
        (64, Some(8)),
    ];
    for (chunk, region) in configs {
        let mut b = GpuBackend::new(None, chunk).expect("GPU backend");
        b.set_region(region);
        let sc = Scanner::new(dfa.clone(), Box::new(b));
        for hay in [&front, &back, &front, &mixed, &mixed, &back] {
            let want = cpu::scan(&dfa, hay);
            assert!(want.len() > 200, "{}", want.len());
            assert_eq!(
                sc.scan(hay, 0).unwrap(),
                want,
                "chunk {chunk} region {region:?}"
            );
        }
        let loaded = sc.load(&mixed).unwrap();
        for _ in 0..3 {
            assert_eq!(
                sc.scan_resident(&loaded, 0).unwrap(),
                cpu::scan(&dfa, &mixed),
                "chunk {chunk} region {region:?}, resident"
            );
        }
    }
}

#[test]
fn hits_queued_in_the_lane_equal_cpu_on_a_table_without_verification() {
    // GPUs queue every hit in the scan loop and handle the queue at drains (every
    // DRAIN_EVERY iterations, or before a 16-byte block could overfill it); lavapipe
    // handles each hit at once. Here the queue is on through the knobs, on dense hits
    // ("aa", "ab", "x{3,5}") and chunks that need fix-ups (mode 1 queues its hits too):
    // a full queue drained each time, and a queue drained only when full.
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let mut rng = Rng(4242);
    let hay = text(&mut rng, 60_000);
    let want = cpu::scan(&dfa, &hay);
    for knobs in [
        [("VYRE_SCAN_QUEUE", 32), ("VYRE_SCAN_DRAIN_EVERY", 8)],
        [("VYRE_SCAN_QUEUE", 1), ("VYRE_SCAN_DRAIN_EVERY", 4096)],
    ] {
        for chunk in [0, 700] {
            let b = GpuBackend::with_knobs(None, chunk, &knobs).expect("GPU backend");
            let sc = Scanner::new(dfa.clone(), Box::new(b));
            assert_eq!(sc.scan(&hay, 0).unwrap(), want, "{knobs:?} chunk {chunk}");
            let loaded = sc.load(&hay).unwrap();
            assert_eq!(
                sc.scan_resident(&loaded, 0).unwrap(),
                want,
                "{knobs:?} chunk {chunk}"
            );
        }
    }
}

#[test]
fn scanners_opened_and_dropped_on_several_threads_at_once() {
    // Each thread opens a GPU scanner (its own device), scans, checks, drops it, and
    // does it again, while the other threads' devices work: the pattern of this suite
    // run in parallel, under which `scan_gpu` hung now and then on the H200
    // (BENCHMARKS.md, session 8). A hang here is that defect.
    let p = patterns();
    let dfa = Arc::new(Dfa::compile(&p, &CompileOptions::default()).unwrap());
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let dfa = dfa.clone();
            std::thread::spawn(move || {
                let mut rng = Rng(77 + t);
                for round in 0..3 {
                    let hay = text(&mut rng, 20_000 + 1000 * t as usize);
                    let want = cpu::scan(&dfa, &hay);
                    let sc = gpu(&dfa, 512, None);
                    assert_eq!(sc.scan(&hay, 0).unwrap(), want, "thread {t} round {round}");
                    let loaded = sc.load(&hay).unwrap();
                    assert_eq!(sc.scan_resident(&loaded, 0).unwrap(), want, "thread {t}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a scanning thread panicked");
    }
}

#[test]
fn resident_scans_with_any_user_ids_equal_reference() {
    // The GPU hands a resident scan's hits back with user ids mapped on the device
    // (when every hit is final): ids equal to the prefilter's factor hit ids, ids with
    // bit 31 set and ids shared by several rules must all come back as the reference
    // reports them, scan after scan, with the caller's tag.
    let mut p = scan_common::rules();
    let n = p.len() as u32;
    for (i, q) in p.iter_mut().enumerate() {
        q.id = match i % 4 {
            0 => n + i as u32,
            1 => 0x8000_0000 | (i as u32 * 977),
            2 => 7,
            _ => i as u32,
        };
    }
    // A second rule with github-pat's id: tokens both match report one hit.
    let gh = p
        .iter()
        .position(|q| q.expression.starts_with(br"\bghp_"))
        .unwrap();
    p.push(Pattern::regex("ghp_[0-9]{36}", p[gh].id));
    let set = DfaSet::compile(&p, &CompileOptions::default()).unwrap();
    assert!(set.prefiltered_count() >= 100);
    let r = reference::Reference::new(&p).unwrap();
    let planter = scan_common::Planter::new(&p);
    let mut rng = scan_common::Rng(0x1abe1);
    let sc = Scanner::new(
        set,
        Box::new(GpuBackend::new(None, 256).expect("GPU backend")),
    );
    for len in [40_000usize, 150_000] {
        let mut bytes = planter.input(&mut rng, len);
        for i in 0..40u64 {
            bytes.extend_from_slice(format!(" ghp_{:036} ", i * 104_729).as_bytes());
        }
        let mut want: Vec<Hit> = r
            .scan(&bytes)
            .unwrap()
            .into_iter()
            .map(|h| Hit {
                tag: 0xFFFF_FFFF,
                ..h
            })
            .collect();
        want.sort_unstable_by_key(|h| (h.end, h.pattern));
        want.dedup();
        assert!(want.len() > 50, "{} hits", want.len());
        let hay = sc.load(&bytes).unwrap();
        for round in 0..3 {
            assert_eq!(
                sc.scan_resident(&hay, 0xFFFF_FFFF).unwrap(),
                want,
                "len {len} round {round}"
            );
        }
    }
}
