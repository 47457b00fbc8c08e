//! Per-thread least-recently-used cache of launch recommendations (SPEC §2 step 1).
//!
//! Keyed by the whole policy and request, so a hit is always the exact answer the policy
//! would compute. Per thread, because dispatch loops usually run on one thread and a
//! thread-local needs no lock.

use super::launch::{LaunchPolicy, LaunchRecommendation, LaunchRequest};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Entries kept per thread.
pub const LAUNCH_CACHE_CAPACITY: usize = 128;

/// Cache telemetry of the calling thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LaunchCacheStats {
    /// Live entries (at most [`LAUNCH_CACHE_CAPACITY`]).
    pub entries: usize,
    /// Recommendations served from the cache.
    pub hits: u64,
    /// Recommendations computed because the cache had no entry.
    pub misses: u64,
}

type Key = (LaunchPolicy, LaunchRequest);

/// Multiply-rotate hasher (the rustc "Fx" scheme): the key is ~40 small integers, for
/// which SipHash costs more than the recommendation itself. No HashDoS concern: keys
/// come from the calling thread's own requests.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

const NIL: usize = usize::MAX;

/// One slot of the recency list (most recent at `head`, least recent at `tail`).
struct Entry {
    key: Key,
    rec: LaunchRecommendation,
    prev: usize,
    next: usize,
}

/// Fixed-capacity LRU: a hash map from key to slot, and a doubly linked recency list
/// threaded through the slots, so lookup, touch and eviction are all O(1).
struct LaunchCache {
    index: HashMap<Key, usize, BuildHasherDefault<FxHasher>>,
    slots: Vec<Entry>,
    head: usize,
    tail: usize,
    hits: u64,
    misses: u64,
}

impl Default for LaunchCache {
    fn default() -> Self {
        LaunchCache {
            index: HashMap::default(),
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            hits: 0,
            misses: 0,
        }
    }
}

impl LaunchCache {
    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.slots[i].prev, self.slots[i].next);
        match prev {
            NIL => self.head = next,
            p => self.slots[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n].prev = prev,
        }
    }

    fn push_front(&mut self, i: usize) {
        self.slots[i].prev = NIL;
        self.slots[i].next = self.head;
        match self.head {
            NIL => self.tail = i,
            h => self.slots[h].prev = i,
        }
        self.head = i;
    }

    fn lookup(&mut self, key: &Key) -> Option<LaunchRecommendation> {
        match self.index.get(key).copied() {
            Some(i) => {
                if self.head != i {
                    self.unlink(i);
                    self.push_front(i);
                }
                self.hits = self.hits.saturating_add(1);
                Some(self.slots[i].rec)
            }
            None => {
                self.misses = self.misses.saturating_add(1);
                None
            }
        }
    }

    fn insert(&mut self, key: Key, rec: LaunchRecommendation) {
        let i = if let Some(&i) = self.index.get(&key) {
            self.unlink(i);
            i
        } else if self.slots.len() < LAUNCH_CACHE_CAPACITY {
            self.slots.push(Entry {
                key,
                rec,
                prev: NIL,
                next: NIL,
            });
            self.slots.len() - 1
        } else {
            let i = self.tail;
            self.unlink(i);
            self.index.remove(&self.slots[i].key);
            i
        };
        self.slots[i].key = key;
        self.slots[i].rec = rec;
        self.index.insert(key, i);
        self.push_front(i);
    }
}

thread_local! {
    static CACHE: RefCell<LaunchCache> = RefCell::new(LaunchCache::default());
}

pub(crate) fn lookup(
    policy: &LaunchPolicy,
    request: &LaunchRequest,
) -> Option<LaunchRecommendation> {
    CACHE.with(|c| c.borrow_mut().lookup(&(*policy, *request)))
}

pub(crate) fn insert(policy: LaunchPolicy, request: LaunchRequest, rec: LaunchRecommendation) {
    CACHE.with(|c| c.borrow_mut().insert((policy, request), rec));
}

/// Hit/miss counters and entry count of the calling thread's cache.
pub fn launch_cache_stats() -> LaunchCacheStats {
    CACHE.with(|c| {
        let c = c.borrow();
        LaunchCacheStats {
            entries: c.slots.len(),
            hits: c.hits,
            misses: c.misses,
        }
    })
}

/// Drop every entry and zero the counters of the calling thread's cache.
pub fn reset_launch_cache_for_thread() {
    CACHE.with(|c| *c.borrow_mut() = LaunchCache::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::enums::Topology;

    fn request(q: u32) -> LaunchRequest {
        LaunchRequest::direct(q, 64, 256)
    }

    #[test]
    fn hits_misses_and_reset() {
        reset_launch_cache_for_thread();
        let p = LaunchPolicy::standard();
        let a = p.recommend(request(300)).unwrap();
        assert_eq!(
            launch_cache_stats(),
            LaunchCacheStats {
                entries: 1,
                hits: 0,
                misses: 1
            }
        );
        let b = p.recommend(request(300)).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            launch_cache_stats(),
            LaunchCacheStats {
                entries: 1,
                hits: 1,
                misses: 1
            }
        );
        // A different policy is a different key.
        let mut other = p;
        other.min_hit_capacity = 1;
        assert_ne!(
            other.recommend(request(300)).unwrap().hit_capacity,
            a.hit_capacity
        );
        assert_eq!(launch_cache_stats().misses, 2);
        reset_launch_cache_for_thread();
        assert_eq!(launch_cache_stats(), LaunchCacheStats::default());
    }

    #[test]
    fn previous_topology_bypasses_the_cache() {
        reset_launch_cache_for_thread();
        let p = LaunchPolicy::standard();
        p.recommend_with_previous_topology(request(300), Topology::HybridFrontier)
            .unwrap();
        p.recommend_with_previous_topology(request(300), Topology::HybridFrontier)
            .unwrap();
        assert_eq!(launch_cache_stats(), LaunchCacheStats::default());
    }

    #[test]
    fn errors_are_not_cached() {
        reset_launch_cache_for_thread();
        let mut r = request(1024);
        r.expected_hits_per_item = 4;
        r.resident_device_bytes = 1024;
        r.device_memory_budget_bytes = 65_536;
        assert!(LaunchPolicy::standard().recommend(r).is_err());
        assert!(LaunchPolicy::standard().recommend(r).is_err());
        let s = launch_cache_stats();
        assert_eq!((s.entries, s.hits, s.misses), (0, 0, 2));
    }

    #[test]
    fn least_recently_used_entry_is_evicted() {
        reset_launch_cache_for_thread();
        let p = LaunchPolicy::standard();
        for q in 1..=LAUNCH_CACHE_CAPACITY as u32 {
            p.recommend(request(q)).unwrap();
        }
        assert_eq!(launch_cache_stats().entries, LAUNCH_CACHE_CAPACITY);
        p.recommend(request(1)).unwrap(); // touch the oldest: now entry 2 is the LRU
        assert_eq!(launch_cache_stats().hits, 1);
        p.recommend(request(1000)).unwrap(); // evicts q = 2
        assert_eq!(launch_cache_stats().entries, LAUNCH_CACHE_CAPACITY);
        p.recommend(request(1)).unwrap();
        assert_eq!(launch_cache_stats().hits, 2, "q = 1 survived");
        let misses = launch_cache_stats().misses;
        p.recommend(request(2)).unwrap();
        assert_eq!(launch_cache_stats().misses, misses + 1, "q = 2 was evicted");
        assert_eq!(launch_cache_stats().entries, LAUNCH_CACHE_CAPACITY);
    }

    #[test]
    fn lru_matches_a_reference_model() {
        // Random lookups/inserts over 300 keys against a Vec kept in recency order.
        let mut cache = LaunchCache::default();
        let mut model: Vec<(Key, LaunchRecommendation)> = Vec::new();
        let rec = LaunchPolicy::standard().recommend(request(1)).unwrap();
        let mut seed = 0x1234_5678_u64;
        for step in 0..20_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let key = (LaunchPolicy::standard(), request((seed % 300) as u32));
            let value = LaunchRecommendation {
                hit_capacity: step,
                ..rec
            };
            let pos = model.iter().position(|(k, _)| *k == key);
            if seed % 3 == 0 {
                let got = cache.lookup(&key);
                assert_eq!(got, pos.map(|p| model[p].1));
                if let Some(p) = pos {
                    let e = model.remove(p);
                    model.insert(0, e);
                }
            } else {
                cache.insert(key, value);
                if let Some(p) = pos {
                    model.remove(p);
                } else if model.len() == LAUNCH_CACHE_CAPACITY {
                    model.pop();
                }
                model.insert(0, (key, value));
            }
            assert_eq!(cache.slots.len(), model.len());
            assert_eq!(cache.index.len(), model.len());
        }
        // Walk the recency list from the head: same order as the model.
        let mut order = Vec::new();
        let mut i = cache.head;
        while i != NIL {
            order.push(cache.slots[i].key);
            i = cache.slots[i].next;
        }
        assert_eq!(order, model.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    }

    #[test]
    fn cache_is_per_thread() {
        reset_launch_cache_for_thread();
        LaunchPolicy::standard().recommend(request(5)).unwrap();
        let other = std::thread::spawn(launch_cache_stats).join().unwrap();
        assert_eq!(other, LaunchCacheStats::default());
        assert_eq!(launch_cache_stats().entries, 1);
    }
}
