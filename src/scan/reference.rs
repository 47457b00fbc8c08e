//! Independent reference: every pattern on its own, through regex-automata's lazy DFA
//! (a different determinizer from the dense one the table comes from) with an
//! overlapping search, so that every match end of every pattern is enumerated. No byte
//! classes, no multi-pattern table, no delay bookkeeping of ours is involved.

use super::cpu::Hit;
use super::dfa::{pattern_source, syntax_config, Pattern};
use crate::error::{Error, Result, Status};
use regex_automata::hybrid::dfa::{OverlappingState, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Input, MatchKind};

/// All hits of all patterns in `hay`, sorted by (end, pattern), deduplicated.
pub fn scan(patterns: &[Pattern], hay: &[u8]) -> Result<Vec<Hit>> {
    Reference::new(patterns)?.scan(hay)
}

/// The per-pattern lazy DFAs, built once for many [`Reference::scan`] calls.
pub struct Reference {
    dfas: Vec<(u32, DFA)>,
}

impl Reference {
    pub fn new(patterns: &[Pattern]) -> Result<Reference> {
        let mut dfas = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let source = pattern_source(p)
                .map_err(|e| Error::new(Status::Pattern, format!("pattern {i}: {e}")))?;
            let dfa = DFA::builder()
                .syntax(syntax_config(p.flags))
                .thompson(thompson::Config::new().which_captures(WhichCaptures::None))
                .configure(
                    DFA::config()
                        .match_kind(MatchKind::All)
                        .unicode_word_boundary(false)
                        .cache_capacity(8 << 20),
                )
                .build(&source)
                .map_err(|e| Error::new(Status::Pattern, format!("pattern {i}: {e}")))?;
            dfas.push((p.id, dfa));
        }
        Ok(Reference { dfas })
    }

    /// All hits of all patterns in `hay`, sorted by (end, pattern), deduplicated.
    pub fn scan(&self, hay: &[u8]) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        for (i, (id, dfa)) in self.dfas.iter().enumerate() {
            let mut cache = dfa.create_cache();
            let mut state = OverlappingState::start();
            let input = Input::new(hay);
            loop {
                dfa.try_search_overlapping_fwd(&mut cache, &input, &mut state)
                    .map_err(|e| {
                        Error::new(
                            Status::Pattern,
                            format!("pattern {i}: reference search failed: {e}"),
                        )
                    })?;
                match state.get_match() {
                    Some(m) => hits.push(Hit {
                        end: m.offset() as u64,
                        pattern: *id,
                        tag: 0,
                    }),
                    None => break,
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        Ok(hits)
    }
}

/// Brute-force literal search (no automaton at all): every end offset of every literal.
pub fn scan_literals(literals: &[(Vec<u8>, u32)], hay: &[u8], caseless: bool) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (lit, id) in literals {
        if lit.is_empty() || lit.len() > hay.len() {
            continue;
        }
        for s in 0..=hay.len() - lit.len() {
            let w = &hay[s..s + lit.len()];
            let eq = if caseless {
                w.eq_ignore_ascii_case(lit)
            } else {
                w == &lit[..]
            };
            if eq {
                hits.push(Hit {
                    end: (s + lit.len()) as u64,
                    pattern: *id,
                    tag: 0,
                });
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}
