//! GPU backend: the built-in DFA_SCAN opcode (0xFFF0, `dfa_scan.wgsl`) on the megakernel.
//!
//! One pass = one resident set holding the DFA tables of a bundle of groups (back to
//! back in one binding; each slot's arg 1 names its group's table offset), a haystack
//! (at most one binding) and a hit ring. All groups run in the same rounds: round 0
//! publishes one slot per (group, chunk): the first chunk of each item
//! runs from the item's true entering state, every other chunk speculatively from the
//! start state. Fix-up rounds then run, for each chunk whose true entering state differs
//! from the start state, the true and the speculative run in lockstep until they meet
//! (mode 1); hits before the meeting point come from the true run, after it from round 0.
//! Chunks whose entering state is only a guess are fixed up with the guess and redone
//! if the guess turns out wrong, so each round settles at least one more chunk; in the
//! worst case (runs never meet) this degenerates to a sequential scan. Hit-ring overflow
//! is detected from the append counter and the round is re-run with enough capacity.
//!
//! Buffers stay resident: the backend keeps one buffer set (table, haystack, hit ring,
//! ring) across calls, grown when too small and never rebuilt otherwise; the DFA table
//! is uploaded once. A [`ResidentHaystack`] owns its own set, so scanning it again
//! uploads only the chunk work items and the hit-ring header.

use super::cpu::Hit;
use super::dfa::{Dfa, MATCH_BIT};
use super::scanner::{Backend, Item, ResidentHaystack, Scanner};
use super::set::DfaSet;
use super::trace;
use crate::error::{Error, Result, Status};
use crate::gpu::{
    buffer, CustomOpcode, Device, DeviceKind, DeviceOptions, DispatchOptions, Epilogue, ExtraKind,
    Megakernel, MegakernelDesc, ReadRequest, ResidentDesc, ResidentSet, StopReason,
};
use crate::protocol::{self, abi::op};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const WGSL: &str = include_str!("dfa_scan.wgsl");
const FINISH_WGSL: &str = include_str!("scan_finish.wgsl");
const NONE: u32 = u32::MAX;
/// Slots per round are capped by the protocol's ring limit.
const MAX_SLOTS: usize = protocol::abi::MAX_RING_SLOTS as usize;
/// Most groups scanned in one round (each needs at least one slot per chunk).
const MAX_BUNDLE: usize = 256;
/// Lead-in of a speculative chunk when the longest match is unbounded or unknown.
const DEFAULT_LEAD: u32 = 256;

/// Build a scanner on the GPU megakernel (`adapter`: selector, None = VYRE_ADAPTER/best).
pub fn scanner(dfa: impl Into<DfaSet>, adapter: Option<&str>, chunk: u64) -> Result<Scanner> {
    let backend = GpuBackend::new(adapter, chunk)?;
    Ok(Scanner::new(dfa, Box::new(backend)))
}

/// The DFA_SCAN megakernel on one device. Thread safety: scans serialise on a lock.
pub struct GpuBackend {
    device: Device,
    mk: Megakernel,
    /// Fixed chunk length (0 = chosen per pass from the haystack size and `lanes`).
    chunk_len: usize,
    /// Chunks to aim for per pass: enough to keep every lane of the adapter busy.
    lanes: usize,
    /// Largest haystack per pass (one storage binding, a multiple of 16 bytes).
    pass_bytes: usize,
    /// Wall-time limit of one dispatch (a round continues with further dispatches).
    wall_time: std::time::Duration,
    /// Largest table bytes of one bundle of groups (one storage binding).
    table_limit: usize,
    /// Region records per slot when fixed (`VYRE_SCAN_REGION`), else sized per slot.
    region: Option<usize>,
    /// Buffers reused by scans from host memory, one set per DFA (group) cache id, so
    /// each group's table is uploaded once.
    scratch: Mutex<HashMap<u64, Resident>>,
    /// Test hook: destroy the device after this many more round-0 dispatches (0 = never).
    lose_after: std::sync::atomic::AtomicU32,
}

/// A buffer set kept across calls: grown (to the next power of two) when a call needs
/// more, otherwise reused; records which table and haystack it holds so they are not
/// uploaded again.
struct Resident {
    set: ResidentSet,
    slots: usize,
    table_bytes: usize,
    hay_bytes: usize,
    hit_cap: usize,
    /// Cache id of each DFA whose table is loaded, in order.
    dfas: Option<Vec<u64>>,
    /// Id of the resident haystack loaded (0 = scratch contents).
    hay: u64,
    /// The ring holds no claimable slot (the last round completed).
    ring_clean: bool,
    /// What the round-0 ring template (extra buffer 4) was encoded for; a resident
    /// haystack scanned again restores its ring from it on the device.
    template: Option<TemplateKey>,
    /// Overflow and compacted records to read back with round 0's dispatch (as many as
    /// the last round 0 found), so a repeated scan reads its hits in one round trip.
    hits_hint: usize,
    held_hint: usize,
    /// The region table the next round 0 uses: written by the last round 0's epilogue
    /// for `n` slots at this word offset (one of the ring's two tables), or by the host
    /// for a fixed region size. None: no regions (every hit an overflow record).
    table: Option<RegionTable>,
    /// Host buffers reused from call to call: fresh large allocations cost page faults
    /// on every call, more than the work done in them.
    spare: Spare,
    /// A labelled round 0 left hits to the host or chunks to fix up: the same haystack
    /// and tables do so again, and reading the compacted records after the labelled
    /// copy costs a second read, so round 0 stops asking for the copy.
    label_off: bool,
}

/// Scratch for ordering round 0's overflow records by slot: per-slot cursors, and the
/// records in slot order (slot, match-set state or bit 31 | pattern id, end).
#[derive(Default)]
struct SlotOrder {
    cursor: Vec<usize>,
    ovf: Vec<(u32, u32, u64)>,
}

/// Host-side buffers of a pass, kept in its [`Resident`] between calls.
#[derive(Default)]
struct Spare {
    results: Vec<u8>,
    compact: Vec<u8>,
    records: Vec<u8>,
    order: SlotOrder,
    /// All of round 0's hits in slot order when fix-ups are merged in: (slot, match-set
    /// state or bit 31 | pattern id, end).
    sorted: Vec<(u32, u32, u64)>,
}

/// A region table in the hit ring: for `n` slots, at word offset `at`; `fixed`: `per`
/// records each, written by the host.
#[derive(Clone, Copy, PartialEq, Eq)]
struct RegionTable {
    n: usize,
    at: usize,
    fixed: Option<usize>,
}

/// Everything round 0's slots depend on: the haystack, the group tables' offsets, the
/// entering states and the chunking.
#[derive(Clone, PartialEq, Eq)]
struct TemplateKey {
    hay: u64,
    bases: Vec<u32>,
    entering: Vec<Vec<u32>>,
    chunk_len: usize,
    slots: usize,
}

/// What a round read back, all little-endian: per slot three result words (mode 0:
/// state at the chunk start, exit state, hits appended; mode 1: meeting position or
/// NONE, exit state, 0), or only those of the slots named in `lasts`; round 0's hits
/// held in regions, compacted in slot order by the epilogue; and the overflow records.
/// Overflow records are {slot, match-set state or bit 31 | pattern id, end lo, end hi};
/// compacted ones {end lo, end hi, state or id, slot}, the layout of a [`Hit`].
struct RoundOut {
    results: Vec<u8>,
    /// When `results` is empty: (slot, its three result words), ascending.
    lasts: Vec<(usize, [u32; 3])>,
    compact: Vec<u8>,
    records: Vec<u8>,
    /// Round 0: slots whose state at the chunk start differs from the previous slot's
    /// exit (None: more than the list holds).
    mismatches: Option<Vec<u32>>,
    /// Some(ordered): `compact` holds the labelled copy (scan_label: final hits {end,
    /// user id, tag}, every hit of the round, none left to the host; `ordered`: strictly
    /// by (end, id)) instead of the compacted records.
    labelled: Option<bool>,
    /// Records of the labelled copy that are match states to expand in place (still
    /// compacted records {end, state, slot}), ascending.
    exceptions: Vec<u32>,
}

/// A hit record {slot, match-set state or bit 31 | pattern id, end lo, end hi}.
fn record(r: &[u8]) -> (u32, u32, u64) {
    (word(r, 0), word(r, 1), end_of(word(r, 2), word(r, 3)))
}

/// A compacted record {end lo, end hi, state or bit 31 | pattern id, slot}: (slot,
/// state or id, end), as [`record`] gives an overflow record.
fn compact_record(r: &[u8]) -> (u32, u32, u64) {
    (word(r, 3), word(r, 2), end_of(word(r, 0), word(r, 1)))
}

/// Records {end lo, end hi, word 2, word 3} (compacted or labelled) as hits {end,
/// pattern: word 2, tag: word 3}: the bytes themselves where the layout allows (one
/// copy less), else decoded.
fn as_hits(bytes: &[u8]) -> std::borrow::Cow<'_, [Hit]> {
    match bytemuck::try_cast_slice::<u8, Hit>(bytes) {
        Ok(h) if cfg!(target_endian = "little") => std::borrow::Cow::Borrowed(h),
        _ => bytes
            .chunks_exact(16)
            .map(|r| Hit {
                end: end_of(word(r, 0), word(r, 1)),
                pattern: word(r, 2),
                tag: word(r, 3),
            })
            .collect(),
    }
}

/// A 64-bit end from its two words.
fn end_of(lo: u32, hi: u32) -> u64 {
    lo as u64 | (hi as u64) << 32
}

fn word(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().unwrap_or_default())
}

impl RoundOut {
    fn result(&self, slot: usize) -> [u32; 2] {
        if self.results.is_empty() {
            let i = self.lasts.partition_point(|l| l.0 < slot);
            return match self.lasts.get(i) {
                Some(&(s, r)) if s == slot => [r[0], r[1]],
                _ => [NONE, NONE],
            };
        }
        [
            word(&self.results, slot * 3),
            word(&self.results, slot * 3 + 1),
        ]
    }
    fn held(&self) -> usize {
        self.compact.len() / 16
    }
    fn hit_count(&self) -> usize {
        self.held() + self.overflow_count()
    }
    fn overflow_count(&self) -> usize {
        self.records.len() / 16
    }
    /// Overflow record `i`: (slot, match-set state or bit 31 | pattern id, end).
    fn overflow(&self, i: usize) -> (u32, u32, u64) {
        record(&self.records[i * 16..i * 16 + 16])
    }
    fn overflows(&self) -> impl Iterator<Item = (u32, u32, u64)> + '_ {
        (0..self.overflow_count()).map(|i| self.overflow(i))
    }

    /// Every hit of round 0 in slot order, each slot's hits in the order its lane
    /// appended them (its region, then its overflow records): `f(slot, set, end)`.
    /// `order` is reused scratch for ordering the overflow records by slot (scattered in
    /// the order lanes appended them). Slots are checked to be in range and ascending.
    fn in_slot_order(
        &self,
        nslots: usize,
        order: &mut SlotOrder,
        mut f: impl FnMut(usize, u32, u64),
    ) -> Result<()> {
        let SlotOrder { cursor, ovf } = order;
        ovf.clear();
        let m = self.overflow_count();
        if m < nslots / 8 {
            // Few: a (stable) comparison sort costs less than a pass over the slots.
            ovf.extend(self.overflows());
            ovf.sort_by_key(|h| h.0);
        } else {
            cursor.clear();
            cursor.resize(nslots + 1, 0);
            for (slot, ..) in self.overflows() {
                cursor[slot as usize + 1] += 1;
            }
            for k in 0..nslots {
                cursor[k + 1] += cursor[k];
            }
            ovf.resize(m, (0, 0, 0));
            for h in self.overflows() {
                let c = &mut cursor[h.0 as usize];
                ovf[*c] = h;
                *c += 1;
            }
        }
        let mut rest = ovf.iter().peekable();
        let mut cur = 0usize;
        for rec in self.compact.chunks_exact(16) {
            let (slot, set, end) = compact_record(rec);
            let slot = slot as usize;
            if slot != cur {
                if slot >= nslots || slot < cur {
                    return Err(Error::new(
                        Status::Gpu,
                        format!("internal: compacted hits name slot {slot} after {cur} in a {nslots}-slot round"),
                    ));
                }
                // The previous slots' overflow records follow their regions' hits.
                while let Some(&(s, set, end)) = rest.next_if(|h| (h.0 as usize) < slot) {
                    f(s as usize, set, end);
                }
                cur = slot;
            }
            f(slot, set, end);
        }
        for &(s, set, end) in rest {
            f(s as usize, set, end);
        }
        Ok(())
    }

    /// Round 0's hits when no chunk was fixed up, no hit overflowed its region and the
    /// pass has one tag: the compacted records, in slot order, into `out`. False: not
    /// that case.
    ///
    /// The records are in the layout of a [`Hit`] (end, bit 31 | pattern, slot) and the
    /// epilogue resolved most match states to their one pattern, so this is one pass
    /// that sets the tags (the host's memory bandwidth, not its arithmetic, is what a
    /// pass over 100,000 hits costs); a record still naming a match state becomes one
    /// hit per pattern of that state, where it stands.
    fn push_compact(
        &self,
        dfas: &[&Dfa],
        nch: usize,
        tag: u32,
        out: &mut Vec<Hit>,
    ) -> Result<bool> {
        let nslots = nch * dfas.len();
        if self.overflow_count() != 0 {
            return Ok(false);
        }
        let recs = as_hits(&self.compact);
        out.reserve(recs.len());
        let mut split = SlotSplit::new(nch);
        for r in recs.iter() {
            if r.tag as usize >= nslots {
                return Err(Error::new(
                    Status::Gpu,
                    format!(
                        "internal: a compacted hit names slot {} in a {nslots}-slot round",
                        r.tag
                    ),
                ));
            }
            if r.pattern & MATCH_BIT != 0 {
                out.push(Hit {
                    end: r.end,
                    pattern: r.pattern & !MATCH_BIT,
                    tag,
                });
                continue;
            }
            let d = dfas[split.at(r.tag as usize).0];
            if r.pattern >= d.state_count() || d.matches(r.pattern).is_empty() {
                let (set, slot) = (r.pattern, r.tag);
                return Err(Error::new(
                    Status::Gpu,
                    format!("internal: a compacted hit names state {set} of slot {slot}, not a match state"),
                ));
            }
            push_record(out, Some(d), tag, r.pattern, r.end);
        }
        Ok(true)
    }
}

impl RoundOut {
    /// The labelled copy's hits appended to `out`: final records as they are (one
    /// copy), the listed match states expanded where they stand, each into its
    /// patterns' user ids (`nch` chunks per group of `dfas`). Returns whether those
    /// expansions keep the hits strictly increasing (a compiled table's lists are
    /// sorted; an imported one's need not be).
    fn push_labelled(
        &self,
        dfas: &[&Dfa],
        nch: usize,
        tag: u32,
        out: &mut Vec<Hit>,
    ) -> Result<bool> {
        let recs = as_hits(&self.compact);
        let exc = &self.exceptions;
        out.reserve(recs.len() + 2 * exc.len());
        let (mut from, mut ordered) = (0usize, true);
        let nslots = nch * dfas.len();
        for &i in exc {
            let i = i as usize;
            let r = match recs.get(i) {
                Some(r) if i >= from && (r.tag as usize) < nslots => r,
                _ => {
                    return Err(Error::new(
                        Status::Gpu,
                        format!("internal: labelled record {i} of {} listed for expansion is not a record of this round", recs.len()),
                    ))
                }
            };
            out.extend_from_slice(&recs[from..i]);
            let d = dfas[r.tag as usize / nch.max(1)];
            let ids = match r.pattern < d.state_count() {
                true => d.matches(r.pattern),
                false => &[],
            };
            if ids.len() < 2 {
                return Err(Error::new(
                    Status::Gpu,
                    format!("internal: labelled record {i} names state {} of slot {}, not a state of several patterns", r.pattern, r.tag),
                ));
            }
            ordered &= ids.windows(2).all(|w| w[0] < w[1]);
            out.extend(ids.iter().map(|&pattern| Hit {
                end: r.end,
                pattern,
                tag,
            }));
            from = i + 1;
        }
        out.extend_from_slice(&recs[from..]);
        Ok(ordered)
    }
}

/// The hits of one record into `out`: bit 31 | pattern id (a match verified in the lane,
/// a factor hit left to the host, or a state the epilogue resolved) as that pattern; a
/// match state as each pattern it names in `dfa`, its group's table.
fn push_record(out: &mut Vec<Hit>, dfa: Option<&Dfa>, tag: u32, set: u32, end: u64) {
    if set & MATCH_BIT != 0 {
        out.push(Hit {
            end,
            pattern: set & !MATCH_BIT,
            tag,
        });
    } else if let Some(d) = dfa {
        out.extend(
            d.matches(set)
                .iter()
                .map(|&pattern| Hit { end, pattern, tag }),
        );
    }
}

/// Group and chunk of slots `g * nch + k` visited in ascending order, without a
/// division per slot: on some hosts a 64-bit division costs more than the rest of the
/// work done per hit.
struct SlotSplit {
    nch: usize,
    g: usize,
    start: usize,
}

impl SlotSplit {
    fn new(nch: usize) -> SlotSplit {
        SlotSplit {
            nch: nch.max(1),
            g: 0,
            start: 0,
        }
    }

    fn at(&mut self, slot: usize) -> (usize, usize) {
        if slot < self.start {
            // Not ascending after all: start over from a division.
            self.g = slot / self.nch;
            self.start = self.g * self.nch;
        }
        while slot >= self.start + self.nch {
            self.g += 1;
            self.start += self.nch;
        }
        (self.g, slot - self.start)
    }
}

/// `v` with length `len` (contents unspecified: the caller overwrites them).
fn sized(mut v: Vec<u8>, len: usize) -> Vec<u8> {
    if v.len() > len {
        v.truncate(len);
    } else {
        v.resize(len, 0);
    }
    v
}

/// The slots of a round: encoded from args, or restored from the template.
#[derive(Clone, Copy)]
enum Slots<'a> {
    Args(&'a [[u32; 12]]),
    /// Round 0 of a resident haystack: `n` slots; `Some(args)` = (re)write the template
    /// first.
    Template(usize, Option<&'a [[u32; 12]]>),
}

/// Get a set with at least the given capacities (reusing `res` when it is big enough).
fn ensure(
    mk: &Megakernel,
    res: &mut Option<Resident>,
    slots: usize,
    table_bytes: usize,
    hay_bytes: usize,
    hit_cap: usize,
) -> Result<()> {
    if let Some(r) = res.as_ref() {
        if r.slots >= slots
            && r.table_bytes >= table_bytes
            && r.hay_bytes >= hay_bytes
            && r.hit_cap >= hit_cap
        {
            return Ok(());
        }
    }
    let old = res.take();
    let grow = |need: usize, had: usize| need.max(had).next_power_of_two();
    let o = |f: fn(&Resident) -> usize| old.as_ref().map_or(0, f);
    let slots = grow(slots, o(|r| r.slots)).min(MAX_SLOTS);
    let table_bytes = grow(table_bytes, o(|r| r.table_bytes));
    // The haystack binding is sized exactly (it may be close to the binding limit).
    let hay_bytes = hay_bytes.max(o(|r| r.hay_bytes)).max(16);
    let hit_cap = grow(hit_cap, o(|r| r.hit_cap));
    let (hits_hint, held_hint, spare, label_off) = old
        .map_or((0, 0, Spare::default(), false), |r| {
            (r.hits_hint, r.held_hint, r.spare, r.label_off)
        });
    let set = ResidentSet::new(
        mk,
        &ResidentDesc {
            slot_count: slots as u32,
            extra_sizes: vec![
                table_bytes as u64,
                hay_bytes as u64,
                (4 * RingLayout::of(slots, mk.workgroup_size_x()).overflow + 16 * hit_cap) as u64,
                12 * slots as u64,
                64 * slots as u64,
            ],
            ..Default::default()
        },
    )?;
    *res = Some(Resident {
        set,
        slots,
        table_bytes,
        hay_bytes,
        hit_cap,
        dfas: None,
        hay: 0,
        ring_clean: true,
        template: None,
        hits_hint,
        held_hint,
        // A new ring holds no region table yet.
        table: None,
        spare,
        label_off,
    });
    Ok(())
}

/// Round 0 reads the results of at most this many slots one by one (more: all of them).
const MAX_LASTS: usize = 64;

/// Region records per slot a hit ring has room for on average (see [`RingLayout`]).
const REGION_AVG: usize = 8;

/// Header words of the hit ring (see scan_finish.wgsl, `SCAN_H_*`), then the mismatch
/// list.
mod hdr {
    pub const OVF_COUNT: usize = 0;
    pub const OVF_CAP: usize = 1;
    pub const TABLE: usize = 2;
    pub const OVF_BASE: usize = 3;
    pub const FINISH_N: usize = 4;
    pub const NEXT: usize = 5;
    pub const REGIONS: usize = 6;
    pub const ROOM: usize = 7;
    pub const COMPACT: usize = 8;
    pub const PREFIX: usize = 9;
    pub const TILES: usize = 10;
    pub const MISMATCH_CAP: usize = 11;
    pub const MISMATCHES: usize = 12;
    pub const HELD: usize = 13;
    pub const COUNTED: usize = 14;
    pub const COPIED: usize = 15;
    pub const LABEL: usize = 17;
    pub const LABELLED: usize = 18;
    pub const TAG: usize = 19;
    pub const RAW: usize = 20;
    pub const DISORDER: usize = 21;
    pub const EXC: usize = 22;
    pub const EXC_CAP: usize = 23;
    /// Header words, all written by the host each round (the epilogue's outputs,
    /// MISMATCHES..=COPIED, SHARES, RAW, DISORDER and EXC, as zeros).
    pub const WORDS: usize = 32;
    /// Mismatching slots the list holds (more: the host reads every slot's results).
    pub const MISMATCH_CAP_WORDS: usize = 1024;
    /// Labelled records the host expands in place that the list after the mismatch
    /// list holds (more: the labelled copy is not used).
    pub const EXC_CAP_WORDS: usize = 1024;
}

/// Word offsets in the hit ring (extra buffer 2) of a set with `slots` slots and
/// `wg`-lane workgroups: the header and mismatch list, two region tables (`slots + 1`
/// words each; round 0 uses one while its epilogue writes the other), the regions (room
/// for `REGION_AVG` records of 2 words per slot, at most 16 MiB), the epilogue's held-hit
/// prefixes and tile sums, the compacted hits (4 words per region record), their
/// labelled copy (as many), the overflow records.
struct RingLayout {
    tables: [usize; 2],
    regions: usize,
    /// Region records there is room for.
    room: usize,
    prefix: usize,
    tiles: usize,
    compact: usize,
    labelled: usize,
    overflow: usize,
}

impl RingLayout {
    fn of(slots: usize, wg: u32) -> RingLayout {
        let room = (REGION_AVG * slots).min(1 << 21);
        let t0 = hdr::WORDS + hdr::MISMATCH_CAP_WORDS + hdr::EXC_CAP_WORDS;
        let t1 = t0 + slots + 1;
        let regions = t1 + slots + 1;
        let prefix = regions + 2 * room;
        let tiles = prefix + slots + 1;
        let compact = tiles + 4 * slots.div_ceil(wg.max(1) as usize);
        RingLayout {
            tables: [t0, t1],
            regions,
            room,
            prefix,
            tiles,
            compact,
            labelled: compact + 4 * room,
            overflow: compact + 8 * room,
        }
    }
}

impl GpuBackend {
    pub fn new(adapter: Option<&str>, chunk: u64) -> Result<GpuBackend> {
        Self::with_knobs(adapter, chunk, &[])
    }

    /// [`GpuBackend::new`] with some `VYRE_SCAN_*` knobs given here instead of read from
    /// the environment (tests: changing the environment while other threads run is a
    /// data race in C code that reads it, such as the Vulkan driver).
    pub fn with_knobs(
        adapter: Option<&str>,
        chunk: u64,
        knobs: &[(&str, u64)],
    ) -> Result<GpuBackend> {
        let device = Device::new(&DeviceOptions {
            adapter: adapter.map(str::to_string),
        })?;
        let cpu = device.adapter().kind == DeviceKind::Cpu;
        let tune = Tuning::from(cpu, |name| {
            knobs
                .iter()
                .find(|k| k.0 == name)
                .map(|k| k.1)
                .or_else(|| super::env_number(name))
        });
        let limits = device.limits();
        let max_wg = limits
            .max_compute_workgroup_size_x
            .min(limits.max_compute_invocations_per_workgroup);
        let desc = scan_desc(&device, &tune, tune.workgroup.min(max_wg).max(1));
        let mk = Megakernel::new_internal(&device, &desc)?;
        let limit = device.limits().max_storage_buffer_binding_size.min(1 << 30) as usize & !15;
        let lanes = tune.lanes;
        Ok(GpuBackend {
            device,
            mk,
            chunk_len: chunk.min(1 << 30) as usize,
            lanes,
            pass_bytes: limit,
            wall_time: DispatchOptions::default().max_wall_time,
            table_limit: limit,
            region: tune.region,
            scratch: Mutex::new(HashMap::new()),
            lose_after: Default::default(),
        })
    }

    /// Test hook: a smaller per-pass haystack limit, to exercise multi-pass splitting.
    pub fn set_pass_bytes(&mut self, bytes: usize) {
        self.pass_bytes = bytes.max(16) & !15;
    }

    /// Test hook: region records per slot fixed at `per` (at most 8; `None`: each
    /// slot's region sized from its hits in the last call), as `VYRE_SCAN_REGION`.
    pub fn set_region(&mut self, per: Option<usize>) {
        self.region = per.map(|p| p.min(REGION_AVG));
    }

    /// Test hook: destroy the device right after the `n`-th round 0 from now is
    /// dispatched, before the hits that did not ride with it are read (a real device
    /// loss: the round must run again, not return what the rebuilt set holds).
    pub fn lose_device_after_round0(&mut self, n: u32) {
        self.lose_after = n.into();
    }

    /// Test hook: a shorter wall-time limit per dispatch, to exercise rounds that need
    /// several dispatches (zero is taken as 1 ms).
    pub fn set_wall_time(&mut self, limit: std::time::Duration) {
        self.wall_time = limit.max(std::time::Duration::from_millis(1));
    }

    /// The device this backend scans on (tests use it to destroy the device for real).
    pub fn device(&self) -> &Device {
        &self.device
    }
}

/// Launch shape of the scan. The defaults are what measured best; the `VYRE_SCAN_*`
/// environment variables override them for benchmarking on other hardware.
struct Tuning {
    /// Lanes per workgroup (`VYRE_SCAN_WG`).
    workgroup: u32,
    /// Chunks to aim for per pass (`VYRE_SCAN_LANES`).
    lanes: usize,
    /// Whether a lane loads its next 16-byte block one iteration ahead
    /// (`VYRE_SCAN_PREFETCH`, 0 = off).
    prefetch: bool,
    /// Workgroup memory for the hot table (`VYRE_SCAN_HOT_BYTES`; capped by the adapter).
    hot_bytes: u32,
    /// Factor hits a lane queues before verifying them (`VYRE_SCAN_QUEUE`; 0 = verify
    /// each at once).
    queue: u32,
    /// Loop iterations between two verifications of the queued hits
    /// (`VYRE_SCAN_DRAIN_EVERY`, a power of two).
    drain_every: u32,
    /// Lane budget per call kept for verifying factor hits (`VYRE_SCAN_VERIFY_RESERVE`).
    verify_reserve: u32,
    /// Most steps of one verification in the lane (`VYRE_SCAN_VERIFY_STEPS`); a longer
    /// one is left to the host.
    verify_steps: u32,
    /// Region records per slot, fixed (`VYRE_SCAN_REGION`, 0..=8, for tests; default:
    /// each slot's region sized from its hits in the last call).
    region: Option<usize>,
}

impl Tuning {
    /// The tuning for an adapter (`cpu`: a CPU adapter), `knob(name)` giving the value
    /// of each `VYRE_SCAN_*` variable that is set.
    fn from(cpu: bool, knob: impl Fn(&str) -> Option<u64>) -> Tuning {
        let var = |name: &str, default: u64| knob(name).filter(|&v| v > 0).unwrap_or(default);
        // A CPU adapter (lavapipe) runs a few lanes at a time: few large chunks cost less
        // fix-up. On the H200, 2^17 chunks in 1024-lane workgroups (one per SM, 32 warps
        // to hide the latency of each lane's chain of table lookups) measured best on
        // every set and text once a hit no longer inlines its verification into the
        // scan loop (BENCHMARKS.md, session 7); before that, the verifying kernel ran
        // out of registers at that width and 512 x 2^16 was the default.
        let (wg, lanes) = if cpu { (64, 256) } else { (1024, 1 << 17) };
        Tuning {
            // At least 64: the epilogue's per-tile loops stay within lavapipe's loop
            // limit and its tiles within the adapter's workgroup count.
            workgroup: var("VYRE_SCAN_WG", wg).clamp(64, 1024) as u32,
            lanes: var("VYRE_SCAN_LANES", lanes).min(protocol::abi::MAX_RING_SLOTS as u64) as usize,
            prefetch: knob("VYRE_SCAN_PREFETCH").is_none_or(|v| v != 0),
            hot_bytes: var("VYRE_SCAN_HOT_BYTES", 48 << 10).min(1 << 20) as u32,
            verify_reserve: var("VYRE_SCAN_VERIFY_RESERVE", 16384).min(1 << 14) as u32,
            verify_steps: var("VYRE_SCAN_VERIFY_STEPS", 2048).min(1 << 14) as u32,
            // Queued hits are handled by all lanes of a warp at the same loop iteration,
            // side by side, instead of one lane at a time while the others wait (a lane
            // that verifies as soon as it finds a hit diverges from its warp), and the
            // scan loop's code stays small. H200 sweeps (BENCHMARKS.md): 32 entries
            // drained every 128 bytes (8 iterations of 16 bytes).
            // On lavapipe the queue's private array slows every scan (a 129 MiB scan
            // without literal factors: 40.6 s → 55 s), so CPU adapters verify at once.
            queue: knob("VYRE_SCAN_QUEUE")
                .unwrap_or(if cpu { 0 } else { 32 })
                .min(64) as u32,
            region: knob("VYRE_SCAN_REGION").map(|r| (r as usize).min(REGION_AVG)),
            drain_every: var("VYRE_SCAN_DRAIN_EVERY", 8)
                .clamp(1, 1 << 12)
                .next_power_of_two() as u32,
        }
    }
}

/// The DFA_SCAN megakernel for `wg`-lane workgroups on `device`.
fn scan_desc(device: &Device, tune: &Tuning, wg: u32) -> MegakernelDesc {
    MegakernelDesc {
        slot_count: 4096,
        workgroup_size_x: wg,
        opcodes: vec![CustomOpcode {
            opcode: op::DFA_SCAN,
            name: "scan_dfa".into(),
            wgsl: format!(
                "const SCAN_HOT_WORDS: u32 = {}u;\n\
                 const SCAN_VERIFY_RESERVE: u32 = {}u;\nconst SCAN_VERIFY_STEPS: u32 = {}u;\n\
                 const SCAN_QUEUE: u32 = {}u;\nconst SCAN_QUEUE_LEN: u32 = {}u;\n\
                 const SCAN_DRAIN_MASK: u32 = {}u;\nconst SCAN_PREFETCH: bool = {};\n\
                 {}{}{WGSL}{FINISH_WGSL}",
                hot_words(device, tune.hot_bytes),
                tune.verify_reserve,
                tune.verify_steps,
                tune.queue,
                queue_len(tune.queue),
                tune.drain_every - 1,
                tune.prefetch,
                drain_rest_wgsl(queue_len(tune.queue)),
                fin_find_wgsl(wg),
            ),
        }],
        epilogues: ["scan_tally", "scan_tiles", "scan_place", "scan_label"]
            .iter()
            .map(|&name| Epilogue {
                name: name.into(),
                per_slots: name != "scan_tiles",
            })
            .collect(),
        extra_buffers: vec![
            ExtraKind::ReadOnly,
            ExtraKind::ReadOnlyVec4,
            ExtraKind::Atomic,
            ExtraKind::ReadWrite,
            ExtraKind::ReadOnly,
        ],
        workgroup_hook: Some("scan_dfa_prepare".into()),
        ..Default::default()
    }
}

/// Entries of a lane's hit queue: room for a whole 16-byte block's hits (see
/// dfa_scan.wgsl), 1 when there is no queue (the array must have an element).
fn queue_len(queue: u32) -> u32 {
    match queue {
        0 => 1,
        q => q.max(16),
    }
}

/// `scan_drain_rest` (see dfa_scan.wgsl): queue entries `first..n` appended as factor
/// hits for the host, one `if` per entry since a loop after a cut loop is cut too.
fn drain_rest_wgsl(queue: u32) -> String {
    let mut f =
        String::from("fn scan_drain_rest(slot: u32, g: u32, first: u32, n: u32, cap: u32) {\n");
    for i in 0..queue {
        f += &format!(
            "    if (first <= {i}u && {i}u < n) {{ scan_dfa_emit(slot, g, scan_q[{i}u].x, scan_q[{i}u].y, cap); }}\n"
        );
    }
    f + "}\n"
}

/// `scan_fin_find(i)` (see scan_finish.wgsl): the last lane `j` of a `wg`-lane
/// workgroup whose held-hit prefix `scan_fin_pre[j]` is at most `i`, by halving steps
/// written out (a loop would count against lavapipe's iteration limit once per hit).
fn fin_find_wgsl(wg: u32) -> String {
    let mut f = String::from("fn scan_fin_find(i: u32) -> u32 {\n    var j = 0u;\n");
    let mut step = (wg.max(2) - 1).next_power_of_two();
    while step > 0 {
        if step < wg {
            f += &format!(
                "    if (j + {step}u < VYRE_WG && scan_fin_pre[j + {step}u] <= i) {{ j += {step}u; }}\n"
            );
        }
        step /= 2;
    }
    f + "    return j;\n}\n"
}

/// Words of the hot table: what the adapter's workgroup memory allows after the
/// interpreter's own workgroup variables (1 KiB kept free), at least the class map + 1.
fn hot_words(device: &Device, want_bytes: u32) -> u32 {
    let limit = device.limits().max_compute_workgroup_storage_size;
    (want_bytes.min(limit.saturating_sub(1024)) / 4).max(65)
}

/// A piece of one item inside one pass.
struct Seg {
    item: usize,
    /// Byte range inside the item.
    from: usize,
    to: usize,
}

/// One chunk slot of a pass.
#[derive(Clone, Copy)]
struct Chunk {
    seg: usize,
    /// Byte range in the pass haystack.
    pos: u32,
    end: u32,
    /// Absolute offset of haystack byte 0 for this item (wrapping).
    abs0: u64,
}

/// What a walk along the chunk chains reports.
enum Visit<'a> {
    /// A chunk whose true entering state differs from its speculative one, with the
    /// fix-up result for that state when it has run.
    Unsettled {
        g: usize,
        slot: usize,
        entering: u32,
        fix: Option<&'a FixResult>,
    },
    /// The state after the last chunk of segment `seg` (premultiplied).
    SegmentEnd { g: usize, seg: usize, exit: u32 },
}

/// The chunk chains of one pass: each segment's chunks in order, per group.
struct Chains<'a> {
    nch: usize,
    seg_chunks: &'a [(usize, usize)],
    entering0: &'a [Vec<u32>],
    /// Round 0: per slot the speculative run's state at the chunk start, and at its end.
    round0: &'a RoundOut,
}

impl Chains<'_> {
    fn spec_entry(&self, slot: usize) -> u32 {
        self.round0.result(slot)[0] & !MATCH_BIT
    }
    fn spec_exit(&self, slot: usize) -> u32 {
        self.round0.result(slot)[1] & !MATCH_BIT
    }

    /// Follow every chain with what is known: a settled chunk exits in its speculative
    /// exit state; an unsettled one in its fix-up's exit when the runs never met, else
    /// (met, or not run yet: a guess that is checked next round) the speculative exit.
    fn walk<'m>(
        &self,
        memo: &'m HashMap<(usize, u32), FixResult>,
        visit: &mut dyn FnMut(Visit<'m>),
    ) {
        for (g, entering0) in self.entering0.iter().enumerate() {
            for (seg, &(a, b)) in self.seg_chunks.iter().enumerate() {
                let mut entering = entering0[seg];
                for k in a..b {
                    let slot = g * self.nch + k;
                    if k == a || entering == self.spec_entry(slot) {
                        entering = self.spec_exit(slot);
                        continue;
                    }
                    let fix = memo.get(&(slot, entering));
                    visit(Visit::Unsettled {
                        g,
                        slot,
                        entering,
                        fix,
                    });
                    entering = match fix {
                        Some(f) if f.met_at == NONE => f.exit,
                        _ => self.spec_exit(slot),
                    };
                }
                visit(Visit::SegmentEnd {
                    g,
                    seg,
                    exit: entering,
                });
            }
        }
    }
}

struct FixResult {
    met_at: u32,
    exit: u32,
    hits: Vec<(u32, u64)>,
}

impl Backend for GpuBackend {
    fn name(&self) -> String {
        let a = self.device.adapter();
        format!("{} ({})", a.name, a.backend_name())
    }

    fn scan_items(&self, dfa: &Dfa, items: &[Item<'_>], hits: &mut Vec<Hit>) -> Result<Vec<u32>> {
        let exits = self.scan_bundle(&[dfa], &[items], hits)?;
        Ok(exits.into_iter().next().unwrap_or_default())
    }

    fn scan_groups(
        &self,
        groups: &[Arc<Dfa>],
        items: &[Vec<Item<'_>>],
        hits: &mut Vec<Hit>,
    ) -> Result<Vec<Vec<u32>>> {
        let mut exits = Vec::with_capacity(groups.len());
        for r in self.bundles(groups) {
            let dfas: Vec<&Dfa> = groups[r.clone()].iter().map(|g| &**g).collect();
            let its: Vec<&[Item<'_>]> = items[r].iter().map(|v| v.as_slice()).collect();
            exits.extend(self.scan_bundle(&dfas, &its, hits)?);
        }
        Ok(exits)
    }

    fn load(&self, dfa: &Dfa, hay: &ResidentHaystack) -> Result<()> {
        self.load_bundle(&[dfa], hay)
    }

    fn load_groups(&self, groups: &[Arc<Dfa>], hay: &ResidentHaystack) -> Result<()> {
        for r in self.bundles(groups) {
            let dfas: Vec<&Dfa> = groups[r].iter().map(|g| &**g).collect();
            self.load_bundle(&dfas, hay)?;
        }
        Ok(())
    }

    fn scan_resident(
        &self,
        dfa: &Dfa,
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<u32> {
        let (exits, _) = self.scan_resident_bundle(&[dfa], hay, tag, hits, false)?;
        Ok(exits.first().copied().unwrap_or_default())
    }

    fn scan_resident_groups(
        &self,
        groups: &[Arc<Dfa>],
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<Vec<u32>> {
        let mut exits = Vec::with_capacity(groups.len());
        for r in self.bundles(groups) {
            let dfas: Vec<&Dfa> = groups[r].iter().map(|g| &**g).collect();
            exits.extend(self.scan_resident_bundle(&dfas, hay, tag, hits, false)?.0);
        }
        Ok(exits)
    }

    fn scan_resident_labelled(
        &self,
        groups: &[Arc<Dfa>],
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
    ) -> Result<(Vec<u32>, Option<bool>)> {
        // One bundle: its round 0 holds every hit of the scan, so it can label them.
        if self.bundles(groups).len() != 1 {
            return Ok((self.scan_resident_groups(groups, hay, tag, hits)?, None));
        }
        let dfas: Vec<&Dfa> = groups.iter().map(|g| &**g).collect();
        self.scan_resident_bundle(&dfas, hay, tag, hits, true)
    }
}

impl GpuBackend {
    /// Split groups into bundles whose tables fit one storage binding together; each
    /// bundle runs all its groups in the same rounds (one slot per group and chunk).
    fn bundles(&self, groups: &[Arc<Dfa>]) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let (mut from, mut bytes) = (0, 0usize);
        for (i, g) in groups.iter().enumerate() {
            let b = g.table_bytes();
            if i > from && (bytes + b > self.table_limit || i - from >= MAX_BUNDLE) {
                out.push(from..i);
                from = i;
                bytes = 0;
            }
            bytes += b;
        }
        if from < groups.len() {
            out.push(from..groups.len());
        }
        out
    }

    /// Scan items with a bundle of groups (`items[g]`: group g's entering states; bytes
    /// come from `items[0]`); exit states per group.
    fn scan_bundle(
        &self,
        dfas: &[&Dfa],
        items: &[&[Item<'_>]],
        hits: &mut Vec<Hit>,
    ) -> Result<Vec<Vec<u32>>> {
        let mut exits: Vec<Vec<u32>> = items
            .iter()
            .map(|it| it.iter().map(|i| i.state).collect())
            .collect();
        let Some(&items0) = items.first() else {
            return Ok(exits);
        };
        let mut scratch = self
            .scratch
            .lock()
            .map_err(|_| Error::new(Status::Poisoned, "GPU scanner lock poisoned"))?;
        let key = dfas[0].cache_id();
        let mut res = scratch.remove(&key);
        // Split items into passes of at most pass_bytes haystack bytes; a piece of an
        // item never shares a pass with its predecessor, so its entering state is known.
        let mut passes: Vec<Vec<Seg>> = vec![Vec::new()];
        let mut fill = 0usize;
        for (i, it) in items0.iter().enumerate() {
            let mut from = 0;
            loop {
                // Pieces start 16-byte aligned in the pass haystack (the scan loads 16
                // bytes at a time).
                fill = fill.next_multiple_of(16);
                let room = self.pass_bytes.saturating_sub(fill);
                let take = (it.bytes.len() - from).min(room);
                let last_piece = from + take == it.bytes.len();
                if take > 0 {
                    if let Some(p) = passes.last_mut() {
                        p.push(Seg {
                            item: i,
                            from,
                            to: from + take,
                        });
                    }
                }
                fill += take;
                from += take;
                if last_piece {
                    break;
                }
                passes.push(Vec::new());
                fill = 0;
            }
        }
        let mut r = Ok(());
        for segs in passes.iter().filter(|p| !p.is_empty()) {
            r = self
                .run_pass(dfas, items0, segs, &mut exits, hits, &mut res, 0, None)
                .map(|_| ());
            if r.is_err() {
                break;
            }
        }
        if let Some(res) = res {
            scratch.insert(key, res);
        }
        r.map(|_| exits)
    }

    fn load_bundle(&self, dfas: &[&Dfa], hay: &ResidentHaystack) -> Result<()> {
        if hay.len() > self.pass_bytes {
            return Ok(()); // scanned from host memory in passes (see scan_resident)
        }
        let mut cache = lock_cache(hay)?;
        let mut res = None;
        let seg = [Seg {
            item: 0,
            from: 0,
            to: hay.len(),
        }];
        let item = [Item {
            bytes: hay.bytes(),
            state: 0,
            base: 0,
            tag: 0,
        }];
        let l = self.layout(&item, &seg, dfas.len());
        let cap = (hay.len() / 64).clamp(4096, 1 << 24);
        self.stage(dfas, &item, &seg, &l, &mut res, hay.id(), cap)?;
        // Force the upload now so later scans find everything on the device.
        if let Some(r) = res.as_ref() {
            r.set.read(buffer::EXTRA + 2, 0, &mut [0u8; 4])?;
        }
        if let Some(r) = res {
            cache.insert(dfas[0].cache_id(), Box::new(r));
        }
        Ok(())
    }

    /// Scan a loaded haystack with a bundle; exit per group, and whether the hits came
    /// back labelled (asked for with `label`; see [`Backend::scan_resident_labelled`]).
    fn scan_resident_bundle(
        &self,
        dfas: &[&Dfa],
        hay: &ResidentHaystack,
        tag: u32,
        hits: &mut Vec<Hit>,
        label: bool,
    ) -> Result<(Vec<u32>, Option<bool>)> {
        let per: Vec<[Item<'_>; 1]> = dfas
            .iter()
            .map(|d| {
                [Item {
                    bytes: hay.bytes(),
                    state: d.start_state(),
                    base: 0,
                    tag,
                }]
            })
            .collect();
        let items: Vec<&[Item<'_>]> = per.iter().map(|p| p.as_slice()).collect();
        if hay.len() > self.pass_bytes {
            let exits = self.scan_bundle(dfas, &items, hits)?;
            return Ok((exits.iter().map(|e| e[0]).collect(), None));
        }
        let mut cache = lock_cache(hay)?;
        let key = dfas[0].cache_id();
        let mut res: Option<Resident> = cache
            .remove(&key)
            .and_then(|b| b.downcast::<Resident>().ok())
            .map(|b| *b);
        let seg = [Seg {
            item: 0,
            from: 0,
            to: hay.len(),
        }];
        let mut exits: Vec<Vec<u32>> = dfas.iter().map(|d| vec![d.start_state()]).collect();
        let label = label.then_some(tag);
        let r = self.run_pass(
            dfas,
            items[0],
            &seg,
            &mut exits,
            hits,
            &mut res,
            hay.id(),
            label,
        );
        if let Some(res) = res {
            cache.insert(key, Box::new(res));
        }
        let labelled = r?;
        Ok((exits.iter().map(|e| e[0]).collect(), labelled))
    }
}

type HayCache = HashMap<u64, Box<dyn std::any::Any + Send>>;

fn lock_cache(hay: &ResidentHaystack) -> Result<std::sync::MutexGuard<'_, HayCache>> {
    hay.cache
        .lock()
        .map_err(|_| Error::new(Status::Poisoned, "resident haystack lock poisoned"))
}

fn le_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Where each segment and chunk of a pass lies in the pass haystack.
///
/// Chunks are computed when asked for ([`Layout::chunk`]) rather than stored: a pass
/// has up to a million of them, and a fresh list every call cost more host time than
/// the chunks' own bookkeeping.
struct Layout {
    chunk_len: usize,
    /// Chunks in all.
    n_chunks: usize,
    /// Chunk index range of each segment.
    seg_chunks: Vec<(usize, usize)>,
    /// Word-aligned start of each segment in the haystack.
    at: Vec<usize>,
    /// End of each segment in the haystack.
    seg_end: Vec<usize>,
    /// Absolute offset of haystack byte 0 for each segment's item (wrapping).
    abs0: Vec<u64>,
    hay_len: usize,
}

impl Layout {
    /// Chunk `k` of the pass (k < n_chunks).
    fn chunk(&self, k: usize) -> Chunk {
        let seg = if self.seg_chunks.len() == 1 {
            0
        } else {
            self.seg_chunks.partition_point(|&(_, b)| b <= k)
        };
        let pos = self.at[seg] + (k - self.seg_chunks[seg].0) * self.chunk_len;
        Chunk {
            seg,
            pos: pos as u32,
            end: (pos + self.chunk_len).min(self.seg_end[seg]) as u32,
            abs0: self.abs0[seg],
        }
    }
}

impl GpuBackend {
    /// Chunk length for a pass of `total` bytes scanned by `groups` groups at once: the
    /// fixed one, else enough chunks that all groups together keep `lanes` lanes busy
    /// (at least 1 KiB each, a multiple of 16 so chunks start on 16-byte boundaries), and
    /// never more slots (groups × chunks) than the ring holds.
    fn chunk_for(&self, total: usize, groups: usize) -> usize {
        let groups = groups.max(1);
        let c = if self.chunk_len != 0 {
            self.chunk_len
        } else {
            (total / (self.lanes / groups).max(1))
                .max(1024)
                .next_multiple_of(16)
        };
        c.max(total.div_ceil((MAX_SLOTS / groups).max(1)))
            .clamp(1, u32::MAX as usize)
    }

    fn layout(&self, items: &[Item<'_>], segs: &[Seg], groups: usize) -> Layout {
        let total: usize = segs.iter().map(|s| s.to - s.from).sum();
        let chunk_len = self.chunk_for(total, groups);
        let mut l = Layout {
            chunk_len,
            n_chunks: 0,
            seg_chunks: Vec::with_capacity(segs.len()),
            at: Vec::with_capacity(segs.len()),
            seg_end: Vec::with_capacity(segs.len()),
            abs0: Vec::with_capacity(segs.len()),
            hay_len: 0,
        };
        for s in segs {
            let at = l.hay_len.next_multiple_of(16);
            let end = at + (s.to - s.from);
            let first = l.n_chunks;
            l.n_chunks += (end - at).div_ceil(chunk_len);
            l.seg_chunks.push((first, l.n_chunks));
            l.at.push(at);
            l.seg_end.push(end);
            l.abs0.push(
                items[s.item]
                    .base
                    .wrapping_add(s.from as u64)
                    .wrapping_sub(at as u64),
            );
            l.hay_len = end;
        }
        l
    }

    /// Make `res` hold the bundle's tables (back to back in user0) and the pass haystack
    /// (uploading only what it does not hold yet: `hay_id` != 0 names resident content
    /// already loaded). Returns each group's table word offset.
    #[allow(clippy::too_many_arguments)]
    fn stage(
        &self,
        dfas: &[&Dfa],
        items: &[Item<'_>],
        segs: &[Seg],
        l: &Layout,
        res: &mut Option<Resident>,
        hay_id: u64,
        cap: usize,
    ) -> Result<Vec<u32>> {
        let mut bases = Vec::with_capacity(dfas.len());
        let mut words = 0usize;
        for d in dfas {
            bases.push(
                u32::try_from(words)
                    .map_err(|_| Error::new(Status::Gpu, "DFA tables exceed 2^32 words"))?,
            );
            words += d.gpu_len_words();
        }
        let table_bytes = words * 4;
        let hay_bytes = l.hay_len.next_multiple_of(16).max(16);
        ensure(
            &self.mk,
            res,
            (l.n_chunks * dfas.len()).max(1),
            table_bytes,
            hay_bytes,
            cap,
        )?;
        let r = res
            .as_mut()
            .ok_or_else(|| Error::new(Status::Gpu, "internal: no buffer set"))?;
        let key: Vec<u64> = dfas.iter().map(|d| d.cache_id()).collect();
        if r.dfas.as_ref() != Some(&key) {
            for (d, &b) in dfas.iter().zip(&bases) {
                r.set
                    .write(buffer::EXTRA, b as u64 * 4, &le_bytes(&d.gpu_words()))?;
            }
            r.dfas = Some(key);
        }
        if hay_id == 0 || r.hay != hay_id {
            for (s, &at) in segs.iter().zip(&l.at) {
                r.set.write(
                    buffer::EXTRA + 1,
                    at as u64,
                    &items[s.item].bytes[s.from..s.to],
                )?;
            }
            r.hay = hay_id;
        }
        Ok(bases)
    }

    /// One pass of a bundle: every group's chunks run in the same rounds (slot
    /// `g * chunks + k`); fix-up and hit collection stay per group. `label`: the tag of
    /// a one-item pass whose hits may come back final (user ids, this tag; see
    /// [`Backend::scan_resident_labelled`]): returns Some(strictly ordered) when they did.
    #[allow(clippy::too_many_arguments)]
    fn run_pass(
        &self,
        dfas: &[&Dfa],
        items: &[Item<'_>],
        segs: &[Seg],
        exits: &mut [Vec<u32>],
        out: &mut Vec<Hit>,
        res: &mut Option<Resident>,
        hay_id: u64,
        label: Option<u32>,
    ) -> Result<Option<bool>> {
        let l = self.layout(items, segs, dfas.len());
        if l.n_chunks == 0 {
            return Ok(None);
        }
        let total: usize = segs.iter().map(|s| s.to - s.from).sum();
        let mut cap = (total / 64).clamp(4096, 1 << 24);
        if let Some(r) = res.as_ref() {
            cap = cap.max(r.hit_cap);
        }
        let mut t = std::time::Instant::now();
        let bases = self.stage(dfas, items, segs, &l, res, hay_id, cap)?;
        trace("stage", &mut t);
        let (seg_chunks, at, chunk_len) = (&l.seg_chunks, &l.at, l.chunk_len);
        let nch = l.n_chunks;
        let cs: Vec<u32> = dfas.iter().map(|d| d.class_count()).collect();
        let starts: Vec<u32> = dfas
            .iter()
            .zip(&cs)
            .map(|(d, &c)| d.start_state() * c)
            .collect();
        let entering0: Vec<Vec<u32>> = (0..dfas.len())
            .map(|g| segs.iter().map(|s| exits[g][s.item] * cs[g]).collect())
            .collect();
        // How far before its start a speculative chunk begins (from the start state,
        // hits not reported there): past the longest match, the run's state at the
        // chunk start is the true one for bounded patterns, so no fix-up is needed.
        let lead: Vec<u32> = dfas
            .iter()
            .map(|d| {
                let want = d
                    .max_match_len()
                    .map_or(DEFAULT_LEAD, |m| m.saturating_add(d.delay() + 1));
                (want.min(chunk_len as u32)).next_multiple_of(16)
            })
            .collect();
        // Arg 11 of a chunk: where its segment lies around it, for verification
        // windows (see dfa_scan.wgsl); a distance that does not fit leaves the flag off.
        let room = |k: usize| {
            let ch = l.chunk(k);
            let s = &segs[ch.seg];
            let seg_end = at[ch.seg] + (s.to - s.from);
            let before = ch.pos as usize - at[ch.seg];
            let after = seg_end - ch.end as usize;
            let side = |d: usize, edge: bool| match d {
                0..=0x7fff => d as u32 | if edge { 0x8000 } else { 0 },
                _ => 0x7fff,
            };
            side(before, s.from == 0) | side(after, s.to == items[s.item].bytes.len()) << 16
        };
        // Args of one slot: `pos` where the run begins, `s` its state, `spec` the
        // speculative state (mode 1); hits from the chunk start on.
        let arg = |mode: u32, g: usize, k: usize, pos: u32, s: u32, spec: u32| {
            let ch = l.chunk(k);
            [
                mode,
                bases[g],
                pos,
                ch.end,
                ch.abs0 as u32,
                (ch.abs0 >> 32) as u32,
                s,
                spec,
                0,
                ch.pos,
                s,
                room(k),
            ]
        };
        // Round 0: speculative scan of every chunk of every group (first chunk of a
        // segment: true state), each led in from `lead` bytes earlier. A resident
        // haystack scanned again with the same tables and states reuses its template.
        let nslots = nch * dfas.len();
        let key = (hay_id != 0).then(|| TemplateKey {
            hay: hay_id,
            bases: bases.clone(),
            entering: entering0.clone(),
            chunk_len,
            slots: nslots,
        });
        let cached =
            key.is_some() && res.as_ref().and_then(|r| r.template.as_ref()) == key.as_ref();
        let mut args0: Vec<[u32; 12]> = Vec::with_capacity(if cached { 0 } else { nslots });
        for g in (0..dfas.len()).filter(|_| !cached) {
            for (k, ch) in (0..nch).map(|k| (k, l.chunk(k))) {
                let first = seg_chunks[ch.seg].0 == k;
                args0.push(if first {
                    arg(0, g, k, ch.pos, entering0[g][ch.seg], 0)
                } else {
                    // Chunk starts are word aligned when the lead is used (the scan
                    // records the state on reaching the chunk start).
                    let seg_at = at[ch.seg] as u32;
                    let pos = if ch.pos % 4 == 0 {
                        ch.pos.saturating_sub(lead[g]).max(seg_at)
                    } else {
                        ch.pos
                    };
                    arg(0, g, k, pos, starts[g], 0)
                });
            }
        }
        trace("round 0 args", &mut t);
        let slots0 = match (&key, cached) {
            (None, _) => Slots::Args(&args0),
            (Some(_), true) => Slots::Template(nslots, None),
            (Some(_), false) => Slots::Template(nslots, Some(&args0)),
        };
        // The last chunk of each segment and group, whose exit is the segment's.
        let lasts: Vec<usize> = (0..dfas.len())
            .flat_map(|g| {
                seg_chunks
                    .iter()
                    .filter(|c| c.1 > c.0)
                    .map(move |c| g * nch + c.1 - 1)
            })
            .collect();
        // Settled when every chunk whose state at its start differs from the previous
        // chunk's exit starts a segment (the first chunk runs from the true state).
        // Otherwise the chain walk needs every slot's results: a device lost before
        // they are read runs round 0 again.
        let mut lost_reads = 0;
        let (round0, settled) = loop {
            let mut round0 = self.round(res, slots0, Some(&lasts), label.map(|t| (t, nch)))?;
            let settled = round0.mismatches.as_ref().is_some_and(|m| {
                m.iter().all(|&slot| {
                    let k = slot as usize % nch;
                    seg_chunks.binary_search_by_key(&k, |c| c.0).is_ok()
                })
            });
            if settled || !round0.results.is_empty() {
                break (round0, settled);
            }
            let r = res
                .as_ref()
                .ok_or_else(|| Error::new(Status::Gpu, "internal: no buffer set"))?;
            round0.results = vec![0; 12 * nslots];
            match r.set.read_output(buffer::EXTRA + 3, 0, &mut round0.results) {
                Err(e) if e.status == Status::DeviceLost && lost_reads < 2 => lost_reads += 1,
                Err(e) => return Err(e),
                Ok(()) => {
                    trace("results read for the chain walk", &mut t);
                    break (round0, settled);
                }
            }
        };
        if let (Some(r), Some(k)) = (res.as_mut(), key) {
            r.template = Some(k);
        }
        if super::tracing() {
            trace(
                &format!(
                    "round 0 ({nslots} slots, {} hits, {} compacted, {} overflow pattern ids, template {cached}, mismatches {:?}, settled {settled})",
                    round0.hit_count(),
                    round0.held(),
                    round0.overflows().filter(|h| h.1 & MATCH_BIT != 0).count(),
                    round0.mismatches.as_ref().map(|m| m.len()),
                ),
                &mut t,
            );
        }
        // Fix-up rounds (all groups' fix-ups in the same round). A chunk is settled when
        // its true entering state equals its speculative one; otherwise the true and the
        // speculative run go in lockstep from the chunk start until they meet.
        let chain = Chains {
            nch,
            seg_chunks,
            entering0: &entering0,
            round0: &round0,
        };
        let mut memo: HashMap<(usize, u32), FixResult> = HashMap::new();
        // Each walk also notes each segment's exit state and the fix-ups it used
        // (slot, its entering state, where its round-0 hits stand from: a fixed-up chunk
        // keeps them from the meeting point on, none when the runs never met); the last
        // walk, which has nothing left to launch, is the final one.
        let mut used: Vec<(usize, u32, u64)> = Vec::new();
        if settled {
            for (g, entering) in entering0.iter().enumerate() {
                for (seg, &(a, b)) in seg_chunks.iter().enumerate() {
                    let exit = if b > a {
                        chain.spec_exit(g * nch + b - 1)
                    } else {
                        entering[seg]
                    };
                    exits[g][segs[seg].item] = exit / cs[g];
                }
            }
        }
        // Otherwise walk the chains, launching fix-ups, until nothing is left to launch.
        loop {
            if settled {
                break;
            }
            let mut launch: Vec<(usize, u32)> = Vec::new();
            used.clear();
            chain.walk(&memo, &mut |v| match v {
                Visit::Unsettled {
                    slot,
                    entering,
                    fix: None,
                    ..
                } => launch.push((slot, entering)),
                Visit::Unsettled {
                    g,
                    slot,
                    entering,
                    fix: Some(f),
                } => {
                    let keep_from = if f.met_at == NONE {
                        u64::MAX
                    } else {
                        let shift = 1 - dfas[g].delay() as u64;
                        l.chunk(slot % nch)
                            .abs0
                            .wrapping_add(f.met_at as u64 + shift)
                    };
                    used.push((slot, entering, keep_from));
                }
                Visit::SegmentEnd { g, seg, exit } => {
                    exits[g][segs[seg].item] = exit / cs[g];
                }
            });
            if launch.is_empty() {
                break;
            }
            let args: Vec<[u32; 12]> = launch
                .iter()
                .map(|&(slot, e)| {
                    let k = slot % nch;
                    arg(1, slot / nch, k, l.chunk(k).pos, e, chain.spec_entry(slot))
                })
                .collect();
            trace("fix-up planning", &mut t);
            let fix = self.round(res, Slots::Args(&args), None, None)?;
            trace(&format!("fix-up round ({} slots)", args.len()), &mut t);
            let mut per: Vec<Vec<(u32, u64)>> = vec![Vec::new(); launch.len()];
            for (slot, set, end) in fix.overflows() {
                per[slot as usize].push((set, end));
            }
            for (i, (key, h)) in launch.into_iter().zip(per).enumerate() {
                let r = fix.result(i);
                memo.insert(
                    key,
                    FixResult {
                        met_at: r[0],
                        exit: r[1] & !MATCH_BIT,
                        hits: h,
                    },
                );
            }
        }
        used.sort_unstable_by_key(|u| u.0);
        trace("chain walk", &mut t);
        out.reserve(round0.hit_count());
        // One item per pass (a resident haystack, one large input) is the common case:
        // its tag needs no chunk arithmetic, and its settled hits go straight to `out`.
        let one_tag = segs
            .iter()
            .all(|s| items[s.item].tag == items[segs[0].item].tag)
            .then(|| items[segs[0].item].tag);
        // A labelled round 0 had no chunk to fix up (no mismatch): its hits are final,
        // one copy.
        let mut labelled = round0.labelled;
        if labelled.is_some() && (!used.is_empty() || segs.len() != 1) {
            return Err(Error::new(
                Status::Gpu,
                "internal: a labelled round 0 has chunks to fix up",
            ));
        }
        let fast = match (labelled, used.is_empty(), one_tag) {
            (Some(ordered), _, Some(tag)) => {
                labelled = Some(ordered & round0.push_labelled(dfas, nch, tag, out)?);
                true
            }
            (Some(_), ..) => {
                return Err(Error::new(
                    Status::Gpu,
                    "internal: a labelled round 0 of a pass with several tags",
                ))
            }
            (None, true, Some(tag)) => round0.push_compact(dfas, nch, tag, out)?,
            _ => false,
        };
        let mut push =
            |g: usize, tag: u32, set: u32, end: u64| push_record(out, Some(dfas[g]), tag, set, end);
        let tag_of = |k: usize| one_tag.unwrap_or_else(|| items[segs[l.chunk(k).seg].item].tag);
        let fix_hits = |slot: usize, entering: u32| {
            memo.get(&(slot, entering)).map_or(&[][..], |f| &f.hits[..])
        };
        // Emit in slot order (regions are read in that order; overflow records are
        // ordered by slot on the host; one lane appends its hits in end order, except
        // matches verified in the lane, which end near their literal), each fixed-up
        // chunk's own hits first: the output is then nearly sorted by end within each
        // segment and group, which keeps the caller's final (stable) sort cheap. The
        // ordering buffers are the pass's spares.
        let mut spare = res
            .as_mut()
            .map(|r| std::mem::take(&mut r.spare))
            .unwrap_or_default();
        if fast {
            trace(
                if labelled.is_some() {
                    "labelled hits"
                } else {
                    "compacted hits"
                },
                &mut t,
            );
        } else if used.is_empty() {
            // No fixed-up chunk: each hit goes straight to `out` (the slot's group and
            // tag worked out once per slot, not per hit).
            let mut split = SlotSplit::new(nch);
            let mut cur = (usize::MAX, 0usize, 0u32);
            round0.in_slot_order(nslots, &mut spare.order, |slot, set, end| {
                if slot != cur.0 {
                    let (g, k) = split.at(slot);
                    cur = (slot, g, tag_of(k));
                }
                push(cur.1, cur.2, set, end)
            })?;
            trace("hits in slot order", &mut t);
        } else {
            let sorted = &mut spare.sorted;
            sorted.clear();
            round0.in_slot_order(nslots, &mut spare.order, |slot, set, end| {
                sorted.push((slot as u32, set, end))
            })?;
            trace("order by slot", &mut t);
            let mut fixes = used.iter().peekable();
            // The slot being emitted, its tag, where its hits stand from, its group.
            let mut split = SlotSplit::new(nch);
            let mut cur = (usize::MAX, 0u32, 0u64, 0usize);
            for &(slot, set, end) in sorted.iter() {
                let slot = slot as usize;
                if slot != cur.0 {
                    let (g, k) = split.at(slot);
                    cur = (slot, tag_of(k), 0, g);
                    while let Some(&(s, e, from)) = fixes.next_if(|u| u.0 <= slot) {
                        let tag = tag_of(s % nch);
                        for &(set, end) in fix_hits(s, e) {
                            push(s / nch, tag, set, end);
                        }
                        if s == slot {
                            cur.2 = from;
                        }
                    }
                }
                if end >= cur.2 {
                    push(cur.3, cur.1, set, end);
                }
            }
            for &(s, e, _) in fixes {
                let tag = tag_of(s % nch);
                for &(set, end) in fix_hits(s, e) {
                    push(s / nch, tag, set, end);
                }
            }
            trace("final walk", &mut t);
        }
        if let Some(r) = res.as_mut() {
            let RoundOut {
                results,
                compact,
                records,
                ..
            } = round0;
            if !results.is_empty() {
                spare.results = results;
            }
            spare.compact = compact;
            spare.records = records;
            super::trim(&mut spare.results);
            super::trim(&mut spare.compact);
            super::trim(&mut spare.records);
            super::trim(&mut spare.order.cursor);
            super::trim(&mut spare.order.ovf);
            super::trim(&mut spare.sorted);
            r.spare = spare;
        }
        Ok(labelled)
    }

    /// Run one round of DFA_SCAN slots on the resident set; returns the slots' results
    /// (mode 0: state at the chunk start, exit state; mode 1: meeting position or NONE,
    /// exit state) and the hits. Round 0 (`lasts`: the slots whose results the host
    /// needs when every chunk is settled; at most [`MAX_LASTS`] are read alone, else
    /// all) keeps each slot's first hits in its region and runs the epilogue, which
    /// compacts them, lists the unsettled chunks and sizes the next round 0's regions.
    /// On hit-ring overflow the ring is grown (new set: table and haystack uploaded
    /// again) and the round re-run. `label`: (tag, chunks per group) of a one-item pass:
    /// round 0 asks for the labelled copy, and returns it in place of the compacted
    /// records when it holds every hit (see [`RoundOut::labelled`]).
    fn round(
        &self,
        res: &mut Option<Resident>,
        slots_in: Slots<'_>,
        lasts: Option<&[usize]>,
        label: Option<(u32, usize)>,
    ) -> Result<RoundOut> {
        let n = match slots_in {
            Slots::Args(a) => a.len(),
            Slots::Template(n, _) => n,
        };
        let round0 = lasts.is_some();
        let mut lost_reads = 0;
        loop {
            let r = res
                .as_mut()
                .ok_or_else(|| Error::new(Status::Gpu, "internal: no buffer set"))?;
            let slots = r.slots as u32;
            let cap = r.hit_cap;
            // Round 0 of a one-item pass has the epilogue label its hits with `label` as
            // the tag; they are read instead of the compacted records (see
            // RoundOut::labelled).
            let (label, nch) = match label {
                Some((tag, nch)) if round0 && !r.label_off => (Some(tag), nch.max(1)),
                _ => (None, 1),
            };
            let mut t = std::time::Instant::now();
            // Slots past this round's are DONE from the last round, unless that round
            // failed: then the whole ring is cleared first.
            if !r.ring_clean {
                r.set
                    .write(buffer::RING, 0, &protocol::encode_empty_ring(slots)?)?;
            }
            r.set.write(
                buffer::CONTROL,
                0,
                &protocol::encode_control(false, 1, 64, slots)?,
            )?;
            match slots_in {
                Slots::Args(args) => {
                    r.set
                        .write(buffer::RING, 0, bytemuck::cast_slice(&encode_slots(args)))?;
                }
                Slots::Template(n, fresh) => {
                    if let Some(args) = fresh {
                        // Until this round succeeds the template matches no key.
                        r.template = None;
                        let words = encode_slots(args);
                        r.set
                            .write(buffer::EXTRA + 4, 0, bytemuck::cast_slice(&words))?;
                    }
                    r.set
                        .copy_on_device(buffer::EXTRA + 4, 0, buffer::RING, 0, n as u64 * 64)?;
                }
            }
            // Round 0 uses the region table the last round 0's epilogue wrote (or the
            // fixed one), and has its epilogue write the other table; fix-up rounds
            // append overflow records only.
            let lay = RingLayout::of(r.slots, self.mk.workgroup_size_x());
            let mut table = r
                .table
                .filter(|t| round0 && t.n == n && t.fixed == self.region);
            if let (true, Some(per), None) = (round0, self.region, table) {
                let at = lay.tables[0];
                let starts: Vec<u32> = (0..=n)
                    .map(|k| (lay.regions + 2 * (k * per).min(lay.room)) as u32)
                    .collect();
                r.set
                    .write(buffer::EXTRA + 2, at as u64 * 4, &le_bytes(&starts))?;
                table = Some(RegionTable {
                    n,
                    at,
                    fixed: Some(per),
                });
            }
            let next = if table.is_some_and(|t| t.at == lay.tables[0]) {
                lay.tables[1]
            } else {
                lay.tables[0]
            };
            let mut header = [0u32; hdr::WORDS];
            header[hdr::OVF_CAP] = cap as u32;
            header[hdr::TABLE] = table.map_or(0, |t| t.at as u32);
            header[hdr::OVF_BASE] = lay.overflow as u32;
            header[hdr::FINISH_N] = if round0 { n as u32 } else { 0 };
            header[hdr::NEXT] = next as u32;
            header[hdr::REGIONS] = lay.regions as u32;
            header[hdr::ROOM] = lay.room as u32;
            header[hdr::COMPACT] = lay.compact as u32;
            header[hdr::PREFIX] = lay.prefix as u32;
            header[hdr::TILES] = lay.tiles as u32;
            header[hdr::MISMATCH_CAP] = hdr::MISMATCH_CAP_WORDS as u32;
            if let Some(tag) = label {
                header[hdr::LABEL] = 1;
                header[hdr::LABELLED] = lay.labelled as u32;
                header[hdr::TAG] = tag;
                header[hdr::EXC_CAP] = hdr::EXC_CAP_WORDS as u32;
            }
            let hits_at = if label.is_some() {
                lay.labelled
            } else {
                lay.compact
            };
            r.set.write(buffer::EXTRA + 2, 0, &le_bytes(&header))?;
            // Read with the dispatch: the header and mismatch list; the results (all, or
            // round 0's `lasts`); as many compacted and overflow records as the last
            // round 0 found (the rest, if any, in a second read below), into the pass's
            // spare buffers.
            let (hint, held_hint) = if round0 {
                (r.hits_hint.min(cap), r.held_hint.min(lay.room))
            } else {
                (0, 0)
            };
            let few = lasts.filter(|l| l.len() <= MAX_LASTS);
            let (results, compact, records) = if round0 {
                let sp = &mut r.spare;
                (
                    if few.is_none() {
                        std::mem::take(&mut sp.results)
                    } else {
                        Vec::new()
                    },
                    std::mem::take(&mut sp.compact),
                    std::mem::take(&mut sp.records),
                )
            } else {
                Default::default()
            };
            let mut reads = vec![
                ReadRequest {
                    buffer: buffer::EXTRA + 2,
                    offset: 0,
                    data: vec![
                        0;
                        4 * (hdr::WORDS
                            + if round0 { hdr::MISMATCH_CAP_WORDS } else { 0 }
                            + if label.is_some() {
                                hdr::EXC_CAP_WORDS
                            } else {
                                0
                            })
                    ],
                },
                ReadRequest {
                    buffer: buffer::EXTRA + 2,
                    offset: hits_at as u64 * 4,
                    data: sized(compact, 16 * held_hint),
                },
                ReadRequest {
                    buffer: buffer::EXTRA + 2,
                    offset: lay.overflow as u64 * 4,
                    data: sized(records, 16 * hint),
                },
            ];
            match few {
                Some(l) => reads.extend(l.iter().map(|&slot| ReadRequest {
                    buffer: buffer::EXTRA + 3,
                    offset: 12 * slot as u64,
                    data: vec![0; 12],
                })),
                None => reads.push(ReadRequest {
                    buffer: buffer::EXTRA + 3,
                    offset: 0,
                    data: sized(results, n * 12),
                }),
            }
            // One lane per chunk: enough workgroups that no lane walks several chunks
            // one after another (the engine caps this at the adapter's limit).
            let opts = DispatchOptions {
                worker_groups: (n as u32).div_ceil(self.mk.workgroup_size_x()).max(1),
                max_wall_time: self.wall_time,
                ..Default::default()
            };
            trace("  ring encode + write", &mut t);
            r.ring_clean = false;
            if round0 {
                // Until this round succeeds, neither table is known to be sound.
                r.table = None;
            }
            let mut report = r.set.dispatch_and_read(&opts, &mut reads)?;
            trace(
                &format!("  dispatch + read ({} waves)", report.waves),
                &mut t,
            );
            // A slow adapter (lavapipe on a big pass) can reach the dispatch's wall-time
            // limit with slots still yielding: every wave moves each claimed slot on, so
            // dispatch again until they are done (the ring and the hit ring carry over;
            // the epilogue runs after every wave, so the last one's summary stands).
            while report.faulted == 0
                && report.remaining() != 0
                && report.stop == StopReason::TimeLimit
                && report.recovered == 0
            {
                report = r.set.dispatch_and_read(&opts, &mut reads)?;
                trace("  dispatch continued", &mut t);
            }
            if report.recovered != 0 {
                // The set was rebuilt from its mirror after a device loss: the mirror's
                // ring still holds earlier rounds' slots as published, and they ran
                // again. Run this round once more on a cleared ring.
                r.ring_clean = false;
                continue;
            }
            if report.faulted != 0 || report.remaining() != 0 {
                return Err(Error::new(
                    Status::Gpu,
                    format!(
                        "DFA_SCAN did not complete: {} slots faulted, {} remaining",
                        report.faulted,
                        report.remaining()
                    ),
                ));
            }
            r.ring_clean = true;
            let mut it = reads.into_iter().map(|r| r.data);
            let head = it.next().unwrap_or_default();
            let h = |i: usize| word(&head, i) as usize;
            let count = h(hdr::OVF_COUNT);
            if count > cap {
                // Counted, never silent: grow the ring to hold every hit and run again.
                let (slots, t, hb) = (r.slots, r.table_bytes, r.hay_bytes);
                let old = res.take();
                let mut grown = None;
                // The retry runs without a region table: all hits may overflow.
                ensure(&self.mk, &mut grown, slots, t, hb, count + h(hdr::HELD))?;
                if let (Some(g), Some(o)) = (grown.as_mut(), old) {
                    // Carry the table and haystack over from the old mirror.
                    g.set
                        .write(buffer::EXTRA, 0, &o.set.mirror(buffer::EXTRA)?)?;
                    g.set
                        .write(buffer::EXTRA + 1, 0, &o.set.mirror(buffer::EXTRA + 1)?)?;
                    g.set
                        .write(buffer::EXTRA + 4, 0, &o.set.mirror(buffer::EXTRA + 4)?)?;
                    g.dfas = o.dfas;
                    g.hay = o.hay;
                    g.template = o.template;
                    g.spare = o.spare;
                    g.hits_hint = o.hits_hint;
                    g.held_hint = o.held_hint;
                    g.label_off = o.label_off;
                }
                *res = grown;
                continue;
            }
            let held = if round0 { h(hdr::HELD) } else { 0 };
            if held > lay.room {
                return Err(Error::new(
                    Status::Gpu,
                    format!(
                        "internal: regions held {held} hits, more than their room {}",
                        lay.room
                    ),
                ));
            }
            let mut compact = sized(it.next().unwrap_or_default(), 16 * held);
            let mut records = sized(it.next().unwrap_or_default(), 16 * count);
            // The labelled copy stands when it holds every hit of the round, final, and no
            // chunk needs a fix-up; otherwise the compacted records are read instead.
            // Mismatches only where a group's first chunk follows the previous group's
            // last (different tables; the one segment starts there) need no fix-up.
            let m = h(hdr::MISMATCHES);
            let settled = m <= hdr::MISMATCH_CAP_WORDS
                && (0..m).all(|i| word(&head, hdr::WORDS + i) as usize % nch == 0);
            let settled_copy = h(hdr::RAW) == 0 && settled && h(hdr::EXC) <= hdr::EXC_CAP_WORDS;
            let labelled =
                (label.is_some() && count == 0 && settled_copy).then(|| h(hdr::DISORDER) == 0);
            if label.is_some() && !settled_copy {
                r.label_off = true;
            }
            let mut exceptions: Vec<u32> = match labelled {
                Some(_) => {
                    let at = hdr::WORDS + hdr::MISMATCH_CAP_WORDS;
                    (0..h(hdr::EXC)).map(|i| word(&head, at + i)).collect()
                }
                None => Vec::new(),
            };
            exceptions.sort_unstable();
            if label.is_some() && super::tracing() {
                trace(
                    &format!(
                        "  labelled copy: {} left to the host, {} expanded by it, {} out of order, used {}",
                        h(hdr::RAW),
                        h(hdr::EXC),
                        h(hdr::DISORDER),
                        labelled.is_some()
                    ),
                    &mut t,
                );
            }
            let (results, lasts) = match few {
                Some(l) => (
                    Vec::new(),
                    l.iter()
                        .zip(it)
                        .map(|(&slot, d)| (slot, [word(&d, 0), word(&d, 1), word(&d, 2)]))
                        .collect(),
                ),
                None => (it.next().unwrap_or_default(), Vec::new()),
            };
            // What did not ride with the dispatch. A device lost since then runs the
            // round again (its dispatch rebuilds the set).
            let mut rest = || -> Result<()> {
                if label.is_some() && labelled.is_none() {
                    r.set
                        .read_output(buffer::EXTRA + 2, lay.compact as u64 * 4, &mut compact)?;
                } else if held > held_hint {
                    r.set.read_output(
                        buffer::EXTRA + 2,
                        (hits_at + 4 * held_hint) as u64 * 4,
                        &mut compact[16 * held_hint..],
                    )?;
                }
                if count > hint {
                    r.set.read_output(
                        buffer::EXTRA + 2,
                        (lay.overflow * 4 + 16 * hint) as u64,
                        &mut records[16 * hint..],
                    )?;
                }
                Ok(())
            };
            use std::sync::atomic::Ordering::Relaxed;
            if round0
                && self.lose_after.load(Relaxed) != 0
                && self.lose_after.fetch_sub(1, Relaxed) == 1
            {
                self.device.debug_destroy();
            }
            match rest() {
                Err(e) if e.status == Status::DeviceLost && lost_reads < 2 => {
                    lost_reads += 1;
                    r.ring_clean = false;
                    continue;
                }
                other => other?,
            }
            let mut out = RoundOut {
                results,
                lasts,
                compact,
                records,
                mismatches: None,
                labelled,
                exceptions,
            };
            if let Some(h) = out.overflows().find(|h| h.0 as usize >= n) {
                return Err(Error::new(
                    Status::Gpu,
                    format!("internal: a hit names slot {} of a {n}-slot round", h.0),
                ));
            }
            if round0 {
                // Every hit a slot counted is in its region (and copied out) or an
                // overflow record.
                let counted = h(hdr::COUNTED);
                let copied = h(hdr::COPIED);
                if counted != held + count || copied != held {
                    return Err(Error::new(
                        Status::Gpu,
                        format!(
                            "internal: slots counted {counted} hits; regions held {held} ({copied} copied), overflow records {count}"
                        ),
                    ));
                }
                let m = h(hdr::MISMATCHES);
                out.mismatches = (m <= hdr::MISMATCH_CAP_WORDS)
                    .then(|| (0..m).map(|i| word(&head, hdr::WORDS + i)).collect());
                // A little slack, so a count that grows slowly stays within one read.
                r.hits_hint = count + count / 16;
                r.held_hint = held + held / 16;
                r.table = Some(match self.region {
                    Some(per) => RegionTable {
                        n,
                        at: lay.tables[0],
                        fixed: Some(per),
                    },
                    None => RegionTable {
                        n,
                        at: next,
                        fixed: None,
                    },
                });
            }
            trace("  decode", &mut t);
            return Ok(out);
        }
    }
}

/// Ring words publishing one DFA_SCAN slot per args entry (slots 0.., tenant 0, the
/// default priority), written in one go for the hundreds of thousands of chunks of a
/// pass (a built-in opcode with 12 args: nothing to validate per slot). Arg 11 is slot
/// word 15, which a faulting slot overwrites with its fault code; a fault fails the
/// whole scan, so the arg is never read again.
fn encode_slots(args: &[[u32; 12]]) -> Vec<u32> {
    args.iter()
        .flat_map(|a| {
            protocol::ring::published_slot_words(op::DFA_SCAN, 0, protocol::DEFAULT_PRIORITY, a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{reference, DfaSet, Pattern, ResidentHaystack};

    /// A resident scan of `set` over `bytes` on lavapipe, three times (the first sizes
    /// the hit regions; every labelled call must find the same hits, whether it read
    /// them with the dispatch or partly after it): the last call's hits,
    /// whether they came back labelled, and whether round 0 stopped asking for the
    /// labelled copy.
    fn resident(set: &DfaSet, bytes: &[u8], tag: u32) -> (Vec<Hit>, Option<bool>, bool) {
        let _one = crate::gpu::device::GPU_TEST_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let b = GpuBackend::new(None, 128).expect("GPU backend (lavapipe after scripts/setup)");
        let hay = ResidentHaystack::new(bytes.to_vec());
        b.load_groups(set.groups(), &hay).unwrap();
        let mut last = (Vec::new(), None, false);
        let mut first: Option<Vec<Hit>> = None;
        for call in 0..3 {
            last.0.clear();
            last.1 = b
                .scan_resident_labelled(set.groups(), &hay, tag, &mut last.0)
                .unwrap()
                .1;
            if last.1.is_some() {
                let now = sorted(last.0.clone());
                let first = first.get_or_insert(now.clone());
                assert!(*first == now, "call {call} found other hits");
            }
        }
        let cache = hay.cache.lock().unwrap();
        last.2 = cache
            .values()
            .any(|r| r.downcast_ref::<Resident>().unwrap().label_off);
        last
    }

    /// `n` tokens of two rules of the bundled rule file, each verified in the scan lane.
    fn tokens(n: usize) -> Vec<u8> {
        let mut t = Vec::new();
        for i in 0..n {
            match i % 3 {
                0 => t.extend_from_slice(format!("x ghp_{:036} y\n", i * 7919).as_bytes()),
                1 => t.extend_from_slice(format!("id=AKIA{:016} ", i * 31).as_bytes()),
                _ => t.extend_from_slice(b"nothing to see here; "),
            }
        }
        t
    }

    /// The bundled rule file's patterns.
    fn rules() -> Vec<Pattern> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/secrets.rules");
        crate::scan::rule_file_patterns(&std::fs::read_to_string(path).unwrap())
    }

    /// `hits` in (end, pattern) order.
    fn sorted(mut hits: Vec<Hit>) -> Vec<Hit> {
        hits.sort_unstable_by_key(|h| (h.end, h.pattern));
        hits
    }

    /// What a scan of `bytes` reports with `tag`: the reference's hits, one per (end,
    /// id), in order.
    fn expected(p: &[Pattern], bytes: &[u8], tag: u32) -> Vec<Hit> {
        let hits = reference::scan(p, bytes).unwrap();
        let mut want = sorted(hits.into_iter().map(|h| Hit { tag, ..h }).collect());
        want.dedup();
        want
    }

    #[test]
    fn resident_hits_come_back_labelled_with_user_ids() {
        // User ids that the labelling must not confuse: factor hit ids (n..), ids with
        // bit 31 set (the record flag), and one id shared by two rules.
        let mut p = rules();
        let n = p.len() as u32;
        for (i, q) in p.iter_mut().enumerate() {
            q.id = match i % 3 {
                0 => n + i as u32,
                1 => 0x8000_0000 | (i as u32 * 977),
                _ => 7,
            };
        }
        let set = DfaSet::compile(&p, &Default::default()).unwrap();
        assert!(set.prefiltered_count() > 100);
        let bytes = tokens(3000);
        let want = expected(&p, &bytes, 5);
        assert!(want.len() >= 2000, "{} hits", want.len());
        let (got, labelled, off) = resident(&set, &bytes, 5);
        assert!(labelled.is_some() && !off, "not labelled");
        if labelled == Some(true) {
            assert!(got
                .windows(2)
                .all(|w| (w[0].end, w[0].pattern) < (w[1].end, w[1].pattern)));
        }
        assert_eq!(sorted(got), want);
        // A second rule with the github-pat rule's id matches the same tokens: every hit
        // is final, but equal hits are not strictly increasing, so the host must merge.
        let gh = p
            .iter()
            .position(|q| q.expression.starts_with(br"\bghp_"))
            .unwrap();
        p.push(Pattern::regex("ghp_[0-9]{36}", p[gh].id));
        let set = DfaSet::compile(&p, &Default::default()).unwrap();
        let (got, labelled, _) = resident(&set, &bytes, 5);
        assert_eq!(labelled, Some(false));
        assert_eq!(got.len(), want.len() + 1000);
        // A set without prefilter reports user ids as they are.
        let two = [
            Pattern::regex("ab+c", 0xFFFF_FFF0),
            Pattern::literal(b"zz", 3),
        ];
        let plain = DfaSet::from(Dfa::compile(&two, &Default::default()).unwrap());
        let mut unit = b"abbbc zz abc zzz ".to_vec();
        unit.resize(217, b'.');
        let bytes = unit.repeat(200);
        let (got, labelled, _) = resident(&plain, &bytes, 1);
        assert_eq!(labelled, Some(true));
        assert_eq!(got, expected(&two, &bytes, 1));
    }

    #[test]
    fn states_of_several_patterns_expand_in_place() {
        // "bc" and "c" end together: a match state with two patterns. Listed by the
        // epilogue, the host expands it where it stands in the labelled copy.
        let p = [Pattern::literal(b"bc", 4), Pattern::literal(b"c", 6)];
        let set = DfaSet::from(Dfa::compile(&p, &Default::default()).unwrap());
        let mut unit = b"abc xc ".to_vec();
        unit.resize(100, b'.');
        let bytes = unit.repeat(300);
        let (got, labelled, off) = resident(&set, &bytes, 0);
        assert_eq!((labelled, off), (Some(true), false));
        assert_eq!(got, expected(&p, &bytes, 0));
        assert_eq!(got.len(), 900);
        // More such states than the list holds: the copy is not used.
        let bytes = unit.repeat(hdr::EXC_CAP_WORDS + 100);
        let (got, labelled, off) = resident(&set, &bytes, 0);
        assert_eq!((labelled, off), (None, true));
        assert_eq!(sorted(got), expected(&p, &bytes, 0));
    }

    #[test]
    fn hits_only_the_host_resolves_come_back_raw() {
        // Two residual patterns of a prefiltered set end together: a state of two
        // pattern indexes, which the host maps and expands, so the round's hits come
        // back raw (read again from the compacted records) and the haystack stops asking
        // for the labelled copy. Ids equal indexes, so raw hits compare with the
        // reference as they are.
        let mut p = rules();
        p.push(Pattern::regex("q[0-9]{4}z", 0));
        p.push(Pattern::regex("[0-9]{3}z", 0));
        for (i, q) in p.iter_mut().enumerate() {
            q.id = i as u32;
        }
        let set = DfaSet::compile(&p, &Default::default()).unwrap();
        assert!(set.prefiltered_count() > 100);
        let bytes = b"abc q1234z ".repeat(300);
        let (got, labelled, off) = resident(&set, &bytes, 0);
        assert_eq!((labelled, off), (None, true));
        assert_eq!(got.len(), 600);
        assert_eq!(sorted(got), expected(&p, &bytes, 0));
    }

    #[test]
    fn a_bundle_of_several_groups_is_labelled_too() {
        // A residual pattern in its own group next to the literal group: the first
        // chunk of the second group "mismatches" the first group's last chunk (other
        // tables), which needs no fix-up; the copy holds both groups' hits, one group
        // after the other, so it is final but not in order.
        let mut p = rules();
        p.push(Pattern::regex("q[0-9]{4}z", 0x8000_0001));
        p.push(Pattern::regex("[0-9]{3}y", 0x8000_0002));
        let set = DfaSet::compile(&p, &Default::default()).unwrap();
        assert_eq!(set.group_count(), 2);
        let mut bytes = tokens(1500);
        for i in 0..300 {
            bytes.extend_from_slice(format!("q{:04}z {:03}y ", i * 7, i).as_bytes());
        }
        let (got, labelled, off) = resident(&set, &bytes, 3);
        assert_eq!((labelled, off), (Some(false), false));
        assert_eq!(sorted(got), expected(&p, &bytes, 3));
    }

    fn rec(out: &mut Vec<u8>, slot: u32, set: u32, end: u64) {
        for w in [end as u32, (end >> 32) as u32, set, slot] {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    #[test]
    fn compacted_records_become_hits_with_match_states_expanded_in_place() {
        // "abc", "bc" and "c" all end at the state after "abc": a record naming that
        // state becomes three hits where it stands; resolved records are copied.
        let p = [(b"abc", 7), (b"xbc", 8)].map(|(l, id)| Pattern::literal(l, id));
        let mut p = p.to_vec();
        p.extend([Pattern::literal(b"bc", 9), Pattern::literal(b"c", 11)]);
        let dfa = Dfa::compile(&p, &Default::default()).unwrap();
        let state = b"abc"
            .iter()
            .fold(dfa.start_state(), |s, &b| dfa.next(s, b));
        assert_eq!(dfa.matches(state), &[7, 9, 11]);
        let mut compact = Vec::new();
        rec(&mut compact, 0, MATCH_BIT | 5, 10);
        rec(&mut compact, 0, state, 20);
        rec(&mut compact, 1, MATCH_BIT | 6, 1 << 40);
        rec(&mut compact, 3, state, 40);
        rec(&mut compact, 3, state, 41);
        rec(&mut compact, 3, MATCH_BIT | 8, 50);
        let round = RoundOut {
            results: Vec::new(),
            lasts: Vec::new(),
            compact,
            records: Vec::new(),
            mismatches: None,
            labelled: None,
            exceptions: Vec::new(),
        };
        let mut out = vec![Hit {
            end: 1,
            pattern: 2,
            tag: 3,
        }];
        assert!(round.push_compact(&[&dfa, &dfa], 2, 4, &mut out).unwrap());
        let hit = |end, pattern| Hit {
            end,
            pattern,
            tag: 4,
        };
        let mut want = vec![
            Hit {
                end: 1,
                pattern: 2,
                tag: 3,
            },
            hit(10, 5),
        ];
        want.extend([7, 9, 11].map(|p| hit(20, p)));
        want.push(hit(1 << 40, 6));
        want.extend([7, 9, 11].map(|p| hit(40, p)));
        want.extend([7, 9, 11].map(|p| hit(41, p)));
        want.push(hit(50, 8));
        assert_eq!(out, want);
        // A slot out of range, or a state that names no pattern, is an internal error.
        let mut round = round;
        for (slot, set) in [(4, MATCH_BIT | 5), (0, dfa.start_state())] {
            round.compact.clear();
            rec(&mut round.compact, slot, set, 10);
            let r = round.push_compact(&[&dfa, &dfa], 2, 4, &mut Vec::new());
            assert!(r.is_err(), "slot {slot} set {set}");
        }
    }
}
