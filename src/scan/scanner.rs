//! `Scanner`: a DFA bound to an execution backend, with one-shot, batch and streaming
//! scans. Every backend implements [`Backend::scan_items`]: scan byte ranges that each
//! enter in a known DFA state, report hits (not EOI) and each range's exit state. The
//! scanner adds the end-of-input step, tags, sorting and the hit-delivery policy.

use super::cpu::{self, Hit};
use super::dfa::Dfa;
use super::set::DfaSet;
use crate::error::{Error, Result};
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A haystack loaded once and scanned many times: the bytes stay in host memory and, for
/// the GPU backend, in a resident buffer set next to the DFA table, so a scan uploads only
/// the per-chunk work items. Thread safety: scans of one haystack serialise on its lock.
pub struct ResidentHaystack {
    bytes: Vec<u8>,
    id: u64,
    /// Backend-private resident state keyed by a DFA group's cache id (the GPU backend
    /// keeps one buffer set per bundle of groups here, keyed by its first group). An id
    /// names one table's content for the life of the process, so a table dropped and
    /// another built at the same address never meet a stale buffer set.
    pub(crate) cache: Mutex<HashMap<u64, Box<dyn Any + Send>>>,
}

static NEXT_HAYSTACK_ID: AtomicU64 = AtomicU64::new(1);

impl ResidentHaystack {
    /// `bytes` under a fresh id, loaded nowhere yet (see [`Backend::load_groups`]).
    pub(crate) fn new(bytes: Vec<u8>) -> ResidentHaystack {
        ResidentHaystack {
            bytes,
            id: NEXT_HAYSTACK_ID.fetch_add(1, Ordering::Relaxed),
            cache: Mutex::new(HashMap::new()),
        }
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    /// Unique id (never 0) naming this content in backend caches.
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// One range to scan: bytes, the state they enter in, the absolute offset of byte 0 and
/// the tag reported with its hits.
pub struct Item<'a> {
    pub bytes: &'a [u8],
    pub state: u32,
    pub base: u64,
    pub tag: u32,
}

/// An execution engine for [`Item`]s.
pub trait Backend: Send + Sync {
    /// Scan every item; append hits (any order) to `hits`; return each item's exit state.
    fn scan_items(&self, dfa: &Dfa, items: &[Item<'_>], hits: &mut Vec<Hit>) -> Result<Vec<u32>>;
    /// Human-readable name ("cpu (N threads)" or the GPU adapter).
    fn name(&self) -> String;
    /// Make `hay` resident for later [`Backend::scan_resident`] calls (default: nothing
    /// to do, the bytes already live in host memory).
    fn load(&self, _dfa: &Dfa, _hay: &ResidentHaystack) -> Result<()> {
        Ok(())
    }
    /// Scan a loaded haystack from the start state at offset 0 (hits as `scan_items`);
    /// returns the exit state. Default: an ordinary scan of its bytes.
    fn scan_resident(
        &self,
        dfa: &Dfa,
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<u32> {
        let item = Item {
            bytes: hay.bytes(),
            state: dfa.start_state(),
            base: 0,
            tag,
        };
        Ok(self.scan_items(dfa, &[item], hits)?[0])
    }
    /// Scan the same items with several groups: `items[g]` are group `g`'s items (same
    /// bytes, bases and tags in every group; only the entering states differ). Returns
    /// the exit states per group. Default: one group after another.
    fn scan_groups(
        &self,
        groups: &[Arc<Dfa>],
        items: &[Vec<Item<'_>>],
        hits: &mut Vec<Hit>,
    ) -> Result<Vec<Vec<u32>>> {
        groups
            .iter()
            .zip(items)
            .map(|(g, it)| self.scan_items(g, it, hits))
            .collect()
    }
    /// [`Backend::load`] for every group. Default: one group after another.
    fn load_groups(&self, groups: &[Arc<Dfa>], hay: &ResidentHaystack) -> Result<()> {
        groups.iter().try_for_each(|g| self.load(g, hay))
    }
    /// [`Backend::scan_resident`] for every group; exit state per group.
    fn scan_resident_groups(
        &self,
        groups: &[Arc<Dfa>],
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<Vec<u32>> {
        groups
            .iter()
            .map(|g| self.scan_resident(g, hay, tag, hits))
            .collect()
    }
    /// [`Backend::scan_resident_groups`] that may hand the hits back in final form,
    /// saving the host its passes over them: every id mapped to its user id (a group's
    /// report ids, see `Dfa::with_report_ids`), tagged `tag`, no factor hit among them.
    /// Returns the exits and, when the hits appended are final, whether they are
    /// strictly increasing by (end, pattern); None: raw hits, as `scan_resident_groups`
    /// appends. Default: raw.
    fn scan_resident_labelled(
        &self,
        groups: &[Arc<Dfa>],
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<(Vec<u32>, Option<bool>)> {
        Ok((self.scan_resident_groups(groups, hay, tag, hits)?, None))
    }
}

/// Multi-threaded CPU backend: the chunked speculative model from [`cpu`], per item.
pub struct CpuBackend {
    pub threads: usize,
    pub chunk_len: usize,
}

impl Backend for CpuBackend {
    fn scan_items(&self, dfa: &Dfa, items: &[Item<'_>], hits: &mut Vec<Hit>) -> Result<Vec<u32>> {
        let mut exits = Vec::with_capacity(items.len());
        for it in items {
            let (h, exit) = cpu::run_chunked(
                dfa,
                it.state,
                it.base,
                it.bytes,
                it.tag,
                self.chunk_len,
                self.threads,
            );
            hits.extend(h);
            exits.push(exit);
        }
        Ok(exits)
    }
    fn name(&self) -> String {
        format!("cpu ({} threads)", self.threads)
    }
}

/// A DFA set (one or more groups) plus a backend. Every scan runs each group over the
/// same bytes and merges the hits. Thread safety: `&Scanner` may be used from many threads.
pub struct Scanner {
    set: DfaSet,
    backend: Box<dyn Backend>,
    /// A prefiltered set met candidate-dense input: scan with its full groups.
    dense: AtomicBool,
    /// (chunk_len, threads) when the backend is the CPU one.
    cpu: Option<(usize, usize)>,
}

/// Streaming state (Hyperscan streaming mode): carried between pieces; one DFA state per
/// group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamState {
    pub states: Vec<u32>,
    pub offset: u64,
    pub tag: u32,
}

/// Candidate density above which a prefiltered scan switches to the full groups: one
/// factor hit per this many bytes (host verification of one candidate costs about what
/// the backend spends on a few hundred bytes with the full groups).
const DENSE_BYTES: usize = 512;
/// `VYRE_SCAN_DENSE_BYTES` overrides [`DENSE_BYTES`] for benchmarking (0: never switch).
static DENSE_OVERRIDE: once_cell::sync::Lazy<usize> = once_cell::sync::Lazy::new(|| {
    super::env_number("VYRE_SCAN_DENSE_BYTES").map_or(DENSE_BYTES, |v| v as usize)
});
/// Inputs smaller than this never switch (a few candidates in a small file say nothing).
const DENSE_MIN_BYTES: usize = 1 << 20;

/// Insertion-sort `v` by `key` unless that takes more than `budget` moves; false: it
/// stopped (`v` is then a permutation of what it was).
fn insertion_sort<K: Ord>(v: &mut [Hit], key: impl Fn(&Hit) -> K, budget: usize) -> bool {
    let mut moves = 0;
    for i in 1..v.len() {
        let x = v[i];
        let kx = key(&x);
        let mut j = i;
        while j > 0 && key(&v[j - 1]) > kx {
            v[j] = v[j - 1];
            j -= 1;
            moves += 1;
            if moves > budget {
                v[j] = x;
                return false;
            }
        }
        v[j] = x;
    }
    true
}

/// Whether `hits` are in (tag, end, pattern) order without duplicates: the usual
/// case, one pass (no threads: spawning them cost up to milliseconds on the H200 host,
/// more than the pass).
fn strictly_increasing(hits: &[Hit]) -> bool {
    let key = |h: &Hit| (h.tag, h.end, h.pattern);
    hits.windows(2).all(|w| key(&w[0]) < key(&w[1]))
}

/// The matches that end at the end of an input of `len` bytes, for each group's exit
/// state, appended to `hits` with `tag`.
fn finish_groups(groups: &[Arc<Dfa>], exits: &[u32], len: usize, tag: u32, hits: &mut Vec<Hit>) {
    for (dfa, &exit) in groups.iter().zip(exits) {
        cpu::finish(dfa, exit, len as u64, |p, e| {
            hits.push(Hit {
                end: e,
                pattern: p,
                tag,
            })
        });
    }
}

/// Hits of several groups: sort, and drop duplicates (two groups may hold patterns that
/// share an id; a hit is reported once per (tag, id, end)).
fn merge(hits: &mut Vec<Hit>, dedup: bool) {
    let key = |h: &Hit| (h.tag, h.end, h.pattern);
    // Backends deliver sorted runs (per item and group), often already in order or
    // out of order only locally (a match verified in the GPU lane is appended when its
    // literal is verified, near but not always after the lane's last hit): the check is
    // one pass, and an insertion sort fixes local disorder in place. Otherwise (several
    // groups' runs) a stable sort merges the runs in linear time per run.
    // The usual case, checked in one pass: already in order, no duplicates.
    if strictly_increasing(hits) {
        return;
    }
    let budget = 4 * hits.len();
    if !hits.is_sorted_by_key(key) && !insertion_sort(hits, key, budget) {
        hits.sort_by_key(key);
    }
    if dedup {
        hits.dedup();
    }
}

impl Scanner {
    pub fn new(set: impl Into<DfaSet>, backend: Box<dyn Backend>) -> Scanner {
        Scanner {
            set: set.into(),
            backend,
            dense: AtomicBool::new(false),
            cpu: None,
        }
    }
    pub fn cpu(set: impl Into<DfaSet>, threads: usize) -> Scanner {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        let mut s = Scanner::new(
            set,
            Box::new(CpuBackend {
                threads,
                chunk_len: 1 << 20,
            }),
        );
        s.cpu = Some((1 << 20, threads));
        s
    }
    /// Set the chunk length of a CPU backend (no effect on others).
    pub fn set_chunk_len(&mut self, len: usize) {
        if let Some((_, threads)) = self.cpu {
            let chunk_len = len.max(1);
            self.cpu = Some((chunk_len, threads));
            self.backend = Box::new(CpuBackend { threads, chunk_len });
        }
    }
    /// Whether this (prefiltered) scanner met candidate-dense input and now scans with
    /// the set's full groups (see [`DENSE_BYTES`]).
    pub fn uses_full_groups(&self) -> bool {
        self.dense.load(Ordering::Relaxed)
    }

    /// The DFA groups this scanner runs.
    pub fn set(&self) -> &DfaSet {
        &self.set
    }
    pub fn backend_name(&self) -> String {
        self.backend.name()
    }

    /// Scan complete inputs (item `i` gets tag `tags[i]`); hits sorted by (tag, end, pattern).
    pub fn scan_many(&self, inputs: &[&[u8]], tags: &[u32]) -> Result<Vec<Hit>> {
        if inputs.len() != tags.len() {
            return Err(Error::invalid("inputs and tags differ in length"));
        }
        let Some(f) = self.set.filter() else {
            return self.scan_many_in(&self.set, inputs, tags);
        };
        if self.dense.load(Ordering::Relaxed) {
            return self.scan_many_in(f.full()?, inputs, tags);
        }
        // A prefiltered set needs to know which item a hit came from: scan with the item
        // index as tag, then map back.
        u32::try_from(inputs.len())
            .map_err(|_| Error::invalid("more than 2^32 inputs in one batch"))?;
        let index_tags: Vec<u32> = (0..inputs.len() as u32).collect();
        let raw = self.scan_many_in(&self.set, inputs, &index_tags)?;
        let bytes: usize = inputs.iter().map(|b| b.len()).sum();
        let candidates = raw.iter().filter(|h| f.is_factor_hit(h)).count();
        let dense = self.too_dense(candidates, bytes);
        if dense {
            return self.scan_many_in(f.full()?, inputs, tags);
        }
        let mut hits = f.resolve(raw, inputs)?;
        for h in &mut hits {
            h.tag = tags[h.tag as usize];
        }
        merge(&mut hits, true);
        Ok(hits)
    }

    /// The prefilter left the host candidates so dense (more than one per
    /// [`DENSE_BYTES`] bytes of a large input) that verifying them there costs more than
    /// running the full groups on the backend: remember that, and use the full groups
    /// from now on. Only unverified factor hits count: the GPU backend verifies in the
    /// scan lane and leaves the host few, so in practice this is the CPU backend's switch.
    fn too_dense(&self, candidates: usize, bytes: usize) -> bool {
        let per = *DENSE_OVERRIDE;
        let dense = per != 0 && bytes >= DENSE_MIN_BYTES && candidates > bytes / per;
        super::note(&format!(
            "prefilter: {candidates} candidates in {bytes} bytes (dense: {dense})"
        ));
        if dense {
            self.dense.store(true, Ordering::Relaxed);
        }
        dense
    }

    /// Scan with the groups of `set` (raw hits when `set` is prefiltered: internal ids,
    /// unverified factor hits).
    fn scan_many_in(&self, set: &DfaSet, inputs: &[&[u8]], tags: &[u32]) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        let groups = set.groups();
        let items: Vec<Vec<Item<'_>>> = groups
            .iter()
            .map(|dfa| {
                inputs
                    .iter()
                    .zip(tags)
                    .map(|(b, &tag)| Item {
                        bytes: b,
                        state: dfa.start_state(),
                        base: 0,
                        tag,
                    })
                    .collect()
            })
            .collect();
        let exits = self.backend.scan_groups(groups, &items, &mut hits)?;
        for ((dfa, items), exits) in groups.iter().zip(&items).zip(&exits) {
            for (it, &s) in items.iter().zip(exits) {
                let tag = it.tag;
                cpu::finish(dfa, s, it.bytes.len() as u64, |p, e| {
                    hits.push(Hit {
                        end: e,
                        pattern: p,
                        tag,
                    })
                });
            }
        }
        if set.filter().is_none() {
            merge(&mut hits, set.group_count() > 1);
        }
        Ok(hits)
    }

    /// Load `bytes` once for repeated [`Scanner::scan_resident`] calls (the GPU backend
    /// uploads them now, with each group's DFA table, into buffers that stay on the device).
    pub fn load(&self, bytes: &[u8]) -> Result<ResidentHaystack> {
        let mut v = Vec::new();
        v.try_reserve_exact(bytes.len())
            .map_err(|_| Error::oom(format!("cannot allocate {} bytes", bytes.len())))?;
        v.extend_from_slice(bytes);
        let hay = ResidentHaystack::new(v);
        self.backend.load_groups(self.set.groups(), &hay)?;
        Ok(hay)
    }

    /// Scan a loaded haystack as one complete input; hits sorted by (end, pattern), all
    /// with `tag`. Same results as `scan(hay.bytes(), tag)`.
    pub fn scan_resident(&self, hay: &ResidentHaystack, tag: u32) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        self.scan_resident_into(hay, tag, &mut hits)?;
        Ok(hits)
    }

    /// [`Scanner::scan_resident`] into `hits` (cleared first). A caller that scans
    /// again and again hands the same vector back, so large hit counts do not cost
    /// fresh memory (page faults) on every call.
    pub fn scan_resident_into(
        &self,
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<()> {
        hits.clear();
        let Some(f) = self.set.filter() else {
            return self.scan_resident_in(&self.set, hay, tag, hits);
        };
        if self.dense.load(Ordering::Relaxed) {
            return self.scan_resident_in(f.full()?, hay, tag, hits);
        }
        let mut t = std::time::Instant::now();
        let groups = self.set.groups();
        let (exits, labelled) = self
            .backend
            .scan_resident_labelled(groups, hay, tag, hits)?;
        // Raw hits (the backend's, unless it labelled them, and those at the end of the
        // input) take one pass: user ids, the tag, the factor hits set apart, the order
        // checked.
        let mut eoi = Vec::new();
        finish_groups(
            groups,
            &exits,
            hay.len(),
            tag,
            match labelled {
                Some(_) => &mut eoi,
                None => &mut *hits,
            },
        );
        super::trace("scan_resident: backend + finish", &mut t);
        let mut factor = Vec::new();
        let ordered = match labelled {
            Some(ordered) => {
                f.map_ids(&mut eoi, Some(tag), &mut factor);
                let ordered = ordered && eoi.is_empty();
                hits.append(&mut eoi);
                ordered
            }
            None => f.map_ids(hits, Some(tag), &mut factor),
        };
        // Verification names the item by its index in the list it is given.
        factor.iter_mut().for_each(|h| h.tag = 0);
        super::trace("scan_resident: ids", &mut t);
        if self.too_dense(factor.len(), hay.len()) {
            hits.clear();
            return self.scan_resident_in(f.full()?, hay, tag, hits);
        }
        f.verify_factors(hits, &[hay.bytes()], Some(tag), &factor)?;
        super::trace("scan_resident: prefilter verification", &mut t);
        if !factor.is_empty() || !ordered {
            merge(hits, true);
            super::trace("scan_resident: merge", &mut t);
        }
        Ok(())
    }

    /// [`Scanner::scan_resident`] with the groups of `set`, a set without prefilter
    /// (its groups report user ids), appended to `hits`.
    fn scan_resident_in(
        &self,
        set: &DfaSet,
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<()> {
        let mut t = std::time::Instant::now();
        let groups = set.groups();
        let (exits, labelled) = self
            .backend
            .scan_resident_labelled(groups, hay, tag, hits)?;
        let before = hits.len();
        finish_groups(groups, &exits, hay.len(), tag, hits);
        super::trace("scan_resident: backend + finish", &mut t);
        if labelled != Some(true) || hits.len() != before {
            merge(hits, set.group_count() > 1);
            super::trace(&format!("scan_resident: merge {} hits", hits.len()), &mut t);
        }
        Ok(())
    }

    /// Scan one complete input.
    pub fn scan(&self, input: &[u8], tag: u32) -> Result<Vec<Hit>> {
        self.scan_many(&[input], &[tag])
    }

    /// The groups a stream runs: a prefiltered set streams with its full groups
    /// (compiled on the first stream), since verification needs the bytes around a hit
    /// and a stream does not keep them.
    fn stream_set(&self) -> Result<&DfaSet> {
        match self.set.filter() {
            Some(f) => f.full(),
            None => Ok(&self.set),
        }
    }

    /// Open a stream. Errors only for a prefiltered set whose full groups (compiled now,
    /// once per set) do not fit the size limit.
    pub fn stream_open(&self, tag: u32) -> Result<StreamState> {
        let set = self.stream_set()?;
        Ok(StreamState {
            states: set.groups().iter().map(|g| g.start_state()).collect(),
            offset: 0,
            tag,
        })
    }

    /// Feed the next piece of a stream; hits (stream offsets) sorted by (end, pattern).
    /// On error the state is left unchanged.
    pub fn stream_write(&self, st: &mut StreamState, piece: &[u8]) -> Result<Vec<Hit>> {
        let set = self.stream_set()?;
        if st.states.len() != set.group_count() {
            return Err(Error::invalid(
                "stream state does not belong to this scanner",
            ));
        }
        let mut hits = Vec::new();
        let items: Vec<Vec<Item<'_>>> = st
            .states
            .iter()
            .map(|&state| {
                vec![Item {
                    bytes: piece,
                    state,
                    base: st.offset,
                    tag: st.tag,
                }]
            })
            .collect();
        let exits = self.backend.scan_groups(set.groups(), &items, &mut hits)?;
        st.states = exits.iter().map(|e| e[0]).collect();
        st.offset += piece.len() as u64;
        merge(&mut hits, set.group_count() > 1);
        Ok(hits)
    }

    /// End the stream: the matches that end exactly at its end; the state is reset to a
    /// fresh stream so the object can be reused.
    pub fn stream_close(&self, st: &mut StreamState) -> Vec<Hit> {
        let mut hits = Vec::new();
        let tag = st.tag;
        // A state exists only if stream_open found the stream groups.
        let Ok(set) = self.stream_set() else {
            return hits;
        };
        for (dfa, &state) in set.groups().iter().zip(&st.states) {
            cpu::finish(dfa, state, st.offset, |p, e| {
                hits.push(Hit {
                    end: e,
                    pattern: p,
                    tag,
                })
            });
        }
        merge(&mut hits, set.group_count() > 1);
        st.states = set.groups().iter().map(|g| g.start_state()).collect();
        st.offset = 0;
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(ends: &[u64]) -> Vec<Hit> {
        ends.iter()
            .map(|&end| Hit {
                end,
                pattern: (end % 3) as u32,
                tag: 0,
            })
            .collect()
    }

    #[test]
    fn order_check_sees_every_adjacent_pair() {
        let ends: Vec<u64> = (0..1000u64).map(|i| 2 * i).collect();
        assert!(strictly_increasing(&hits(&ends)));
        for at in [1, 2, 500, 998, 999] {
            let mut h = hits(&ends);
            h[at] = h[at - 1]; // duplicate
            assert!(!strictly_increasing(&h), "duplicate at {at}");
            h[at].end = h[at - 1].end - 1; // out of order
            assert!(!strictly_increasing(&h), "disorder at {at}");
        }
        assert!(strictly_increasing(&[]));
    }

    #[test]
    fn merge_sorts_local_disorder_and_whole_runs_alike() {
        // Local disorder (insertion sort), two runs (over the insertion budget: the
        // stable sort), duplicates dropped.
        let local: Vec<u64> = (0..1000u64).map(|i| i ^ 1).collect();
        let runs: Vec<u64> = (500..1000u64).chain(0..500).chain([7, 7]).collect();
        for ends in [local, runs] {
            let mut h = hits(&ends);
            merge(&mut h, true);
            let mut want = hits(&ends);
            want.sort();
            want.dedup();
            want.sort_by_key(|h| (h.tag, h.end, h.pattern));
            assert_eq!(h, want);
        }
        // A stopped insertion sort leaves a permutation.
        let mut h = hits(&(0..100u64).rev().collect::<Vec<_>>());
        assert!(!insertion_sort(&mut h, |h| h.end, 10));
        let mut ends: Vec<u64> = h.iter().map(|h| h.end).collect();
        ends.sort();
        assert_eq!(ends, (0..100u64).collect::<Vec<_>>());
    }
}
