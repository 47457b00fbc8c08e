//! Conversions between the C structs and the policy types (C → Rust validates).

#[allow(unused_imports)]
use super::*;

pub(super) fn bps_in(name: &str, value: u32) -> Result<u16> {
    launch::check_bps(name, value)?;
    Ok(value as u16)
}

pub(super) fn enum_in<T>(
    name: &str,
    raw: u32,
    from_raw: fn(u32) -> Option<T>,
    count: usize,
) -> Result<T> {
    from_raw(raw).ok_or_else(|| {
        Error::invalid(format!(
            "{name} is {raw}; valid values are 0..={} (see the VYRE_* constants)",
            count - 1
        ))
    })
}

pub(super) const fn flag(b: bool) -> u32 {
    b as u32
}

pub(super) fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl vyre_workload_hints {
    pub(super) fn to_rust(self) -> Result<config::WorkloadHints> {
        Ok(config::WorkloadHints {
            hot_opcode_count: self.hot_opcode_count,
            hot_window_count: self.hot_window_count,
            graph_node_count: self.graph_node_count,
            graph_edge_count: self.graph_edge_count,
            frontier_density_bps: bps_in(
                "workload.frontier_density_bps",
                self.frontier_density_bps,
            )?,
            memory_pressure_bps: bps_in("workload.memory_pressure_bps", self.memory_pressure_bps)?,
            resident_device_bytes: self.resident_device_bytes,
            device_memory_budget_bytes: self.device_memory_budget_bytes,
        })
    }
    pub(super) fn from_rust(h: &config::WorkloadHints) -> Self {
        vyre_workload_hints {
            hot_opcode_count: h.hot_opcode_count,
            hot_window_count: h.hot_window_count,
            graph_node_count: h.graph_node_count,
            graph_edge_count: h.graph_edge_count,
            frontier_density_bps: h.frontier_density_bps.into(),
            memory_pressure_bps: h.memory_pressure_bps.into(),
            resident_device_bytes: h.resident_device_bytes,
            device_memory_budget_bytes: h.device_memory_budget_bytes,
        }
    }
}

impl vyre_megakernel_config {
    pub(super) fn to_rust(self) -> Result<config::MegakernelConfig> {
        Ok(config::MegakernelConfig {
            worker_count: self.worker_count,
            max_wall_time: Duration::from_nanos(self.max_wall_time_ns),
            expected_items_per_worker: self.expected_items_per_worker,
            workload: self.workload.to_rust()?,
        })
    }
    pub(super) fn from_rust(c: &config::MegakernelConfig) -> Self {
        vyre_megakernel_config {
            worker_count: c.worker_count,
            expected_items_per_worker: c.expected_items_per_worker,
            max_wall_time_ns: duration_ns(c.max_wall_time),
            workload: vyre_workload_hints::from_rust(&c.workload),
        }
    }
}

impl vyre_grid_limits {
    pub(super) fn to_rust(self) -> sizing::GridLimits {
        sizing::GridLimits::new(
            self.max_workgroup_size_x,
            self.max_compute_workgroups_per_dimension,
            self.max_compute_invocations_per_workgroup,
        )
    }
}

impl vyre_launch_request {
    pub(super) fn to_rust(self) -> Result<launch::LaunchRequest> {
        Ok(launch::LaunchRequest {
            queue_len: self.queue_len,
            requested_worker_groups: self.requested_worker_groups,
            max_workgroup_size_x: self.max_workgroup_size_x,
            max_compute_workgroups_per_dimension: self.max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup: self.max_compute_invocations_per_workgroup,
            requested_hit_capacity: self.requested_hit_capacity,
            expected_hits_per_item: self.expected_hits_per_item,
            hot_opcode_count: self.hot_opcode_count,
            hot_window_count: self.hot_window_count,
            requeue_count: self.requeue_count,
            max_priority_age: self.max_priority_age,
            graph_node_count: self.graph_node_count,
            graph_edge_count: self.graph_edge_count,
            frontier_density_bps: bps_in(
                "request.frontier_density_bps",
                self.frontier_density_bps,
            )?,
            memory_pressure_bps: bps_in("request.memory_pressure_bps", self.memory_pressure_bps)?,
            resident_device_bytes: self.resident_device_bytes,
            device_memory_budget_bytes: self.device_memory_budget_bytes,
        })
    }
    pub(super) fn from_rust(r: &launch::LaunchRequest) -> Self {
        vyre_launch_request {
            queue_len: r.queue_len,
            requested_worker_groups: r.requested_worker_groups,
            max_workgroup_size_x: r.max_workgroup_size_x,
            max_compute_workgroups_per_dimension: r.max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup: r.max_compute_invocations_per_workgroup,
            requested_hit_capacity: r.requested_hit_capacity,
            expected_hits_per_item: r.expected_hits_per_item,
            hot_opcode_count: r.hot_opcode_count,
            hot_window_count: r.hot_window_count,
            max_priority_age: r.max_priority_age,
            graph_node_count: r.graph_node_count,
            graph_edge_count: r.graph_edge_count,
            frontier_density_bps: r.frontier_density_bps.into(),
            memory_pressure_bps: r.memory_pressure_bps.into(),
            requeue_count: r.requeue_count,
            resident_device_bytes: r.resident_device_bytes,
            device_memory_budget_bytes: r.device_memory_budget_bytes,
        }
    }
}

impl vyre_launch_geometry {
    pub(super) fn to_rust(self) -> geometry::LaunchGeometry {
        geometry::LaunchGeometry {
            workgroup_size_x: self.workgroup_size_x,
            slot_count: self.slot_count,
            dispatch_grid: self.dispatch_grid,
        }
    }
    pub(super) fn from_rust(g: &geometry::LaunchGeometry) -> Self {
        vyre_launch_geometry {
            workgroup_size_x: g.workgroup_size_x,
            slot_count: g.slot_count,
            dispatch_grid: g.dispatch_grid,
        }
    }
}

impl vyre_launch_recommendation {
    pub(super) fn from_rust(r: &launch::LaunchRecommendation) -> Self {
        vyre_launch_recommendation {
            geometry: vyre_launch_geometry::from_rust(&r.geometry),
            worker_groups: r.worker_groups,
            hit_capacity: r.hit_capacity,
            pressure: r.pressure.raw(),
            execution_mode: r.execution_mode.raw(),
            topology: r.topology.raw(),
            promote_hot_opcodes: flag(r.promote_hot_opcodes),
            promote_hot_windows: flag(r.promote_hot_windows),
            age_priority_work: flag(r.age_priority_work),
            promotion_route: r.promotion_route().raw(),
            frontier_density_bps: r.frontier_density_bps.into(),
            memory_pressure_bps: r.memory_pressure_bps.into(),
            estimated_peak_device_bytes: r.estimated_peak_device_bytes,
            device_memory_budget_bytes: r.device_memory_budget_bytes,
        }
    }
}

impl vyre_launch_policy {
    pub(super) fn to_rust(self) -> Result<launch::LaunchPolicy> {
        let s = &self.sizing;
        let p = launch::LaunchPolicy {
            sizing: sizing::SizingPolicy {
                max_dispatch_workgroups: s.max_dispatch_workgroups,
                occupancy_divisor: s.occupancy_divisor,
                powerful_invocation_threshold: s.powerful_invocation_threshold,
                powerful_min_worker_groups: s.powerful_min_worker_groups,
            },
            min_hit_capacity: self.min_hit_capacity,
            hit_capacity_multiplier: self.hit_capacity_multiplier,
            saturated_waves: self.saturated_waves,
            hot_opcode_threshold: self.hot_opcode_threshold,
            hot_window_threshold: self.hot_window_threshold,
            jit_queue_len_threshold: self.jit_queue_len_threshold,
            priority_age_threshold: self.priority_age_threshold,
            sparse_frontier_threshold_bps: bps_in(
                "policy.sparse_frontier_threshold_bps",
                self.sparse_frontier_threshold_bps,
            )?,
            dense_frontier_threshold_bps: bps_in(
                "policy.dense_frontier_threshold_bps",
                self.dense_frontier_threshold_bps,
            )?,
            memory_pressure_threshold_bps: bps_in(
                "policy.memory_pressure_threshold_bps",
                self.memory_pressure_threshold_bps,
            )?,
            fusion_edge_threshold: self.fusion_edge_threshold,
            scratch_bytes_per_hit: self.scratch_bytes_per_hit,
        };
        p.validate()?;
        Ok(p)
    }
    pub(super) fn from_rust(p: &launch::LaunchPolicy) -> Self {
        vyre_launch_policy {
            sizing: vyre_sizing_policy {
                max_dispatch_workgroups: p.sizing.max_dispatch_workgroups,
                occupancy_divisor: p.sizing.occupancy_divisor,
                powerful_invocation_threshold: p.sizing.powerful_invocation_threshold,
                powerful_min_worker_groups: p.sizing.powerful_min_worker_groups,
            },
            min_hit_capacity: p.min_hit_capacity,
            hit_capacity_multiplier: p.hit_capacity_multiplier,
            saturated_waves: p.saturated_waves,
            hot_opcode_threshold: p.hot_opcode_threshold,
            hot_window_threshold: p.hot_window_threshold,
            jit_queue_len_threshold: p.jit_queue_len_threshold,
            priority_age_threshold: p.priority_age_threshold,
            sparse_frontier_threshold_bps: p.sparse_frontier_threshold_bps.into(),
            dense_frontier_threshold_bps: p.dense_frontier_threshold_bps.into(),
            memory_pressure_threshold_bps: p.memory_pressure_threshold_bps.into(),
            fusion_edge_threshold: p.fusion_edge_threshold,
            scratch_bytes_per_hit: p.scratch_bytes_per_hit,
        }
    }
}

impl vyre_topology_evidence {
    pub(super) fn to_rust(self) -> Result<evidence::TopologyEvidence> {
        Ok(evidence::TopologyEvidence {
            schema_version: self.schema_version,
            queue_pressure: enum_in(
                "evidence.queue_pressure",
                self.queue_pressure,
                QueuePressure::from_raw,
                QueuePressure::ALL.len(),
            )?,
            frontier_density_bps: self.frontier_density_bps,
            semiring_frontier_density_bps: self.semiring_frontier_density_bps,
            memory_pressure_bps: self.memory_pressure_bps,
            topology: enum_in(
                "evidence.topology",
                self.topology,
                Topology::from_raw,
                Topology::ALL.len(),
            )?,
            switch_class: enum_in(
                "evidence.switch_class",
                self.switch_class,
                GraphBlasSwitchClass::from_raw,
                GraphBlasSwitchClass::ALL.len(),
            )?,
            resident_device_bytes: self.resident_device_bytes,
            estimated_peak_device_bytes: self.estimated_peak_device_bytes,
            output_parity_required: bool_in(
                self.output_parity_required,
                "evidence.output_parity_required",
            )?,
        })
    }
    pub(super) fn from_rust(e: &evidence::TopologyEvidence) -> Self {
        vyre_topology_evidence {
            schema_version: e.schema_version,
            queue_pressure: e.queue_pressure.raw(),
            frontier_density_bps: e.frontier_density_bps,
            semiring_frontier_density_bps: e.semiring_frontier_density_bps,
            memory_pressure_bps: e.memory_pressure_bps,
            topology: e.topology.raw(),
            switch_class: e.switch_class.raw(),
            output_parity_required: flag(e.output_parity_required),
            resident_device_bytes: e.resident_device_bytes,
            estimated_peak_device_bytes: e.estimated_peak_device_bytes,
        }
    }
}

impl vyre_promotion_evidence {
    pub(super) fn to_rust(self) -> Result<evidence::PromotionEvidence> {
        Ok(evidence::PromotionEvidence {
            schema_version: self.schema_version,
            queue_len: self.queue_len,
            jit_queue_len_threshold: self.jit_queue_len_threshold,
            hot_opcode_count: self.hot_opcode_count,
            hot_opcode_threshold: self.hot_opcode_threshold,
            hot_window_count: self.hot_window_count,
            hot_window_threshold: self.hot_window_threshold,
            execution_mode: enum_in(
                "evidence.execution_mode",
                self.execution_mode,
                ExecutionMode::from_raw,
                ExecutionMode::ALL.len(),
            )?,
            promote_hot_opcodes: bool_in(self.promote_hot_opcodes, "evidence.promote_hot_opcodes")?,
            promote_hot_windows: bool_in(self.promote_hot_windows, "evidence.promote_hot_windows")?,
            route: enum_in(
                "evidence.route",
                self.route,
                PromotionRoute::from_raw,
                PromotionRoute::ALL.len(),
            )?,
            fused_descriptor_window_required: bool_in(
                self.fused_descriptor_window_required,
                "evidence.fused_descriptor_window_required",
            )?,
            output_parity_required: bool_in(
                self.output_parity_required,
                "evidence.output_parity_required",
            )?,
        })
    }
    pub(super) fn from_rust(e: &evidence::PromotionEvidence) -> Self {
        vyre_promotion_evidence {
            schema_version: e.schema_version,
            queue_len: e.queue_len,
            jit_queue_len_threshold: e.jit_queue_len_threshold,
            hot_opcode_count: e.hot_opcode_count,
            hot_opcode_threshold: e.hot_opcode_threshold,
            hot_window_count: e.hot_window_count,
            hot_window_threshold: e.hot_window_threshold,
            execution_mode: e.execution_mode.raw(),
            promote_hot_opcodes: flag(e.promote_hot_opcodes),
            promote_hot_windows: flag(e.promote_hot_windows),
            route: e.route.raw(),
            fused_descriptor_window_required: flag(e.fused_descriptor_window_required),
            output_parity_required: flag(e.output_parity_required),
        }
    }
}

impl vyre_priority_requeue_accounting {
    pub(super) fn to_rust(self) -> priority::PriorityRequeueAccounting {
        priority::PriorityRequeueAccounting {
            requeue_count: self.requeue_count,
            aged_promotions: self.aged_promotions,
            max_priority_age: self.max_priority_age,
        }
    }
    pub(super) fn from_rust(a: &priority::PriorityRequeueAccounting) -> Self {
        vyre_priority_requeue_accounting {
            requeue_count: a.requeue_count,
            aged_promotions: a.aged_promotions,
            max_priority_age: a.max_priority_age,
        }
    }
}

impl vyre_priority_drain_recommendation {
    pub(super) fn from_rust(d: &priority::DrainRecommendation) -> Self {
        vyre_priority_drain_recommendation {
            requeue_count: d.requeue_count,
            aged_promotions: d.aged_promotions,
            requeue_counter_headroom: d.requeue_counter_headroom,
            aged_promotion_counter_headroom: d.aged_promotion_counter_headroom,
            max_priority_age: d.max_priority_age,
            should_drain: flag(d.should_drain),
            reason: d.reason.raw(),
        }
    }
}

/// `grid` must point to 3 writable `u32`.
pub(super) unsafe fn write_grid(out_grid: *mut u32, grid: [u32; 3]) {
    std::ptr::copy_nonoverlapping(grid.as_ptr(), out_grid, 3);
}

/// Borrow `task_count` tasks as the words of a task ring (16 per task).
pub(super) unsafe fn task_words<'a>(
    tasks: *const vyre_task,
    task_count: usize,
) -> Result<&'a [u32]> {
    Ok(bytemuck::cast_slice(slice_ref(tasks, task_count, "tasks")?))
}
