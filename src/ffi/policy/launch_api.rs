//! Launch policy, cache and evidence functions.

#[allow(unused_imports)]
use super::*;

/// Fill `out` with the standard policy (SPEC §2 values). Errors: NULL `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_init_default(
    out: *mut vyre_launch_policy,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        *obj_mut(out, "out")? = vyre_launch_policy::from_rust(&launch::LaunchPolicy::standard());
        Ok(())
    })
}

/// Check a policy: sizing.max_dispatch_workgroups and sizing.occupancy_divisor ≥ 1, basis
/// point thresholds ≤ 10000 (else VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_validate(
    policy: *const vyre_launch_policy,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        obj_ref(policy, "policy")?.to_rust().map(|_| ())
    })
}

unsafe fn policy_and_request(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
) -> Result<(launch::LaunchPolicy, launch::LaunchRequest)> {
    Ok((
        obj_ref(policy, "policy")?.to_rust()?,
        obj_ref(request, "request")?.to_rust()?,
    ))
}

/// Recommend geometry, hit capacity, topology and route for `request` (SPEC §2). Served
/// from the calling thread's 128-entry cache when the same policy and request were seen.
///
/// Errors: NULL pointers; a zero adapter limit, basis points > 10000 or an invalid policy
/// (VYRE_ERROR_INVALID_ARGUMENT); values that do not fit the u32 protocol
/// (VYRE_ERROR_OVERFLOW); estimated peak device bytes above a non-zero budget
/// (VYRE_ERROR_OUT_OF_MEMORY; the message carries both numbers). Thread-safe (the cache
/// is per thread).
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        *out = vyre_launch_recommendation::from_rust(&policy.recommend(request)?);
        Ok(())
    })
}

/// vyre_launch_policy_recommend() plus the topology evidence of the decision. Both
/// outputs are written only on success. Errors as vyre_launch_policy_recommend(), and a
/// NULL `out_evidence`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_topology_evidence(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_evidence: *mut vyre_topology_evidence,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        require_out(out_evidence, "out_evidence")?;
        let (rec, ev) = policy.recommend_with_topology_evidence(request)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        *out_evidence = vyre_topology_evidence::from_rust(&ev);
        Ok(())
    })
}

/// vyre_launch_policy_recommend() plus the hot opcode/window promotion evidence. Both
/// outputs are written only on success. Errors as vyre_launch_policy_recommend(), and a
/// NULL `out_evidence`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_promotion_evidence(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_evidence: *mut vyre_promotion_evidence,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        require_out(out_evidence, "out_evidence")?;
        let (rec, ev) = policy.recommend_with_promotion_evidence(request)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        *out_evidence = vyre_promotion_evidence::from_rust(&ev);
        Ok(())
    })
}

/// Like vyre_launch_policy_recommend(), but keeps `previous_topology` (the topology of
/// the last launch) while density and pressure stay within 250 bps of the thresholds, so
/// borderline telemetry does not flip kernel variants. Bypasses the cache. Errors as
/// vyre_launch_policy_recommend(), plus an out-of-range `previous_topology`
/// (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_previous_topology(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    previous_topology: vyre_topology,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        let previous = enum_in(
            "previous_topology",
            previous_topology,
            Topology::from_raw,
            Topology::ALL.len(),
        )?;
        require_out(out, "out")?;
        let rec = policy.recommend_with_previous_topology(request, previous)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}

/// Best hit-capacity multiplier: the candidate whose cost is smallest (pairs beyond the
/// shorter array are ignored, ties → first, NaN costs skipped); the policy's own
/// multiplier when there is no pair. Errors: NULL `policy`/`out_multiplier`, a NULL array
/// with a non-zero count, an invalid policy (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Arrays are NULL (only with count 0) or valid for their counts; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_autotune_hit_capacity_multiplier(
    policy: *const vyre_launch_policy,
    candidates: *const u32,
    candidate_count: usize,
    costs: *const f64,
    cost_count: usize,
    out_multiplier: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let policy = obj_ref(policy, "policy")?.to_rust()?;
        let candidates = slice_ref(candidates, candidate_count, "candidates")?;
        let costs = slice_ref(costs, cost_count, "costs")?;
        *obj_mut(out_multiplier, "out_multiplier")? =
            policy.autotune_hit_capacity_multiplier(candidates, costs);
        Ok(())
    })
}

/// Best workgroup size: the candidate whose cost is smallest (as above); `current_size`
/// when there is no pair. Errors as
/// vyre_launch_policy_autotune_hit_capacity_multiplier(). Thread-safe.
///
/// # Safety
/// As vyre_launch_policy_autotune_hit_capacity_multiplier().
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_autotune_workgroup_size(
    policy: *const vyre_launch_policy,
    candidates: *const u32,
    candidate_count: usize,
    costs: *const f64,
    cost_count: usize,
    current_size: u32,
    out_size: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let policy = obj_ref(policy, "policy")?.to_rust()?;
        let candidates = slice_ref(candidates, candidate_count, "candidates")?;
        let costs = slice_ref(costs, cost_count, "costs")?;
        *obj_mut(out_size, "out_size")? =
            policy.autotune_workgroup_size(candidates, costs, current_size);
        Ok(())
    })
}

/// Launch cache counters of the calling thread (entries, hits, misses). Errors: NULL
/// `out`. Thread-safe: each thread has its own cache.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_cache_get_stats(
    out: *mut vyre_launch_cache_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let out = obj_mut(out, "out")?;
        let s = cache::launch_cache_stats();
        *out = vyre_launch_cache_stats {
            entries: s.entries as u64,
            hits: s.hits,
            misses: s.misses,
        };
        Ok(())
    })
}

/// Drop every cached recommendation of the calling thread and zero its counters.
/// Thread-safe (affects only the calling thread).
#[no_mangle]
pub extern "C" fn vyre_launch_cache_reset() {
    guarded((), policy::reset_launch_cache_for_thread);
}

// ---------------------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------------------

/// `*out_complete = 1` when the record has schema 1, densities and pressure ≤ 10000 bps
/// and parity required, else 0. Errors: NULL pointers, out-of-range enum fields or a
/// boolean field other than 0/1 (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_topology_evidence_is_complete(
    evidence: *const vyre_topology_evidence,
    out_complete: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let ev = obj_ref(evidence, "evidence")?.to_rust()?;
        *obj_mut(out_complete, "out_complete")? = flag(ev.is_complete());
        Ok(())
    })
}

/// `*out_complete = 1` when the record has schema 1, non-zero thresholds and parity
/// required, else 0. Errors: NULL pointers, out-of-range enum fields or a boolean field
/// other than 0/1 (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_promotion_evidence_is_complete(
    evidence: *const vyre_promotion_evidence,
    out_complete: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let ev = obj_ref(evidence, "evidence")?.to_rust()?;
        *obj_mut(out_complete, "out_complete")? = flag(ev.is_complete());
        Ok(())
    })
}
