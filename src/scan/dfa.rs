//! `Dfa`: a multi-pattern, unanchored, byte-class-compressed dense DFA in our own flat
//! table format, compiled from regexes/literals (through regex-automata) or imported from
//! a caller-built transition table.
//!
//! Semantics (Hyperscan's default): for every pattern, every offset where a match of it
//! ends is reported once, overlapping matches included. The table reports a hit when a
//! transition lands in a state with a non-empty match list: after consuming the byte at
//! position `i`, the state's patterns end at `i + 1 - delay`. regex-automata's DFAs delay
//! matches by one byte (so look-ahead such as `\b` or `$` can be decided), hence
//! `delay = 1` for compiled sets; at end of input the per-state EOI list reports the
//! matches that end exactly at the input length.

use crate::error::{Error, Result, Status};
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::start;
use regex_automata::util::syntax;
use regex_automata::{Anchored, MatchKind};
use regex_syntax::hir::Hir;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Pattern flag: ASCII case-insensitive matching.
pub const FLAG_CASELESS: u32 = 1;
/// Pattern flag: the expression is a literal byte string, not a regex.
pub const FLAG_LITERAL: u32 = 2;
/// Pattern flag: `.` also matches `\n`.
pub const FLAG_DOTALL: u32 = 4;
/// Pattern flag: `^`/`$` also match after/before `\n`.
pub const FLAG_MULTILINE: u32 = 8;
/// Every flag bit this version understands.
pub const FLAGS_ALL: u32 = FLAG_CASELESS | FLAG_LITERAL | FLAG_DOTALL | FLAG_MULTILINE;

/// Default limit on the exported table size (bytes): refuse, never truncate.
pub const DEFAULT_MAX_TABLE_BYTES: usize = 256 << 20;

/// Bit set in a GPU transition word when the target state has a match list.
pub const MATCH_BIT: u32 = 1 << 31;

/// One pattern of a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Regex source (UTF-8) or, with [`FLAG_LITERAL`], the literal bytes.
    pub expression: Vec<u8>,
    /// Id reported with each hit (need not be unique; a hit is reported once per (id, end)).
    pub id: u32,
    /// `FLAG_*` bits.
    pub flags: u32,
}

impl Pattern {
    pub fn regex(expression: &str, id: u32) -> Self {
        Pattern {
            expression: expression.as_bytes().to_vec(),
            id,
            flags: 0,
        }
    }
    pub fn literal(bytes: &[u8], id: u32) -> Self {
        Pattern {
            expression: bytes.to_vec(),
            id,
            flags: FLAG_LITERAL,
        }
    }
    pub fn with_flags(mut self, flags: u32) -> Self {
        self.flags |= flags;
        self
    }
}

/// Compile options.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Refuse sets whose exported table would exceed this many bytes (`TooLarge`).
    pub max_table_bytes: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            max_table_bytes: DEFAULT_MAX_TABLE_BYTES,
        }
    }
}

/// A caller-built DFA, validated by [`Dfa::import`]. States are numbered 0..state_count.
#[derive(Clone, Debug)]
pub struct ImportTable {
    pub state_count: u32,
    pub class_count: u32,
    pub start_state: u32,
    /// 0: a state's matches end after the byte that entered it; 1: one byte earlier.
    pub delay: u32,
    /// Byte → class (each < class_count).
    pub class_map: [u8; 256],
    /// `state_count * class_count` next-state indexes, row-major by state.
    pub transitions: Vec<u32>,
    /// `state_count + 1` offsets into `match_ids`: state s reports ids[off[s]..off[s+1]].
    pub match_offsets: Vec<u32>,
    pub match_ids: Vec<u32>,
    /// Optional (empty = none): `state_count + 1` offsets into `eoi_ids` for matches
    /// that end exactly at the end of the input when the scan ends in that state.
    pub eoi_offsets: Vec<u32>,
    pub eoi_ids: Vec<u32>,
}

/// The flat DFA table (host copy; see [`Dfa::gpu_words`] for the device layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dfa {
    state_count: u32,
    class_count: u32,
    start: u32,
    delay: u32,
    pattern_count: u32,
    class_map: [u8; 256],
    trans: Vec<u32>,
    match_off: Vec<u32>,
    match_ids: Vec<u32>,
    eoi_off: Vec<u32>,
    eoi_ids: Vec<u32>,
    /// Longest match any pattern can have (None: unbounded, or unknown for imported
    /// tables). Lets a parallel scan start each chunk that far early so that its state
    /// at the chunk start is almost always the true one.
    max_match_len: Option<u32>,
    /// Device-side extras (not used by host scans).
    extras: Extras,
}

/// Names a table's content in the GPU backend's buffer caches: unique per constructed
/// table, shared by its clones (a table never changes once built). Not part of the
/// table's value: `==` ignores it.
#[derive(Clone, Copy, Debug)]
struct CacheId(u64);

impl Default for CacheId {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        CacheId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl PartialEq for CacheId {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CacheId {}

/// Parts of a table only the GPU scan uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extras {
    id: CacheId,
    /// Anchored verifier ([`Dfa::compile_verifier`]): start state by look-behind byte
    /// (index 256: text start), and the dead state, where a verification stops.
    starts: Vec<u32>,
    dead: Option<u32>,
    /// Literal group of a prefilter: the device verifiers of its factor literals.
    verify: Option<Arc<DeviceVerify>>,
    /// Group of a prefiltered set: the user id of each pattern index it reports, so
    /// that the GPU hands back hits in final form (factor hit ids, past the end, stay
    /// raw). None: the table reports user ids.
    report_ids: Option<Arc<[u32]>>,
}

/// How the GPU verifies the factor literals of a prefilter's literal group in the scan
/// lane (see `scan/prefilter.rs` and `dfa_scan.wgsl`): a factor hit ending at `e` runs
/// its verifier from `e - back`, anchored, until the verifier's dead state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceVerify {
    /// Hit id of factor literal 0 (literal `j` reports `base + j`).
    pub base: u32,
    /// Per factor literal: its verifier (index into `verifiers`; `None`: the host
    /// verifies its hits) and `back`, how far before the literal's end the window starts.
    pub factors: Vec<(Option<u32>, u32)>,
    /// Anchored verifiers from [`Dfa::compile_verifier`].
    pub verifiers: Vec<Dfa>,
}

fn pattern_error(index: usize, message: impl std::fmt::Display) -> Error {
    Error::new(Status::Pattern, format!("pattern {index}: {message}"))
}

/// Turn literal bytes into an equivalent byte regex (`\xHH` each, valid without Unicode).
fn literal_regex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02X}")).collect()
}

/// The regex source of a pattern (literals become `\xHH` sequences).
pub fn pattern_source(p: &Pattern) -> std::result::Result<String, &'static str> {
    if p.flags & FLAG_LITERAL != 0 {
        Ok(literal_regex(&p.expression))
    } else {
        String::from_utf8(p.expression.clone())
            .map_err(|_| "regex is not valid UTF-8 (use \\xHH for raw bytes)")
    }
}

/// Patterns of a rule file in the bundled `rules/secrets.rules` format: one
/// `name<TAB>regex` (or bare regex) per line; empty lines and `#` comments skipped; the
/// id is the rule's number in the file (0-based).
pub fn rule_file_patterns(text: &str) -> Vec<Pattern> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(i, l)| {
            let re = l
                .split_once('\t')
                .map_or(l, |(_, r)| r.trim_start_matches('\t'));
            Pattern::regex(re, i as u32)
        })
        .collect()
}

/// Parser settings that define our pattern semantics (byte-oriented, ASCII classes).
pub fn syntax_config(flags: u32) -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(flags & FLAG_CASELESS != 0)
        .dot_matches_new_line(flags & FLAG_DOTALL != 0)
        .multi_line(flags & FLAG_MULTILINE != 0)
}

impl Dfa {
    /// Compile a pattern set. Patterns are byte-oriented (no UTF-8 mode; `\w`, `\b`, case
    /// folding are ASCII), like Hyperscan without `HS_FLAG_UTF8`.
    ///
    /// Errors: empty set → `InvalidArgument`; unknown flag → `InvalidArgument`; a regex
    /// that does not parse, or that can match the empty string (Hyperscan rejects those
    /// too unless `HS_FLAG_ALLOWEMPTY`) → `Pattern` naming the pattern; a table over
    /// `max_table_bytes` → `TooLarge`.
    pub fn compile(patterns: &[Pattern], options: &CompileOptions) -> Result<Dfa> {
        if patterns.is_empty() {
            return Err(Error::invalid(
                "the pattern set is empty; give at least one pattern",
            ));
        }
        let mut hirs = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            if p.flags & !FLAGS_ALL != 0 {
                return Err(Error::invalid(format!(
                    "pattern {i}: unknown flag bits {:#x} (known: {FLAGS_ALL:#x})",
                    p.flags & !FLAGS_ALL
                )));
            }
            let source = pattern_source(p).map_err(|e| pattern_error(i, e))?;
            let config = syntax_config(p.flags);
            let hir = syntax::parse_with(&source, &config).map_err(|e| pattern_error(i, e))?;
            if hir.properties().minimum_len() == Some(0) {
                return Err(pattern_error(
                    i,
                    format!(
                        "`{}` can match the empty string; empty matches are not reported (rewrite it to need at least one byte)",
                        String::from_utf8_lossy(&p.expression)
                    ),
                ));
            }
            hirs.push(hir);
        }
        let limit = options.max_table_bytes;
        let ids: Vec<u32> = patterns.iter().map(|p| p.id).collect();
        // Pure-literal sets with one case mode: Aho-Corasick builds the same automaton
        // (every end of every literal) in linear time, where subset construction over
        // thousands of alternatives is quadratic.
        let all_literal = patterns.iter().all(|p| p.flags & FLAG_LITERAL != 0);
        let caseless = patterns[0].flags & FLAG_CASELESS != 0;
        if all_literal
            && patterns
                .iter()
                .all(|p| (p.flags & FLAG_CASELESS != 0) == caseless)
        {
            let mut dfa = Self::from_literals(patterns, caseless, &ids, limit)?;
            dfa.max_match_len = patterns
                .iter()
                .map(|p| u32::try_from(p.expression.len()).ok())
                .try_fold(0, |m, l| l.map(|l| m.max(l)));
            return Ok(dfa);
        }
        let dense = dense_dfa(&hirs, limit, StartKind::Unanchored)?;
        let start = dense
            .start_state(&start::Config::new().anchored(Anchored::No))
            .map_err(|e| Error::unsupported(format!("DFA has no unanchored start state: {e}")))?;
        let mut dfa = Self::from_dense(&dense, &ids, limit, &[start])?;
        dfa.max_match_len = hirs
            .iter()
            .map(|h| {
                h.properties()
                    .maximum_len()
                    .and_then(|l| u32::try_from(l).ok())
            })
            .try_fold(0, |m, l| l.map(|l| m.max(l)));
        Ok(dfa)
    }

    /// An anchored verifier for the GPU: the DFA of `hir` (already holding any skip
    /// prefix) that reports every match end of `id`, with one start state per look-behind
    /// byte (the state a search anchored right after that byte starts in) plus the text
    /// start, and its dead state. Errors as [`Dfa::compile`] (`TooLarge` over `limit`).
    pub fn compile_verifier(hir: &Hir, id: u32, limit: usize) -> Result<Dfa> {
        let dense = dense_dfa(std::slice::from_ref(hir), limit, StartKind::Anchored)?;
        let anchored = |b: Option<u8>| {
            dense
                .start_state(&start::Config::new().anchored(Anchored::Yes).look_behind(b))
                .map_err(|e| Error::unsupported(format!("verifier has no anchored start: {e}")))
        };
        let mut roots = vec![anchored(None)?];
        for b in 0..=255u8 {
            roots.push(anchored(Some(b))?);
        }
        let mut dfa = Self::from_dense(&dense, &[id], limit, &roots)?;
        // The text start is state 0 (the first root); the table puts it last.
        dfa.extras.starts.rotate_left(1);
        dfa.max_match_len = hir
            .properties()
            .maximum_len()
            .and_then(|l| u32::try_from(l).ok());
        Ok(dfa)
    }

    /// Give a prefilter's literal group its device verifiers.
    pub(crate) fn with_device_verify(mut self, v: DeviceVerify) -> Dfa {
        self.extras.verify = Some(Arc::new(v));
        self.extras.id = CacheId::default(); // new content
        self
    }

    /// Give a prefiltered set's group the user id of each pattern index it reports.
    pub(crate) fn with_report_ids(mut self, ids: Arc<[u32]>) -> Dfa {
        self.extras.report_ids = Some(ids);
        self.extras.id = CacheId::default(); // new content
        self
    }

    /// Unique name of this table's content (see `CacheId`), for device buffer caches.
    pub(crate) fn cache_id(&self) -> u64 {
        self.extras.id.0
    }

    /// Aho-Corasick DFA (no match delay, no EOI lists) over our own byte classes: every
    /// byte that occurs in no literal (in either case when caseless) shares class 0.
    fn from_literals(
        patterns: &[Pattern],
        caseless: bool,
        ids: &[u32],
        limit: usize,
    ) -> Result<Dfa> {
        use aho_corasick::automaton::Automaton as _;
        let ac = aho_corasick::dfa::DFA::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .start_kind(aho_corasick::StartKind::Unanchored)
            .ascii_case_insensitive(caseless)
            .byte_classes(true)
            .build(patterns.iter().map(|p| &p.expression))
            .map_err(|e| Error::new(Status::TooLarge, format!("literal set too large: {e}")))?;
        let mut class_map = [0u8; 256];
        let mut reps = vec![0u8];
        let mut seen = [false; 256];
        for p in patterns {
            for &b in &p.expression {
                let variants = if caseless {
                    [b.to_ascii_lowercase(), b.to_ascii_uppercase()]
                } else {
                    [b, b]
                };
                if seen[variants[0] as usize] {
                    continue;
                }
                if reps.len() == 256 {
                    // 255 distinct bytes plus the shared class: fall back to identity.
                    return Err(Error::unsupported(
                        "literal set uses every byte value; internal class limit",
                    ));
                }
                for v in variants {
                    seen[v as usize] = true;
                    class_map[v as usize] = reps.len() as u8;
                }
                reps.push(variants[0]);
            }
        }
        if !seen.iter().any(|&s| !s) {
            // Every byte occurs in some literal: class 0 has no members; drop it.
            for c in class_map.iter_mut() {
                *c -= 1;
            }
            reps.remove(0);
        }
        let class_count = reps.len();
        let start = ac.start_state(aho_corasick::Anchored::No).map_err(|e| {
            Error::unsupported(format!("literal automaton has no unanchored start: {e}"))
        })?;
        let mut index: HashMap<aho_corasick::automaton::StateID, u32> = HashMap::new();
        let mut order = vec![start];
        index.insert(start, 0);
        let mut trans = Vec::new();
        let mut head = 0;
        while head < order.len() {
            let sid = order[head];
            head += 1;
            for &rep in &reps {
                let next = ac.next_state(aho_corasick::Anchored::No, sid, rep);
                let n = order.len() as u32;
                trans.push(*index.entry(next).or_insert_with(|| {
                    order.push(next);
                    n
                }));
            }
            if (order.len() as u64) * (class_count as u64) * 4 > limit as u64 {
                return Err(too_large(order.len(), class_count, limit));
            }
        }
        let mut match_off = vec![0u32];
        let mut match_ids = Vec::new();
        for &sid in &order {
            if ac.is_match(sid) {
                let mut v: Vec<u32> = (0..ac.match_len(sid))
                    .map(|i| ids[ac.match_pattern(sid, i).as_usize()])
                    .collect();
                v.sort_unstable();
                v.dedup();
                match_ids.extend(v);
            }
            match_off.push(match_ids.len() as u32);
        }
        let n = order.len();
        let dfa = Dfa {
            state_count: n as u32,
            class_count: class_count as u32,
            start: 0,
            delay: 0,
            pattern_count: ids.len() as u32,
            class_map,
            trans,
            match_off,
            match_ids,
            eoi_off: vec![0; n + 1],
            eoi_ids: Vec::new(),
            max_match_len: None,
            extras: Extras::default(),
        };
        if dfa.table_bytes() > limit || (n as u64) * (class_count as u64) >= MATCH_BIT as u64 {
            return Err(too_large(n, class_count, limit));
        }
        Ok(dfa)
    }

    /// Walk every state reachable from `roots` (the first one becomes the start state)
    /// and renumber them densely; export transitions per byte class, match lists and EOI
    /// lists. More than one root: the roots' new indexes go to `extras.starts`.
    fn from_dense(
        dfa: &dense::DFA<Vec<u32>>,
        ids: &[u32],
        limit: usize,
        roots: &[regex_automata::util::primitives::StateID],
    ) -> Result<Dfa> {
        let classes = dfa.byte_classes();
        let class_count = classes.alphabet_len() - 1; // the last class is EOI
        let mut class_map = [0u8; 256];
        let mut reps = vec![0u8; class_count];
        for b in 0..=255u8 {
            let c = classes.get(b);
            class_map[b as usize] = c;
            reps[c as usize] = b;
        }
        let mut index: HashMap<regex_automata::util::primitives::StateID, u32> = HashMap::new();
        let mut order = Vec::new();
        for &r in roots {
            let n = order.len() as u32;
            index.entry(r).or_insert_with(|| {
                order.push(r);
                n
            });
        }
        let mut trans: Vec<u32> = Vec::new();
        let mut head = 0;
        while head < order.len() {
            let sid = order[head];
            head += 1;
            if dfa.is_quit_state(sid) {
                return Err(Error::unsupported(
                    "pattern set needs a quit byte (Unicode word boundary); use ASCII \\b"
                        .to_string(),
                ));
            }
            for &rep in &reps {
                let next = dfa.next_state(sid, rep);
                let n = order.len() as u32;
                let id = *index.entry(next).or_insert_with(|| {
                    order.push(next);
                    n
                });
                trans.push(id);
            }
            let bytes = (order.len() as u64) * (class_count as u64) * 4;
            if bytes > limit as u64 {
                return Err(too_large(order.len(), class_count, limit));
            }
        }
        let mut match_off = vec![0u32];
        let mut match_ids = Vec::new();
        let mut eoi_off = vec![0u32];
        let mut eoi_ids = Vec::new();
        let collect = |sid, out: &mut Vec<u32>| {
            if dfa.is_match_state(sid) {
                let mut v: Vec<u32> = (0..dfa.match_len(sid))
                    .map(|i| ids[dfa.match_pattern(sid, i).as_usize()])
                    .collect();
                v.sort_unstable();
                v.dedup();
                out.extend(v);
            }
        };
        for &sid in &order {
            collect(sid, &mut match_ids);
            match_off.push(match_ids.len() as u32);
            collect(dfa.next_eoi_state(sid), &mut eoi_ids);
            eoi_off.push(eoi_ids.len() as u32);
        }
        let dead = order.iter().position(|&sid| dfa.is_dead_state(sid));
        let mut extras = Extras::default();
        if roots.len() > 1 {
            extras.starts = roots.iter().map(|r| index[r]).collect();
            extras.dead = dead.map(|d| d as u32);
        }
        let dfa = Dfa {
            state_count: order.len() as u32,
            class_count: class_count as u32,
            start: 0,
            delay: 1,
            pattern_count: ids.len() as u32,
            class_map,
            trans,
            match_off,
            match_ids,
            eoi_off,
            eoi_ids,
            max_match_len: None,
            extras,
        };
        let cells = dfa.state_count as u64 * class_count as u64;
        if dfa.table_bytes() > limit || cells >= MATCH_BIT as u64 {
            return Err(too_large(dfa.state_count as usize, class_count, limit));
        }
        Ok(dfa)
    }

    /// Import and validate a caller-built table (every index checked; nothing trusted).
    pub fn import(t: &ImportTable, options: &CompileOptions) -> Result<Dfa> {
        let (n, c) = (t.state_count as usize, t.class_count as usize);
        if n == 0 {
            return Err(Error::invalid("state_count must be at least 1"));
        }
        if c == 0 || c > 256 {
            return Err(Error::invalid(format!(
                "class_count must be 1..=256, got {c}"
            )));
        }
        if t.start_state >= t.state_count {
            return Err(Error::out_of_range(format!(
                "start_state {} >= state_count {n}",
                t.start_state
            )));
        }
        if t.delay > 1 {
            return Err(Error::invalid(format!(
                "delay must be 0 or 1, got {}",
                t.delay
            )));
        }
        if let Some(b) = (0..256).find(|&b| t.class_map[b] as usize >= c) {
            return Err(Error::out_of_range(format!(
                "class_map[{b}] = {} is not below class_count {c}",
                t.class_map[b]
            )));
        }
        let cells = (n as u64) * (c as u64);
        if cells > (MATCH_BIT as u64) || cells * 4 > options.max_table_bytes as u64 {
            return Err(too_large(n, c, options.max_table_bytes));
        }
        if t.transitions.len() as u64 != cells {
            return Err(Error::malformed(format!(
                "transitions holds {} entries, expected state_count * class_count = {cells}",
                t.transitions.len()
            )));
        }
        if let Some(i) = t.transitions.iter().position(|&s| s >= t.state_count) {
            return Err(Error::out_of_range(format!(
                "transitions[{i}] = {} is not below state_count {n}",
                t.transitions[i]
            )));
        }
        let (match_off, match_ids) =
            check_lists("match", &t.match_offsets, &t.match_ids, n, false)?;
        let (eoi_off, eoi_ids) = check_lists("eoi", &t.eoi_offsets, &t.eoi_ids, n, true)?;
        let mut ids: Vec<u32> = match_ids.iter().chain(eoi_ids.iter()).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let dfa = Dfa {
            state_count: t.state_count,
            class_count: t.class_count,
            start: t.start_state,
            delay: t.delay,
            pattern_count: ids.len() as u32,
            class_map: t.class_map,
            trans: t.transitions.clone(),
            match_off,
            match_ids,
            eoi_off,
            eoi_ids,
            max_match_len: None,
            extras: Extras::default(),
        };
        if dfa.table_bytes() > options.max_table_bytes {
            return Err(too_large(n, c, options.max_table_bytes));
        }
        Ok(dfa)
    }

    pub fn state_count(&self) -> u32 {
        self.state_count
    }
    pub fn class_count(&self) -> u32 {
        self.class_count
    }
    pub fn start_state(&self) -> u32 {
        self.start
    }
    pub fn delay(&self) -> u32 {
        self.delay
    }
    /// Number of patterns compiled (or distinct ids reported, for imported tables).
    /// Longest possible match in bytes (None: unbounded or unknown).
    pub fn max_match_len(&self) -> Option<u32> {
        self.max_match_len
    }
    pub fn pattern_count(&self) -> u32 {
        self.pattern_count
    }
    pub fn class_of(&self, byte: u8) -> u32 {
        self.class_map[byte as usize] as u32
    }
    pub fn class_map(&self) -> &[u8; 256] {
        &self.class_map
    }
    /// Next state index.
    #[inline]
    pub fn next(&self, state: u32, byte: u8) -> u32 {
        self.trans[(state * self.class_count + self.class_map[byte as usize] as u32) as usize]
    }
    /// Ids whose match ends when `state` is entered (see the module doc for the offset).
    #[inline]
    pub fn matches(&self, state: u32) -> &[u32] {
        let s = state as usize;
        &self.match_ids[self.match_off[s] as usize..self.match_off[s + 1] as usize]
    }
    /// Ids whose match ends at end of input when the input ends in `state`.
    #[inline]
    pub fn eoi_matches(&self, state: u32) -> &[u32] {
        let s = state as usize;
        &self.eoi_ids[self.eoi_off[s] as usize..self.eoi_off[s + 1] as usize]
    }

    /// Bytes of the device table ([`Dfa::gpu_words`]) — the figure reported as "table bytes".
    pub fn table_bytes(&self) -> usize {
        self.gpu_len_words() * 4
    }

    pub(crate) fn gpu_len_words(&self) -> usize {
        self.gpu_table_words() + self.gpu_extra_words()
    }

    fn gpu_table_words(&self) -> usize {
        GPU_HEADER_WORDS
            + 64
            + self.trans.len()
            + 2 * (self.state_count as usize + 1)
            + self.match_ids.len()
            + self.eoi_ids.len()
    }

    fn gpu_extra_words(&self) -> usize {
        let verify = self.extras.verify.as_ref().map_or(0, |v| {
            2 + 2 * v.factors.len() + v.verifiers.iter().map(Dfa::gpu_len_words).sum::<usize>()
        });
        let report = self.extras.report_ids.as_ref().map_or(0, |r| r.len());
        verify + self.extras.starts.len() + report
    }

    /// The device layout, all `u32`:
    /// - header ([`GPU_HEADER_WORDS`]): state_count, class_count, start (premultiplied),
    ///   delay, then the word offsets of: transitions, match offsets, match ids, eoi offsets, eoi ids;
    /// - class map: 256 bytes packed little-endian into 64 words;
    /// - transitions: `next * class_count`, with [`MATCH_BIT`] when the target has matches;
    /// - match offsets (state_count + 1, absolute word offsets into the table), match ids,
    ///   eoi offsets, eoi ids;
    /// - device extras, located by header words 9 (factor table of a prefilter's literal
    ///   group: base id, count, then per literal its verifier's word offset or 0 for
    ///   host verification, and `back`; the verifiers follow), 10 (verifier start states
    ///   by look-behind byte, 256 = text start, premultiplied) and 11 (a verifier's dead
    ///   state, premultiplied; NONE when it has none), 12 and 13 (a prefiltered set's
    ///   report ids: offset and count; 0 when the table reports user ids). Offsets are
    ///   relative to the table.
    pub fn gpu_words(&self) -> Vec<u32> {
        let mut w = Vec::with_capacity(self.gpu_len_words());
        let n = self.state_count as usize;
        let t_off = GPU_HEADER_WORDS + 64;
        let mo_off = t_off + self.trans.len();
        let mi_off = mo_off + n + 1;
        let eo_off = mi_off + self.match_ids.len();
        let ei_off = eo_off + n + 1;
        w.extend_from_slice(&[
            self.state_count,
            self.class_count,
            self.start * self.class_count,
            self.delay,
            t_off as u32,
            mo_off as u32,
            mi_off as u32,
            eo_off as u32,
            ei_off as u32,
        ]);
        w.resize(GPU_HEADER_WORDS, 0);
        for chunk in self.class_map.chunks(4) {
            w.push(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        }
        for &next in &self.trans {
            let flag = if self.match_off[next as usize] != self.match_off[next as usize + 1] {
                MATCH_BIT
            } else {
                0
            };
            w.push((next * self.class_count) | flag);
        }
        w.extend(self.match_off.iter().map(|&o| o + mi_off as u32));
        w.extend_from_slice(&self.match_ids);
        w.extend(self.eoi_off.iter().map(|&o| o + ei_off as u32));
        w.extend_from_slice(&self.eoi_ids);
        let c = self.class_count;
        w[11] = self.extras.dead.map_or(u32::MAX, |d| d * c);
        if !self.extras.starts.is_empty() {
            w[10] = w.len() as u32;
            w.extend(self.extras.starts.iter().map(|&s| s * c));
        }
        if let Some(v) = &self.extras.verify {
            w[9] = w.len() as u32;
            w.extend_from_slice(&[v.base, v.factors.len() as u32]);
            let table = w.len();
            w.resize(table + 2 * v.factors.len(), 0);
            let mut at = Vec::with_capacity(v.verifiers.len());
            for d in &v.verifiers {
                at.push(w.len() as u32);
                w.extend(d.gpu_words());
            }
            for (j, &(ver, back)) in v.factors.iter().enumerate() {
                w[table + 2 * j] = ver.map_or(0, |i| at[i as usize]);
                w[table + 2 * j + 1] = back;
            }
        }
        if let Some(ids) = &self.extras.report_ids {
            w[12] = w.len() as u32;
            w[13] = ids.len() as u32;
            w.extend_from_slice(ids);
        }
        debug_assert_eq!(w.len(), self.gpu_len_words());
        w
    }
}

/// Subset construction of `hirs` (every match end reported, ASCII word boundaries).
fn dense_dfa(hirs: &[Hir], limit: usize, start_kind: StartKind) -> Result<dense::DFA<Vec<u32>>> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .shrink(false)
                .nfa_size_limit(Some(limit.saturating_mul(4).max(1 << 20))),
        )
        .build_many_from_hir(hirs)
        .map_err(|e| {
            if e.size_limit().is_some() {
                Error::new(
                    Status::TooLarge,
                    format!("pattern set too large: {e}; raise the size limit or split the set"),
                )
            } else {
                Error::new(
                    Status::Pattern,
                    format!("pattern set failed to compile: {e}"),
                )
            }
        })?;
    let dense = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(start_kind)
                    .byte_classes(true)
                    .minimize(false)
                    .accelerate(false)
                    .unicode_word_boundary(false)
                    .dfa_size_limit(Some(limit.saturating_mul(2)))
                    .determinize_size_limit(Some(limit.saturating_mul(4))),
            )
            .build_from_nfa(&nfa)
            .map_err(|e| {
                if e.is_size_limit_exceeded() {
                    Error::new(
                        Status::TooLarge,
                        format!("pattern set too large: the DFA exceeds the size limit of {limit} bytes ({e}); raise the limit or split the set"),
                    )
                } else {
                    Error::new(Status::Pattern, format!("pattern set failed to compile to a DFA: {e}"))
                }
            })?;
    Ok(dense)
}

/// Header words at the front of [`Dfa::gpu_words`].
pub const GPU_HEADER_WORDS: usize = 16;

fn too_large(states: usize, classes: usize, limit: usize) -> Error {
    Error::new(
        Status::TooLarge,
        format!(
            "pattern set too large: {states}+ states x {classes} byte classes exceeds the table limit of {limit} bytes; raise the limit or split the set"
        ),
    )
}

fn check_lists(
    name: &str,
    off: &[u32],
    ids: &[u32],
    n: usize,
    optional: bool,
) -> Result<(Vec<u32>, Vec<u32>)> {
    if off.is_empty() && optional {
        if !ids.is_empty() {
            return Err(Error::malformed(format!(
                "{name}_ids given without {name}_offsets"
            )));
        }
        return Ok((vec![0; n + 1], Vec::new()));
    }
    if off.len() != n + 1 {
        return Err(Error::malformed(format!(
            "{name}_offsets holds {} entries, expected state_count + 1 = {}",
            off.len(),
            n + 1
        )));
    }
    if off[0] != 0 || off[n] as usize != ids.len() || off.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::malformed(format!(
            "{name}_offsets must start at 0, never decrease and end at {name}_ids length {}",
            ids.len()
        )));
    }
    // Canonicalise each list (sorted, unique) so a hit is reported once per (id, end).
    let mut new_off = vec![0u32];
    let mut new_ids = Vec::with_capacity(ids.len());
    for s in 0..n {
        let mut v = ids[off[s] as usize..off[s + 1] as usize].to_vec();
        v.sort_unstable();
        v.dedup();
        new_ids.extend(v);
        new_off.push(new_ids.len() as u32);
    }
    Ok((new_off, new_ids))
}
