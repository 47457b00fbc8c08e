//! `DfaSet`: a pattern set compiled into one or more DFAs ("groups").
//!
//! The unanchored all-matches DFA of a union of bounded repeats can grow with the
//! product of the patterns' sizes, so a set that does not fit one table is split: the
//! patterns are taken in order and each group is the longest run that still compiles
//! under the group size target. A scan runs every group over the same bytes and merges
//! the hits sorted by (end, pattern) — the same hits as scanning each pattern alone.
//!
//! [`DfaSet::compile`] first takes out every regex with a required literal factor (see
//! [`super::prefilter`]): their factors become one literal DFA (the last group) whose
//! hits are verified exactly (in the GPU scan lane, or on the host), and only the
//! remaining ("residual") patterns are split into groups, or share the literal DFA's
//! table when they fit in it. Groups of such a set report pattern *indexes* and factor
//! ids; the scanner resolves them to user ids ([`Filtered::resolve`]; a resident scan
//! maps them in one pass, [`Filtered::map_ids`]).

use super::cpu::Hit;
use super::dfa::{CompileOptions, Dfa, Pattern};
use super::prefilter::Prefilter;
use crate::error::{Error, Result, Status};
use std::sync::{Arc, OnceLock};

/// Default per-group table target (bytes): big groups are slow to build and miss the
/// caches of the scan; more groups cost one more pass over the haystack each.
pub const DEFAULT_GROUP_TABLE_BYTES: usize = 4 << 20;

/// Groups grow one pattern at a time: a failed attempt costs a determinization up to
/// the size limit, so galloping (several failures per group) measured slower on rules.
const MAX_STEP: usize = 1;

/// One or more DFAs that together report every match of a pattern set.
/// Thread safety: immutable, shareable.
#[derive(Clone, Debug)]
pub struct DfaSet {
    groups: Vec<Arc<Dfa>>,
    filter: Option<Arc<Filtered>>,
}

/// The prefilter part of a set compiled by [`DfaSet::compile`].
#[derive(Debug)]
pub(crate) struct Filtered {
    prefilter: Prefilter,
    /// Pattern index → user id.
    ids: Vec<u32>,
    /// What the full set (every pattern in ordinary groups) is compiled from, on first
    /// use by a stream: streams carry DFA state across pieces, so they use it.
    patterns: Vec<Pattern>,
    options: CompileOptions,
    group_bytes: usize,
    full: OnceLock<Result<DfaSet>>,
}

impl Filtered {
    /// Resolve the raw hits of one scan (`tag` = index into `items`): residual hits get
    /// their user ids, factor hits are verified into pattern hits. Order unspecified.
    pub(crate) fn resolve(&self, mut hits: Vec<Hit>, items: &[&[u8]]) -> Result<Vec<Hit>> {
        let mut factor = Vec::new();
        self.map_ids(&mut hits, None, &mut factor);
        self.verify_factors(&mut hits, items, None, &factor)?;
        Ok(hits)
    }

    /// One pass over raw hits: the factor hits move to `factor` (raw, to verify with
    /// [`Filtered::verify_factors`]); every other hit gets its user id (and the tag
    /// `retag`, when given). Returns whether those are in (tag, end, pattern) order
    /// without duplicates. (Factor hits must leave before ids are mapped: a user id may
    /// equal a factor hit id.)
    pub(crate) fn map_ids(
        &self,
        hits: &mut Vec<Hit>,
        retag: Option<u32>,
        factor: &mut Vec<Hit>,
    ) -> bool {
        let (mut ordered, mut last) = (true, None);
        // `retain_mut` moves nothing until the first hit leaves (usually none does).
        hits.retain_mut(|h| {
            if self.prefilter.is_factor(h.pattern) {
                factor.push(*h);
                return false;
            }
            h.pattern = self.ids[h.pattern as usize];
            h.tag = retag.unwrap_or(h.tag);
            let key = (h.tag, h.end, h.pattern);
            ordered &= last.is_none_or(|l| l < key);
            last = Some(key);
            true
        });
        ordered
    }

    /// Verify the factor hits that [`Filtered::map_ids`] set apart (`tag` = index into
    /// `items`) and append the matches found, with user ids and the tag `retag` (when
    /// given, else the item index). Order unspecified.
    pub(crate) fn verify_factors(
        &self,
        hits: &mut Vec<Hit>,
        items: &[&[u8]],
        retag: Option<u32>,
        factor: &[Hit],
    ) -> Result<()> {
        if factor.is_empty() {
            return Ok(());
        }
        let found = self.prefilter.verify(items, factor)?;
        hits.extend(found.into_iter().map(|h| Hit {
            pattern: self.ids[h.pattern as usize],
            tag: retag.unwrap_or(h.tag),
            ..h
        }));
        Ok(())
    }

    /// Whether a raw hit of the prefiltered groups is a factor candidate (to verify).
    pub(crate) fn is_factor_hit(&self, h: &Hit) -> bool {
        self.prefilter.is_factor(h.pattern)
    }

    /// The full set for streams (compiled once, on first use).
    pub(crate) fn full(&self) -> Result<&DfaSet> {
        self.full
            .get_or_init(|| {
                DfaSet::compile_grouped(&self.patterns, &self.options, self.group_bytes)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl From<Dfa> for DfaSet {
    fn from(dfa: Dfa) -> Self {
        DfaSet {
            groups: vec![Arc::new(dfa)],
            filter: None,
        }
    }
}

impl From<Arc<Dfa>> for DfaSet {
    fn from(dfa: Arc<Dfa>) -> Self {
        DfaSet {
            groups: vec![dfa],
            filter: None,
        }
    }
}

impl DfaSet {
    /// Compile `patterns`: one table if the whole set fits the group target
    /// (min(`max_table_bytes`, [`DEFAULT_GROUP_TABLE_BYTES`]) bytes); otherwise regexes
    /// with a literal factor go through the prefilter (one literal DFA + exact
    /// verification, in the GPU scan lane or on the host) and the rest shares the
    /// literal DFA's table when it fits, else is split into groups as
    /// [`DfaSet::compile_grouped`].
    /// Pure-literal sets never use the prefilter. Same hits as scanning each pattern alone.
    pub fn compile(patterns: &[Pattern], options: &CompileOptions) -> Result<DfaSet> {
        Self::compile_prefiltered(patterns, options, DEFAULT_GROUP_TABLE_BYTES)
    }

    /// [`DfaSet::compile`] with an explicit group target.
    pub fn compile_prefiltered(
        patterns: &[Pattern],
        options: &CompileOptions,
        group_bytes: usize,
    ) -> Result<DfaSet> {
        let group = group_options(options, group_bytes);
        if let Some(d) = compile_if_fits(patterns, &group)? {
            return Ok(d.into());
        }
        let base = u32::try_from(patterns.len())
            .map_err(|_| Error::overflow("more than 2^32 patterns"))?;
        let (prefilter, literals, residual) = Prefilter::build(patterns, base)?;
        if prefilter.pattern_count() == 0 {
            return Self::split_all(patterns, &group, options);
        }
        let local: Vec<Pattern> = residual
            .iter()
            .map(|&i| Pattern {
                id: i as u32,
                ..patterns[i].clone()
            })
            .collect();
        // The factor literals and the residual patterns in one table when it fits the
        // group target (one pass over the input instead of two); otherwise residual
        // groups plus the literal DFA. Its device verifiers follow its table, within the
        // table limit.
        // The group's report ids (4 bytes a pattern) follow its table too.
        let verified = |d: Dfa| {
            let room =
                (options.max_table_bytes).saturating_sub(d.table_bytes() + 4 * patterns.len());
            Arc::new(d.with_device_verify(prefilter.device_verify(room)))
        };
        let mut both = literals.clone();
        both.extend(local.iter().cloned());
        let merged = match local.is_empty() {
            true => None,
            false => compile_if_fits(&both, &group)?,
        };
        let groups = match merged {
            Some(d) => vec![verified(d)],
            None => {
                let mut groups = if local.is_empty() {
                    Vec::new()
                } else {
                    match compile_if_fits(&local, &group)? {
                        Some(d) => vec![Arc::new(d)],
                        None => Self::split(&local, &residual, &group, options)?,
                    }
                };
                groups.push(verified(Dfa::compile(&literals, options)?));
                groups
            }
        };
        // Each group labels its hits with user ids on the GPU (see `Dfa::with_report_ids`).
        let ids: Arc<[u32]> = patterns.iter().map(|p| p.id).collect();
        let groups = groups
            .into_iter()
            .map(|g| {
                let g = Arc::try_unwrap(g).unwrap_or_else(|shared| (*shared).clone());
                Arc::new(g.with_report_ids(ids.clone()))
            })
            .collect();
        Ok(DfaSet {
            groups,
            filter: Some(Arc::new(Filtered {
                prefilter,
                ids: ids.to_vec(),
                patterns: patterns.to_vec(),
                options: options.clone(),
                group_bytes,
                full: OnceLock::new(),
            })),
        })
    }

    /// Compile `patterns` into as few groups as the greedy split finds (no prefilter),
    /// each group's table at most min(`max_table_bytes`, `group_bytes`) bytes. Errors
    /// as [`Dfa::compile`]; a single pattern whose DFA alone exceeds `max_table_bytes`
    /// → `TooLarge` naming it.
    pub fn compile_grouped(
        patterns: &[Pattern],
        options: &CompileOptions,
        group_bytes: usize,
    ) -> Result<DfaSet> {
        let group = group_options(options, group_bytes);
        // Fast path (and validation of every pattern, with set-wide indexes in errors).
        if let Some(d) = compile_if_fits(patterns, &group)? {
            return Ok(d.into());
        }
        Self::split_all(patterns, &group, options)
    }

    /// Every pattern into groups by [`DfaSet::split`], no prefilter.
    fn split_all(
        patterns: &[Pattern],
        group: &CompileOptions,
        hard: &CompileOptions,
    ) -> Result<DfaSet> {
        let names: Vec<usize> = (0..patterns.len()).collect();
        Ok(DfaSet {
            groups: Self::split(patterns, &names, group, hard)?,
            filter: None,
        })
    }

    /// Greedy split into groups (`names[i]`: set-wide index of `patterns[i]`, for errors).
    fn split(
        patterns: &[Pattern],
        names: &[usize],
        group: &CompileOptions,
        hard: &CompileOptions,
    ) -> Result<Vec<Arc<Dfa>>> {
        let mut groups = Vec::new();
        let mut i = 0;
        while i < patterns.len() {
            let (dfa, next) = Self::longest_prefix(patterns, names, i, group, hard)?;
            groups.push(Arc::new(dfa));
            i = next;
        }
        Ok(groups)
    }

    /// The longest run `patterns[i..j]` that compiles under `group`, grown [`MAX_STEP`]
    /// patterns at a time (then binary search back after a failure). A lone pattern
    /// over the group target gets a group of its own if it fits the hard limit.
    fn longest_prefix(
        patterns: &[Pattern],
        names: &[usize],
        i: usize,
        group: &CompileOptions,
        hard: &CompileOptions,
    ) -> Result<(Dfa, usize)> {
        let try_run = |j: usize| compile_if_fits(&patterns[i..j], group);
        let Some(mut best) = try_run(i + 1)? else {
            return match Dfa::compile(&patterns[i..i + 1], hard) {
                Ok(d) => Ok((d, i + 1)),
                Err(e) if e.status == Status::TooLarge => Err(Error::new(
                    Status::TooLarge,
                    format!(
                        "pattern {} (`{}`) alone exceeds the table limit of {} bytes: {}",
                        names[i],
                        String::from_utf8_lossy(&patterns[i].expression),
                        hard.max_table_bytes,
                        e.message
                    ),
                )),
                Err(e) => Err(e),
            };
        };
        let n = patterns.len();
        // ok: patterns[i..lo] fits; bad: patterns[i..hi] does not (or hi > n).
        let (mut lo, mut step) = (i + 1, 1);
        let mut hi = n + 1;
        while lo < n {
            let j = (lo + step).min(n);
            match try_run(j)? {
                Some(d) => {
                    best = d;
                    lo = j;
                    step = (step * 2).min(MAX_STEP);
                }
                None => {
                    hi = j;
                    break;
                }
            }
        }
        while hi - lo > 1 && lo < n {
            let mid = lo + (hi - lo) / 2;
            match try_run(mid)? {
                Some(d) => {
                    best = d;
                    lo = mid;
                }
                None => hi = mid,
            }
        }
        Ok((best, lo))
    }

    /// The groups, in pattern order (a prefiltered set: residual groups, then the
    /// literal DFA of the factors; their hits are internal ids, see the module doc).
    pub fn groups(&self) -> &[Arc<Dfa>] {
        &self.groups
    }
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }
    /// Patterns verified through the literal prefilter (0: plain groups only).
    pub fn prefiltered_count(&self) -> usize {
        self.filter
            .as_ref()
            .map_or(0, |f| f.prefilter.pattern_count())
    }
    pub(crate) fn filter(&self) -> Option<&Filtered> {
        self.filter.as_deref()
    }
    /// Sum of the groups' state counts (for a prefiltered set this includes the literal
    /// DFA of the factors).
    pub fn state_count(&self) -> u64 {
        self.groups.iter().map(|g| g.state_count() as u64).sum()
    }
    /// Largest class count of any group.
    pub fn class_count(&self) -> u32 {
        self.groups
            .iter()
            .map(|g| g.class_count())
            .max()
            .unwrap_or(0)
    }
    pub fn pattern_count(&self) -> u64 {
        if let Some(f) = &self.filter {
            return f.ids.len() as u64;
        }
        self.groups.iter().map(|g| g.pattern_count() as u64).sum()
    }
    /// Largest match delay of any group (literal groups have 0, regex groups 1; the
    /// prefilter's verification is exact and adds none).
    pub fn delay(&self) -> u32 {
        self.groups.iter().map(|g| g.delay()).max().unwrap_or(0)
    }
    /// Sum of the groups' device table bytes (prefiltered set: including the literal
    /// DFA; the host-side lazy DFAs of the verifiers are not counted).
    pub fn table_bytes(&self) -> u64 {
        self.groups.iter().map(|g| g.table_bytes() as u64).sum()
    }
}

/// [`Dfa::compile`], with a table over the size limit as `None` (the caller splits).
fn compile_if_fits(patterns: &[Pattern], options: &CompileOptions) -> Result<Option<Dfa>> {
    match Dfa::compile(patterns, options) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.status == Status::TooLarge => Ok(None),
        Err(e) => Err(e),
    }
}

fn group_options(options: &CompileOptions, group_bytes: usize) -> CompileOptions {
    CompileOptions {
        max_table_bytes: group_bytes.min(options.max_table_bytes).max(1),
    }
}
