//! Launch sizing and routing policy (SPEC §2). Pure maths, no GPU.
//!
//! - [`sizing`]: workgroup width, slot padding, dispatch grid, occupancy, optimal grid;
//! - [`geometry`]: the geometry of one launch and its dispatch parameters;
//! - [`config`]: the dispatch config and the launch requests built from it;
//! - [`launch`]: the launch policy (`recommend`, hysteresis) with its per-thread [`cache`];
//! - [`evidence`]: topology and promotion evidence records;
//! - [`autotune`]: candidate selection and the natural-gradient step;
//! - [`tasks`] / [`priority`]: task-ring telemetry, requeue accounting, diffusion;
//! - [`enums`]: the classification enums with their ABI numbers and names.
//!
//! Every function is total on any input: invalid values are errors, arithmetic that the
//! SPEC does not define as saturating is checked, nothing panics.

pub mod autotune;
pub mod cache;
pub mod config;
pub mod enums;
pub mod evidence;
pub mod geometry;
pub mod launch;
pub mod priority;
pub mod sizing;
pub mod tasks;

#[cfg(test)]
mod tests;

pub use autotune::{natural_gradient_step, natural_gradient_step_into, natural_gradient_step_len};
pub use cache::{
    launch_cache_stats, reset_launch_cache_for_thread, LaunchCacheStats, LAUNCH_CACHE_CAPACITY,
};
pub use config::{MegakernelConfig, WorkloadHints, DEFAULT_MAX_WALL_TIME};
pub use enums::{
    DrainReason, ExecutionMode, GraphBlasSwitchClass, PromotionRoute, QueuePressure, Topology,
};
pub use evidence::{PromotionEvidence, TopologyEvidence, EVIDENCE_SCHEMA_VERSION};
pub use geometry::{DispatchConfig, LaunchGeometry};
pub use launch::{
    LaunchPolicy, LaunchRecommendation, LaunchRequest, BPS_MAX, TOPOLOGY_HYSTERESIS_BPS,
};
pub use priority::{
    diffuse_priority_across_siblings, diffuse_priority_across_siblings_into, DrainRecommendation,
    PriorityRequeueAccounting, DRAIN_NEAR_LIMIT_HEADROOM,
};
pub use sizing::{
    calculate_optimal_grid, default_worker_groups_from_limits, dispatch_grid_for,
    padded_slot_count, worker_workgroup_size, GridLimits, GridPlan, SizingPolicy,
};
pub use tasks::{TaskQueueSnapshot, TASK_BYTES, TASK_WORDS};
