//! Rust-side tests of the C API.

use super::*;
use crate::ffi::core::{vyre_error_free, vyre_error_message, vyre_error_status};
use crate::ffi::{
    VYRE_ERROR_INVALID_ARGUMENT, VYRE_ERROR_NULL_POINTER, VYRE_ERROR_OUT_OF_MEMORY, VYRE_OK,
};
use std::ptr::{null, null_mut};

fn limits() -> vyre_grid_limits {
    vyre_grid_limits {
        max_workgroup_size_x: 256,
        max_compute_workgroups_per_dimension: 65_535,
        max_compute_invocations_per_workgroup: 256,
    }
}

#[test]
fn struct_round_trips_are_lossless() {
    let mut p = vyre_launch_policy::default();
    unsafe { assert_eq!(vyre_launch_policy_init_default(&mut p, null_mut()), VYRE_OK) };
    assert_eq!(p.to_rust().unwrap(), launch::LaunchPolicy::standard());
    let mut c = vyre_megakernel_config::default();
    unsafe {
        assert_eq!(
            vyre_megakernel_config_init_default(&mut c, null_mut()),
            VYRE_OK
        )
    };
    assert_eq!(c.worker_count, 64);
    assert_eq!(c.max_wall_time_ns, 60_000_000_000);
    assert_eq!(c.to_rust().unwrap(), config::MegakernelConfig::default());
}

#[test]
fn recommend_pins_through_c() {
    let mut p = vyre_launch_policy::default();
    let mut rec = vyre_launch_recommendation::default();
    let req = vyre_launch_request {
        queue_len: 300,
        requested_worker_groups: 64,
        max_workgroup_size_x: 256,
        max_compute_workgroups_per_dimension: 64,
        max_compute_invocations_per_workgroup: 256,
        expected_hits_per_item: 3,
        ..Default::default()
    };
    unsafe {
        vyre_launch_policy_init_default(&mut p, null_mut());
        assert_eq!(
            vyre_launch_policy_recommend(&p, &req, &mut rec, null_mut()),
            VYRE_OK
        );
    }
    assert_eq!(rec.geometry.dispatch_grid, [5, 1, 1]);
    assert_eq!(
        (rec.geometry.workgroup_size_x, rec.geometry.slot_count),
        (64, 320)
    );
    assert_eq!(
        (rec.hit_capacity, rec.estimated_peak_device_bytes),
        (1800, 28_800)
    );
    assert_eq!(rec.topology, VYRE_TOPOLOGY_SPARSE_FRONTIER);

    let oom = vyre_launch_request {
        queue_len: 1024,
        expected_hits_per_item: 4,
        resident_device_bytes: 1024,
        device_memory_budget_bytes: 65_536,
        ..req
    };
    let before = rec;
    let mut err: *mut vyre_error = null_mut();
    unsafe {
        assert_eq!(
            vyre_launch_policy_recommend(&p, &oom, &mut rec, &mut err),
            VYRE_ERROR_OUT_OF_MEMORY
        );
        assert_eq!(vyre_error_status(err), VYRE_ERROR_OUT_OF_MEMORY);
        let msg = CStr::from_ptr(vyre_error_message(err)).to_str().unwrap();
        assert!(msg.contains("132096") && msg.contains("65536"), "{msg}");
        vyre_error_free(err);
    }
    assert_eq!(rec, before, "failed call leaves the output alone");
}

#[test]
fn invalid_inputs_are_rejected() {
    let mut p = vyre_launch_policy::default();
    let mut rec = vyre_launch_recommendation::default();
    let mut c = vyre_megakernel_config::default();
    unsafe {
        vyre_launch_policy_init_default(&mut p, null_mut());
        vyre_megakernel_config_init_default(&mut c, null_mut());
        let l = limits();
        assert_eq!(
            vyre_megakernel_config_launch_recommendation(&c, 10, &l, &mut rec, null_mut()),
            VYRE_OK
        );
        let req = vyre_launch_request {
            queue_len: 1,
            max_workgroup_size_x: 1,
            max_compute_workgroups_per_dimension: 1,
            max_compute_invocations_per_workgroup: 1,
            ..Default::default()
        };
        assert_eq!(
            vyre_launch_policy_recommend_with_previous_topology(&p, &req, 6, &mut rec, null_mut()),
            VYRE_ERROR_INVALID_ARGUMENT
        );
        assert_eq!(
            vyre_launch_policy_recommend(&p, &req, null_mut(), null_mut()),
            VYRE_ERROR_NULL_POINTER
        );
        assert_eq!(
            vyre_launch_policy_recommend(null(), &req, &mut rec, null_mut()),
            VYRE_ERROR_NULL_POINTER
        );
        let bad_bps = vyre_launch_request {
            frontier_density_bps: 70_000,
            ..req
        };
        assert_eq!(
            vyre_launch_policy_recommend(&p, &bad_bps, &mut rec, null_mut()),
            VYRE_ERROR_INVALID_ARGUMENT
        );
        let zero = vyre_launch_request {
            max_compute_invocations_per_workgroup: 0,
            ..req
        };
        assert_eq!(
            vyre_launch_policy_recommend(&p, &zero, &mut rec, null_mut()),
            VYRE_ERROR_INVALID_ARGUMENT
        );
        let bad_policy = vyre_launch_policy {
            memory_pressure_threshold_bps: 10_001,
            ..p
        };
        assert_eq!(
            vyre_launch_policy_validate(&bad_policy, null_mut()),
            VYRE_ERROR_INVALID_ARGUMENT
        );
        let bad_ev = vyre_topology_evidence {
            topology: 99,
            ..Default::default()
        };
        let mut complete = 7u32;
        assert_eq!(
            vyre_topology_evidence_is_complete(&bad_ev, &mut complete, null_mut()),
            VYRE_ERROR_INVALID_ARGUMENT
        );
        assert_eq!(complete, 7);
    }
}

#[test]
fn names_are_static_and_unknown_for_bad_values() {
    let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap();
    assert_eq!(
        s(vyre_topology_name(VYRE_TOPOLOGY_FUSED_DENSE)),
        "fused_dense"
    );
    assert_eq!(s(vyre_topology_name(6)), "unknown");
    assert_eq!(
        s(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_SATURATED)),
        "saturated"
    );
    assert_eq!(s(vyre_execution_mode_name(2)), "unknown");
    assert_eq!(
        s(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_WINDOW_JIT)),
        "window_jit"
    );
    assert_eq!(
        s(vyre_graphblas_switch_class_name(
            VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE
        )),
        "dense"
    );
    assert_eq!(s(vyre_priority_drain_reason_name(u32::MAX)), "unknown");
    assert!(s(vyre_priority_drain_reason_fix(
        VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY
    ))
    .contains("launch request"));
}
