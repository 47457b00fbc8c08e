//! Sizing and policy constants, pinned to the Rust layer.

#[allow(unused_imports)]
use super::*;

/// Default persistent worker count of a config.
pub const VYRE_DEFAULT_WORKER_COUNT: u32 = 64;
/// Default workgroup width (lanes in x).
pub const VYRE_DEFAULT_WORKGROUP_SIZE_X: u32 = 64;
/// Standard cap on dispatched worker workgroups.
pub const VYRE_MAX_DISPATCH_WORKGROUPS: u32 = 1024;
/// Standard occupancy divisor (max workgroups per dimension / 256).
pub const VYRE_OCCUPANCY_DIVISOR: u32 = 256;
/// Invocations per workgroup from which an adapter counts as powerful.
pub const VYRE_POWERFUL_INVOCATION_THRESHOLD: u32 = 4096;
/// Minimum worker groups on a powerful adapter.
pub const VYRE_POWERFUL_MIN_WORKER_GROUPS: u32 = 64;
/// Default wall-clock budget of a dispatch, in nanoseconds (60 s).
pub const VYRE_DEFAULT_MAX_WALL_TIME_NS: u64 = 60_000_000_000;
/// Basis points in 100 %: the largest valid basis-point value.
pub const VYRE_BPS_MAX: u32 = 10_000;
/// Hysteresis band around the topology thresholds, in basis points.
pub const VYRE_TOPOLOGY_HYSTERESIS_BPS: u32 = 250;
/// Launch recommendations cached per thread.
pub const VYRE_LAUNCH_CACHE_CAPACITY: u32 = 128;
/// Schema version of the evidence records.
pub const VYRE_EVIDENCE_SCHEMA_VERSION: u32 = 1;
/// A priority counter with at most this many increments left is "near its limit".
pub const VYRE_PRIORITY_DRAIN_NEAR_LIMIT_HEADROOM: u64 = 1024;

const _: () = {
    assert!(VYRE_DEFAULT_WORKER_COUNT == sizing::DEFAULT_WORKER_COUNT);
    assert!(VYRE_DEFAULT_WORKGROUP_SIZE_X == sizing::DEFAULT_WORKGROUP_SIZE_X);
    assert!(VYRE_MAX_DISPATCH_WORKGROUPS == sizing::MAX_DISPATCH_WORKGROUPS);
    assert!(VYRE_OCCUPANCY_DIVISOR == sizing::OCCUPANCY_DIVISOR);
    assert!(VYRE_POWERFUL_INVOCATION_THRESHOLD == sizing::POWERFUL_INVOCATION_THRESHOLD);
    assert!(VYRE_POWERFUL_MIN_WORKER_GROUPS == sizing::POWERFUL_MIN_WORKER_GROUPS);
    assert!(VYRE_DEFAULT_MAX_WALL_TIME_NS == config::DEFAULT_MAX_WALL_TIME.as_nanos() as u64);
    assert!(VYRE_BPS_MAX == launch::BPS_MAX as u32);
    assert!(VYRE_TOPOLOGY_HYSTERESIS_BPS == launch::TOPOLOGY_HYSTERESIS_BPS as u32);
    assert!(VYRE_LAUNCH_CACHE_CAPACITY as usize == cache::LAUNCH_CACHE_CAPACITY);
    assert!(VYRE_EVIDENCE_SCHEMA_VERSION == evidence::EVIDENCE_SCHEMA_VERSION);
    assert!(VYRE_PRIORITY_DRAIN_NEAR_LIMIT_HEADROOM == priority::DRAIN_NEAR_LIMIT_HEADROOM);
};
