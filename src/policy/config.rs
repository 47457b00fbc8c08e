//! Megakernel dispatch configuration and the launch requests built from it.

use super::launch::{LaunchPolicy, LaunchRecommendation, LaunchRequest};
use super::sizing::{dispatch_grid_for, GridLimits, DEFAULT_WORKER_COUNT};
use super::tasks::TaskQueueSnapshot;
use crate::error::{Error, Result};
use crate::protocol::task::Task;
use std::time::Duration;

/// Default wall-clock budget of a dispatch.
pub const DEFAULT_MAX_WALL_TIME: Duration = Duration::from_secs(60);

/// Optional workload-shape signals the launch policy uses to pick a topology.
/// Zero means "unknown" everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct WorkloadHints {
    /// Opcodes observed hot enough for promotion.
    pub hot_opcode_count: u32,
    /// Descriptor windows observed hot enough for promotion.
    pub hot_window_count: u32,
    /// Nodes of the resident dependency graph.
    pub graph_node_count: u32,
    /// Edges of the resident dependency graph.
    pub graph_edge_count: u32,
    /// Active frontier density in basis points (0..=10000); 0 = infer.
    pub frontier_density_bps: u16,
    /// Device memory pressure in basis points (0..=10000); 0 = infer.
    pub memory_pressure_bps: u16,
    /// Device bytes already resident for this dispatch family.
    pub resident_device_bytes: u64,
    /// Hard device memory budget; 0 = unbounded.
    pub device_memory_budget_bytes: u64,
}

/// Configuration of one megakernel dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MegakernelConfig {
    /// Persistent worker workgroups requested (default 64).
    pub worker_count: u32,
    /// Wall-clock budget before the dispatch drains and returns (default 60 s).
    pub max_wall_time: Duration,
    /// Expected items (hits) per worker; used as expected hits per item (default 0 = 1).
    pub expected_items_per_worker: u32,
    /// Workload-shape hints.
    pub workload: WorkloadHints,
}

impl Default for MegakernelConfig {
    fn default() -> Self {
        MegakernelConfig {
            worker_count: DEFAULT_WORKER_COUNT,
            max_wall_time: DEFAULT_MAX_WALL_TIME,
            expected_items_per_worker: 0,
            workload: WorkloadHints::default(),
        }
    }
}

impl MegakernelConfig {
    /// Zero workers or a zero wall-clock budget make a dispatch unschedulable.
    pub fn validate(&self) -> Result<()> {
        if self.worker_count == 0 {
            return Err(Error::invalid(
                "config.worker_count is 0; use at least 1 worker workgroup (default 64)",
            ));
        }
        if self.max_wall_time.is_zero() {
            return Err(Error::invalid("config.max_wall_time is 0; give the dispatch a positive time budget (default 60 s)"));
        }
        Ok(())
    }

    /// Direct-dispatch grid for `queue_len` slots: `dispatch_grid_for(worker_count, q, max_x)`.
    pub const fn dispatch_grid(&self, queue_len: u32, max_x: u32) -> [u32; 3] {
        dispatch_grid_for(self.worker_count, queue_len, max_x)
    }

    /// Policy request: hints copied, `requested_worker_groups = worker_count`,
    /// `expected_hits_per_item = max(expected_items_per_worker, 1)`.
    pub const fn launch_request(&self, queue_len: u32, limits: GridLimits) -> LaunchRequest {
        let w = &self.workload;
        LaunchRequest {
            queue_len,
            requested_worker_groups: self.worker_count,
            max_workgroup_size_x: limits.max_workgroup_size_x,
            max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
            requested_hit_capacity: 0,
            expected_hits_per_item: if self.expected_items_per_worker > 1 {
                self.expected_items_per_worker
            } else {
                1
            },
            hot_opcode_count: w.hot_opcode_count,
            hot_window_count: w.hot_window_count,
            requeue_count: 0,
            max_priority_age: 0,
            graph_node_count: w.graph_node_count,
            graph_edge_count: w.graph_edge_count,
            frontier_density_bps: w.frontier_density_bps,
            memory_pressure_bps: w.memory_pressure_bps,
            resident_device_bytes: w.resident_device_bytes,
            device_memory_budget_bytes: w.device_memory_budget_bytes,
        }
    }

    /// Request for a task queue: queue = ready + yielded + requeued tasks;
    /// `requeue_count` = yielded + requeued + Σ task requeue counters; `max_priority_age`
    /// = largest task age. Unknown state word → `MalformedBuffer`.
    pub fn launch_request_for_tasks(
        &self,
        tasks: &[Task],
        limits: GridLimits,
    ) -> Result<LaunchRequest> {
        self.request_from_snapshot(TaskQueueSnapshot::from_tasks(tasks)?, limits)
    }

    /// Like [`launch_request_for_tasks`](Self::launch_request_for_tasks) for a ring given as words (16 per task).
    pub fn launch_request_for_task_words(
        &self,
        task_words: &[u32],
        limits: GridLimits,
    ) -> Result<LaunchRequest> {
        self.request_from_snapshot(TaskQueueSnapshot::from_words(task_words)?, limits)
    }

    /// Like [`launch_request_for_tasks`](Self::launch_request_for_tasks) for little-endian bytes (64 per task).
    pub fn launch_request_for_task_bytes(
        &self,
        task_bytes: &[u8],
        limits: GridLimits,
    ) -> Result<LaunchRequest> {
        self.request_from_snapshot(TaskQueueSnapshot::from_bytes(task_bytes)?, limits)
    }

    fn request_from_snapshot(
        &self,
        snap: TaskQueueSnapshot,
        limits: GridLimits,
    ) -> Result<LaunchRequest> {
        snap.apply_to_launch_request(self.launch_request(snap.schedulable_count()?, limits))
    }

    /// Recommendation from the standard policy (through the per-thread cache).
    pub fn launch_recommendation(
        &self,
        queue_len: u32,
        limits: GridLimits,
    ) -> Result<LaunchRecommendation> {
        LaunchPolicy::standard().recommend(self.launch_request(queue_len, limits))
    }

    /// Recommendation for a task queue, from the standard policy.
    pub fn launch_recommendation_for_tasks(
        &self,
        tasks: &[Task],
        limits: GridLimits,
    ) -> Result<LaunchRecommendation> {
        LaunchPolicy::standard().recommend(self.launch_request_for_tasks(tasks, limits)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use crate::protocol::abi::state;

    #[test]
    fn defaults_and_validation() {
        let c = MegakernelConfig::default();
        assert_eq!(c.worker_count, 64);
        assert_eq!(c.max_wall_time, Duration::from_secs(60));
        assert_eq!(c.expected_items_per_worker, 0);
        assert_eq!(c.workload, WorkloadHints::default());
        assert!(c.validate().is_ok());
        let e = MegakernelConfig {
            worker_count: 0,
            ..c
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("worker_count"));
        let e = MegakernelConfig {
            max_wall_time: Duration::ZERO,
            ..c
        }
        .validate()
        .unwrap_err();
        assert!(e.message.contains("max_wall_time"));
    }

    #[test]
    fn pinned_dispatch_grids() {
        let two = MegakernelConfig {
            worker_count: 2,
            ..Default::default()
        };
        assert_eq!(two.dispatch_grid(4096, 64), [2, 1, 1]);
        let c = MegakernelConfig {
            worker_count: 64,
            ..Default::default()
        };
        assert_eq!(c.dispatch_grid(300, 256), [2, 1, 1]);
    }

    #[test]
    fn launch_request_copies_hints() {
        let hints = WorkloadHints {
            hot_opcode_count: 7,
            hot_window_count: 11,
            graph_node_count: 1000,
            graph_edge_count: 4000,
            frontier_density_bps: 7500,
            memory_pressure_bps: 8000,
            resident_device_bytes: 1 << 20,
            device_memory_budget_bytes: 1 << 24,
        };
        let c = MegakernelConfig {
            worker_count: 32,
            expected_items_per_worker: 0,
            workload: hints,
            ..Default::default()
        };
        let r = c.launch_request(128, GridLimits::new(256, 65_535, 1024));
        assert_eq!(r.queue_len, 128);
        assert_eq!(r.requested_worker_groups, 32);
        assert_eq!(r.expected_hits_per_item, 1);
        assert_eq!(
            (
                r.max_workgroup_size_x,
                r.max_compute_workgroups_per_dimension,
                r.max_compute_invocations_per_workgroup
            ),
            (256, 65_535, 1024)
        );
        assert_eq!(
            (
                r.hot_opcode_count,
                r.hot_window_count,
                r.graph_node_count,
                r.graph_edge_count
            ),
            (7, 11, 1000, 4000)
        );
        assert_eq!(
            (r.frontier_density_bps, r.memory_pressure_bps),
            (7500, 8000)
        );
        assert_eq!(
            (r.resident_device_bytes, r.device_memory_budget_bytes),
            (1 << 20, 1 << 24)
        );
        assert_eq!(
            (
                r.requested_hit_capacity,
                r.requeue_count,
                r.max_priority_age
            ),
            (0, 0, 0)
        );
        let c3 = MegakernelConfig {
            expected_items_per_worker: 3,
            ..c
        };
        assert_eq!(
            c3.launch_request(1, GridLimits::default())
                .expected_hits_per_item,
            3
        );
    }

    #[test]
    fn task_requests() {
        let mut words = vec![0u32; 16 * 5];
        let set = |w: &mut Vec<u32>, i: usize, st: u32, age: u32, rq: u32| {
            w[i * 16] = st;
            w[i * 16 + 12] = age;
            w[i * 16 + 13] = rq;
        };
        set(&mut words, 0, state::PUBLISHED, 2, 0);
        set(&mut words, 1, state::YIELD, 9, 0);
        set(&mut words, 2, state::REQUEUE, 33, 3);
        set(&mut words, 3, state::WAIT_IO, 50, 1);
        set(&mut words, 4, state::DONE, 1, 0);
        let c = MegakernelConfig::default();
        let limits = GridLimits::new(256, 65_535, 256);
        let r = c.launch_request_for_task_words(&words, limits).unwrap();
        let tasks: &[Task] = bytemuck::cast_slice(&words);
        assert_eq!(c.launch_request_for_tasks(tasks, limits).unwrap(), r);
        assert_eq!(r.queue_len, 3);
        assert_eq!(r.requeue_count, 1 + 1 + 4);
        assert_eq!(r.max_priority_age, 50);
        let rec = c.launch_recommendation_for_tasks(tasks, limits).unwrap();
        assert!(rec.age_priority_work);
        words[4 * 16] = 99;
        let e = c.launch_request_for_task_words(&words, limits).unwrap_err();
        assert_eq!(e.status, Status::MalformedBuffer);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(
            c.launch_request_for_task_bytes(&bytes, limits)
                .unwrap_err()
                .status,
            Status::MalformedBuffer
        );
    }
}
