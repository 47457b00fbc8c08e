//! CPU scanners over a [`Dfa`] table: the sequential reference, streaming state, and the
//! chunked parallel model (speculate from the start state, then fix up each chunk
//! boundary by running the true entering state and the speculative state in lockstep
//! until they converge). The GPU scan implements the same algorithm and is tested
//! against [`scan`].

use super::dfa::Dfa;

/// One reported match: the item it came from, the pattern id, and the end offset
/// (exclusive, in the item's / stream's coordinates).
/// `repr(C)`: the GPU scan writes its compacted hits in this layout (little-endian).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct Hit {
    pub end: u64,
    pub pattern: u32,
    pub tag: u32,
}

/// Run `bytes` (which start at absolute offset `base`) from `state`; call `emit(id, end)`
/// for each hit in order; return the state after the last byte. EOI is not applied.
#[inline]
pub fn run(
    dfa: &Dfa,
    mut state: u32,
    base: u64,
    bytes: &[u8],
    mut emit: impl FnMut(u32, u64),
) -> u32 {
    let shift = 1 - dfa.delay() as u64;
    for (i, &b) in bytes.iter().enumerate() {
        state = dfa.next(state, b);
        let ids = dfa.matches(state);
        if !ids.is_empty() {
            let end = base + i as u64 + shift;
            for &id in ids {
                emit(id, end);
            }
        }
    }
    state
}

/// Apply end of input in `state` at absolute offset `end`.
pub fn finish(dfa: &Dfa, state: u32, end: u64, mut emit: impl FnMut(u32, u64)) {
    for &id in dfa.eoi_matches(state) {
        emit(id, end);
    }
}

/// Sequential reference scan of one complete input: all hits sorted by (end, pattern).
pub fn scan(dfa: &Dfa, hay: &[u8]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let s = run(dfa, dfa.start_state(), 0, hay, |p, e| {
        hits.push(Hit {
            end: e,
            pattern: p,
            tag: 0,
        })
    });
    finish(dfa, s, hay.len() as u64, |p, e| {
        hits.push(Hit {
            end: e,
            pattern: p,
            tag: 0,
        })
    });
    hits
}

/// Streaming state (Hyperscan streaming mode): the DFA state and the stream offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub state: u32,
    pub offset: u64,
}

impl Stream {
    pub fn new(dfa: &Dfa) -> Self {
        Stream {
            state: dfa.start_state(),
            offset: 0,
        }
    }
    /// Feed the next piece. A hit is reported as soon as it is decided; with a delayed
    /// table (compiled sets) a match ending exactly at the end of a piece is decided by
    /// the next byte and so arrives with the next piece or at [`Stream::close`].
    pub fn feed(&mut self, dfa: &Dfa, piece: &[u8], emit: impl FnMut(u32, u64)) {
        self.state = run(dfa, self.state, self.offset, piece, emit);
        self.offset += piece.len() as u64;
    }
    pub fn close(self, dfa: &Dfa, emit: impl FnMut(u32, u64)) {
        finish(dfa, self.state, self.offset, emit);
    }
}

/// Result of the lockstep fix-up of one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixup {
    /// Index (relative to the chunk) of the byte after which both runs were in the same
    /// state; `None` if they never met inside the chunk.
    pub converged_at: Option<usize>,
    /// True state after the chunk (only meaningful when `converged_at` is `None`).
    pub end_state: u32,
}

/// Run the true entering state `t` and the speculative start `s` in lockstep over
/// `bytes`; emit the true run's hits until the states meet.
pub fn fixup(
    dfa: &Dfa,
    mut t: u32,
    mut s: u32,
    base: u64,
    bytes: &[u8],
    mut emit: impl FnMut(u32, u64),
) -> Fixup {
    let shift = 1 - dfa.delay() as u64;
    for (i, &b) in bytes.iter().enumerate() {
        t = dfa.next(t, b);
        s = dfa.next(s, b);
        if t == s {
            return Fixup {
                converged_at: Some(i),
                end_state: t,
            };
        }
        for &id in dfa.matches(t) {
            emit(id, base + i as u64 + shift);
        }
    }
    Fixup {
        converged_at: None,
        end_state: t,
    }
}

/// Chunked parallel scan (CPU model of the GPU algorithm), identical to [`scan`] for any
/// pattern set: chunks are scanned speculatively from the start state on `threads`
/// threads; then each chunk boundary is repaired in order with [`fixup`]. In the worst
/// case (runs never converge) this degenerates to a sequential scan.
pub fn scan_chunked(dfa: &Dfa, hay: &[u8], chunk_len: usize, threads: usize) -> Vec<Hit> {
    let (mut out, s) = run_chunked(dfa, dfa.start_state(), 0, hay, 0, chunk_len, threads.max(2));
    finish(dfa, s, hay.len() as u64, |p, e| {
        out.push(Hit {
            end: e,
            pattern: p,
            tag: 0,
        })
    });
    out
}

/// [`run`] for `hay` entering in `state` at absolute offset `base`, split into chunks
/// scanned in parallel (hits tagged `tag`, in order); returns hits and the exit state.
pub fn run_chunked(
    dfa: &Dfa,
    state: u32,
    base: u64,
    hay: &[u8],
    tag: u32,
    chunk_len: usize,
    threads: usize,
) -> (Vec<Hit>, u32) {
    let chunk_len = chunk_len.max(1);
    if threads <= 1 || hay.len() <= chunk_len {
        let mut h = Vec::new();
        let s = run(dfa, state, base, hay, |p, e| {
            h.push(Hit {
                end: e,
                pattern: p,
                tag,
            })
        });
        return (h, s);
    }
    let start = dfa.start_state();
    let ranges: Vec<(usize, usize)> = (0..hay.len())
        .step_by(chunk_len)
        .map(|s| (s, (s + chunk_len).min(hay.len())))
        .collect();
    // Phase 1: speculative scans from the start state, in parallel.
    let mut spec: Vec<(Vec<Hit>, u32)> = vec![(Vec::new(), start); ranges.len()];
    let per = ranges.len().div_ceil(threads).max(1);
    std::thread::scope(|sc| {
        for (rs, out) in ranges.chunks(per).zip(spec.chunks_mut(per)) {
            sc.spawn(move || {
                for (&(a, b), o) in rs.iter().zip(out.iter_mut()) {
                    let mut h = Vec::new();
                    let e = run(dfa, start, base + a as u64, &hay[a..b], |p, e| {
                        h.push(Hit {
                            end: e,
                            pattern: p,
                            tag,
                        })
                    });
                    *o = (h, e);
                }
            });
        }
    });
    // Phase 2: repair each boundary with the true entering state, in order.
    let shift = 1 - dfa.delay() as u64;
    let mut out = Vec::new();
    let mut entering = state;
    for (c, &(a, b)) in ranges.iter().enumerate() {
        let (h, spec_end) = std::mem::take(&mut spec[c]);
        if entering == start {
            out.extend(h);
            entering = spec_end;
            continue;
        }
        let at = base + a as u64;
        let f = fixup(dfa, entering, start, at, &hay[a..b], |p, e| {
            out.push(Hit {
                end: e,
                pattern: p,
                tag,
            })
        });
        match f.converged_at {
            Some(i) => {
                let cut = at + i as u64 + shift;
                out.extend(h.into_iter().filter(|x| x.end >= cut));
                entering = spec_end;
            }
            None => entering = f.end_state,
        }
    }
    (out, entering)
}
