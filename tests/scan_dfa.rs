//! DFA compile/import and the CPU scanners, checked against independent references.

use vyre::scan::cpu::{self, Hit};
use vyre::scan::dfa::{FLAG_CASELESS, FLAG_DOTALL, FLAG_LITERAL, FLAG_MULTILINE};
use vyre::scan::{reference, CompileOptions, Dfa, DfaSet, ImportTable, Pattern, Scanner};
use vyre::Status;

/// Small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn sorted(mut v: Vec<Hit>) -> Vec<Hit> {
    v.sort_unstable();
    v
}

fn compile(p: &[Pattern]) -> Dfa {
    Dfa::compile(p, &CompileOptions::default()).unwrap()
}

fn hits(v: &[(u64, u32)]) -> Vec<Hit> {
    v.iter()
        .map(|&(end, pattern)| Hit {
            end,
            pattern,
            tag: 0,
        })
        .collect()
}

/// Check table scan, chunked scans and streaming against the independent reference.
fn check_all(patterns: &[Pattern], dfa: &Dfa, hay: &[u8], rng: &mut Rng) {
    let want = reference::scan(patterns, hay).unwrap();
    let got = cpu::scan(dfa, hay);
    assert_eq!(
        got,
        want,
        "table scan vs reference; patterns {patterns:?} hay {:?}",
        String::from_utf8_lossy(hay)
    );
    for chunk in [1, 2, 3, 7, 1 + rng.below(64)] {
        assert_eq!(cpu::scan_chunked(dfa, hay, chunk, 3), got, "chunk {chunk}");
    }
    // Streaming in random pieces gives the same hits.
    let mut st = cpu::Stream::new(dfa);
    let mut out = Vec::new();
    let mut at = 0;
    while at < hay.len() {
        let n = (1 + rng.below(9)).min(hay.len() - at);
        st.feed(dfa, &hay[at..at + n], |p, e| {
            out.push(Hit {
                end: e,
                pattern: p,
                tag: 0,
            })
        });
        at += n;
    }
    st.close(dfa, |p, e| {
        out.push(Hit {
            end: e,
            pattern: p,
            tag: 0,
        })
    });
    assert_eq!(out, got, "streaming");
}

#[test]
fn reports_every_overlapping_match_end() {
    let p = vec![
        Pattern::regex("aa", 7),
        Pattern::regex("a+", 9),
        Pattern::literal(b"ab", 3),
    ];
    let dfa = compile(&p);
    // "aaab": a+ ends at 1,2,3; aa ends at 2,3; ab ends at 4.
    assert_eq!(
        cpu::scan(&dfa, b"aaab"),
        hits(&[(1, 9), (2, 7), (2, 9), (3, 7), (3, 9), (4, 3)])
    );
    assert_eq!(cpu::scan(&dfa, b""), vec![]);
    assert_eq!(dfa.pattern_count(), 3);
    assert!(dfa.state_count() >= 3);
    assert_eq!(dfa.table_bytes(), dfa.gpu_words().len() * 4);
}

#[test]
fn look_around_and_flags() {
    let p = vec![
        Pattern::regex(r"\bkey\b", 1),
        Pattern::regex(r"end$", 2),
        Pattern::regex(r"^start", 3),
        Pattern::regex("HeLLo", 4).with_flags(FLAG_CASELESS),
        Pattern::literal(b"a.b", 5),
        Pattern::regex("x.y", 6).with_flags(FLAG_DOTALL),
        Pattern::regex("^line$", 7).with_flags(FLAG_MULTILINE),
    ];
    let dfa = compile(&p);
    let hay = b"start key keys hello a.b axb x\ny\nline\nthe end";
    let want = reference::scan(&p, hay).unwrap();
    assert_eq!(cpu::scan(&dfa, hay), want);
    let ids: Vec<u32> = want.iter().map(|h| h.pattern).collect();
    assert_eq!(ids, vec![3, 1, 4, 5, 6, 7, 2]);
    assert_eq!(want[1].end, 9); // "key" at 6..9
    assert_eq!(want.last().unwrap().end, hay.len() as u64); // `$` decided at end of input
}

#[test]
fn errors_are_clear() {
    let e = Dfa::compile(&[], &CompileOptions::default()).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    let e = Dfa::compile(
        &[Pattern::regex("ok", 0), Pattern::regex("a(b", 1)],
        &CompileOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.status, Status::Pattern);
    assert!(
        e.message.starts_with("pattern 1:") && e.message.contains("unclosed group"),
        "{}",
        e.message
    );
    for empty in ["a*", "", r"\b", "(?:)|x", "x?"] {
        let e = Dfa::compile(&[Pattern::regex(empty, 0)], &CompileOptions::default()).unwrap_err();
        assert_eq!(e.status, Status::Pattern, "{empty}");
        assert!(e.message.contains("empty string"), "{}", e.message);
    }
    let e = Dfa::compile(&[Pattern::literal(b"", 0)], &CompileOptions::default()).unwrap_err();
    assert_eq!(e.status, Status::Pattern);
    let e = Dfa::compile(
        &[Pattern::regex("a", 0).with_flags(0x100)],
        &CompileOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    let bad_utf8 = Pattern {
        expression: vec![0xff],
        id: 0,
        flags: 0,
    };
    assert_eq!(
        Dfa::compile(std::slice::from_ref(&bad_utf8), &CompileOptions::default())
            .unwrap_err()
            .status,
        Status::Pattern
    );
    // ...but the same byte as a literal is fine, and matches the raw byte.
    let dfa = compile(&[bad_utf8.with_flags(FLAG_LITERAL)]);
    assert_eq!(cpu::scan(&dfa, b"\x00\xff"), hits(&[(2, 0)]));
}

#[test]
fn size_limit_refuses_instead_of_truncating() {
    // A classic exponential blow-up for an unanchored DFA.
    let p = vec![Pattern::regex("[ab]*a[ab]{14}", 0)];
    let e = Dfa::compile(
        &p,
        &CompileOptions {
            max_table_bytes: 64 << 10,
        },
    )
    .unwrap_err();
    assert_eq!(e.status, Status::TooLarge);
    assert!(e.message.contains("too large"), "{}", e.message);
    // The same set within a larger limit compiles and is exact.
    let dfa = Dfa::compile(
        &[Pattern::regex("[ab]*a[ab]{6}", 0)],
        &CompileOptions {
            max_table_bytes: 64 << 20,
        },
    )
    .unwrap();
    let mut rng = Rng(5);
    let hay: Vec<u8> = (0..300).map(|_| *rng.pick(b"abc")).collect();
    check_all(&[Pattern::regex("[ab]*a[ab]{6}", 0)], &dfa, &hay, &mut rng);
}

#[test]
fn random_sets_match_the_reference() {
    let atoms = [
        "a", "b", "ab", "ba", "[ab]", "[^a]", ".", r"\b", r"\w", r"\d", "x", " ", r"\n",
        "(?:a|bb)", "c",
    ];
    let quants = ["", "", "", "+", "?", "*", "{2}", "{1,3}"];
    let mut rng = Rng(0x5eed);
    let mut checked = 0;
    for round in 0..120 {
        let n = 1 + rng.below(6);
        let mut patterns = Vec::new();
        for id in 0..n {
            let mut src = String::new();
            if rng.below(8) == 0 {
                src.push('^');
            }
            for _ in 0..1 + rng.below(4) {
                src.push_str(rng.pick::<&str>(&atoms[..]));
                src.push_str(rng.pick::<&str>(&quants[..]));
            }
            if rng.below(8) == 0 {
                src.push('$');
            }
            let flags = if rng.below(4) == 0 { FLAG_CASELESS } else { 0 }
                | if rng.below(6) == 0 { FLAG_MULTILINE } else { 0 };
            patterns.push(Pattern::regex(&src, (id * 3 + round % 2) as u32).with_flags(flags));
        }
        let dfa = match Dfa::compile(&patterns, &CompileOptions::default()) {
            Ok(d) => d,
            Err(e) => {
                assert_eq!(e.status, Status::Pattern, "{e}");
                assert!(e.message.contains("empty string"), "{e}");
                continue;
            }
        };
        for len in [0, 1, 5, 40, 200] {
            let hay: Vec<u8> = (0..len).map(|_| *rng.pick(b"abAB x1\n.c_")).collect();
            check_all(&patterns, &dfa, &hay, &mut rng);
        }
        checked += 1;
    }
    assert!(checked > 40, "too few sets compiled: {checked}");
}

#[test]
fn chunking_never_assumes_bounded_overlap() {
    // `a[^z]*z` can span any number of chunks; "^" and "$" depend on the true start/end.
    let p = vec![
        Pattern::regex("a[^z]*z", 0),
        Pattern::regex("^b+", 1),
        Pattern::regex("q+$", 2),
        Pattern::regex(r"\bk", 3),
    ];
    let dfa = compile(&p);
    let mut hay = b"bbb".to_vec();
    hay.extend(std::iter::repeat_n(b'x', 500));
    hay.extend_from_slice(b"a");
    hay.extend(std::iter::repeat_n(b'y', 700));
    hay.extend_from_slice(b"z k zz a kz qqq");
    let mut rng = Rng(9);
    check_all(&p, &dfa, &hay, &mut rng);
    let want = cpu::scan(&dfa, &hay);
    for chunk in [1, 16, 100, 333, 4096] {
        assert_eq!(cpu::scan_chunked(&dfa, &hay, chunk, 4), want);
    }
}

#[test]
fn ten_thousand_literals() {
    let mut rng = Rng(42);
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut lits: Vec<(Vec<u8>, u32)> = Vec::new();
    for id in 0..10_000u32 {
        let len = 4 + rng.below(9);
        lits.push(((0..len).map(|_| *rng.pick(alphabet)).collect(), id));
    }
    let patterns: Vec<Pattern> = lits
        .iter()
        .map(|(l, id)| Pattern::literal(l, *id))
        .collect();
    let dfa = compile(&patterns);
    // Haystack: random text with many planted literals (some overlapping).
    let mut hay = Vec::new();
    for _ in 0..3000 {
        if rng.below(3) == 0 {
            hay.extend_from_slice(&rng.pick(&lits).0);
        } else {
            hay.extend((0..1 + rng.below(8)).map(|_| *rng.pick(b"abcdefghij \n")));
        }
    }
    let want = reference::scan_literals(&lits, &hay, false);
    assert!(want.len() > 800, "{}", want.len());
    let got = cpu::scan(&dfa, &hay);
    assert_eq!(got, want);
    assert_eq!(cpu::scan_chunked(&dfa, &hay, 97, 2), want);
    // Caseless literals.
    let few: Vec<(Vec<u8>, u32)> = lits[..300].to_vec();
    let pats: Vec<Pattern> = few
        .iter()
        .map(|(l, id)| Pattern::literal(l, *id).with_flags(FLAG_CASELESS))
        .collect();
    let dfa = compile(&pats);
    let upper = hay.to_ascii_uppercase();
    assert_eq!(
        sorted(cpu::scan(&dfa, &upper)),
        reference::scan_literals(&few, &upper, true)
    );
}

fn tiny_import() -> ImportTable {
    // Two-state DFA matching every "x" (id 5), no delay.
    let mut class_map = [0u8; 256];
    class_map[b'x' as usize] = 1;
    ImportTable {
        state_count: 2,
        class_count: 2,
        start_state: 0,
        delay: 0,
        class_map,
        transitions: vec![0, 1, 0, 1],
        match_offsets: vec![0, 0, 1],
        match_ids: vec![5],
        eoi_offsets: vec![],
        eoi_ids: vec![],
    }
}

#[test]
fn import_validates_everything() {
    let dfa = Dfa::import(&tiny_import(), &CompileOptions::default()).unwrap();
    assert_eq!(cpu::scan(&dfa, b"axxa x"), hits(&[(2, 5), (3, 5), (6, 5)]));
    assert_eq!(dfa.state_count(), 2);
    assert_eq!(dfa.pattern_count(), 1);
    let opts = CompileOptions::default();
    type Corrupt = Box<dyn Fn(&mut ImportTable)>;
    let cases: Vec<(Corrupt, Status)> = vec![
        (Box::new(|t| t.state_count = 0), Status::InvalidArgument),
        (Box::new(|t| t.class_count = 0), Status::InvalidArgument),
        (Box::new(|t| t.class_count = 257), Status::InvalidArgument),
        (Box::new(|t| t.start_state = 2), Status::OutOfRange),
        (Box::new(|t| t.delay = 2), Status::InvalidArgument),
        (Box::new(|t| t.class_map[7] = 2), Status::OutOfRange),
        (
            Box::new(|t| t.transitions.pop().map(|_| ()).unwrap_or(())),
            Status::MalformedBuffer,
        ),
        (Box::new(|t| t.transitions[3] = 2), Status::OutOfRange),
        (
            Box::new(|t| t.match_offsets = vec![0, 1]),
            Status::MalformedBuffer,
        ),
        (
            Box::new(|t| t.match_offsets = vec![0, 1, 0]),
            Status::MalformedBuffer,
        ),
        (
            Box::new(|t| t.match_offsets = vec![0, 0, 2]),
            Status::MalformedBuffer,
        ),
        (Box::new(|t| t.eoi_ids = vec![1]), Status::MalformedBuffer),
        (
            Box::new(|t| t.eoi_offsets = vec![0, 0]),
            Status::MalformedBuffer,
        ),
    ];
    for (i, (edit, status)) in cases.iter().enumerate() {
        let mut t = tiny_import();
        edit(&mut t);
        assert_eq!(
            Dfa::import(&t, &opts).unwrap_err().status,
            *status,
            "case {i}"
        );
    }
    let e = Dfa::import(
        &tiny_import(),
        &CompileOptions {
            max_table_bytes: 16,
        },
    )
    .unwrap_err();
    assert_eq!(e.status, Status::TooLarge);
}

#[test]
fn gpu_layout_is_consistent() {
    let p = vec![Pattern::regex("ab", 1), Pattern::regex(r"b\b", 2)];
    let dfa = compile(&p);
    let w = dfa.gpu_words();
    let (n, c) = (w[0] as usize, w[1] as usize);
    assert_eq!((n as u32, c as u32), (dfa.state_count(), dfa.class_count()));
    assert_eq!(w[2], dfa.start_state() * dfa.class_count());
    assert_eq!(w[3], 1);
    let t_off = w[4] as usize;
    // Walk the device layout by hand and compare with the host scanner.
    let hay = b"abab b ab";
    let mut s = w[2];
    let mut got = Vec::new();
    for (i, &b) in hay.iter().enumerate() {
        let class = (w[16 + b as usize / 4] >> (8 * (b as usize % 4))) & 0xff;
        s = w[t_off + (s & 0x7fff_ffff) as usize + class as usize];
        if s & 0x8000_0000 != 0 {
            let st = (s & 0x7fff_ffff) as usize / c;
            let (a, z) = (w[w[5] as usize + st], w[w[5] as usize + st + 1]);
            for k in a..z {
                got.push(Hit {
                    end: i as u64,
                    pattern: w[k as usize],
                    tag: 0,
                });
            }
        }
    }
    let st = (s & 0x7fff_ffff) as usize / c;
    for k in w[w[7] as usize + st]..w[w[7] as usize + st + 1] {
        got.push(Hit {
            end: hay.len() as u64,
            pattern: w[k as usize],
            tag: 0,
        });
    }
    assert_eq!(got, cpu::scan(&dfa, hay));
}

/// Patterns whose unanchored DFAs multiply when combined: with a small group target the
/// set must be split into several groups (ids 1 and 3 appear twice, across groups).
fn group_patterns() -> Vec<Pattern> {
    vec![
        Pattern::regex("a[ab]{6}b", 1),
        Pattern::regex("b[ab]{5}a", 2),
        Pattern::regex("[ab]a[ab]{7}", 3),
        Pattern::regex("ab+a", 4),
        Pattern::literal(b"bab", 5),
        Pattern::regex("x[ab]{4}x", 6),
        Pattern::regex("A[ab]{6}", 1).with_flags(FLAG_CASELESS),
        Pattern::regex("b{2,4}x", 7),
        Pattern::regex("z$", 8),
        Pattern::regex("^a", 3),
    ]
}

const GROUP_BYTES: usize = 48 << 10;

#[test]
fn split_sets_equal_per_pattern_scans() {
    let p = group_patterns();
    let opts = CompileOptions::default();
    // One table for the whole set does not fit the group target...
    let whole = Dfa::compile(
        &p,
        &CompileOptions {
            max_table_bytes: GROUP_BYTES,
        },
    );
    assert_eq!(whole.unwrap_err().status, Status::TooLarge);
    // ...so the set is split, every group under the target, all patterns kept.
    let set = DfaSet::compile_grouped(&p, &opts, GROUP_BYTES).unwrap();
    assert!(set.group_count() >= 2, "{} groups", set.group_count());
    assert!(set.groups().iter().all(|g| g.table_bytes() <= GROUP_BYTES));
    assert_eq!(set.pattern_count(), p.len() as u64);
    let mut sc = Scanner::cpu(set, 3);
    sc.set_chunk_len(7);
    let mut rng = Rng(0x9a0);
    for round in 0..40 {
        let inputs: Vec<Vec<u8>> = (0..3)
            .map(|_| {
                let n = rng.below(400);
                (0..n).map(|_| *rng.pick(b"aabbAxz\n ")).collect()
            })
            .collect();
        let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
        let tags = [10, 11, 12];
        let mut want = Vec::new();
        for (b, &t) in refs.iter().zip(&tags) {
            let per = reference::scan(&p, b).unwrap();
            want.extend(per.into_iter().map(|h| Hit { tag: t, ..h }));
        }
        assert_eq!(sc.scan_many(&refs, &tags).unwrap(), want, "round {round}");
        // Streaming keeps one state per group.
        let hay = refs[0];
        let mut st = sc.stream_open(10).unwrap();
        assert_eq!(st.states.len(), sc.set().group_count());
        let mut got = Vec::new();
        let mut at = 0;
        while at < hay.len() {
            let n = (1 + rng.below(50)).min(hay.len() - at);
            got.extend(sc.stream_write(&mut st, &hay[at..at + n]).unwrap());
            at += n;
        }
        got.extend(sc.stream_close(&mut st));
        got.sort_unstable_by_key(|h| (h.end, h.pattern));
        let want0: Vec<Hit> = want.iter().filter(|h| h.tag == 10).copied().collect();
        assert_eq!(got, want0, "stream, round {round}");
        let hay = sc.load(refs[1]).unwrap();
        let want1: Vec<Hit> = want.iter().filter(|h| h.tag == 11).copied().collect();
        assert_eq!(sc.scan_resident(&hay, 11).unwrap(), want1);
    }
}

#[test]
fn split_sets_name_a_pattern_too_large_alone() {
    let p = vec![
        Pattern::regex("ab", 0),
        Pattern::regex("cd", 1),
        Pattern::regex("[ab]*a[ab]{14}", 2),
    ];
    let opts = CompileOptions {
        max_table_bytes: 64 << 10,
    };
    let e = DfaSet::compile(&p, &opts).unwrap_err();
    assert_eq!(e.status, Status::TooLarge);
    assert!(e.message.contains("pattern 2"), "{}", e.message);
    assert!(e.message.contains("alone exceeds"), "{}", e.message);
    // Errors other than size keep the set-wide pattern index.
    let e = DfaSet::compile(&[Pattern::regex("ab", 0), Pattern::regex("(", 1)], &opts).unwrap_err();
    assert_eq!(e.status, Status::Pattern);
    assert!(e.message.contains("pattern 1"), "{}", e.message);
    // A set that fits is one group.
    let set = DfaSet::compile(&p[..2], &opts).unwrap();
    assert_eq!(set.group_count(), 1);
}
