//! GPU backend: the built-in DFA_SCAN opcode (0xFFF0, `dfa_scan.wgsl`) on the megakernel.
//!
//! One pass = one resident set holding the DFA table, a haystack (at most one binding)
//! and a hit ring. Round 0 publishes one slot per chunk: the first chunk of each item
//! runs from the item's true entering state, every other chunk speculatively from the
//! start state. Fix-up rounds then run, for each chunk whose true entering state differs
//! from the start state, the true and the speculative run in lockstep until they meet
//! (mode 1); hits before the meeting point come from the true run, after it from round 0.
//! Chunks whose entering state is only a guess are fixed up with the guess and redone
//! if the guess turns out wrong, so each round settles at least one more chunk; in the
//! worst case (runs never meet) this degenerates to a sequential scan. Hit-ring overflow
//! is detected from the append counter and the round is re-run with enough capacity.

use super::cpu::Hit;
use super::dfa::{Dfa, MATCH_BIT};
use super::scanner::{Backend, Item, Scanner};
use crate::error::{Error, Result, Status};
use crate::gpu::{
    buffer, CustomOpcode, Device, DeviceOptions, DispatchOptions, ExtraKind, Megakernel,
    MegakernelDesc, ReadRequest, ResidentDesc, ResidentSet,
};
use crate::protocol::{self, abi::op};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const WGSL: &str = include_str!("dfa_scan.wgsl");
const NONE: u32 = u32::MAX;
/// Slots per round are capped by the protocol's ring limit.
const MAX_SLOTS: usize = protocol::abi::MAX_RING_SLOTS as usize;

/// Build a scanner on the GPU megakernel (`adapter`: selector, None = VYRE_ADAPTER/best).
pub fn scanner(dfa: Arc<Dfa>, adapter: Option<&str>, chunk: u64) -> Result<Scanner> {
    let backend = GpuBackend::new(adapter, chunk)?;
    Ok(Scanner::new(dfa, Box::new(backend)))
}

/// The DFA_SCAN megakernel on one device. Thread safety: scans serialise on a lock.
pub struct GpuBackend {
    device: Device,
    mk: Megakernel,
    chunk_len: usize,
    /// Largest haystack per pass (one storage binding, word aligned).
    pass_bytes: usize,
    lock: Mutex<()>,
}

impl GpuBackend {
    pub fn new(adapter: Option<&str>, chunk: u64) -> Result<GpuBackend> {
        let device = Device::new(&DeviceOptions {
            adapter: adapter.map(str::to_string),
        })?;
        let desc = MegakernelDesc {
            slot_count: 4096,
            workgroup_size_x: 64,
            opcodes: vec![CustomOpcode {
                opcode: op::DFA_SCAN,
                name: "scan_dfa".into(),
                wgsl: WGSL.into(),
            }],
            extra_buffers: vec![ExtraKind::ReadOnly, ExtraKind::ReadOnly, ExtraKind::Atomic],
            ..Default::default()
        };
        let mk = Megakernel::new_internal(&device, &desc)?;
        let limit = device.limits().max_storage_buffer_binding_size.min(1 << 30) as usize & !3;
        let chunk_len = if chunk == 0 {
            16 << 10
        } else {
            chunk.min(1 << 30) as usize
        };
        Ok(GpuBackend {
            device,
            mk,
            chunk_len,
            pass_bytes: limit,
            lock: Mutex::new(()),
        })
    }

    /// Test hook: a smaller per-pass haystack limit, to exercise multi-pass splitting.
    pub fn set_pass_bytes(&mut self, bytes: usize) {
        self.pass_bytes = bytes.max(4) & !3;
    }
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
        let _g = self
            .lock
            .lock()
            .map_err(|_| Error::new(Status::Poisoned, "GPU scanner lock poisoned"))?;
        let mut exits: Vec<u32> = items.iter().map(|i| i.state).collect();
        // Split items into passes of at most pass_bytes haystack bytes; a piece of an
        // item never shares a pass with its predecessor, so its entering state is known.
        let mut passes: Vec<Vec<Seg>> = vec![Vec::new()];
        let mut fill = 0usize;
        for (i, it) in items.iter().enumerate() {
            let mut from = 0;
            loop {
                let room = self.pass_bytes - fill;
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
        let table = dfa.gpu_words();
        for segs in passes.iter().filter(|p| !p.is_empty()) {
            self.run_pass(dfa, &table, items, segs, &mut exits, hits)?;
        }
        Ok(exits)
    }
}

fn le_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

impl GpuBackend {
    fn run_pass(
        &self,
        dfa: &Dfa,
        table: &[u32],
        items: &[Item<'_>],
        segs: &[Seg],
        exits: &mut [u32],
        out: &mut Vec<Hit>,
    ) -> Result<()> {
        let c = dfa.class_count();
        let start = dfa.start_state() * c;
        // Haystack and chunks.
        let total: usize = segs.iter().map(|s| s.to - s.from).sum();
        let mut chunk_len = self.chunk_len.max(total.div_ceil(MAX_SLOTS)).max(1);
        chunk_len = chunk_len.min(u32::MAX as usize);
        let mut hay = Vec::with_capacity(total.next_multiple_of(4).max(4));
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut seg_chunks: Vec<(usize, usize)> = Vec::new();
        for (si, s) in segs.iter().enumerate() {
            let at = hay.len();
            let it = &items[s.item];
            hay.extend_from_slice(&it.bytes[s.from..s.to]);
            let abs0 = it.base.wrapping_add(s.from as u64).wrapping_sub(at as u64);
            let first = chunks.len();
            let mut p = at;
            while p < hay.len() {
                let e = (p + chunk_len).min(hay.len());
                chunks.push(Chunk {
                    seg: si,
                    pos: p as u32,
                    end: e as u32,
                    abs0,
                });
                p = e;
            }
            seg_chunks.push((first, chunks.len()));
        }
        hay.resize(hay.len().next_multiple_of(4).max(4), 0);
        if chunks.is_empty() {
            return Ok(());
        }
        let entering0: Vec<u32> = segs.iter().map(|s| exits[s.item] * c).collect();
        // Round 0: speculative scan of every chunk (first chunk of a segment: true state).
        let args0: Vec<[u32; 9]> = chunks
            .iter()
            .enumerate()
            .map(|(k, ch)| {
                let first = seg_chunks[ch.seg].0 == k;
                let s = if first { entering0[ch.seg] } else { start };
                [
                    0,
                    0,
                    ch.pos,
                    ch.end,
                    ch.abs0 as u32,
                    (ch.abs0 >> 32) as u32,
                    s,
                    start,
                    0,
                ]
            })
            .collect();
        let mut cap = (total / 64).clamp(4096, 1 << 24);
        let (res0, hits0) = self.round(table, &hay, &args0, &mut cap)?;
        let spec_exit: Vec<u32> = res0.iter().map(|a| a[6] & !MATCH_BIT).collect();
        let mut spec_hits: Vec<Vec<(u32, u64)>> = vec![Vec::new(); chunks.len()];
        for (slot, set, end) in hits0 {
            spec_hits[slot as usize].push((set, end));
        }
        // Fix-up rounds.
        let mut memo: HashMap<(usize, u32), FixResult> = HashMap::new();
        loop {
            let mut launch: Vec<(usize, u32)> = Vec::new();
            for (si, &(a, b)) in seg_chunks.iter().enumerate() {
                let mut entering = entering0[si];
                for k in a..b {
                    if k == a {
                        entering = spec_exit[k];
                        continue;
                    }
                    if entering == start {
                        entering = spec_exit[k];
                    } else if let Some(f) = memo.get(&(k, entering)) {
                        entering = if f.met_at == NONE {
                            f.exit
                        } else {
                            spec_exit[k]
                        };
                    } else {
                        launch.push((k, entering));
                        entering = spec_exit[k]; // guess: the runs meet
                    }
                }
            }
            if launch.is_empty() {
                break;
            }
            let args: Vec<[u32; 9]> = launch
                .iter()
                .map(|&(k, e)| {
                    let ch = chunks[k];
                    [
                        1,
                        0,
                        ch.pos,
                        ch.end,
                        ch.abs0 as u32,
                        (ch.abs0 >> 32) as u32,
                        e,
                        start,
                        0,
                    ]
                })
                .collect();
            let (res, fhits) = self.round(table, &hay, &args, &mut cap)?;
            let mut per: Vec<Vec<(u32, u64)>> = vec![Vec::new(); launch.len()];
            for (slot, set, end) in fhits {
                per[slot as usize].push((set, end));
            }
            for ((key, r), h) in launch.into_iter().zip(res).zip(per) {
                memo.insert(
                    key,
                    FixResult {
                        met_at: r[8],
                        exit: r[6] & !MATCH_BIT,
                        hits: h,
                    },
                );
            }
        }
        // Final walk: collect exact hits and exit states.
        let shift = 1 - dfa.delay() as u64;
        for (si, &(a, b)) in seg_chunks.iter().enumerate() {
            let tag = items[segs[si].item].tag;
            let push = |set: u32, end: u64, out: &mut Vec<Hit>| {
                for &id in dfa.matches(set) {
                    out.push(Hit {
                        end,
                        pattern: id,
                        tag,
                    });
                }
            };
            let mut entering = entering0[si];
            for k in a..b {
                if k == a || entering == start {
                    for &(set, end) in &spec_hits[k] {
                        push(set, end, out);
                    }
                    entering = spec_exit[k];
                    continue;
                }
                let f = memo
                    .get(&(k, entering))
                    .ok_or_else(|| Error::new(Status::Gpu, "internal: missing fix-up result"))?;
                for &(set, end) in &f.hits {
                    push(set, end, out);
                }
                if f.met_at == NONE {
                    entering = f.exit;
                } else {
                    let cut = chunks[k].abs0.wrapping_add(f.met_at as u64 + shift);
                    for &(set, end) in spec_hits[k].iter().filter(|h| h.1 >= cut) {
                        push(set, end, out);
                    }
                    entering = spec_exit[k];
                }
            }
            exits[segs[si].item] = entering / c;
        }
        Ok(())
    }

    /// Run one round of DFA_SCAN slots; returns each slot's final args and the hits
    /// (slot, match-set state, end). Re-runs with a larger hit ring on overflow.
    fn round(
        &self,
        table: &[u32],
        hay: &[u8],
        args: &[[u32; 9]],
        cap: &mut usize,
    ) -> Result<(Vec<[u32; 12]>, Vec<(u32, u32, u64)>)> {
        let slots = args.len() as u32;
        loop {
            let set = ResidentSet::new(
                &self.mk,
                &ResidentDesc {
                    slot_count: slots,
                    extra_sizes: vec![
                        (table.len() * 4) as u64,
                        hay.len() as u64,
                        16 + 16 * *cap as u64,
                    ],
                    ..Default::default()
                },
            )?;
            set.write(
                buffer::CONTROL,
                0,
                &protocol::encode_control(false, 1, 64, slots)?,
            )?;
            let mut ring = protocol::encode_empty_ring(slots)?;
            for (i, a) in args.iter().enumerate() {
                protocol::publish_slot(&mut ring, i as u32, 0, op::DFA_SCAN, a)?;
            }
            set.write(buffer::RING, 0, &ring)?;
            set.write(buffer::EXTRA, 0, &le_bytes(table))?;
            set.write(buffer::EXTRA + 1, 0, hay)?;
            set.write(buffer::EXTRA + 2, 0, &le_bytes(&[0, *cap as u32, 0, 0]))?;
            let mut reads = [
                ReadRequest {
                    buffer: buffer::RING,
                    offset: 0,
                    data: vec![0; ring.len()],
                },
                ReadRequest {
                    buffer: buffer::EXTRA + 2,
                    offset: 0,
                    data: vec![0; 16],
                },
            ];
            let report = set.dispatch_and_read(&DispatchOptions::default(), &mut reads)?;
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
            let count =
                u32::from_le_bytes(reads[1].data[0..4].try_into().unwrap_or_default()) as usize;
            if count > *cap {
                // Counted, never silent: grow the ring to hold every hit and run again.
                *cap = count;
                continue;
            }
            let mut rec = vec![0u8; count * 16];
            if count > 0 {
                set.read(buffer::EXTRA + 2, 16, &mut rec)?;
            }
            let w = |b: &[u8], i: usize| {
                u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
            };
            let results = (0..slots as usize)
                .map(|s| {
                    let mut a = [0u32; 12];
                    for (j, v) in a.iter_mut().enumerate() {
                        *v = w(&reads[0].data, s * 16 + 4 + j);
                    }
                    a
                })
                .collect();
            let hits = (0..count)
                .map(|i| {
                    (
                        w(&rec, 4 * i),
                        w(&rec, 4 * i + 1),
                        w(&rec, 4 * i + 2) as u64 | (w(&rec, 4 * i + 3) as u64) << 32,
                    )
                })
                .collect();
            return Ok((results, hits));
        }
    }
}
