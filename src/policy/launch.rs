//! The launch policy: from a request (queue, adapter limits, telemetry) to a
//! recommendation (geometry, hit capacity, topology, interpreter or JIT). SPEC §2 steps 1–12.

use super::cache;
use super::enums::{ExecutionMode, PromotionRoute, QueuePressure, Topology};
use super::geometry::LaunchGeometry;
use super::sizing::{GridLimits, SizingPolicy};
use crate::error::{Error, Result};

/// Basis points in 100 %.
pub const BPS_MAX: u16 = 10_000;
/// Hysteresis band around the frontier-density and memory-pressure thresholds.
pub const TOPOLOGY_HYSTERESIS_BPS: u16 = 250;

/// Inputs of one recommendation. Zero means "unknown / derive" for every telemetry field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LaunchRequest {
    /// Logical ring slots or work items queued.
    pub queue_len: u32,
    /// Worker workgroup ceiling; 0 = derive from adapter occupancy.
    pub requested_worker_groups: u32,
    /// Adapter maximum workgroup size in x (must be non-zero).
    pub max_workgroup_size_x: u32,
    /// Adapter maximum workgroups per dimension (must be non-zero).
    pub max_compute_workgroups_per_dimension: u32,
    /// Adapter maximum invocations per workgroup (must be non-zero).
    pub max_compute_invocations_per_workgroup: u32,
    /// Hit capacity wanted by the caller; 0 = derive from the queue.
    pub requested_hit_capacity: u32,
    /// Expected hits per queued item when deriving capacity (0 counts as 1).
    pub expected_hits_per_item: u32,
    /// Opcodes observed hot enough for promotion.
    pub hot_opcode_count: u32,
    /// Descriptor windows observed hot enough for promotion.
    pub hot_window_count: u32,
    /// Slots requeued by priority scheduling since the last recommendation.
    pub requeue_count: u64,
    /// Largest priority age observed since the last recommendation.
    pub max_priority_age: u32,
    /// Nodes of the resident dependency graph (0 = no graph telemetry).
    pub graph_node_count: u32,
    /// Edges of the resident dependency graph.
    pub graph_edge_count: u32,
    /// Frontier density in basis points (0..=10000); 0 = infer from queue and graph.
    pub frontier_density_bps: u16,
    /// Memory pressure in basis points (0..=10000); 0 = infer from resident bytes and budget.
    pub memory_pressure_bps: u16,
    /// Device bytes already resident.
    pub resident_device_bytes: u64,
    /// Hard device memory budget; 0 = unbounded.
    pub device_memory_budget_bytes: u64,
}

impl LaunchRequest {
    /// A plain request: `queue_len` slots, a worker ceiling and a workgroup width, with the
    /// ceiling and width doubling as the adapter's dimension and invocation limits.
    pub const fn direct(queue_len: u32, requested_worker_groups: u32, max_x: u32) -> Self {
        LaunchRequest {
            queue_len,
            requested_worker_groups,
            max_workgroup_size_x: max_x,
            max_compute_workgroups_per_dimension: requested_worker_groups,
            max_compute_invocations_per_workgroup: max_x,
            requested_hit_capacity: 0,
            expected_hits_per_item: 1,
            hot_opcode_count: 0,
            hot_window_count: 0,
            requeue_count: 0,
            max_priority_age: 0,
            graph_node_count: 0,
            graph_edge_count: 0,
            frontier_density_bps: 0,
            memory_pressure_bps: 0,
            resident_device_bytes: 0,
            device_memory_budget_bytes: 0,
        }
    }

    /// The three adapter limits of this request.
    pub const fn limits(&self) -> GridLimits {
        GridLimits::new(
            self.max_workgroup_size_x,
            self.max_compute_workgroups_per_dimension,
            self.max_compute_invocations_per_workgroup,
        )
    }

    /// Zero limits and basis points above 10000 are caller errors.
    pub fn validate(&self) -> Result<()> {
        self.limits().validate()?;
        check_bps(
            "request.frontier_density_bps",
            u32::from(self.frontier_density_bps),
        )?;
        check_bps(
            "request.memory_pressure_bps",
            u32::from(self.memory_pressure_bps),
        )
    }
}

pub(crate) fn check_bps(name: &str, value: u32) -> Result<()> {
    if value > u32::from(BPS_MAX) {
        return Err(Error::invalid(format!(
            "{name} is {value}; basis points run from 0 to 10000 (100 %)"
        )));
    }
    Ok(())
}

/// Output of the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LaunchRecommendation {
    /// Padded geometry for the ring.
    pub geometry: LaunchGeometry,
    /// Worker workgroups selected (after topology-driven shedding).
    pub worker_groups: u32,
    /// Sparse-hit capacity for the launch.
    pub hit_capacity: u32,
    /// Queue pressure class.
    pub pressure: QueuePressure,
    /// Interpreter or JIT.
    pub execution_mode: ExecutionMode,
    /// Topology after hysteresis.
    pub topology: Topology,
    /// Hot opcode counter crossed its threshold.
    pub promote_hot_opcodes: bool,
    /// Hot window counter crossed its threshold.
    pub promote_hot_windows: bool,
    /// Aged or requeued priority work should be lifted on the next publish.
    pub age_priority_work: bool,
    /// Resident bytes plus hit scratch.
    pub estimated_peak_device_bytes: u64,
    /// Budget the estimate was checked against (0 = unbounded).
    pub device_memory_budget_bytes: u64,
    /// Frontier density the decision used (inferred when the request had 0).
    pub frontier_density_bps: u16,
    /// Memory pressure the decision used (inferred when the request had 0).
    pub memory_pressure_bps: u16,
}

impl LaunchRecommendation {
    /// Why the execution mode was chosen.
    pub const fn promotion_route(&self) -> PromotionRoute {
        PromotionRoute::from_decision(
            self.execution_mode,
            self.promote_hot_opcodes,
            self.promote_hot_windows,
        )
    }

    /// Lanes launched: `grid.x · workgroup_size_x`.
    pub const fn lanes(&self) -> u64 {
        self.geometry.dispatch_grid[0] as u64 * self.geometry.workgroup_size_x as u64
    }
}

/// The single policy surface for sizing and routing (13 fields: sizing + 12 thresholds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LaunchPolicy {
    /// Occupancy constants of the grid formulas.
    pub sizing: SizingPolicy,
    /// Smallest derived hit capacity (standard 1024).
    pub min_hit_capacity: u32,
    /// Hits-per-item multiplier when memory is not constrained (standard 2).
    pub hit_capacity_multiplier: u32,
    /// Queue ≥ this many waves of lanes is Saturated (standard 4).
    pub saturated_waves: u32,
    /// Hot opcode count from which opcodes are promoted (standard 8).
    pub hot_opcode_threshold: u32,
    /// Hot window count from which windows are promoted (standard 4).
    pub hot_window_threshold: u32,
    /// Queue length from which the JIT is preferred (standard 4096).
    pub jit_queue_len_threshold: u32,
    /// Priority age from which aged work is lifted (standard 32).
    pub priority_age_threshold: u32,
    /// Density at or below which the frontier is sparse (standard 500 bps).
    pub sparse_frontier_threshold_bps: u16,
    /// Density at or above which the frontier is dense (standard 4000 bps).
    pub dense_frontier_threshold_bps: u16,
    /// Pressure at or above which memory is constrained (standard 8500 bps).
    pub memory_pressure_threshold_bps: u16,
    /// Edge count from which a dense hot graph may fuse (standard 65536).
    pub fusion_edge_threshold: u32,
    /// Resident scratch bytes per hit entry (standard 16).
    pub scratch_bytes_per_hit: u32,
}

impl Default for LaunchPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

/// Request after inference of missing density and pressure.
struct Effective {
    req: LaunchRequest,
    promote_opcodes: bool,
    promote_windows: bool,
}

impl LaunchPolicy {
    /// The contract values of SPEC §2.
    pub const fn standard() -> Self {
        LaunchPolicy {
            sizing: SizingPolicy::standard(),
            min_hit_capacity: 1024,
            hit_capacity_multiplier: 2,
            saturated_waves: 4,
            hot_opcode_threshold: 8,
            hot_window_threshold: 4,
            jit_queue_len_threshold: 4096,
            priority_age_threshold: 32,
            sparse_frontier_threshold_bps: 500,
            dense_frontier_threshold_bps: 4000,
            memory_pressure_threshold_bps: 8500,
            fusion_edge_threshold: 65_536,
            scratch_bytes_per_hit: 16,
        }
    }

    /// Sizing must be valid and the basis-point thresholds at most 10000.
    pub fn validate(&self) -> Result<()> {
        self.sizing.validate()?;
        check_bps(
            "policy.sparse_frontier_threshold_bps",
            u32::from(self.sparse_frontier_threshold_bps),
        )?;
        check_bps(
            "policy.dense_frontier_threshold_bps",
            u32::from(self.dense_frontier_threshold_bps),
        )?;
        check_bps(
            "policy.memory_pressure_threshold_bps",
            u32::from(self.memory_pressure_threshold_bps),
        )
    }

    /// Recommend geometry, hit capacity, topology and route (cached per thread).
    ///
    /// Errors: invalid policy or request (`InvalidArgument`: zero limit, bps > 10000),
    /// values that do not fit the u32 protocol (`Overflow`), estimated peak bytes over the
    /// budget (`OutOfMemory`, message carries both numbers).
    pub fn recommend(&self, request: LaunchRequest) -> Result<LaunchRecommendation> {
        self.validate()?;
        request.validate()?;
        if let Some(hit) = cache::lookup(self, &request) {
            return Ok(hit);
        }
        let rec = self.compute(request, None)?;
        cache::insert(*self, request, rec);
        Ok(rec)
    }

    /// Like [`recommend`](Self::recommend), but keeps `previous` inside the ±250 bps
    /// hysteresis band so borderline telemetry does not flip kernel variants. Bypasses the cache.
    pub fn recommend_with_previous_topology(
        &self,
        request: LaunchRequest,
        previous: Topology,
    ) -> Result<LaunchRecommendation> {
        self.validate()?;
        request.validate()?;
        self.compute(request, Some(previous))
    }

    fn compute(
        &self,
        request: LaunchRequest,
        previous: Option<Topology>,
    ) -> Result<LaunchRecommendation> {
        let eff = self.infer(request);
        let r = &eff.req;
        let raw = self.raw_topology(&eff);
        let topology = self.stabilize(raw, &eff, previous);
        let requested = self.shed_workers(r, topology);
        let plan = self
            .sizing
            .calculate_optimal_grid(r.queue_len, requested, r.limits())?;
        let lanes =
            u64::from(plan.geometry.dispatch_grid[0]) * u64::from(plan.geometry.workgroup_size_x);
        let pressure = self.classify_pressure(r.queue_len, lanes, r.requeue_count);
        let hit_capacity = self.hit_capacity(r)?;
        let peak = self.peak_bytes(r, hit_capacity)?;
        let budget = r.device_memory_budget_bytes;
        if budget != 0 && peak > budget {
            return Err(Error::oom(format!(
                "estimated peak device memory {peak} bytes exceeds the budget of {budget} bytes \
                 ({} resident + {hit_capacity} hits x {} scratch bytes); lower the queue length, \
                 expected hits or resident bytes, or raise the budget",
                r.resident_device_bytes, self.scratch_bytes_per_hit
            )));
        }
        let jit = r.queue_len >= self.jit_queue_len_threshold
            || eff.promote_opcodes
            || eff.promote_windows
            || topology == Topology::FusedDense;
        Ok(LaunchRecommendation {
            geometry: plan.geometry,
            worker_groups: plan.worker_groups,
            hit_capacity,
            pressure,
            execution_mode: if jit {
                ExecutionMode::Jit
            } else {
                ExecutionMode::Interpreter
            },
            topology,
            promote_hot_opcodes: eff.promote_opcodes,
            promote_hot_windows: eff.promote_windows,
            age_priority_work: r.requeue_count > 0
                || r.max_priority_age >= self.priority_age_threshold,
            estimated_peak_device_bytes: peak,
            device_memory_budget_bytes: budget,
            frontier_density_bps: r.frontier_density_bps,
            memory_pressure_bps: r.memory_pressure_bps,
        })
    }

    /// Step 2 (inference) and step 3 (promotions).
    fn infer(&self, mut req: LaunchRequest) -> Effective {
        if req.frontier_density_bps == 0 && req.queue_len > 0 && req.graph_node_count > 0 {
            let nodes = u64::from(req.graph_node_count);
            let active = u64::from(req.queue_len.min(req.graph_node_count));
            req.frontier_density_bps = (active * 10_000 / nodes).clamp(1, 10_000) as u16;
        }
        if req.memory_pressure_bps == 0
            && req.device_memory_budget_bytes > 0
            && req.resident_device_bytes > 0
        {
            let p = u128::from(req.resident_device_bytes) * 10_000
                / u128::from(req.device_memory_budget_bytes);
            req.memory_pressure_bps = p.min(10_000) as u16;
        }
        Effective {
            promote_opcodes: req.hot_opcode_count >= self.hot_opcode_threshold,
            promote_windows: req.hot_window_count >= self.hot_window_threshold,
            req,
        }
    }

    /// Step 4.
    fn raw_topology(&self, eff: &Effective) -> Topology {
        let r = &eff.req;
        if r.queue_len == 0 {
            return Topology::Empty;
        }
        if r.memory_pressure_bps >= self.memory_pressure_threshold_bps {
            return Topology::MemoryConstrained;
        }
        if r.frontier_density_bps <= self.sparse_frontier_threshold_bps {
            return Topology::SparseFrontier;
        }
        let dense = r.frontier_density_bps >= self.dense_frontier_threshold_bps;
        if dense && self.fusion_eligible(eff) {
            Topology::FusedDense
        } else if dense {
            Topology::DenseFrontier
        } else {
            Topology::HybridFrontier
        }
    }

    fn fusion_eligible(&self, eff: &Effective) -> bool {
        eff.req.graph_node_count > 0
            && eff.req.graph_edge_count >= self.fusion_edge_threshold
            && (eff.promote_opcodes || eff.promote_windows)
    }

    /// Step 5: keep the previous topology while telemetry stays inside the band.
    fn stabilize(&self, raw: Topology, eff: &Effective, previous: Option<Topology>) -> Topology {
        let Some(prev) = previous else { return raw };
        if matches!(raw, Topology::Empty | Topology::MemoryConstrained) {
            return raw;
        }
        let h = TOPOLOGY_HYSTERESIS_BPS;
        let density = eff.req.frontier_density_bps;
        let sparse = self.sparse_frontier_threshold_bps;
        let dense = self.dense_frontier_threshold_bps;
        if prev == Topology::MemoryConstrained
            && eff.req.memory_pressure_bps >= self.memory_pressure_threshold_bps.saturating_sub(h)
        {
            return Topology::MemoryConstrained;
        }
        match prev {
            Topology::SparseFrontier
                if raw != Topology::SparseFrontier && density <= sparse.saturating_add(h) =>
            {
                Topology::SparseFrontier
            }
            Topology::HybridFrontier
                if raw == Topology::SparseFrontier && density >= sparse.saturating_sub(h) =>
            {
                Topology::HybridFrontier
            }
            Topology::HybridFrontier
                if matches!(raw, Topology::DenseFrontier | Topology::FusedDense)
                    && density <= dense.saturating_add(h) =>
            {
                Topology::HybridFrontier
            }
            Topology::DenseFrontier
                if raw == Topology::HybridFrontier && density >= dense.saturating_sub(h) =>
            {
                Topology::DenseFrontier
            }
            Topology::FusedDense
                if raw == Topology::HybridFrontier
                    && density >= dense.saturating_sub(h)
                    && self.fusion_eligible(eff) =>
            {
                Topology::FusedDense
            }
            _ => raw,
        }
    }

    /// Step 6: shed workers under memory pressure or on a sparse frontier.
    fn shed_workers(&self, r: &LaunchRequest, topology: Topology) -> u32 {
        let requested = r.requested_worker_groups;
        if topology == Topology::MemoryConstrained && r.memory_pressure_bps > 0 && requested > 1 {
            let threshold = u32::from(self.memory_pressure_threshold_bps);
            let span = (u32::from(BPS_MAX) - threshold).max(1);
            let over = u32::from(r.memory_pressure_bps)
                .saturating_sub(threshold)
                .min(span);
            let shed = 2_500 + over * 2_500 / span;
            let keep = u64::from(10_000 - shed);
            return ((u64::from(requested) * keep / 10_000) as u32).max(1);
        }
        if topology == Topology::SparseFrontier
            && r.graph_node_count > 0
            && r.frontier_density_bps > 0
            && requested > 1
        {
            let span = u32::from(self.sparse_frontier_threshold_bps).max(1);
            let d = u32::from(r.frontier_density_bps).clamp(1, span);
            let scaled = (u64::from(requested) * u64::from(d) / u64::from(span)) as u32;
            return scaled.max(requested.min(32)).min(requested);
        }
        requested
    }

    /// Step 8.
    fn classify_pressure(&self, queue_len: u32, lanes: u64, requeue_count: u64) -> QueuePressure {
        if queue_len == 0 {
            return QueuePressure::Empty;
        }
        let lanes = lanes.max(1);
        let q = u64::from(queue_len);
        if requeue_count > 0 || q >= lanes.saturating_mul(u64::from(self.saturated_waves)) {
            QueuePressure::Saturated
        } else if q >= lanes {
            QueuePressure::Balanced
        } else {
            QueuePressure::Light
        }
    }

    /// Step 9.
    fn hit_capacity(&self, r: &LaunchRequest) -> Result<u32> {
        if r.requested_hit_capacity != 0 {
            return Ok(r.requested_hit_capacity);
        }
        let multiplier = if r.memory_pressure_bps >= self.memory_pressure_threshold_bps {
            1
        } else {
            self.hit_capacity_multiplier
        };
        let hits = r.expected_hits_per_item.max(1);
        let derived = r
            .queue_len
            .checked_mul(hits)
            .and_then(|v| v.checked_mul(multiplier))
            .ok_or_else(|| {
                Error::overflow(format!(
                    "hit capacity {} x {hits} hits x {multiplier} overflows u32; lower the queue \
                 length or expected_hits_per_item, or pass requested_hit_capacity",
                    r.queue_len
                ))
            })?;
        Ok(derived.max(self.min_hit_capacity))
    }

    /// Step 10 (the estimate; the budget check is in `compute`).
    fn peak_bytes(&self, r: &LaunchRequest, hit_capacity: u32) -> Result<u64> {
        let scratch = u64::from(hit_capacity) * u64::from(self.scratch_bytes_per_hit);
        r.resident_device_bytes.checked_add(scratch).ok_or_else(|| {
            Error::overflow(
                "resident bytes plus hit scratch overflow u64; lower resident_device_bytes",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn standard_values() {
        let p = LaunchPolicy::standard();
        assert_eq!(p.sizing, SizingPolicy::standard());
        assert_eq!(
            (
                p.min_hit_capacity,
                p.hit_capacity_multiplier,
                p.saturated_waves,
                p.hot_opcode_threshold
            ),
            (1024, 2, 4, 8)
        );
        assert_eq!(
            (
                p.hot_window_threshold,
                p.jit_queue_len_threshold,
                p.priority_age_threshold
            ),
            (4, 4096, 32)
        );
        assert_eq!(
            (
                p.sparse_frontier_threshold_bps,
                p.dense_frontier_threshold_bps,
                p.memory_pressure_threshold_bps
            ),
            (500, 4000, 8500)
        );
        assert_eq!(
            (p.fusion_edge_threshold, p.scratch_bytes_per_hit),
            (65_536, 16)
        );
        assert_eq!(TOPOLOGY_HYSTERESIS_BPS, 250);
        assert_eq!(LaunchPolicy::default(), p);
    }

    #[test]
    fn policy_and_request_validation() {
        let mut p = LaunchPolicy::standard();
        p.dense_frontier_threshold_bps = 10_001;
        assert_eq!(p.validate().unwrap_err().status, Status::InvalidArgument);
        let mut r = LaunchRequest::direct(10, 4, 64);
        r.memory_pressure_bps = 10_001;
        let e = LaunchPolicy::standard().recommend(r).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("memory_pressure_bps"));
        r.memory_pressure_bps = 10_000;
        assert!(LaunchPolicy::standard().recommend(r).is_ok());
    }

    #[test]
    fn hit_capacity_overflow_is_an_error() {
        let mut r = LaunchRequest::direct(u32::MAX / 2, 64, 256);
        r.expected_hits_per_item = 3;
        let e = LaunchPolicy::standard().recommend(r).unwrap_err();
        assert_eq!(e.status, Status::Overflow);
        r.requested_hit_capacity = 10;
        assert_eq!(
            LaunchPolicy::standard().recommend(r).unwrap().hit_capacity,
            10
        );
    }

    #[test]
    fn peak_overflow_is_an_error() {
        let mut r = LaunchRequest::direct(10, 4, 64);
        r.resident_device_bytes = u64::MAX;
        assert_eq!(
            LaunchPolicy::standard().recommend(r).unwrap_err().status,
            Status::Overflow
        );
    }
}
