//! The policy's classification enums. Each has a stable `u32` value (the C ABI number,
//! never renumbered), a lookup from a raw value that rejects anything out of range, and a
//! stable snake_case name for reports and C (`vyre_topology_name` etc.).

use std::ffi::CStr;

/// Defines a `#[repr(u32)]` enum with `ALL`, `from_raw`, `raw`, `cname` and `name`.
macro_rules! policy_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )+
        }

        impl $name {
            /// Every variant in numeric order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Look a raw ABI value up; `None` for values outside the enum.
            pub const fn from_raw(raw: u32) -> Option<$name> {
                match raw {
                    $( $value => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The stable ABI number of this variant.
            pub const fn raw(self) -> u32 {
                self as u32
            }

            /// Stable NUL-terminated label (static storage, safe to hand to C).
            pub const fn cname(self) -> &'static CStr {
                match self {
                    $( $name::$variant => $label, )+
                }
            }

            /// Stable label for reports and logs.
            pub fn name(self) -> &'static str {
                self.cname().to_str().unwrap_or("unknown")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

policy_enum! {
    /// Scale-aware execution topology chosen for one launch (SPEC §2 step 4).
    pub enum Topology {
        /// Nothing is queued.
        Empty = 0 => c"empty",
        /// Low frontier density: sparse frontier expansion, no block-wide dense scans.
        SparseFrontier = 1 => c"sparse_frontier",
        /// Mid density: sparse frontier queues combined with dense block tiles.
        HybridFrontier = 2 => c"hybrid_frontier",
        /// High density: dense block propagation with coalesced scans.
        DenseFrontier = 3 => c"dense_frontier",
        /// High density on a large graph with hot structure: fused waves.
        FusedDense = 4 => c"fused_dense",
        /// Memory pressure is high enough that bounded occupancy wins.
        MemoryConstrained = 5 => c"memory_constrained",
    }
}

policy_enum! {
    /// How full the queue is relative to the launched lanes (SPEC §2 step 8).
    pub enum QueuePressure {
        /// No logical slots are queued.
        Empty = 0 => c"empty",
        /// Fewer queued slots than launched lanes.
        Light = 1 => c"light",
        /// At least one slot per launched lane.
        Balanced = 2 => c"balanced",
        /// Several waves deep, or requeues are already happening.
        Saturated = 3 => c"saturated",
    }
}

policy_enum! {
    /// Interpreter or fused (JIT) kernel (SPEC §2 step 11).
    pub enum ExecutionMode {
        /// The generic opcode interpreter.
        Interpreter = 0 => c"interpreter",
        /// A fused payload kernel for hot opcodes/windows or long queues.
        Jit = 1 => c"jit",
    }
}

policy_enum! {
    /// Why the policy chose its execution mode (promotion evidence).
    pub enum PromotionRoute {
        /// No promotion: the interpreter runs.
        Interpreter = 0 => c"interpreter",
        /// JIT because the queue is long (or the topology is fused), no hot counters.
        QueueJit = 1 => c"queue_jit",
        /// JIT because hot opcode counters crossed their threshold.
        OpcodeJit = 2 => c"opcode_jit",
        /// JIT because hot descriptor-window counters crossed their threshold.
        WindowJit = 3 => c"window_jit",
        /// JIT because both opcode and window counters crossed their thresholds.
        OpcodeAndWindowJit = 4 => c"opcode_and_window_jit",
    }
}

policy_enum! {
    /// GraphBLAS-style sparse/dense switch class of a topology (topology evidence).
    pub enum GraphBlasSwitchClass {
        /// Nothing is queued.
        Empty = 0 => c"empty",
        /// Sparse frontier expansion.
        Sparse = 1 => c"sparse",
        /// Sparse and dense paths both stay available.
        Hybrid = 2 => c"hybrid",
        /// Dense propagation (dense and fused-dense topologies).
        Dense = 3 => c"dense",
        /// Memory pressure overrides the sparse/dense choice.
        MemoryConstrained = 4 => c"memory_constrained",
    }
}

policy_enum! {
    /// Why a priority scheduler should (or need not) drain its counters.
    pub enum DrainReason {
        /// All counters are zero: nothing to drain.
        None = 0 => c"none",
        /// Counters hold telemetry that the next launch request should carry.
        PendingTelemetry = 1 => c"pending_telemetry",
        /// The requeue counter has at most 1024 increments left before u64 overflow.
        RequeueCounterNearLimit = 2 => c"requeue_counter_near_limit",
        /// The aged-promotion counter has at most 1024 increments left.
        AgedPromotionCounterNearLimit = 3 => c"aged_promotion_counter_near_limit",
        /// The requeue counter is at u64::MAX: no further requeue can be recorded.
        RequeueCounterExhausted = 4 => c"requeue_counter_exhausted",
        /// The aged-promotion counter is at u64::MAX.
        AgedPromotionCounterExhausted = 5 => c"aged_promotion_counter_exhausted",
    }
}

impl Topology {
    /// The GraphBLAS switch class of this topology (dense and fused-dense are both Dense).
    pub const fn switch_class(self) -> GraphBlasSwitchClass {
        match self {
            Topology::Empty => GraphBlasSwitchClass::Empty,
            Topology::SparseFrontier => GraphBlasSwitchClass::Sparse,
            Topology::HybridFrontier => GraphBlasSwitchClass::Hybrid,
            Topology::DenseFrontier | Topology::FusedDense => GraphBlasSwitchClass::Dense,
            Topology::MemoryConstrained => GraphBlasSwitchClass::MemoryConstrained,
        }
    }
}

impl PromotionRoute {
    /// Route for a chosen mode and the two promotion flags.
    pub const fn from_decision(mode: ExecutionMode, opcodes: bool, windows: bool) -> Self {
        match (mode, opcodes, windows) {
            (ExecutionMode::Interpreter, _, _) => PromotionRoute::Interpreter,
            (ExecutionMode::Jit, true, true) => PromotionRoute::OpcodeAndWindowJit,
            (ExecutionMode::Jit, true, false) => PromotionRoute::OpcodeJit,
            (ExecutionMode::Jit, false, true) => PromotionRoute::WindowJit,
            (ExecutionMode::Jit, false, false) => PromotionRoute::QueueJit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check_enum<T: Copy + std::fmt::Debug + Eq>(
        all: &[T],
        raw: fn(T) -> u32,
        from_raw: fn(u32) -> Option<T>,
        name: fn(T) -> &'static str,
    ) {
        let mut names = HashSet::new();
        for (i, v) in all.iter().enumerate() {
            assert_eq!(raw(*v), i as u32, "values are dense from 0");
            assert_eq!(from_raw(i as u32), Some(*v));
            assert!(names.insert(name(*v)), "duplicate name {}", name(*v));
            assert!(!name(*v).is_empty() && name(*v) != "unknown");
        }
        assert_eq!(from_raw(all.len() as u32), None);
        assert_eq!(from_raw(u32::MAX), None);
    }

    #[test]
    fn every_enum_round_trips_and_rejects_out_of_range() {
        check_enum(
            Topology::ALL,
            Topology::raw,
            Topology::from_raw,
            Topology::name,
        );
        check_enum(
            QueuePressure::ALL,
            QueuePressure::raw,
            QueuePressure::from_raw,
            QueuePressure::name,
        );
        check_enum(
            ExecutionMode::ALL,
            ExecutionMode::raw,
            ExecutionMode::from_raw,
            ExecutionMode::name,
        );
        check_enum(
            PromotionRoute::ALL,
            PromotionRoute::raw,
            PromotionRoute::from_raw,
            PromotionRoute::name,
        );
        check_enum(
            GraphBlasSwitchClass::ALL,
            GraphBlasSwitchClass::raw,
            GraphBlasSwitchClass::from_raw,
            GraphBlasSwitchClass::name,
        );
        check_enum(
            DrainReason::ALL,
            DrainReason::raw,
            DrainReason::from_raw,
            DrainReason::name,
        );
    }

    #[test]
    fn pinned_numbers_and_names() {
        assert_eq!(Topology::MemoryConstrained.raw(), 5);
        assert_eq!(Topology::FusedDense.name(), "fused_dense");
        assert_eq!(QueuePressure::Saturated.raw(), 3);
        assert_eq!(ExecutionMode::Jit.raw(), 1);
        assert_eq!(
            PromotionRoute::OpcodeAndWindowJit.name(),
            "opcode_and_window_jit"
        );
        assert_eq!(DrainReason::AgedPromotionCounterExhausted.raw(), 5);
    }

    #[test]
    fn switch_class_folds_fused_into_dense() {
        assert_eq!(Topology::Empty.switch_class(), GraphBlasSwitchClass::Empty);
        assert_eq!(
            Topology::SparseFrontier.switch_class(),
            GraphBlasSwitchClass::Sparse
        );
        assert_eq!(
            Topology::HybridFrontier.switch_class(),
            GraphBlasSwitchClass::Hybrid
        );
        assert_eq!(
            Topology::DenseFrontier.switch_class(),
            GraphBlasSwitchClass::Dense
        );
        assert_eq!(
            Topology::FusedDense.switch_class(),
            GraphBlasSwitchClass::Dense
        );
        assert_eq!(
            Topology::MemoryConstrained.switch_class(),
            GraphBlasSwitchClass::MemoryConstrained
        );
    }

    #[test]
    fn route_follows_mode_and_promotions() {
        use ExecutionMode::*;
        assert_eq!(
            PromotionRoute::from_decision(Interpreter, true, true),
            PromotionRoute::Interpreter
        );
        assert_eq!(
            PromotionRoute::from_decision(Jit, false, false),
            PromotionRoute::QueueJit
        );
        assert_eq!(
            PromotionRoute::from_decision(Jit, true, false),
            PromotionRoute::OpcodeJit
        );
        assert_eq!(
            PromotionRoute::from_decision(Jit, false, true),
            PromotionRoute::WindowJit
        );
        assert_eq!(
            PromotionRoute::from_decision(Jit, true, true),
            PromotionRoute::OpcodeAndWindowJit
        );
    }
}
