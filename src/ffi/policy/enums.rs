//! Enum numbers (`VYRE_TOPOLOGY_*` etc.), pinned to the Rust enums.

#[allow(unused_imports)]
use super::*;

/// Dispatch topology chosen for a launch (`VYRE_TOPOLOGY_*`). Name: `vyre_topology_name()`.
pub type vyre_topology = u32;
/// Nothing is queued.
pub const VYRE_TOPOLOGY_EMPTY: vyre_topology = 0;
/// Low frontier density: sparse frontier expansion.
pub const VYRE_TOPOLOGY_SPARSE_FRONTIER: vyre_topology = 1;
/// Mid density: sparse queues plus dense tiles.
pub const VYRE_TOPOLOGY_HYBRID_FRONTIER: vyre_topology = 2;
/// High density: dense block propagation.
pub const VYRE_TOPOLOGY_DENSE_FRONTIER: vyre_topology = 3;
/// High density on a large hot graph: fused waves.
pub const VYRE_TOPOLOGY_FUSED_DENSE: vyre_topology = 4;
/// Memory pressure bounds occupancy.
pub const VYRE_TOPOLOGY_MEMORY_CONSTRAINED: vyre_topology = 5;

/// Queue pressure class of a launch (`VYRE_QUEUE_PRESSURE_*`).
pub type vyre_queue_pressure = u32;
/// No slots queued.
pub const VYRE_QUEUE_PRESSURE_EMPTY: vyre_queue_pressure = 0;
/// Fewer queued slots than launched lanes.
pub const VYRE_QUEUE_PRESSURE_LIGHT: vyre_queue_pressure = 1;
/// At least one slot per launched lane.
pub const VYRE_QUEUE_PRESSURE_BALANCED: vyre_queue_pressure = 2;
/// Several waves deep, or requeues observed.
pub const VYRE_QUEUE_PRESSURE_SATURATED: vyre_queue_pressure = 3;

/// Interpreter or fused kernel (`VYRE_EXECUTION_MODE_*`).
pub type vyre_execution_mode = u32;
/// The generic opcode interpreter.
pub const VYRE_EXECUTION_MODE_INTERPRETER: vyre_execution_mode = 0;
/// A fused (JIT) payload kernel.
pub const VYRE_EXECUTION_MODE_JIT: vyre_execution_mode = 1;

/// Why the execution mode was chosen (`VYRE_PROMOTION_ROUTE_*`).
pub type vyre_promotion_route = u32;
/// No promotion: interpreter.
pub const VYRE_PROMOTION_ROUTE_INTERPRETER: vyre_promotion_route = 0;
/// JIT for queue length (or a fused topology) without hot counters.
pub const VYRE_PROMOTION_ROUTE_QUEUE_JIT: vyre_promotion_route = 1;
/// JIT for hot opcodes.
pub const VYRE_PROMOTION_ROUTE_OPCODE_JIT: vyre_promotion_route = 2;
/// JIT for hot descriptor windows.
pub const VYRE_PROMOTION_ROUTE_WINDOW_JIT: vyre_promotion_route = 3;
/// JIT for hot opcodes and hot windows.
pub const VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT: vyre_promotion_route = 4;

/// GraphBLAS sparse/dense switch class of a topology (`VYRE_GRAPHBLAS_SWITCH_CLASS_*`).
pub type vyre_graphblas_switch_class = u32;
/// Nothing queued.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY: vyre_graphblas_switch_class = 0;
/// Sparse expansion.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE: vyre_graphblas_switch_class = 1;
/// Sparse and dense both available.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID: vyre_graphblas_switch_class = 2;
/// Dense propagation (dense and fused-dense topologies).
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE: vyre_graphblas_switch_class = 3;
/// Memory pressure overrides the choice.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED: vyre_graphblas_switch_class = 4;

/// Reason of a priority drain recommendation (`VYRE_PRIORITY_DRAIN_REASON_*`).
pub type vyre_priority_drain_reason = u32;
/// All counters zero.
pub const VYRE_PRIORITY_DRAIN_REASON_NONE: vyre_priority_drain_reason = 0;
/// Counters hold telemetry for the next launch request.
pub const VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY: vyre_priority_drain_reason = 1;
/// Requeue counter has ≤ 1024 increments left.
pub const VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT: vyre_priority_drain_reason = 2;
/// Aged-promotion counter has ≤ 1024 increments left.
pub const VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT: vyre_priority_drain_reason =
    3;
/// Requeue counter is at UINT64_MAX.
pub const VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED: vyre_priority_drain_reason = 4;
/// Aged-promotion counter is at UINT64_MAX.
pub const VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED: vyre_priority_drain_reason =
    5;

const _: () = {
    assert!(VYRE_TOPOLOGY_EMPTY == Topology::Empty as u32);
    assert!(VYRE_TOPOLOGY_SPARSE_FRONTIER == Topology::SparseFrontier as u32);
    assert!(VYRE_TOPOLOGY_HYBRID_FRONTIER == Topology::HybridFrontier as u32);
    assert!(VYRE_TOPOLOGY_DENSE_FRONTIER == Topology::DenseFrontier as u32);
    assert!(VYRE_TOPOLOGY_FUSED_DENSE == Topology::FusedDense as u32);
    assert!(VYRE_TOPOLOGY_MEMORY_CONSTRAINED == Topology::MemoryConstrained as u32);
    assert!(VYRE_QUEUE_PRESSURE_EMPTY == QueuePressure::Empty as u32);
    assert!(VYRE_QUEUE_PRESSURE_LIGHT == QueuePressure::Light as u32);
    assert!(VYRE_QUEUE_PRESSURE_BALANCED == QueuePressure::Balanced as u32);
    assert!(VYRE_QUEUE_PRESSURE_SATURATED == QueuePressure::Saturated as u32);
    assert!(VYRE_EXECUTION_MODE_INTERPRETER == ExecutionMode::Interpreter as u32);
    assert!(VYRE_EXECUTION_MODE_JIT == ExecutionMode::Jit as u32);
    assert!(VYRE_PROMOTION_ROUTE_INTERPRETER == PromotionRoute::Interpreter as u32);
    assert!(VYRE_PROMOTION_ROUTE_QUEUE_JIT == PromotionRoute::QueueJit as u32);
    assert!(VYRE_PROMOTION_ROUTE_OPCODE_JIT == PromotionRoute::OpcodeJit as u32);
    assert!(VYRE_PROMOTION_ROUTE_WINDOW_JIT == PromotionRoute::WindowJit as u32);
    assert!(
        VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT == PromotionRoute::OpcodeAndWindowJit as u32
    );
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY == GraphBlasSwitchClass::Empty as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE == GraphBlasSwitchClass::Sparse as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID == GraphBlasSwitchClass::Hybrid as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE == GraphBlasSwitchClass::Dense as u32);
    assert!(
        VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED
            == GraphBlasSwitchClass::MemoryConstrained as u32
    );
    assert!(VYRE_PRIORITY_DRAIN_REASON_NONE == DrainReason::None as u32);
    assert!(VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY == DrainReason::PendingTelemetry as u32);
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT
            == DrainReason::RequeueCounterNearLimit as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT
            == DrainReason::AgedPromotionCounterNearLimit as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED
            == DrainReason::RequeueCounterExhausted as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED
            == DrainReason::AgedPromotionCounterExhausted as u32
    );
};
