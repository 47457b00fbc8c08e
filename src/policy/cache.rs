//! Per-thread least-recently-used cache of launch recommendations (SPEC §2 step 1).
//!
//! Keyed by the whole policy and request, so a hit is always the exact answer the policy
//! would compute. Per thread, because dispatch loops usually run on one thread and a
//! thread-local needs no lock.

use super::launch::{LaunchPolicy, LaunchRecommendation, LaunchRequest};
use std::cell::RefCell;
use std::collections::HashMap;

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

#[derive(Default)]
struct LaunchCache {
    /// Value and the tick of its last use.
    entries: HashMap<Key, (LaunchRecommendation, u64)>,
    clock: u64,
    hits: u64,
    misses: u64,
}

impl LaunchCache {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn lookup(&mut self, key: &Key) -> Option<LaunchRecommendation> {
        let now = self.tick();
        match self.entries.get_mut(key) {
            Some((rec, used)) => {
                *used = now;
                self.hits = self.hits.saturating_add(1);
                Some(*rec)
            }
            None => {
                self.misses = self.misses.saturating_add(1);
                None
            }
        }
    }

    fn insert(&mut self, key: Key, rec: LaunchRecommendation) {
        let now = self.tick();
        if self.entries.len() >= LAUNCH_CACHE_CAPACITY && !self.entries.contains_key(&key) {
            // 128 entries: a linear scan for the oldest is cheaper than keeping a list.
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(key, (rec, now));
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
            entries: c.entries.len(),
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
    fn cache_is_per_thread() {
        reset_launch_cache_for_thread();
        LaunchPolicy::standard().recommend(request(5)).unwrap();
        let other = std::thread::spawn(launch_cache_stats).join().unwrap();
        assert_eq!(other, LaunchCacheStats::default());
        assert_eq!(launch_cache_stats().entries, 1);
    }
}
