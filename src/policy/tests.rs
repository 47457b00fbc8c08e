//! SPEC §2 as tests: every pinned value, every recommend step with exact numbers, and
//! seeded property tests over random requests.

use super::*;
use crate::error::Status;
use std::time::Duration;

fn standard() -> LaunchPolicy {
    LaunchPolicy::standard()
}

/// A request on a big adapter with explicit workers.
fn req(queue_len: u32, workers: u32) -> LaunchRequest {
    LaunchRequest {
        queue_len,
        requested_worker_groups: workers,
        max_workgroup_size_x: 256,
        max_compute_workgroups_per_dimension: 65_535,
        max_compute_invocations_per_workgroup: 256,
        expected_hits_per_item: 1,
        ..LaunchRequest::default()
    }
}

// ---------------------------------------------------------------------------------------
// Pinned values of SPEC §2
// ---------------------------------------------------------------------------------------

#[test]
fn spec_sizing_constants() {
    assert_eq!(sizing::DEFAULT_WORKER_COUNT, 64);
    assert_eq!(sizing::DEFAULT_WORKGROUP_SIZE_X, 64);
    assert_eq!(sizing::MAX_DISPATCH_WORKGROUPS, 1024);
    assert_eq!(sizing::OCCUPANCY_DIVISOR, 256);
    assert_eq!(sizing::POWERFUL_INVOCATION_THRESHOLD, 4096);
    assert_eq!(sizing::POWERFUL_MIN_WORKER_GROUPS, 64);
    assert_eq!(
        default_worker_groups_from_limits(1024, 4096),
        64,
        "powerful adapter → ≥ 64 groups"
    );
}

#[test]
fn spec_geometry_pins() {
    let g = LaunchGeometry::from_slots(300, 64, 256);
    assert_eq!(
        (g.workgroup_size_x, g.slot_count, g.dispatch_grid),
        (64, 320, [5, 1, 1])
    );
    let g = LaunchGeometry::from_slots(1, 1000, 256);
    assert_eq!(
        (g.workgroup_size_x, g.slot_count, g.dispatch_grid),
        (256, 256, [1, 1, 1])
    );
    let two = MegakernelConfig {
        worker_count: 2,
        ..Default::default()
    };
    assert_eq!(two.dispatch_grid(4096, 64), [2, 1, 1]);
    let c64 = MegakernelConfig {
        worker_count: 64,
        ..Default::default()
    };
    assert_eq!(c64.dispatch_grid(300, 256), [2, 1, 1]);
}

#[test]
fn spec_config_defaults() {
    let c = MegakernelConfig::default();
    assert_eq!(c.worker_count, 64);
    assert_eq!(c.max_wall_time, Duration::from_secs(60));
    assert_eq!(c.expected_items_per_worker, 0);
    assert_eq!(c.workload, WorkloadHints::default());
    assert_eq!(
        MegakernelConfig {
            worker_count: 0,
            ..c
        }
        .validate()
        .unwrap_err()
        .status,
        Status::InvalidArgument
    );
    assert_eq!(
        MegakernelConfig {
            max_wall_time: Duration::ZERO,
            ..c
        }
        .validate()
        .unwrap_err()
        .status,
        Status::InvalidArgument
    );
}

#[test]
fn spec_standard_policy() {
    let p = standard();
    assert_eq!(p.min_hit_capacity, 1024);
    assert_eq!(p.hit_capacity_multiplier, 2);
    assert_eq!(p.saturated_waves, 4);
    assert_eq!(p.hot_opcode_threshold, 8);
    assert_eq!(p.hot_window_threshold, 4);
    assert_eq!(p.jit_queue_len_threshold, 4096);
    assert_eq!(p.priority_age_threshold, 32);
    assert_eq!(p.sparse_frontier_threshold_bps, 500);
    assert_eq!(p.dense_frontier_threshold_bps, 4000);
    assert_eq!(p.memory_pressure_threshold_bps, 8500);
    assert_eq!(p.fusion_edge_threshold, 65_536);
    assert_eq!(p.scratch_bytes_per_hit, 16);
    assert_eq!(TOPOLOGY_HYSTERESIS_BPS, 250);
    assert_eq!(LAUNCH_CACHE_CAPACITY, 128);
}

#[test]
fn spec_recommend_pin_sparse_300() {
    let mut r = LaunchRequest::direct(300, 64, 256);
    r.expected_hits_per_item = 3;
    let rec = standard().recommend(r).unwrap();
    assert_eq!(rec.geometry.workgroup_size_x, 64);
    assert_eq!(rec.geometry.slot_count, 320);
    assert_eq!(rec.geometry.dispatch_grid, [5, 1, 1]);
    assert_eq!(rec.hit_capacity, 1800);
    assert_eq!(rec.estimated_peak_device_bytes, 28_800);
    assert_eq!(rec.device_memory_budget_bytes, 0);
    assert_eq!(rec.topology, Topology::SparseFrontier);
}

#[test]
fn spec_recommend_pin_out_of_memory() {
    let mut r = req(1024, 64);
    r.expected_hits_per_item = 4;
    r.resident_device_bytes = 1024;
    r.device_memory_budget_bytes = 65_536;
    let e = standard().recommend(r).unwrap_err();
    assert_eq!(e.status, Status::OutOfMemory);
    assert!(
        e.message.contains("132096") && e.message.contains("65536"),
        "{}",
        e.message
    );
}

#[test]
fn spec_recommend_pin_memory_constrained() {
    let c = MegakernelConfig {
        worker_count: 128,
        workload: WorkloadHints {
            resident_device_bytes: 900_000,
            device_memory_budget_bytes: 1_000_000,
            ..Default::default()
        },
        ..Default::default()
    };
    let rec = c
        .launch_recommendation(1024, sizing::GridLimits::new(256, 65_535, 256))
        .unwrap();
    assert_eq!(rec.memory_pressure_bps, 9000);
    assert_eq!(rec.topology, Topology::MemoryConstrained);
    assert_eq!(rec.estimated_peak_device_bytes, 916_384);
    assert!(rec.worker_groups < 128);
    // over = 500, shed = 2500 + 500·2500/1500 = 3333 bps, keep 6667 → 128·6667/10000 = 85.
    assert_eq!(rec.worker_groups, 85);
    let (_, ev) = standard()
        .recommend_with_topology_evidence(
            c.launch_request(1024, sizing::GridLimits::new(256, 65_535, 256)),
        )
        .unwrap();
    assert_eq!(ev.memory_pressure_bps, 9000);
    assert_eq!(ev.switch_class, GraphBlasSwitchClass::MemoryConstrained);
}

// ---------------------------------------------------------------------------------------
// Steps 2–12 with exact numbers
// ---------------------------------------------------------------------------------------

#[test]
fn step2_density_inference() {
    let p = standard();
    let mut r = req(50, 64);
    r.graph_node_count = 1000;
    assert_eq!(p.recommend(r).unwrap().frontier_density_bps, 500);
    r.queue_len = 5000;
    assert_eq!(
        p.recommend(r).unwrap().frontier_density_bps,
        10_000,
        "min(q, nodes)"
    );
    r.queue_len = 1;
    r.graph_node_count = 100_000;
    assert_eq!(
        p.recommend(r).unwrap().frontier_density_bps,
        1,
        "clamped to ≥ 1"
    );
    r.frontier_density_bps = 4321;
    assert_eq!(
        p.recommend(r).unwrap().frontier_density_bps,
        4321,
        "given values are kept"
    );
    let mut no_graph = req(50, 64);
    no_graph.graph_node_count = 0;
    assert_eq!(p.recommend(no_graph).unwrap().frontier_density_bps, 0);
    let mut empty = req(0, 64);
    empty.graph_node_count = 10;
    assert_eq!(
        p.recommend(empty).unwrap().frontier_density_bps,
        0,
        "q = 0: no inference"
    );
}

#[test]
fn step2_memory_pressure_inference() {
    let p = standard();
    let mut r = req(10, 64);
    r.resident_device_bytes = 250;
    r.device_memory_budget_bytes = 1_000_000;
    assert_eq!(
        p.recommend(r).unwrap().memory_pressure_bps,
        2,
        "250·10000/1e6 rounds down"
    );
    r.resident_device_bytes = u64::MAX / 2;
    r.device_memory_budget_bytes = u64::MAX;
    // 5000 bps, but peak = resident + scratch still fits the budget.
    assert_eq!(p.recommend(r).unwrap().memory_pressure_bps, 4999);
    r.memory_pressure_bps = 7;
    assert_eq!(
        p.recommend(r).unwrap().memory_pressure_bps,
        7,
        "given values are kept"
    );
    let mut unbounded = req(10, 64);
    unbounded.resident_device_bytes = 1 << 40;
    assert_eq!(
        p.recommend(unbounded).unwrap().memory_pressure_bps,
        0,
        "budget 0: no inference"
    );
}

#[test]
fn step3_promotions_and_step11_mode() {
    let p = standard();
    let mut r = req(100, 64);
    let rec = p.recommend(r).unwrap();
    assert!(!rec.promote_hot_opcodes && !rec.promote_hot_windows);
    assert_eq!(rec.execution_mode, ExecutionMode::Interpreter);
    r.hot_opcode_count = 7;
    r.hot_window_count = 3;
    assert_eq!(
        p.recommend(r).unwrap().execution_mode,
        ExecutionMode::Interpreter
    );
    r.hot_opcode_count = 8;
    let rec = p.recommend(r).unwrap();
    assert!(rec.promote_hot_opcodes && !rec.promote_hot_windows);
    assert_eq!(rec.execution_mode, ExecutionMode::Jit);
    r.hot_opcode_count = 0;
    r.hot_window_count = 4;
    let rec = p.recommend(r).unwrap();
    assert!(rec.promote_hot_windows);
    assert_eq!(rec.execution_mode, ExecutionMode::Jit);
    let mut long = req(4095, 64);
    assert_eq!(
        p.recommend(long).unwrap().execution_mode,
        ExecutionMode::Interpreter
    );
    long.queue_len = 4096;
    assert_eq!(
        p.recommend(long).unwrap().execution_mode,
        ExecutionMode::Jit
    );
}

fn topo(r: LaunchRequest) -> Topology {
    standard().recommend(r).unwrap().topology
}

#[test]
fn step4_topology_branches() {
    let mut r = req(100, 64);
    r.graph_node_count = 1000;
    r.graph_edge_count = 65_536;
    assert_eq!(topo(LaunchRequest { queue_len: 0, ..r }), Topology::Empty);
    assert_eq!(
        topo(LaunchRequest {
            memory_pressure_bps: 8500,
            ..r
        }),
        Topology::MemoryConstrained
    );
    assert_eq!(
        topo(LaunchRequest {
            memory_pressure_bps: 8499,
            frontier_density_bps: 100,
            ..r
        }),
        Topology::SparseFrontier
    );
    assert_eq!(
        topo(LaunchRequest {
            frontier_density_bps: 500,
            ..r
        }),
        Topology::SparseFrontier
    );
    assert_eq!(
        topo(LaunchRequest {
            frontier_density_bps: 501,
            ..r
        }),
        Topology::HybridFrontier
    );
    assert_eq!(
        topo(LaunchRequest {
            frontier_density_bps: 3999,
            ..r
        }),
        Topology::HybridFrontier
    );
    assert_eq!(
        topo(LaunchRequest {
            frontier_density_bps: 4000,
            ..r
        }),
        Topology::DenseFrontier
    );
    let hot = LaunchRequest {
        frontier_density_bps: 4000,
        hot_window_count: 4,
        ..r
    };
    assert_eq!(topo(hot), Topology::FusedDense);
    assert_eq!(
        topo(LaunchRequest {
            graph_edge_count: 65_535,
            ..hot
        }),
        Topology::DenseFrontier,
        "edges < 65536"
    );
    assert_eq!(
        topo(LaunchRequest {
            graph_node_count: 0,
            ..hot
        }),
        Topology::DenseFrontier,
        "no graph"
    );
    let fused = standard()
        .recommend(LaunchRequest {
            hot_window_count: 0,
            hot_opcode_count: 8,
            ..hot
        })
        .unwrap();
    assert_eq!(
        (fused.topology, fused.execution_mode),
        (Topology::FusedDense, ExecutionMode::Jit)
    );
    // Density 0 with no graph is "sparse" (upstream pin: the plain 300-slot request).
    assert_eq!(topo(req(300, 64)), Topology::SparseFrontier);
}

fn with_prev(r: LaunchRequest, prev: Topology) -> Topology {
    standard()
        .recommend_with_previous_topology(r, prev)
        .unwrap()
        .topology
}

#[test]
fn step5_hysteresis_bands() {
    let mut r = req(100, 64);
    r.graph_node_count = 1000;
    r.graph_edge_count = 100_000;
    let d = |bps: u16| LaunchRequest {
        frontier_density_bps: bps,
        ..r
    };
    // Sparse stays up to 750.
    assert_eq!(
        with_prev(d(750), Topology::SparseFrontier),
        Topology::SparseFrontier
    );
    assert_eq!(
        with_prev(d(751), Topology::SparseFrontier),
        Topology::HybridFrontier
    );
    assert_eq!(
        with_prev(d(4100), Topology::SparseFrontier),
        Topology::DenseFrontier
    );
    // Hybrid stays against Sparse down to 250 and against Dense up to 4250.
    assert_eq!(
        with_prev(d(250), Topology::HybridFrontier),
        Topology::HybridFrontier
    );
    assert_eq!(
        with_prev(d(249), Topology::HybridFrontier),
        Topology::SparseFrontier
    );
    assert_eq!(
        with_prev(d(4250), Topology::HybridFrontier),
        Topology::HybridFrontier
    );
    assert_eq!(
        with_prev(d(4251), Topology::HybridFrontier),
        Topology::DenseFrontier
    );
    let hot = |bps: u16| LaunchRequest {
        hot_opcode_count: 8,
        ..d(bps)
    };
    assert_eq!(
        with_prev(hot(4250), Topology::HybridFrontier),
        Topology::HybridFrontier,
        "against FusedDense too"
    );
    assert_eq!(
        with_prev(hot(4251), Topology::HybridFrontier),
        Topology::FusedDense
    );
    // Dense stays against Hybrid down to 3750.
    assert_eq!(
        with_prev(d(3750), Topology::DenseFrontier),
        Topology::DenseFrontier
    );
    assert_eq!(
        with_prev(d(3749), Topology::DenseFrontier),
        Topology::HybridFrontier
    );
    // FusedDense stays against Hybrid down to 3750 only while still fusion-eligible.
    assert_eq!(
        with_prev(hot(3750), Topology::FusedDense),
        Topology::FusedDense
    );
    assert_eq!(
        with_prev(hot(3749), Topology::FusedDense),
        Topology::HybridFrontier
    );
    assert_eq!(
        with_prev(d(3800), Topology::FusedDense),
        Topology::HybridFrontier,
        "no promotion"
    );
    assert_eq!(
        with_prev(
            LaunchRequest {
                graph_edge_count: 1,
                ..hot(3800)
            },
            Topology::FusedDense
        ),
        Topology::HybridFrontier
    );
    // MemoryConstrained stays while pressure ≥ 8250.
    let m = |bps: u16| LaunchRequest {
        memory_pressure_bps: bps,
        ..d(1000)
    };
    assert_eq!(
        with_prev(m(8250), Topology::MemoryConstrained),
        Topology::MemoryConstrained
    );
    assert_eq!(
        with_prev(m(8249), Topology::MemoryConstrained),
        Topology::HybridFrontier
    );
    assert_eq!(
        with_prev(m(8500), Topology::HybridFrontier),
        Topology::MemoryConstrained
    );
    // Empty always wins; without a previous topology nothing is sticky.
    assert_eq!(
        with_prev(
            LaunchRequest {
                queue_len: 0,
                ..d(600)
            },
            Topology::SparseFrontier
        ),
        Topology::Empty
    );
    assert_eq!(topo(d(600)), Topology::HybridFrontier);
    // A previous Empty never holds a topology.
    assert_eq!(with_prev(d(600), Topology::Empty), Topology::HybridFrontier);
}

#[test]
fn step6_worker_shedding() {
    let p = standard();
    let mc = |pressure: u16, workers: u32| {
        p.recommend(LaunchRequest {
            memory_pressure_bps: pressure,
            ..req(100, workers)
        })
        .unwrap()
        .worker_groups
    };
    assert_eq!(mc(8500, 128), 96, "shed 2500 bps");
    assert_eq!(mc(10_000, 128), 64, "shed 5000 bps");
    assert_eq!(mc(9250, 100), 62, "over 750 → shed 3750 → keep 6250");
    assert_eq!(mc(10_000, 1), 1, "requested 1 is never shed");
    assert_eq!(mc(10_000, 0), 255, "requested 0 uses occupancy, not shed");
    // Hysteresis-held MemoryConstrained below the threshold sheds the base 2500 bps.
    let held = p
        .recommend_with_previous_topology(
            LaunchRequest {
                memory_pressure_bps: 8300,
                ..req(100, 128)
            },
            Topology::MemoryConstrained,
        )
        .unwrap();
    assert_eq!(
        (held.topology, held.worker_groups),
        (Topology::MemoryConstrained, 96)
    );

    let sparse = |density: u16, workers: u32| {
        let r = LaunchRequest {
            frontier_density_bps: density,
            graph_node_count: 10_000,
            ..req(100, workers)
        };
        let rec = p.recommend(r).unwrap();
        assert_eq!(rec.topology, Topology::SparseFrontier);
        rec.worker_groups
    };
    assert_eq!(sparse(100, 256), 51, "256·100/500");
    assert_eq!(sparse(10, 256), 32, "floor of 32");
    assert_eq!(sparse(10, 20), 20, "floor is min(requested, 32)");
    assert_eq!(sparse(500, 256), 256);
    // No graph telemetry: no sparse shedding.
    assert_eq!(
        p.recommend(LaunchRequest {
            frontier_density_bps: 10,
            ..req(100, 256)
        })
        .unwrap()
        .worker_groups,
        256
    );
}

#[test]
fn step7_and_8_grid_and_pressure() {
    let p = standard();
    // workers 4 → wg 4; q = 8 → grid 2 → 8 lanes.
    let light = p.recommend(req(7, 4)).unwrap();
    assert_eq!(
        (
            light.geometry.workgroup_size_x,
            light.geometry.dispatch_grid[0]
        ),
        (4, 2)
    );
    assert_eq!(light.lanes(), 8);
    assert_eq!(light.pressure, QueuePressure::Light);
    let balanced = p.recommend(req(16, 4)).unwrap();
    assert_eq!(balanced.lanes(), 16);
    assert_eq!(balanced.pressure, QueuePressure::Balanced);
    // Grid is capped at 4 workers: 4 × 4 = 16 lanes; 64 = 4 waves.
    assert_eq!(
        p.recommend(req(63, 4)).unwrap().pressure,
        QueuePressure::Balanced
    );
    let saturated = p.recommend(req(64, 4)).unwrap();
    assert_eq!(saturated.lanes(), 16);
    assert_eq!(saturated.pressure, QueuePressure::Saturated);
    let requeued = p
        .recommend(LaunchRequest {
            requeue_count: 1,
            ..req(7, 4)
        })
        .unwrap();
    assert_eq!(requeued.pressure, QueuePressure::Saturated);
    let empty = p.recommend(req(0, 4)).unwrap();
    assert_eq!(
        (empty.pressure, empty.topology),
        (QueuePressure::Empty, Topology::Empty)
    );
    assert_eq!(
        empty.geometry.slot_count, 4,
        "q 0 still gets one workgroup of slots"
    );
}

#[test]
fn step9_and_10_capacity_and_peak() {
    let p = standard();
    assert_eq!(
        p.recommend(req(10, 64)).unwrap().hit_capacity,
        1024,
        "min capacity"
    );
    let r = LaunchRequest {
        expected_hits_per_item: 5,
        ..req(1000, 64)
    };
    assert_eq!(p.recommend(r).unwrap().hit_capacity, 10_000);
    let mc = LaunchRequest {
        memory_pressure_bps: 9000,
        ..r
    };
    assert_eq!(
        p.recommend(mc).unwrap().hit_capacity,
        5000,
        "multiplier 1 under pressure"
    );
    let asked = LaunchRequest {
        requested_hit_capacity: 77,
        ..r
    };
    assert_eq!(p.recommend(asked).unwrap().hit_capacity, 77);
    let zero_hits = LaunchRequest {
        expected_hits_per_item: 0,
        ..req(1000, 64)
    };
    assert_eq!(
        p.recommend(zero_hits).unwrap().hit_capacity,
        2000,
        "0 hits counts as 1"
    );
    let budgeted = LaunchRequest {
        resident_device_bytes: 100,
        device_memory_budget_bytes: 100 + 160_000,
        ..r
    };
    let rec = p.recommend(budgeted).unwrap();
    assert_eq!(
        rec.estimated_peak_device_bytes, 160_100,
        "exactly at the budget is fine"
    );
    assert_eq!(rec.device_memory_budget_bytes, 160_100);
    let over = LaunchRequest {
        device_memory_budget_bytes: 160_099,
        ..budgeted
    };
    assert_eq!(p.recommend(over).unwrap_err().status, Status::OutOfMemory);
}

#[test]
fn step12_age_priority_work() {
    let p = standard();
    assert!(
        !p.recommend(LaunchRequest {
            max_priority_age: 31,
            ..req(10, 4)
        })
        .unwrap()
        .age_priority_work
    );
    assert!(
        p.recommend(LaunchRequest {
            max_priority_age: 32,
            ..req(10, 4)
        })
        .unwrap()
        .age_priority_work
    );
    assert!(
        p.recommend(LaunchRequest {
            requeue_count: 1,
            ..req(10, 4)
        })
        .unwrap()
        .age_priority_work
    );
}

#[test]
fn upstream_telemetry_pin() {
    // Upstream pin: 8192 queued, 8 hot opcodes, requeues and age → JIT, Saturated, aging.
    let r = LaunchRequest {
        hot_opcode_count: 8,
        requeue_count: 1,
        max_priority_age: 64,
        ..LaunchRequest::direct(8192, 64, 256)
    };
    let rec = standard().recommend(r).unwrap();
    assert_eq!(rec.execution_mode, ExecutionMode::Jit);
    assert_eq!(rec.pressure, QueuePressure::Saturated);
    assert!(rec.promote_hot_opcodes && rec.age_priority_work);
}

// ---------------------------------------------------------------------------------------
// Property tests (seeded loop, no extra dependency)
// ---------------------------------------------------------------------------------------

/// splitmix64: small, fast, good enough to explore the input space reproducibly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Mostly small or boundary values, sometimes anything.
    fn u32(&mut self) -> u32 {
        match self.below(6) {
            0 => 0,
            1 => self.below(8) as u32,
            2 => self.below(5000) as u32,
            3 => {
                [1, 32, 64, 255, 256, 1024, 4096, 65_535, 65_536, u32::MAX][self.below(10) as usize]
            }
            4 => self.below(1 << 20) as u32,
            _ => self.next() as u32,
        }
    }
    fn bps(&mut self) -> u16 {
        match self.below(4) {
            0 => 0,
            1 => [
                250, 499, 500, 501, 750, 3750, 3999, 4000, 4250, 8250, 8499, 8500, 10_000,
            ][self.below(13) as usize],
            _ => self.below(10_001) as u16,
        }
    }
    fn u64(&mut self) -> u64 {
        match self.below(4) {
            0 => 0,
            1 => self.below(1 << 20),
            2 => self.below(1 << 40),
            _ => self.next(),
        }
    }
    fn request(&mut self) -> LaunchRequest {
        LaunchRequest {
            queue_len: self.u32(),
            requested_worker_groups: self.u32(),
            max_workgroup_size_x: self.u32(),
            max_compute_workgroups_per_dimension: self.u32(),
            max_compute_invocations_per_workgroup: self.u32(),
            requested_hit_capacity: if self.below(3) == 0 { self.u32() } else { 0 },
            expected_hits_per_item: self.below(20) as u32,
            hot_opcode_count: self.below(16) as u32,
            hot_window_count: self.below(8) as u32,
            requeue_count: if self.below(2) == 0 { 0 } else { self.u64() },
            max_priority_age: self.below(64) as u32,
            graph_node_count: self.u32(),
            graph_edge_count: self.u32(),
            frontier_density_bps: self.bps(),
            memory_pressure_bps: self.bps(),
            resident_device_bytes: self.u64(),
            device_memory_budget_bytes: self.u64(),
        }
    }
}

fn check_recommendation(r: &LaunchRequest, rec: &LaunchRecommendation) {
    let g = rec.geometry;
    let ctx = || format!("{r:?} → {rec:?}");
    assert!(
        g.dispatch_grid.iter().all(|&d| d >= 1),
        "zero grid dimension: {}",
        ctx()
    );
    assert_eq!(&g.dispatch_grid[1..], &[1, 1], "{}", ctx());
    assert!(
        g.dispatch_grid[0] <= r.max_compute_workgroups_per_dimension,
        "grid over adapter limit: {}",
        ctx()
    );
    assert!(
        g.dispatch_grid[0] <= sizing::MAX_DISPATCH_WORKGROUPS,
        "{}",
        ctx()
    );
    assert!(
        rec.worker_groups >= 1 && rec.worker_groups <= r.max_compute_workgroups_per_dimension,
        "{}",
        ctx()
    );
    assert!(
        g.workgroup_size_x >= 1 && g.workgroup_size_x <= r.max_workgroup_size_x,
        "{}",
        ctx()
    );
    assert!(g.slot_count >= r.queue_len.max(1), "{}", ctx());
    assert_eq!(
        g.slot_count % g.workgroup_size_x,
        0,
        "slots are whole workgroups: {}",
        ctx()
    );
    if r.requested_hit_capacity == 0 {
        assert!(rec.hit_capacity >= standard().min_hit_capacity, "{}", ctx());
    } else {
        assert_eq!(rec.hit_capacity, r.requested_hit_capacity);
    }
    if r.device_memory_budget_bytes != 0 {
        assert!(
            rec.estimated_peak_device_bytes <= r.device_memory_budget_bytes,
            "{}",
            ctx()
        );
    }
    assert!(rec.frontier_density_bps <= 10_000 && rec.memory_pressure_bps <= 10_000);
    assert_eq!(rec.topology == Topology::Empty, r.queue_len == 0);
    assert_eq!(rec.pressure == QueuePressure::Empty, r.queue_len == 0);
}

#[test]
fn property_recommend_is_total_and_within_limits() {
    let p = standard();
    let mut rng = Rng(0x5EED_0001);
    let (mut ok, mut errors) = (0, 0);
    for _ in 0..20_000 {
        let r = rng.request();
        let outcome = std::panic::catch_unwind(|| p.recommend(r));
        let result = outcome.unwrap_or_else(|_| panic!("recommend panicked on {r:?}"));
        match result {
            Ok(rec) => {
                ok += 1;
                check_recommendation(&r, &rec);
                assert_eq!(
                    p.recommend(r).unwrap(),
                    rec,
                    "cached answer equals computed"
                );
                let prev = Topology::ALL[rng.below(6) as usize];
                let held = p
                    .recommend_with_previous_topology(r, prev)
                    .unwrap_or_else(|e| panic!("{r:?}: {e}"));
                check_recommendation(&r, &held);
            }
            Err(e) => {
                errors += 1;
                let limits_ok = r.limits().validate().is_ok();
                match e.status {
                    Status::InvalidArgument => {
                        assert!(!limits_ok, "unexpected invalid: {r:?}: {e}")
                    }
                    Status::Overflow | Status::OutOfMemory => assert!(limits_ok),
                    other => panic!("unexpected status {other:?} for {r:?}: {e}"),
                }
            }
        }
    }
    assert!(
        ok > 3000 && errors > 1000,
        "the generator explores both sides: ok {ok}, errors {errors}"
    );
}

#[test]
fn property_recommend_is_total_under_random_policies() {
    let mut rng = Rng(0x5EED_0004);
    let mut ok = 0;
    for _ in 0..20_000 {
        let bps = |rng: &mut Rng| rng.below(10_001) as u16;
        let policy = LaunchPolicy {
            sizing: SizingPolicy {
                max_dispatch_workgroups: 1 + rng.below(4096) as u32,
                occupancy_divisor: 1 + rng.below(1024) as u32,
                powerful_invocation_threshold: rng.u32(),
                powerful_min_worker_groups: rng.u32(),
            },
            min_hit_capacity: rng.u32(),
            hit_capacity_multiplier: rng.u32(),
            saturated_waves: rng.u32(),
            hot_opcode_threshold: rng.u32(),
            hot_window_threshold: rng.u32(),
            jit_queue_len_threshold: rng.u32(),
            priority_age_threshold: rng.u32(),
            sparse_frontier_threshold_bps: bps(&mut rng),
            dense_frontier_threshold_bps: bps(&mut rng),
            memory_pressure_threshold_bps: [0, 10_000, 8500][rng.below(3) as usize],
            fusion_edge_threshold: rng.u32(),
            scratch_bytes_per_hit: rng.u32(),
        };
        let r = rng.request();
        let prev = Topology::ALL[rng.below(6) as usize];
        for result in [
            policy.recommend(r),
            policy.recommend_with_previous_topology(r, prev),
        ] {
            let rec = match result {
                Ok(rec) => rec,
                Err(e) => {
                    assert!(matches!(
                        e.status,
                        Status::InvalidArgument | Status::Overflow | Status::OutOfMemory
                    ));
                    continue;
                }
            };
            ok += 1;
            let g = rec.geometry;
            assert!(
                g.dispatch_grid[0] >= 1
                    && g.dispatch_grid[0] <= policy.sizing.max_dispatch_workgroups
            );
            assert!(g.dispatch_grid[0] <= r.max_compute_workgroups_per_dimension);
            assert!(g.workgroup_size_x >= 1 && g.workgroup_size_x <= r.max_workgroup_size_x);
            assert!(
                rec.worker_groups >= 1
                    && rec.worker_groups <= r.max_compute_workgroups_per_dimension
            );
            if r.requested_hit_capacity == 0 {
                assert!(rec.hit_capacity >= policy.min_hit_capacity);
            }
        }
    }
    assert!(ok > 3000, "only {ok} successful recommendations");
}

#[test]
fn property_hysteresis_never_flips_inside_the_band() {
    let p = standard();
    let mut rng = Rng(0x5EED_0002);
    for _ in 0..20_000 {
        let threshold = if rng.below(2) == 0 {
            p.sparse_frontier_threshold_bps
        } else {
            p.dense_frontier_threshold_bps
        };
        let band = |rng: &mut Rng| threshold - 250 + rng.below(501) as u16;
        let base = LaunchRequest {
            queue_len: 1 + rng.below(1 << 20) as u32,
            requested_worker_groups: rng.below(2048) as u32,
            max_workgroup_size_x: 1 + rng.below(1024) as u32,
            max_compute_workgroups_per_dimension: 1 + rng.below(65_535) as u32,
            max_compute_invocations_per_workgroup: 1 + rng.below(4096) as u32,
            expected_hits_per_item: rng.below(16) as u32,
            hot_opcode_count: rng.below(16) as u32,
            hot_window_count: rng.below(8) as u32,
            graph_node_count: rng.below(1 << 24) as u32,
            graph_edge_count: rng.below(1 << 18) as u32,
            memory_pressure_bps: rng.below(8250) as u16,
            resident_device_bytes: rng.below(1 << 30),
            ..LaunchRequest::default()
        };
        let first = LaunchRequest {
            frontier_density_bps: band(&mut rng),
            ..base
        };
        let second = LaunchRequest {
            frontier_density_bps: band(&mut rng),
            ..base
        };
        let prev = p.recommend(first).unwrap().topology;
        let next = p
            .recommend_with_previous_topology(second, prev)
            .unwrap()
            .topology;
        assert_eq!(
            next, prev,
            "density {} → {} around {threshold} flipped {prev:?} → {next:?} ({base:?})",
            first.frontier_density_bps, second.frontier_density_bps
        );
    }
}

#[test]
fn property_sizing_helpers_never_return_zero_grids() {
    let mut rng = Rng(0x5EED_0003);
    for _ in 0..20_000 {
        let (w, q, x) = (rng.u32(), rng.u32(), rng.u32());
        let grid = dispatch_grid_for(w, q, x);
        assert!(
            grid[0] >= 1 && grid[0] <= 1024 && grid[0] <= w.max(1) && grid[1] == 1 && grid[2] == 1
        );
        let wg = worker_workgroup_size(w, x);
        assert!(wg >= 1 && wg <= x.max(1));
        let g = LaunchGeometry::from_slots(q, w, x);
        assert!(g.dispatch_grid[0] >= 1 && g.workgroup_size_x >= 1);
        let occ = default_worker_groups_from_limits(rng.u32(), rng.u32());
        assert!((1..=1024).contains(&occ));
        match LaunchGeometry::from_item_count(q as usize, w, x) {
            Ok(g) => assert!(g.slot_count >= q && g.slot_count % g.workgroup_size_x == 0),
            Err(e) => assert_eq!(e.status, Status::Overflow),
        }
    }
}
