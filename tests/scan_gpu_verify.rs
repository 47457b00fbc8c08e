//! Verification of prefilter factor hits inside the GPU scan lane (lavapipe in CI),
//! against the reference. One case sets the knobs `VYRE_SCAN_VERIFY_RESERVE`,
//! `VYRE_SCAN_QUEUE` and `VYRE_SCAN_DRAIN_EVERY` (through `GpuBackend::with_knobs`, not
//! the environment, which other threads' C code may be reading) to make lanes run out
//! of verification budget and to vary when queued hits are verified.
mod scan_common;

use vyre::scan::cpu::Hit;
use vyre::scan::gpu::GpuBackend;
use vyre::scan::{reference, CompileOptions, DfaSet, Scanner};

/// Equal hit lists, or a panic naming what is missing and what is extra.
fn assert_same(got: &[Hit], want: &[Hit], what: &str) {
    if got != want {
        let missing: Vec<&Hit> = want.iter().filter(|h| !got.contains(h)).collect();
        let extra: Vec<&Hit> = got.iter().filter(|h| !want.contains(h)).collect();
        panic!(
            "{what}: {} hits, want {}; missing {missing:?}; extra {extra:?}",
            got.len(),
            want.len()
        );
    }
}

#[test]
fn prefilter_verification_in_the_lane_at_its_limits() {
    // Factor hits are verified by the scan lane; what it cannot settle goes to the host:
    // windows that leave a pass segment (pass_bytes 4096), unbounded rules whose
    // verifier stays alive past its step limit (2,000-byte runs of blanks), and lanes
    // whose verification budget runs out (dense candidates in 64 KiB chunks). Every
    // configuration must equal the reference, match for match.
    let p = scan_common::rules();
    let set = DfaSet::compile(&p, &CompileOptions::default()).unwrap();
    let r = reference::Reference::new(&p).unwrap();
    let planter = scan_common::Planter::new(&p);
    let mut rng = scan_common::Rng(0x7e1);
    let key40 = b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let mut long_blanks = b"aws_secret_access_key".to_vec();
    long_blanks.extend(std::iter::repeat_n(b' ', 2100));
    long_blanks.extend_from_slice(b"= ");
    long_blanks.extend_from_slice(key40);
    long_blanks.extend_from_slice(b"\npassword");
    long_blanks.extend(std::iter::repeat_n(b'\t', 2500));
    long_blanks.extend_from_slice(b": hunter2\n");
    let mut dense = Vec::new();
    for i in 0..40 {
        dense.extend_from_slice(b"AWS_SECRET_ACCESS_KEY");
        dense.extend(std::iter::repeat_n(b' ', 1500 + i));
        if i % 3 == 0 {
            dense.extend_from_slice(b":'");
            dense.extend_from_slice(key40);
        }
        dense.extend_from_slice(b"ghp_ghp_ghp_ghp_");
        planter.token(&mut rng, &mut dense);
    }
    let mut planted = planter.input(&mut rng, 20_000);
    planted.splice(
        0..0,
        b"ghp_0123456789abcdefghijABCDEFGHIJ012345 ".iter().copied(),
    );
    // Thousands of factor hits, and more verified matches than the smallest hit ring
    // (4,096: the ring grows and the round runs again).
    let mut tokens = Vec::new();
    for i in 0..4500u32 {
        tokens.extend_from_slice(format!("ghp_{:036} ghp_ ", i * 7919).as_bytes());
    }
    let inputs = [long_blanks, dense, planted, tokens];
    let refs: Vec<&[u8]> = inputs.iter().map(|v| v.as_slice()).collect();
    let tags = [0u32, 1, 2, 3];
    let mut want = Vec::new();
    for (b, &t) in refs.iter().zip(&tags) {
        want.extend(r.scan(b).unwrap().into_iter().map(|h| Hit { tag: t, ..h }));
    }
    want.sort_unstable_by_key(|h| (h.tag, h.end, h.pattern));
    want.dedup();
    let pats: std::collections::BTreeSet<u32> = want.iter().map(|h| h.pattern).collect();
    assert!(want.len() > 4520 && pats.len() > 5, "{} hits", want.len());
    // (reserve, chunk, pass bytes, (queued factor hits, loop iterations between drains),
    // most steps of one verification)
    for (reserve, chunk, pass, queue, steps) in [
        (None, 64, Some(4096), None, None),
        (None, 1 << 16, None, None, None),
        // Verifications cut after 1 or 16 steps: the host verifies those factor hits
        // again, and matches found twice are merged.
        (None, 1 << 16, None, None, Some(1)),
        (None, 4096, None, None, Some(16)),
        // Every hit verified at once; a queue drained every iteration.
        (None, 1 << 16, None, Some(("0", "1")), None),
        (None, 4096, None, Some(("1", "1")), None),
        (Some("300"), 1 << 16, None, None, None),
        // A full queue left until the loop ends: most hits wait, the reserve runs out.
        (Some("300"), 1 << 16, None, Some(("64", "4096")), None),
        (Some("40"), 256, Some(8192), None, None),
        // Less reserve than one state's factor ids (`key` ends with `api_key`): the
        // lane hands the whole state to the host.
        (Some("2"), 256, None, None, None),
    ] {
        let (q, d) = queue.unwrap_or(("32", "8"));
        let mut knobs = vec![("VYRE_SCAN_QUEUE", q.parse().unwrap())];
        knobs.push(("VYRE_SCAN_DRAIN_EVERY", d.parse().unwrap()));
        knobs.push(("VYRE_SCAN_VERIFY_STEPS", steps.unwrap_or(2048)));
        if let Some(r) = reserve {
            knobs.push(("VYRE_SCAN_VERIFY_RESERVE", r.parse().unwrap()));
        }
        let mut b = GpuBackend::with_knobs(None, chunk, &knobs).expect("GPU backend");
        if let Some(p) = pass {
            b.set_pass_bytes(p);
        }
        let sc = Scanner::new(set.clone(), Box::new(b));
        let what = format!("reserve {reserve:?} chunk {chunk} queue {queue:?} steps {steps:?}");
        assert_same(&sc.scan_many(&refs, &tags).unwrap(), &want, &what);
        for t in [1, 3] {
            let hay = sc.load(refs[t]).unwrap();
            let want1: Vec<Hit> = want.iter().filter(|h| h.tag == t as u32).copied().collect();
            for _ in 0..2 {
                assert_same(&sc.scan_resident(&hay, t as u32).unwrap(), &want1, &what);
            }
        }
        assert!(!sc.uses_full_groups());
    }
}

#[test]
fn residual_regexes_share_the_literal_table() {
    // A set too big for one table whose regexes without a literal factor fit next to
    // the factor literals: one table (delay-1 regex DFA) verified in the lane, with
    // the residual matches reported as they are. GPU and CPU backends equal the
    // reference.
    let all = scan_common::rules();
    let mut p: Vec<vyre::scan::Pattern> = [0usize, 14, 20, 27, 85, 112]
        .iter()
        .map(|&i| all[i].clone())
        .collect();
    p.push(vyre::scan::Pattern::regex(r"\b[0-9a-f]{20}\b", 900));
    p.push(vyre::scan::Pattern::regex(r"q[0-9]{2,3}z", 901));
    let set = DfaSet::compile_prefiltered(&p, &CompileOptions::default(), 256 << 10).unwrap();
    assert_eq!((set.group_count(), set.prefiltered_count()), (1, 6));
    let r = reference::Reference::new(&p).unwrap();
    let planter = scan_common::Planter::new(&p);
    let mut rng = scan_common::Rng(0x5e5);
    let mut input = planter.input(&mut rng, 30_000);
    for k in 0..200 {
        let at = rng.below(input.len());
        let piece: &[u8] = if k % 2 == 0 {
            b" 0123456789abcdef0123 "
        } else {
            b"q123z"
        };
        input.splice(at..at, piece.iter().copied());
    }
    input.extend_from_slice(b" 0123456789abcdef0123"); // a residual match at EOI
    let want = r.scan(&input).unwrap();
    let ids: std::collections::BTreeSet<u32> = want.iter().map(|h| h.pattern).collect();
    assert!(
        ids.contains(&900) && ids.contains(&901) && ids.len() > 4,
        "{ids:?}"
    );
    for chunk in [64, 4096] {
        let b = GpuBackend::new(None, chunk).expect("GPU backend");
        let sc = Scanner::new(set.clone(), Box::new(b));
        assert_same(
            &sc.scan(&input, 0).unwrap(),
            &want,
            &format!("GPU, chunk {chunk}"),
        );
    }
    let cpu = Scanner::cpu(set, 2);
    assert_same(&cpu.scan(&input, 0).unwrap(), &want, "CPU");
}

#[test]
fn a_rule_without_a_device_verifier_is_verified_on_the_host() {
    // `[01]{0,30}1[01]{20}` after the literal: its anchored DFA must remember the last
    // 21 bits, far past the per-verifier table limit, so the lane hands its literal
    // hits to the host while the other rule is verified in the lane.
    let mut rng = scan_common::Rng(0xb175);
    let mut input = Vec::new();
    for _ in 0..300 {
        input.extend_from_slice(b"zqk_");
        input.extend((0..rng.below(60)).map(|_| b"01"[rng.below(2)]));
        input.extend_from_slice(b" ghp_0123456789abcdefghijABCDEFGHIJ012345");
        input.extend((0..rng.below(3)).map(|_| b"x9 "[rng.below(3)]));
    }
    // Ids 1, 2: user id 2 equals the hit id of the first factor literal (ids of factor
    // literals start after the pattern count): the host must not take those hits for
    // factor hits. Ids 0, 1: each id its pattern's index. Tags 0 and 7: a factor hit's
    // tag names its item for the host's verification, the caller's tag goes on after.
    for ids in [[1, 2], [0, 1]] {
        let p = vec![
            vyre::scan::Pattern::regex(r"zqk_[01]{0,30}1[01]{20}", ids[0]),
            vyre::scan::Pattern::regex(r"\bghp_[0-9A-Za-z]{36}\b", ids[1]),
        ];
        let set = DfaSet::compile(&p, &CompileOptions::default()).unwrap();
        assert_eq!(set.prefiltered_count(), 2);
        let want = reference::Reference::new(&p).unwrap().scan(&input).unwrap();
        let found: std::collections::BTreeSet<u32> = want.iter().map(|h| h.pattern).collect();
        assert_eq!(found.len(), 2, "both rules match");
        let sc = Scanner::new(
            set,
            Box::new(GpuBackend::new(None, 256).expect("GPU backend")),
        );
        assert_same(
            &sc.scan(&input, 0).unwrap(),
            &want,
            &format!("GPU, ids {ids:?}"),
        );
        let hay = sc.load(&input).unwrap();
        for tag in [0, 7] {
            let tagged: Vec<_> = want.iter().map(|h| vyre::scan::Hit { tag, ..*h }).collect();
            let got = sc.scan_resident(&hay, tag).unwrap();
            assert_same(
                &got,
                &tagged,
                &format!("GPU, resident, ids {ids:?}, tag {tag}"),
            );
        }
    }
}
