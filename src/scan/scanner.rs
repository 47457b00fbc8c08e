//! `Scanner`: a DFA bound to an execution backend, with one-shot, batch and streaming
//! scans. Every backend implements [`Backend::scan_items`]: scan byte ranges that each
//! enter in a known DFA state, report hits (not EOI) and each range's exit state. The
//! scanner adds the end-of-input step, tags, sorting and the hit-delivery policy.

use super::cpu::{self, Hit};
use super::dfa::Dfa;
use crate::error::{Error, Result};
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A haystack loaded once and scanned many times: the bytes stay in host memory and, for
/// the GPU backend, in a resident buffer set next to the DFA table, so a scan uploads only
/// the per-chunk work items. Thread safety: scans of one haystack serialise on its lock.
pub struct ResidentHaystack {
    bytes: Vec<u8>,
    id: u64,
    /// Backend-private resident state (the GPU backend keeps its buffer set here).
    pub(crate) cache: Mutex<Option<Box<dyn Any + Send>>>,
}

static NEXT_HAYSTACK_ID: AtomicU64 = AtomicU64::new(1);

impl ResidentHaystack {
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

    /// Load `bytes` once for repeated [`Scanner::scan_resident`] calls (the GPU backend
    /// uploads them now, with the DFA table, into buffers that stay on the device).
    pub fn load(&self, bytes: &[u8]) -> Result<ResidentHaystack> {
        let mut v = Vec::new();
        v.try_reserve_exact(bytes.len())
            .map_err(|_| Error::oom(format!("cannot allocate {} bytes", bytes.len())))?;
        v.extend_from_slice(bytes);
        let hay = ResidentHaystack {
            bytes: v,
            id: NEXT_HAYSTACK_ID.fetch_add(1, Ordering::Relaxed),
            cache: Mutex::new(None),
        };
        self.backend.load(&self.dfa, &hay)?;
        Ok(hay)
    }

    /// Scan a loaded haystack as one complete input; hits sorted by (end, pattern), all
    /// with `tag`. Same results as `scan(hay.bytes(), tag)`.
    pub fn scan_resident(&self, hay: &ResidentHaystack, tag: u32) -> Result<Vec<Hit>> {
        let mut hits = Vec::new();
        let exit = self.backend.scan_resident(&self.dfa, hay, tag, &mut hits)?;
        cpu::finish(&self.dfa, exit, hay.len() as u64, |p, e| {
            hits.push(Hit {
                end: e,
                pattern: p,
                tag,
            })
        });
        hits.sort_unstable_by_key(|h| (h.end, h.pattern));
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
