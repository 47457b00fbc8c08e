//! `Scanner`: a DFA bound to an execution backend, with one-shot, batch and streaming
//! scans. Every backend implements [`Backend::scan_items`]: scan byte ranges that each
//! enter in a known DFA state, report hits (not EOI) and each range's exit state. The
//! scanner adds the end-of-input step, tags, sorting and the hit-delivery policy.

use super::cpu::{self, Hit};
use super::dfa::Dfa;
use crate::error::{Error, Result};
use std::sync::Arc;

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

/// A DFA plus a backend. Thread safety: `&Scanner` may be used from many threads.
pub struct Scanner {
    dfa: Arc<Dfa>,
    backend: Box<dyn Backend>,
    /// (chunk_len, threads) when the backend is the CPU one.
    cpu: Option<(usize, usize)>,
}

/// Streaming state (Hyperscan streaming mode): carried between pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamState {
    pub state: u32,
    pub offset: u64,
    pub tag: u32,
}

impl Scanner {
    pub fn new(dfa: Arc<Dfa>, backend: Box<dyn Backend>) -> Scanner {
        Scanner {
            dfa,
            backend,
            cpu: None,
        }
    }
    pub fn cpu(dfa: Arc<Dfa>, threads: usize) -> Scanner {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        Scanner::new(
            dfa,
            Box::new(CpuBackend {
                threads,
                chunk_len: 1 << 20,
            }),
        )
    }
    /// Set the chunk length of a CPU backend (no effect on others).
    pub fn set_chunk_len(&mut self, len: usize) {
        if let Some(c) = self.cpu.as_mut() {
            c.0 = len.max(1);
        }
        if let Some((len_, threads)) = self.cpu {
            self.backend = Box::new(CpuBackend {
                threads,
                chunk_len: len_,
            });
        }
    }
    pub fn dfa(&self) -> &Arc<Dfa> {
        &self.dfa
    }
    pub fn backend_name(&self) -> String {
        self.backend.name()
    }

    /// Scan complete inputs (item `i` gets tag `tags[i]`); hits sorted by (tag, end, pattern).
    pub fn scan_many(&self, inputs: &[&[u8]], tags: &[u32]) -> Result<Vec<Hit>> {
        if inputs.len() != tags.len() {
            return Err(Error::invalid("inputs and tags differ in length"));
        }
        let start = self.dfa.start_state();
        let items: Vec<Item<'_>> = inputs
            .iter()
            .zip(tags)
            .map(|(b, &tag)| Item {
                bytes: b,
                state: start,
                base: 0,
                tag,
            })
            .collect();
        let mut hits = Vec::new();
        let exits = self.backend.scan_items(&self.dfa, &items, &mut hits)?;
        for (it, &s) in items.iter().zip(&exits) {
            let tag = it.tag;
            cpu::finish(&self.dfa, s, it.bytes.len() as u64, |p, e| {
                hits.push(Hit {
                    end: e,
                    pattern: p,
                    tag,
                })
            });
        }
        hits.sort_unstable_by_key(|h| (h.tag, h.end, h.pattern));
        Ok(hits)
    }

    /// Scan one complete input.
    pub fn scan(&self, input: &[u8], tag: u32) -> Result<Vec<Hit>> {
        self.scan_many(&[input], &[tag])
    }

    pub fn stream_open(&self, tag: u32) -> StreamState {
        StreamState {
            state: self.dfa.start_state(),
            offset: 0,
            tag,
        }
    }

    /// Feed the next piece of a stream; hits (stream offsets) sorted by (end, pattern).
    pub fn stream_write(&self, st: &mut StreamState, piece: &[u8]) -> Result<Vec<Hit>> {
        let items = [Item {
            bytes: piece,
            state: st.state,
            base: st.offset,
            tag: st.tag,
        }];
        let mut hits = Vec::new();
        let exits = self.backend.scan_items(&self.dfa, &items, &mut hits)?;
        st.state = exits[0];
        st.offset += piece.len() as u64;
        hits.sort_unstable_by_key(|h| (h.end, h.pattern));
        Ok(hits)
    }

    /// End the stream: the matches that end exactly at its end; the state is reset to a
    /// fresh stream so the object can be reused.
    pub fn stream_close(&self, st: &mut StreamState) -> Vec<Hit> {
        let mut hits = Vec::new();
        let tag = st.tag;
        cpu::finish(&self.dfa, st.state, st.offset, |p, e| {
            hits.push(Hit {
                end: e,
                pattern: p,
                tag,
            })
        });
        *st = self.stream_open(tag);
        hits
    }
}
