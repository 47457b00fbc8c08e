//! Evidence records (schema version 1) that make topology and promotion decisions
//! auditable: benches and parity tests store them next to their results.

use super::enums::{ExecutionMode, GraphBlasSwitchClass, PromotionRoute, QueuePressure, Topology};
use super::launch::{LaunchPolicy, LaunchRecommendation, LaunchRequest, BPS_MAX};
use crate::error::Result;

/// Schema version written into every evidence record.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 1;

/// Why a topology was chosen. Basis-point fields are `u32` so a record read back from
/// storage can carry (and `is_complete` can reject) out-of-range values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TopologyEvidence {
    /// [`EVIDENCE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Queue pressure of the launch.
    pub queue_pressure: QueuePressure,
    /// Frontier density as the caller supplied it (0 = not supplied).
    pub frontier_density_bps: u32,
    /// Density of the semiring frontier the decision used (inferred when not supplied).
    pub semiring_frontier_density_bps: u32,
    /// Memory pressure the decision used (inferred when not supplied).
    pub memory_pressure_bps: u32,
    /// Chosen topology.
    pub topology: Topology,
    /// GraphBLAS switch class of the topology.
    pub switch_class: GraphBlasSwitchClass,
    /// Device bytes already resident.
    pub resident_device_bytes: u64,
    /// Estimated peak device bytes.
    pub estimated_peak_device_bytes: u64,
    /// Outputs must match the reference path bit for bit (always true).
    pub output_parity_required: bool,
}

impl TopologyEvidence {
    /// Evidence for `rec`, computed from `request`.
    pub const fn new(request: &LaunchRequest, rec: &LaunchRecommendation) -> Self {
        TopologyEvidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            queue_pressure: rec.pressure,
            frontier_density_bps: request.frontier_density_bps as u32,
            semiring_frontier_density_bps: rec.frontier_density_bps as u32,
            memory_pressure_bps: rec.memory_pressure_bps as u32,
            topology: rec.topology,
            switch_class: rec.topology.switch_class(),
            resident_device_bytes: request.resident_device_bytes,
            estimated_peak_device_bytes: rec.estimated_peak_device_bytes,
            output_parity_required: true,
        }
    }

    /// Schema 1, every density/pressure ≤ 10000 bps, and parity required.
    pub const fn is_complete(&self) -> bool {
        let max = BPS_MAX as u32;
        self.schema_version == EVIDENCE_SCHEMA_VERSION
            && self.frontier_density_bps <= max
            && self.semiring_frontier_density_bps <= max
            && self.memory_pressure_bps <= max
            && self.output_parity_required
    }
}

/// Why hot opcodes/windows were (or were not) promoted to the JIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PromotionEvidence {
    /// [`EVIDENCE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Queue length of the launch.
    pub queue_len: u32,
    /// Queue length from which the JIT is preferred.
    pub jit_queue_len_threshold: u32,
    /// Hot opcode count supplied.
    pub hot_opcode_count: u32,
    /// Hot opcode threshold of the policy.
    pub hot_opcode_threshold: u32,
    /// Hot window count supplied.
    pub hot_window_count: u32,
    /// Hot window threshold of the policy.
    pub hot_window_threshold: u32,
    /// Chosen mode.
    pub execution_mode: ExecutionMode,
    /// Opcodes promoted.
    pub promote_hot_opcodes: bool,
    /// Windows promoted.
    pub promote_hot_windows: bool,
    /// Route behind the mode.
    pub route: PromotionRoute,
    /// A fused descriptor window is needed (= windows promoted).
    pub fused_descriptor_window_required: bool,
    /// Outputs must match the interpreter bit for bit (always true).
    pub output_parity_required: bool,
}

impl PromotionEvidence {
    /// Evidence for `rec` under `policy`, computed from `request`.
    pub const fn new(
        policy: &LaunchPolicy,
        request: &LaunchRequest,
        rec: &LaunchRecommendation,
    ) -> Self {
        PromotionEvidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            queue_len: request.queue_len,
            jit_queue_len_threshold: policy.jit_queue_len_threshold,
            hot_opcode_count: request.hot_opcode_count,
            hot_opcode_threshold: policy.hot_opcode_threshold,
            hot_window_count: request.hot_window_count,
            hot_window_threshold: policy.hot_window_threshold,
            execution_mode: rec.execution_mode,
            promote_hot_opcodes: rec.promote_hot_opcodes,
            promote_hot_windows: rec.promote_hot_windows,
            route: rec.promotion_route(),
            fused_descriptor_window_required: rec.promote_hot_windows,
            output_parity_required: true,
        }
    }

    /// Schema 1, non-zero thresholds, and parity required.
    pub const fn is_complete(&self) -> bool {
        self.schema_version == EVIDENCE_SCHEMA_VERSION
            && self.jit_queue_len_threshold != 0
            && self.hot_opcode_threshold != 0
            && self.hot_window_threshold != 0
            && self.output_parity_required
    }
}

impl LaunchPolicy {
    /// [`recommend`](Self::recommend) plus its topology evidence.
    pub fn recommend_with_topology_evidence(
        &self,
        request: LaunchRequest,
    ) -> Result<(LaunchRecommendation, TopologyEvidence)> {
        let rec = self.recommend(request)?;
        Ok((rec, TopologyEvidence::new(&request, &rec)))
    }

    /// [`recommend`](Self::recommend) plus its promotion evidence.
    pub fn recommend_with_promotion_evidence(
        &self,
        request: LaunchRequest,
    ) -> Result<(LaunchRecommendation, PromotionEvidence)> {
        let rec = self.recommend(request)?;
        Ok((rec, PromotionEvidence::new(self, &request, &rec)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_evidence_records_inferred_density() {
        let mut r = LaunchRequest::direct(100, 64, 256);
        r.graph_node_count = 1000;
        r.resident_device_bytes = 4096;
        r.device_memory_budget_bytes = 1 << 20;
        let (rec, ev) = LaunchPolicy::standard()
            .recommend_with_topology_evidence(r)
            .unwrap();
        assert_eq!(ev.schema_version, 1);
        assert_eq!(ev.frontier_density_bps, 0, "as supplied");
        assert_eq!(ev.semiring_frontier_density_bps, 1000, "100 of 1000 nodes");
        assert_eq!(ev.memory_pressure_bps, 39, "4096 * 10000 / 1 MiB");
        assert_eq!(ev.topology, Topology::HybridFrontier);
        assert_eq!(ev.switch_class, GraphBlasSwitchClass::Hybrid);
        assert_eq!(ev.queue_pressure, rec.pressure);
        assert_eq!(ev.resident_device_bytes, 4096);
        assert_eq!(
            ev.estimated_peak_device_bytes,
            rec.estimated_peak_device_bytes
        );
        assert!(ev.output_parity_required);
        assert!(ev.is_complete());
        assert!(!TopologyEvidence {
            schema_version: 2,
            ..ev
        }
        .is_complete());
        assert!(!TopologyEvidence {
            frontier_density_bps: 10_001,
            ..ev
        }
        .is_complete());
        assert!(!TopologyEvidence {
            semiring_frontier_density_bps: 10_001,
            ..ev
        }
        .is_complete());
        assert!(!TopologyEvidence {
            memory_pressure_bps: 10_001,
            ..ev
        }
        .is_complete());
        assert!(!TopologyEvidence {
            output_parity_required: false,
            ..ev
        }
        .is_complete());
        assert!(TopologyEvidence {
            frontier_density_bps: 10_000,
            ..ev
        }
        .is_complete());
    }

    #[test]
    fn promotion_evidence_routes() {
        let p = LaunchPolicy::standard();
        let mut r = LaunchRequest::direct(100, 64, 256);
        let (_, ev) = p.recommend_with_promotion_evidence(r).unwrap();
        assert_eq!(
            (ev.execution_mode, ev.route),
            (ExecutionMode::Interpreter, PromotionRoute::Interpreter)
        );
        assert!(!ev.fused_descriptor_window_required);
        r.queue_len = 4096;
        let (_, ev) = p.recommend_with_promotion_evidence(r).unwrap();
        assert_eq!(
            (ev.execution_mode, ev.route),
            (ExecutionMode::Jit, PromotionRoute::QueueJit)
        );
        r.hot_opcode_count = 8;
        assert_eq!(
            p.recommend_with_promotion_evidence(r).unwrap().1.route,
            PromotionRoute::OpcodeJit
        );
        r.hot_window_count = 4;
        let (_, ev) = p.recommend_with_promotion_evidence(r).unwrap();
        assert_eq!(ev.route, PromotionRoute::OpcodeAndWindowJit);
        assert!(ev.fused_descriptor_window_required);
        r.hot_opcode_count = 7;
        let (_, ev) = p.recommend_with_promotion_evidence(r).unwrap();
        assert_eq!(ev.route, PromotionRoute::WindowJit);
        assert_eq!(
            (
                ev.hot_opcode_count,
                ev.hot_opcode_threshold,
                ev.hot_window_count,
                ev.hot_window_threshold
            ),
            (7, 8, 4, 4)
        );
        assert_eq!((ev.queue_len, ev.jit_queue_len_threshold), (4096, 4096));
        assert!(ev.is_complete());
        assert!(!PromotionEvidence {
            jit_queue_len_threshold: 0,
            ..ev
        }
        .is_complete());
        assert!(!PromotionEvidence {
            hot_opcode_threshold: 0,
            ..ev
        }
        .is_complete());
        assert!(!PromotionEvidence {
            hot_window_threshold: 0,
            ..ev
        }
        .is_complete());
        assert!(!PromotionEvidence {
            schema_version: 0,
            ..ev
        }
        .is_complete());
        assert!(!PromotionEvidence {
            output_parity_required: false,
            ..ev
        }
        .is_complete());
    }
}
