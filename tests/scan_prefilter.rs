//! The literal prefilter (factor literals + exact host verification) on the bundled
//! rule file, checked match-for-match against the independent per-pattern reference.

mod scan_common;

use scan_common::{rules, Planter, Rng};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use vyre::scan::reference::Reference;
use vyre::scan::{CompileOptions, DfaSet, Hit, Pattern, Scanner};

struct Fixture {
    set: DfaSet,
    reference: Reference,
    planter: Planter,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let patterns = rules();
        let set = DfaSet::compile(&patterns, &CompileOptions::default()).unwrap();
        Fixture {
            reference: Reference::new(&patterns).unwrap(),
            planter: Planter::new(&patterns),
            set,
        }
    })
}

/// A few rules with a small group target: the set does not fit one table, so it is
/// prefiltered, and its full groups (streams, dense input) compile fast.
fn small_prefiltered_set() -> (Vec<Pattern>, DfaSet) {
    let all = rules();
    let p: Vec<Pattern> = [0usize, 5, 14, 20, 27, 85, 112]
        .iter()
        .map(|&i| all[i].clone())
        .collect();
    let set = DfaSet::compile_prefiltered(&p, &CompileOptions::default(), 64 << 10).unwrap();
    (p, set)
}

fn tagged(hits: Vec<Hit>, tag: u32) -> Vec<Hit> {
    hits.into_iter().map(|h| Hit { tag, ..h }).collect()
}

/// Reference hits of a batch, merged the way the scanner merges them.
fn want_batch(r: &Reference, inputs: &[&[u8]], tags: &[u32]) -> Vec<Hit> {
    let mut want = Vec::new();
    for (b, &t) in inputs.iter().zip(tags) {
        want.extend(tagged(r.scan(b).unwrap(), t));
    }
    want.sort_unstable_by_key(|h| (h.tag, h.end, h.pattern));
    want.dedup();
    want
}

#[test]
fn rule_file_is_mostly_prefiltered() {
    let f = fixture();
    assert_eq!(f.set.pattern_count(), 117);
    assert!(
        f.set.prefiltered_count() >= 100,
        "{}",
        f.set.prefiltered_count()
    );
    // Residual regex groups plus the literal DFA: a handful instead of 22 groups.
    assert!(f.set.group_count() <= 4, "{} groups", f.set.group_count());
}

#[test]
fn batches_equal_reference_on_planted_tokens() {
    let f = fixture();
    let mut sc = Scanner::cpu(f.set.clone(), 2);
    sc.set_chunk_len(97);
    let mut rng = Rng(0x5eed);
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for round in 0..40 {
        let inputs: Vec<Vec<u8>> = (0..4)
            .map(|i| {
                if round % 5 == 0 && i == 3 {
                    Vec::new() // 0-length item
                } else {
                    {
                        let n = 50 + rng.below(900);
                        f.planter.input(&mut rng, n)
                    }
                }
            })
            .collect();
        let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
        // Repeated tags: hits of two items with one tag merge like the reference's.
        let tags = [9, 4, 9, u32::MAX];
        let want = want_batch(&f.reference, &refs, &tags);
        let got = sc.scan_many(&refs, &tags).unwrap();
        assert_eq!(
            got,
            want,
            "round {round}: inputs {:?}",
            refs.iter()
                .map(|b| String::from_utf8_lossy(b))
                .collect::<Vec<_>>()
        );
        total += want.len();
        seen.extend(want.iter().map(|h| h.pattern));
    }
    // The generator really produces matches of many rules (else this proves nothing).
    assert!(total > 120, "{total} hits");
    assert!(seen.len() > 40, "{} rules hit", seen.len());
}

#[test]
fn resident_and_single_scans_equal_reference() {
    let f = fixture();
    let sc = Scanner::cpu(f.set.clone(), 2);
    let mut rng = Rng(0xfeed);
    for round in 0..10 {
        let n = 2000 + rng.below(4000);
        let hay = f.planter.input(&mut rng, n);
        let want = tagged(f.reference.scan(&hay).unwrap(), 3);
        assert!(!want.is_empty());
        let loaded = sc.load(&hay).unwrap();
        assert_eq!(sc.scan_resident(&loaded, 3).unwrap(), want, "round {round}");
        assert_eq!(sc.scan(&hay, 3).unwrap(), want, "round {round}");
    }
    let empty = sc.load(b"").unwrap();
    assert_eq!(sc.scan_resident(&empty, 1).unwrap(), vec![]);
    assert_eq!(sc.scan(b"", 1).unwrap(), vec![]);
}

#[test]
fn tokens_at_edges_and_overlapping_factors() {
    let f = fixture();
    let sc = Scanner::cpu(f.set.clone(), 1);
    let key = "0123456789abcdefABCDEFghijklmnopqrs"; // 35 token bytes
    let ghp = "ghp_0123456789abcdefghijABCDEFGHIJKLmnop"; // ghp_ + 36
    let cases: Vec<(String, usize)> = vec![
        // Token at the very start (no byte before the window) and at the very end (EOI).
        (format!("AIza{key}"), 1),
        (format!("x AIza{key}"), 1),
        // A word byte right before the window start kills the match ([^...] / \b).
        (format!("xAIza{key}"), 0),
        (ghp.to_string(), 1),
        (format!("_{ghp}"), 0),
        (format!("{ghp}x"), 0),
        (format!("{ghp} "), 1),
        // Overlapping factors: two tokens sharing bytes, repeated factor runs.
        (format!("{ghp} {ghp}"), 2),
        ("AKIAAKIA01234567ABCD".to_string(), 1),
        (format!(":{}", "A".repeat(300)), 1),
        // Unbounded rules (anchored verification until the rule's DFA dies).
        ("password   =  'hunter2hunter2'".to_string(), 1),
        ("PASSWORD:\t\"0123456789\" pwd='abcdefghij'".to_string(), 2),
        (format!("aws_secret_access_key = \"{}\"", "A".repeat(40)), 1),
        (format!("\"auth\": \"{}==\"", "QUJD".repeat(8)), 1),
        (String::new(), 0),
    ];
    for (text, at_least) in cases {
        let hay = text.as_bytes();
        let want = f.reference.scan(hay).unwrap();
        assert!(
            want.len() >= at_least && (at_least > 0 || want.is_empty()),
            "{text:?}: reference gives {want:?}"
        );
        assert_eq!(sc.scan(hay, 0).unwrap(), want, "{text:?}");
        // Every split point: the same text as the second item of a batch and with
        // noise around it.
        let padded = [b"\n".as_slice(), hay, b"\n"].concat();
        let want_padded = f.reference.scan(&padded).unwrap();
        assert_eq!(sc.scan(&padded, 0).unwrap(), want_padded, "{text:?} padded");
    }
}

#[test]
fn corpus_files_equal_reference() {
    let f = fixture();
    let sc = Scanner::cpu(f.set.clone(), 2);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut stack = vec![root];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(std::fs::read(&p).unwrap());
            }
        }
    }
    assert!(files.len() >= 5);
    let refs: Vec<&[u8]> = files.iter().map(|v| v.as_slice()).collect();
    let tags: Vec<u32> = (0..refs.len() as u32).collect();
    let want = want_batch(&f.reference, &refs, &tags);
    assert!(want.len() > 10, "{} corpus hits", want.len());
    assert_eq!(sc.scan_many(&refs, &tags).unwrap(), want);
}

#[test]
fn streams_split_anywhere_equal_reference() {
    let (p, set) = small_prefiltered_set();
    assert!(set.prefiltered_count() >= 5, "{}", set.prefiltered_count());
    let reference = Reference::new(&p).unwrap();
    let sc = Scanner::cpu(set, 1);
    let planter = Planter::new(&p);
    let mut rng = Rng(0xabc);
    let mut total = 0;
    for _ in 0..3 {
        let hay = planter.input(&mut rng, 150);
        let want = tagged(reference.scan(&hay).unwrap(), 8);
        total += want.len();
        assert_eq!(sc.scan(&hay, 8).unwrap(), want);
        for cut in 0..=hay.len() {
            let mut st = sc.stream_open(8).unwrap();
            let mut got = sc.stream_write(&mut st, &hay[..cut]).unwrap();
            got.extend(sc.stream_write(&mut st, &hay[cut..]).unwrap());
            got.extend(sc.stream_close(&mut st));
            got.sort_unstable_by_key(|h| (h.end, h.pattern));
            assert_eq!(
                got,
                want,
                "cut at {cut} of {:?}",
                String::from_utf8_lossy(&hay)
            );
        }
    }
    assert!(total > 0);
}

#[test]
fn prefilter_only_when_it_removes_groups() {
    // A set that fits one table stays one table.
    let p = [
        Pattern::regex(r"\bghp_[0-9A-Za-z]{36}\b", 1),
        Pattern::regex("AKIA[0-9]", 2),
    ];
    let set = DfaSet::compile(&p, &CompileOptions::default()).unwrap();
    assert_eq!((set.group_count(), set.prefiltered_count()), (1, 0));
    // Pure literal dictionaries keep the Aho-Corasick path.
    let words: Vec<Pattern> = (0..3000u32)
        .map(|i| Pattern::literal(format!("w{i:05}x").as_bytes(), i))
        .collect();
    let set = DfaSet::compile_prefiltered(&words, &CompileOptions::default(), 4 << 10).unwrap();
    assert_eq!(set.prefiltered_count(), 0);
    // Pattern ids need not be unique: a hit is reported once per (id, end).
    let all = rules();
    let same: Vec<Pattern> = all.iter().map(|p| Pattern { id: 7, ..p.clone() }).collect();
    let set = DfaSet::compile(&same, &CompileOptions::default()).unwrap();
    assert!(set.prefiltered_count() > 0);
    let hay = format!("ghp_{} AKIA{}", "a".repeat(36), "B".repeat(16));
    let got = Scanner::cpu(set, 1).scan(hay.as_bytes(), 0).unwrap();
    assert_eq!(
        got,
        Reference::new(&same).unwrap().scan(hay.as_bytes()).unwrap()
    );
    assert_eq!(got.len(), 2);
}

#[test]
fn candidate_dense_input_switches_to_the_full_groups() {
    let (p, set) = small_prefiltered_set();
    let reference = Reference::new(&p).unwrap();
    let sc = Scanner::cpu(set, 2);
    let planter = Planter::new(&p);
    let mut rng = Rng(0xd15e);
    // Sparse: 2 MiB of planted tokens far apart keeps the prefilter.
    let mut sparse = Vec::new();
    while sparse.len() < 2 << 20 {
        sparse.extend(planter.input(&mut rng, 150));
        sparse.extend(std::iter::repeat_n(b'.', 4000));
    }
    assert_eq!(
        sc.scan(&sparse, 1).unwrap(),
        tagged(reference.scan(&sparse).unwrap(), 1)
    );
    assert!(!sc.uses_full_groups());
    // Dense: factor literals every few bytes (scanned whole by the full groups).
    let mut dense = Vec::new();
    while dense.len() < 2 << 20 {
        dense.extend(planter.input(&mut rng, 60));
        dense.extend_from_slice(b" AKIA ghp_ AIza xoxb- ");
    }
    let want = tagged(reference.scan(&dense).unwrap(), 2);
    assert!(!want.is_empty());
    assert_eq!(sc.scan(&dense, 2).unwrap(), want);
    assert!(sc.uses_full_groups());
    // From then on every scan runs the full groups, with the same results.
    assert_eq!(
        sc.scan(&sparse, 1).unwrap(),
        tagged(reference.scan(&sparse).unwrap(), 1)
    );
    let hay = sc.load(&dense).unwrap();
    assert_eq!(sc.scan_resident(&hay, 2).unwrap(), want);
}
