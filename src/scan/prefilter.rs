//! Literal prefilter with exact verification (what Hyperscan does for regex sets).
//!
//! Many rules of a secret-scanning set are "a rare literal plus bounded context", e.g.
//! `\bghp_[0-9A-Za-z]{36}\b`. Their union as one DFA is huge (the bounded repeats of
//! all rules multiply), but every match of such a rule contains a literal **factor**
//! (`ghp_`) at a bounded distance from the match start. So the factors of all those
//! rules go into one small literal DFA that the backend scans like any group; each
//! factor hit is then verified by that one rule over a short window around the hit: on
//! the GPU by an anchored verifier DFA in the scan lane ([`Prefilter::device_verify`],
//! `dfa_scan.wgsl`), on the host by the rule's lazy DFA (CPU backend, and the hits the
//! GPU lane could not settle). Rules without a usable factor stay in ordinary DFA groups.
//!
//! Exactness: a match `[s, e)` of rule P contains a factor occurrence starting at
//! `s + pre` with `pre` in `[min_pre, max_pre]`; so for the factor hit ending at `q`
//! (factor length `n`) the match starts in `[q-n-max_pre, q-n-min_pre]` and ends at most
//! `max_len` bytes later. The verifier searches that window of the whole item (look-around
//! at the window edges sees the real neighbouring bytes) and reports every match end in
//! it; every match is inside the window of its own factor occurrence, and everything a
//! window search reports is a real match. Rules whose match length is unbounded (`[ \t]*`)
//! are verified by an anchored search that starts at the earliest possible match start
//! and runs until the rule's DFA dies (the rule is prefixed with `[\x00-\xFF]{0,d}`,
//! `d = max_pre - min_pre`, to cover every possible start at once).

use super::cpu::Hit;
use super::dfa::{
    pattern_source, syntax_config, DeviceVerify, Dfa, Pattern, FLAG_CASELESS, FLAG_LITERAL,
};
use crate::error::{Error, Result, Status};
use regex_automata::hybrid::dfa::{Cache, OverlappingState, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};
use std::sync::Mutex;

/// Most literals one factor may have (after case folding).
pub const MAX_FACTOR_LITERALS: usize = 64;
/// Most literals the extractor may build before case folding (`(?i:password)` alone is
/// 256 case variants, one caseless literal).
const MAX_EXTRACTED: usize = 1024;
/// Shortest literal a factor may contain: one-byte ones hit too often to pay off. Two
/// bytes (`SK` of `\bSK[0-9a-f]{32}\b`) hit often in text, but the GPU verifies them in
/// the scan lane, where most die on the next byte, and one literal DFA beats a second
/// full pass over the input for the rules that have nothing longer.
pub const MIN_FACTOR_LEN: usize = 2;
/// Literals are cut to this many bytes (longer ones are no rarer in practice).
const MAX_LITERAL_LEN: usize = 16;
/// Largest table of one GPU verifier (bytes); larger ones verify on the host.
pub const DEVICE_VERIFIER_BYTES: usize = 1 << 20;
/// Largest table of all GPU verifiers of a set together (bytes).
pub const DEVICE_VERIFY_BYTES: usize = 32 << 20;
/// Verification units below which verification stays on the calling thread.
const PARALLEL_UNITS: usize = 64;

/// A required factor of a pattern: every match contains one of `literals` (compared
/// ASCII-caselessly; stored lowercase), starting `min_pre..=max_pre` bytes after the
/// match start; a match is at most `max_len` bytes long (`None`: unbounded). Caseless
/// factor matching can only add candidate hits, which verification then rejects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub literals: Vec<Vec<u8>>,
    /// The factor as the pattern spells it (case variants; for tools and tests that
    /// plant matching text): extracted from the unfolded pattern at the same place,
    /// or `literals` when that extraction is not finite.
    pub cased: Vec<Vec<u8>>,
    pub min_pre: usize,
    pub max_pre: usize,
    pub max_len: Option<usize>,
}

/// Flatten nested concatenations (capture groups are transparent) into one child list.
fn flatten(hir: &Hir, out: &mut Vec<Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|s| flatten(s, out)),
        HirKind::Capture(c) => flatten(&c.sub, out),
        _ => out.push(hir.clone()),
    }
}

/// `lits` lowercased, sorted, without duplicates or literals that extend another one
/// (they start where that one does); if that leaves more than [`MAX_FACTOR_LITERALS`],
/// every literal is cut to the longest length that brings them within it (a prefix
/// of a required literal is required too: `okta_api_token\t`, `okta_token:`, ... →
/// `okta_api_`, `okta_toke`, ...). `None`: no length does.
fn fit_literals(lits: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
    let longest = lits.iter().map(|l| l.len()).max()?;
    for len in (1..=longest).rev() {
        let mut cut: Vec<Vec<u8>> = lits
            .iter()
            .map(|l| l[..l.len().min(len)].to_ascii_lowercase())
            .collect();
        cut.sort_unstable();
        cut.dedup();
        let mut kept: Vec<Vec<u8>> = Vec::with_capacity(cut.len());
        for l in cut {
            if !kept.last().is_some_and(|k| l.starts_with(k)) {
                kept.push(l);
            }
        }
        if kept.len() <= MAX_FACTOR_LITERALS {
            return Some(kept);
        }
    }
    None
}

/// `hir` with every ASCII letter lowercased (a class `[Tt]` becomes the literal `t`).
/// Factors are matched caselessly, so nothing is lost; and a caseless keyword then
/// extracts as one literal instead of 2^n case variants, which overflowed the
/// extractor's limits and left short, frequent factors (`secr` for
/// `(?i:client_?secret|secret_?key|...)`, `token ` for `(?i:okta_?token)...`).
fn fold_case(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Literal(l) => Hir::literal(l.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(c)) => {
            let mut set = [false; 256];
            for r in c.iter() {
                for b in r.start()..=r.end() {
                    set[b.to_ascii_lowercase() as usize] = true;
                }
            }
            let ranges = (0..=255u8)
                .filter(|&b| set[b as usize])
                .map(|b| ClassBytesRange::new(b, b));
            Hir::class(Class::Bytes(ClassBytes::new(ranges)))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(fold_case(&r.sub)),
        }),
        HirKind::Capture(c) => fold_case(&c.sub),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(fold_case).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(fold_case).collect()),
        _ => hir.clone(),
    }
}

/// The best required factor of a parsed pattern, or `None` (the pattern is "residual"):
/// for each child `i` of the top-level concatenation whose preceding children have a
/// bounded length, the prefix literals of `children[i..]` are a factor if the set is
/// finite and, case-folded, at most [`MAX_FACTOR_LITERALS`] strings, each at least
/// [`MIN_FACTOR_LEN`] bytes. The longest shortest-literal wins (then the fewest
/// literals, then the first).
pub fn analyse(hir: &Hir) -> Option<Factor> {
    let mut spelled = Vec::new();
    flatten(hir, &mut spelled);
    // Folded child by child, so that child i is the same piece in both lists.
    let children: Vec<Hir> = spelled.iter().map(fold_case).collect();
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_class(8)
        .limit_repeat(MAX_LITERAL_LEN)
        .limit_literal_len(MAX_LITERAL_LEN)
        .limit_total(MAX_EXTRACTED);
    let mut best: Option<(usize, usize, Factor)> = None;
    for i in 0..children.len() {
        let pre = Hir::concat(children[..i].to_vec());
        let (min_pre, Some(max_pre)) = (
            pre.properties().minimum_len().unwrap_or(0),
            pre.properties().maximum_len(),
        ) else {
            break; // everything after an unbounded child is at an unbounded distance
        };
        let seq = extractor.extract(&Hir::concat(children[i..].to_vec()));
        let Some(lits) = seq.literals() else { continue };
        let lits: Vec<&[u8]> = lits.iter().map(|l| l.as_bytes()).collect();
        let Some(literals) = fit_literals(&lits) else {
            continue;
        };
        let min = literals.iter().map(|l| l.len()).min().unwrap_or(0);
        if min < MIN_FACTOR_LEN {
            continue;
        }
        if best.as_ref().is_some_and(|&(m, n, _)| {
            (m, std::cmp::Reverse(n)) >= (min, std::cmp::Reverse(literals.len()))
        }) {
            continue;
        }
        let cased = match extractor
            .extract(&Hir::concat(spelled[i..].to_vec()))
            .literals()
        {
            Some(l) if !l.is_empty() => l.iter().map(|l| l.as_bytes().to_vec()).collect(),
            _ => literals.clone(),
        };
        best = Some((
            min,
            literals.len(),
            Factor {
                literals,
                cased,
                min_pre,
                max_pre,
                max_len: hir.properties().maximum_len(),
            },
        ));
    }
    best.map(|(_, _, f)| f)
}

/// Parse a pattern exactly as [`super::dfa::Dfa::compile`] does.
pub fn parse(p: &Pattern) -> std::result::Result<Hir, String> {
    let source = pattern_source(p).map_err(|e| e.to_string())?;
    syntax::parse_with(&source, &syntax_config(p.flags)).map_err(|e| e.to_string())
}

/// How one prefiltered pattern is checked around its factor hits.
struct Verifier {
    /// Index of the pattern in the set (the caller maps it to the user id).
    index: u32,
    min_pre: usize,
    max_pre: usize,
    /// `Some`: unanchored search over merged windows; `None`: anchored search per start.
    max_len: Option<usize>,
    dfa: DFA,
    /// What the device verifier searches, anchored: `[\x00-\xFF]{0,d}` then the pattern.
    anchored: Hir,
}

/// One verification job: search `lo..hi` of item `item` with verifier `v`
/// (`hi == usize::MAX`: anchored at `lo`, to the item end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Unit {
    item: u32,
    v: u32,
    lo: usize,
    hi: usize,
}

/// The prefilter of a set: factor literal list and one verifier per prefiltered pattern.
/// Thread safety: immutable except for a pool of lazy-DFA caches behind a lock.
pub struct Prefilter {
    verifiers: Vec<Verifier>,
    /// Factor literal `j` (hit id `base + j`) → (verifier, literal length).
    factors: Vec<(u32, u32)>,
    base: u32,
    caches: Mutex<Vec<Vec<Cache>>>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefilter")
            .field("patterns", &self.verifiers.len())
            .field("literals", &self.factors.len())
            .field("base", &self.base)
            .finish()
    }
}

/// A lazy DFA for `hir` that reports every match end (overlapping, Hyperscan semantics).
fn lazy_dfa(hir: &Hir) -> std::result::Result<DFA, String> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().which_captures(WhichCaptures::None))
        .build_from_hir(hir)
        .map_err(|e| e.to_string())?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .unicode_word_boundary(false)
                .cache_capacity(1 << 20),
        )
        .build_from_nfa(nfa)
        .map_err(|e| e.to_string())
}

impl Prefilter {
    /// Split `patterns` into prefiltered ones and residual ones. Returns the prefilter
    /// (hit ids of its literals start at `base`), the literal patterns for the literal
    /// DFA, and the indexes of the residual patterns. Literal patterns are never
    /// prefiltered. Every pattern must already be valid.
    pub fn build(patterns: &[Pattern], base: u32) -> Result<(Prefilter, Vec<Pattern>, Vec<usize>)> {
        let mut verifiers = Vec::new();
        let mut factors = Vec::new();
        let mut literals = Vec::new();
        let mut residual = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let hir =
                parse(p).map_err(|e| Error::new(Status::Pattern, format!("pattern {i}: {e}")))?;
            let factor = if p.flags & FLAG_LITERAL != 0 {
                None
            } else {
                analyse(&hir)
            };
            let Some(f) = factor else {
                residual.push(i);
                continue;
            };
            let d = (f.max_pre - f.min_pre) as u32;
            let any = Hir::class(Class::Bytes(ClassBytes::new([ClassBytesRange::new(
                0, 255,
            )])));
            let skip = Hir::repetition(Repetition {
                min: 0,
                max: Some(d),
                greedy: true,
                sub: Box::new(any),
            });
            let anchored = Hir::concat(vec![skip, hir.clone()]);
            let search = match f.max_len {
                Some(_) => hir,
                None => anchored.clone(),
            };
            let dfa = lazy_dfa(&search)
                .map_err(|e| Error::new(Status::Pattern, format!("pattern {i}: {e}")))?;
            let v = verifiers.len() as u32;
            for lit in &f.literals {
                let id = base.checked_add(factors.len() as u32).ok_or_else(|| {
                    Error::overflow("too many patterns and factor literals for 32-bit ids")
                })?;
                factors.push((v, lit.len() as u32));
                literals.push(Pattern::literal(lit, id).with_flags(FLAG_CASELESS));
            }
            verifiers.push(Verifier {
                index: i as u32,
                min_pre: f.min_pre,
                max_pre: f.max_pre,
                max_len: f.max_len,
                dfa,
                anchored,
            });
        }
        let pf = Prefilter {
            verifiers,
            factors,
            base,
            caches: Mutex::new(Vec::new()),
        };
        Ok((pf, literals, residual))
    }

    /// The GPU verifiers of the factor literals: one anchored DFA per pattern, started
    /// `n + max_pre` bytes before the end of a factor hit (literal length `n`). A pattern
    /// whose verifier exceeds [`DEVICE_VERIFIER_BYTES`], or past `budget` bytes (at most
    /// [`DEVICE_VERIFY_BYTES`]) in all, or that does not compile to a device table, is
    /// verified on the host.
    pub fn device_verify(&self, budget: usize) -> DeviceVerify {
        let budget = budget.min(DEVICE_VERIFY_BYTES);
        let mut verifiers = Vec::new();
        let mut slot = Vec::with_capacity(self.verifiers.len());
        let mut total = 0;
        for v in &self.verifiers {
            match Dfa::compile_verifier(&v.anchored, v.index, DEVICE_VERIFIER_BYTES) {
                Ok(d) if total + d.table_bytes() <= budget => {
                    total += d.table_bytes();
                    slot.push(Some(verifiers.len() as u32));
                    verifiers.push(d);
                }
                // Too large (or not expressible as a device table): the host verifies it.
                Ok(_) | Err(_) => slot.push(None),
            }
        }
        let factors = self
            .factors
            .iter()
            .map(|&(v, n)| {
                (
                    slot[v as usize],
                    n + self.verifiers[v as usize].max_pre as u32,
                )
            })
            .collect();
        DeviceVerify {
            base: self.base,
            factors,
            verifiers,
        }
    }

    /// Number of prefiltered patterns.
    pub fn pattern_count(&self) -> usize {
        self.verifiers.len()
    }
    /// Number of factor literals (ids `base..base + literal_count`).
    pub fn literal_count(&self) -> usize {
        self.factors.len()
    }
    /// Whether a hit id is a factor literal of this prefilter.
    pub fn is_factor(&self, id: u32) -> bool {
        id >= self.base && ((id - self.base) as usize) < self.factors.len()
    }

    /// Verify factor hits (`pattern` = factor hit id, `tag` = index into `items`, `end`
    /// = factor end). Returns the pattern matches found, `pattern` = pattern index in
    /// the set, `tag` = item index, any order, no duplicates.
    pub fn verify(&self, items: &[&[u8]], factor_hits: &[Hit]) -> Result<Vec<Hit>> {
        let units = self.units(items, factor_hits);
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 || units.len() < PARALLEL_UNITS {
            return self.run_units(items, &units);
        }
        let per = units.len().div_ceil(threads);
        let results: Vec<Result<Vec<Hit>>> = std::thread::scope(|sc| {
            let handles: Vec<_> = units
                .chunks(per)
                .map(|chunk| sc.spawn(move || self.run_units(items, chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::new(Status::Panic, "verification thread panicked"))
                    })
                })
                .collect()
        });
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    /// Windows per (item, verifier), sorted and merged (bounded patterns), or distinct
    /// anchors (unbounded patterns).
    fn units(&self, items: &[&[u8]], factor_hits: &[Hit]) -> Vec<Unit> {
        let mut raw: Vec<Unit> = Vec::with_capacity(factor_hits.len());
        for h in factor_hits {
            if !self.is_factor(h.pattern) {
                continue;
            }
            let (v, n) = self.factors[(h.pattern - self.base) as usize];
            let ver = &self.verifiers[v as usize];
            let len = items[h.tag as usize].len();
            let fstart = (h.end as usize).saturating_sub(n as usize);
            let lo = fstart.saturating_sub(ver.max_pre);
            let hi = match ver.max_len {
                Some(m) => (fstart + m).saturating_sub(ver.min_pre).min(len),
                None => usize::MAX,
            };
            raw.push(Unit {
                item: h.tag,
                v,
                lo,
                hi,
            });
        }
        raw.sort_unstable();
        let mut out: Vec<Unit> = Vec::with_capacity(raw.len());
        for u in raw {
            match out.last_mut() {
                Some(last)
                    if last.item == u.item
                        && last.v == u.v
                        && (u.lo == last.lo || (u.hi != usize::MAX && u.lo <= last.hi)) =>
                {
                    last.hi = last.hi.max(u.hi);
                }
                _ => out.push(u),
            }
        }
        out
    }

    /// Run verification units on this thread (caches from the pool).
    fn run_units(&self, items: &[&[u8]], units: &[Unit]) -> Result<Vec<Hit>> {
        let popped = self.caches.lock().map(|mut p| p.pop()).unwrap_or(None);
        let mut caches = popped.unwrap_or_else(|| {
            self.verifiers
                .iter()
                .map(|v| v.dfa.create_cache())
                .collect()
        });
        let mut out = Vec::new();
        let mut result = Ok(());
        for u in units {
            let ver = &self.verifiers[u.v as usize];
            let hay = items[u.item as usize];
            let input = if u.hi == usize::MAX {
                Input::new(hay).range(u.lo..).anchored(Anchored::Yes)
            } else {
                Input::new(hay).range(u.lo..u.hi).anchored(Anchored::No)
            };
            let cache = &mut caches[u.v as usize];
            let mut state = OverlappingState::start();
            loop {
                if let Err(e) = ver
                    .dfa
                    .try_search_overlapping_fwd(cache, &input, &mut state)
                {
                    result = Err(Error::new(
                        Status::Pattern,
                        format!("pattern {}: verification failed: {e}", ver.index),
                    ));
                    break;
                }
                match state.get_match() {
                    Some(m) => out.push(Hit {
                        end: m.offset() as u64,
                        pattern: ver.index,
                        tag: u.item,
                    }),
                    None => break,
                }
            }
            if result.is_err() {
                break;
            }
        }
        if let Ok(mut pool) = self.caches.lock() {
            pool.push(caches);
        }
        result.map(|()| out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(re: &str) -> Option<Factor> {
        analyse(&parse(&Pattern::regex(re, 0)).unwrap())
    }

    fn lits(v: &[&str]) -> Vec<Vec<u8>> {
        let mut l: Vec<Vec<u8>> = v
            .iter()
            .map(|s| s.to_ascii_lowercase().into_bytes())
            .collect();
        l.sort_unstable();
        l
    }

    #[test]
    fn aws_key_id_factor_is_the_prefix_keywords() {
        let f = factor(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b").unwrap();
        assert_eq!(f.literals, lits(&["AKIA", "ASIA"]));
        assert_eq!((f.min_pre, f.max_pre, f.max_len), (0, 0, Some(20)));
    }

    #[test]
    fn optional_context_byte_gives_a_pre_range() {
        let f = factor(r"(?:^|[^0-9A-Za-z_.-])AIza[0-9A-Za-z_-]{35}").unwrap();
        assert_eq!(f.literals, lits(&["AIza"]));
        assert_eq!((f.min_pre, f.max_pre, f.max_len), (0, 1, Some(40)));
    }

    #[test]
    fn factor_after_bounded_repeats() {
        let f = factor(r"\b[0-9]{8,10}:AA[0-9A-Za-z_-]{33}").unwrap();
        assert_eq!(f.literals, lits(&[":AA"]));
        assert_eq!((f.min_pre, f.max_pre, f.max_len), (8, 10, Some(46)));
        let f = factor(r"\b[0-9]{12}-[0-9a-z]{32}\.apps\.googleusercontent\.com").unwrap();
        assert_eq!(f.literals, lits(&[".apps.googleuser"]));
        assert_eq!((f.min_pre, f.max_pre), (45, 45));
    }

    #[test]
    fn caseless_keywords_fold_to_one_literal_each() {
        let f = factor(r"(?i:aws_?secret_?access_?key)[ \t]*[:=][ \t]*['\x22]?[0-9A-Za-z/+]{40}")
            .unwrap();
        // Folded before extraction: the 8 spellings (optional underscores), cut to the
        // longest literal length (16 bytes).
        assert_eq!(
            f.literals,
            lits(&[
                "aws_secret_acces",
                "aws_secretaccess",
                "awssecret_access",
                "awssecretaccess_",
                "awssecretaccessk"
            ])
        );
        assert_eq!(f.max_len, None, "[ \\t]* makes the match length unbounded");
        assert_eq!((f.min_pre, f.max_pre), (0, 0));
        let f = factor(r"(?i:password|passwd|pwd)[ \t]*[:=]").unwrap();
        // The 3 spellings, each with the byte after it (a rarer literal than the word).
        let mut want = Vec::new();
        for w in ["passwd", "password", "pwd"] {
            for b in ["\t", " ", ":", "="] {
                want.push(format!("{w}{b}"));
            }
        }
        let want: Vec<&str> = want.iter().map(|s| s.as_str()).collect();
        assert_eq!(f.literals, lits(&want));
        assert!(f.cased.contains(&b"PwD\t".to_vec()), "{:?}", f.cased);
        // Long caseless alternatives stay whole (not cut to `secr`, `acce`, ...).
        let f = factor(r"(?i:client_?secret|secret_?key|access_?token)[ \t]*[:=]").unwrap();
        let words = [
            "access_token",
            "accesstoken",
            "client_secret",
            "clientsecret",
            "secret_key",
            "secretkey",
        ];
        for w in words {
            // Each spelling with the byte after it ([ \t] or [:=]).
            let n = f
                .literals
                .iter()
                .filter(|l| l.starts_with(w.as_bytes()))
                .count();
            assert_eq!(n, 4, "{w}: {:?}", f.literals);
        }
        assert_eq!(f.literals.len(), 24);
        // A keyword after a caseless prefix: the whole keyword, not its common tail.
        let f = factor(r"(?i:okta_?(?:api_?)?token)[ \t]*[:=]").unwrap();
        assert!(
            f.literals.iter().all(|l| l.starts_with(b"okta")),
            "{:?}",
            f.literals
        );
        assert_eq!(
            f.literals.iter().map(|l| l.len()).min(),
            Some(10),
            "{:?}",
            f.literals
        );
    }

    #[test]
    fn alternation_of_keywords() {
        let f = factor(r"\b(?:postgres|mysql|https?)://[0-9A-Za-z]{1,32}@").unwrap();
        assert_eq!(
            f.literals,
            lits(&["http://", "https://", "mysql://", "postgres://"])
        );
        assert_eq!((f.min_pre, f.max_pre, f.max_len), (0, 0, Some(44)));
    }

    #[test]
    fn residual_patterns() {
        // One-byte literals only.
        assert_eq!(factor(r"\bS[0-9a-f]{32}\b"), None);
        // A two-byte literal is a factor.
        assert_eq!(
            factor(r"\bSK[0-9a-f]{32}\b").unwrap().literals,
            lits(&["SK"])
        );
        // Unbounded repeat before the only literal.
        assert_eq!(factor(r"[a-z]+secret"), None);
        // No literal at all.
        assert_eq!(factor(r"[0-9a-f]{32}"), None);
        // Caseless one-letter pieces between big classes: every literal too short.
        assert_eq!(factor(r"(?i)a[0-9]c[0-9]e"), None);
        // A caseless word is one literal however long.
        let f = factor(r"(?i)abcdefghij").unwrap();
        assert_eq!(f.literals, lits(&["abcdefghij"]));
    }
}
