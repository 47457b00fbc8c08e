//! `DfaSet`: a pattern set compiled into one or more DFAs ("groups").
//!
//! The unanchored all-matches DFA of a union of bounded repeats can grow with the
//! product of the patterns' sizes, so a set that does not fit one table is split: the
//! patterns are taken in order and each group is the longest run that still compiles
//! under the group size target. A scan runs every group over the same bytes and merges
//! the hits sorted by (end, pattern) — the same hits as scanning each pattern alone.

use super::dfa::{CompileOptions, Dfa, Pattern};
use crate::error::{Error, Result, Status};
use std::sync::Arc;

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
}

impl From<Dfa> for DfaSet {
    fn from(dfa: Dfa) -> Self {
        DfaSet {
            groups: vec![Arc::new(dfa)],
        }
    }
}

impl From<Arc<Dfa>> for DfaSet {
    fn from(dfa: Arc<Dfa>) -> Self {
        DfaSet { groups: vec![dfa] }
    }
}

impl DfaSet {
    /// Compile `patterns` into as few groups as the greedy split finds, each group's
    /// table at most min(`max_table_bytes`, [`DEFAULT_GROUP_TABLE_BYTES`]) bytes.
    pub fn compile(patterns: &[Pattern], options: &CompileOptions) -> Result<DfaSet> {
        Self::compile_grouped(patterns, options, DEFAULT_GROUP_TABLE_BYTES)
    }

    /// [`DfaSet::compile`] with an explicit group target. Errors as [`Dfa::compile`];
    /// a single pattern whose DFA alone exceeds `max_table_bytes` → `TooLarge` naming it.
    pub fn compile_grouped(
        patterns: &[Pattern],
        options: &CompileOptions,
        group_bytes: usize,
    ) -> Result<DfaSet> {
        let group = CompileOptions {
            max_table_bytes: group_bytes.min(options.max_table_bytes).max(1),
        };
        // Fast path (and validation of every pattern, with set-wide indexes in errors).
        match Dfa::compile(patterns, &group) {
            Ok(d) => return Ok(d.into()),
            Err(e) if e.status != Status::TooLarge => return Err(e),
            Err(_) => {}
        }
        let mut groups = Vec::new();
        let mut i = 0;
        while i < patterns.len() {
            let (dfa, next) = Self::longest_prefix(patterns, i, &group, options)?;
            groups.push(Arc::new(dfa));
            i = next;
        }
        Ok(DfaSet { groups })
    }

    /// The longest run `patterns[i..j]` that compiles under `group`, grown [`MAX_STEP`]
    /// patterns at a time (then binary search back after a failure). A lone pattern
    /// over the group target gets a group of its own if it fits the hard limit.
    fn longest_prefix(
        patterns: &[Pattern],
        i: usize,
        group: &CompileOptions,
        hard: &CompileOptions,
    ) -> Result<(Dfa, usize)> {
        let try_run = |j: usize| match Dfa::compile(&patterns[i..j], group) {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.status == Status::TooLarge => Ok(None),
            Err(e) => Err(e),
        };
        let Some(mut best) = try_run(i + 1)? else {
            return match Dfa::compile(&patterns[i..i + 1], hard) {
                Ok(d) => Ok((d, i + 1)),
                Err(e) if e.status == Status::TooLarge => Err(Error::new(
                    Status::TooLarge,
                    format!(
                        "pattern {i} (`{}`) alone exceeds the table limit of {} bytes: {}",
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

    /// The groups, in pattern order.
    pub fn groups(&self) -> &[Arc<Dfa>] {
        &self.groups
    }
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }
    /// Sum of the groups' state counts.
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
        self.groups.iter().map(|g| g.pattern_count() as u64).sum()
    }
    /// Largest match delay of any group (literal groups have 0, regex groups 1).
    pub fn delay(&self) -> u32 {
        self.groups.iter().map(|g| g.delay()).max().unwrap_or(0)
    }
    /// Sum of the groups' device table bytes.
    pub fn table_bytes(&self) -> u64 {
        self.groups.iter().map(|g| g.table_bytes() as u64).sum()
    }
}
