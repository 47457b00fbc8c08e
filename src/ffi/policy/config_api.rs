//! Config functions.

#[allow(unused_imports)]
use super::*;

/// Fill `out` with the default config: 64 workers, 60 s wall time, 0 expected items per
/// worker, zeroed workload hints. Errors: NULL `out`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing one struct; `out_error` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_init_default(
    out: *mut vyre_megakernel_config,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let out = obj_mut(out, "out")?;
        *out = vyre_megakernel_config::from_rust(&config::MegakernelConfig::default());
        Ok(())
    })
}

/// Check a config: worker_count 0 or max_wall_time_ns 0 → VYRE_ERROR_INVALID_ARGUMENT
/// (either makes a dispatch unschedulable); workload basis points > 10000 likewise.
/// Thread-safe.
///
/// # Safety
/// `config` is NULL or a valid struct; `out_error` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_validate(
    config: *const vyre_megakernel_config,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        obj_ref(config, "config")?.to_rust()?.validate()
    })
}

/// Direct-dispatch grid for `queue_len` slots: `{min(max(1, ceil(q / max(max_x, 1))),
/// max(worker_count, 1), 1024), 1, 1}` written to `out_grid` (3 × uint32_t). The config
/// is not validated (worker_count 0 counts as 1). Errors: NULL `config` or `out_grid`.
/// Thread-safe.
///
/// # Safety
/// `config` is NULL or valid; `out_grid` is NULL or valid for 3 `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_dispatch_grid(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    max_workgroup_size_x: u32,
    out_grid: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?;
        require_out(out_grid, "out_grid")?;
        let grid = sizing::dispatch_grid_for(config.worker_count, queue_len, max_workgroup_size_x);
        write_grid(out_grid, grid);
        Ok(())
    })
}

/// Build a launch request: hints copied, requested_worker_groups = worker_count,
/// expected_hits_per_item = max(expected_items_per_worker, 1), limits copied (not
/// checked here; vyre_launch_policy_recommend() rejects zero limits). Errors: NULL
/// pointers; workload basis points > 10000 (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_request(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        let out = obj_mut(out, "out")?;
        *out = vyre_launch_request::from_rust(&config.launch_request(queue_len, limits));
        Ok(())
    })
}

/// Build a launch request for a task queue of `task_count` ::vyre_task items (for
/// example the slots of a task ring; build them with vyre_task_init() and the
/// vyre_task_* transitions). queue_len = ready + yielded + requeued tasks; requeue_count = yielded + requeued + Σ task requeue counters;
/// max_priority_age = largest task age. Errors: unknown task state word
/// (VYRE_ERROR_MALFORMED_BUFFER, the message names the task), counter overflow
/// (VYRE_ERROR_OVERFLOW). Thread-safe.
///
/// # Safety
/// `tasks` is NULL (only with `task_count` 0) or valid for `task_count` items; other
/// pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_request_for_tasks(
    config: *const vyre_megakernel_config,
    tasks: *const vyre_task,
    task_count: usize,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let request =
            config.launch_request_for_task_words(task_words(tasks, task_count)?, limits)?;
        *out = vyre_launch_request::from_rust(&request);
        Ok(())
    })
}

/// Recommend a launch for `queue_len` slots with the standard policy (through the
/// calling thread's cache). Errors as vyre_launch_policy_recommend(). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_recommendation(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let rec = config.launch_recommendation(queue_len, limits)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}

/// Recommend a launch for a task ring (see
/// vyre_megakernel_config_launch_request_for_tasks()) with the standard policy.
/// Errors: those of vyre_megakernel_config_launch_request_for_tasks() and
/// vyre_launch_policy_recommend(). Thread-safe.
///
/// # Safety
/// As vyre_megakernel_config_launch_request_for_tasks().
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_recommendation_for_tasks(
    config: *const vyre_megakernel_config,
    tasks: *const vyre_task,
    task_count: usize,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let request =
            config.launch_request_for_task_words(task_words(tasks, task_count)?, limits)?;
        let rec = policy::LaunchPolicy::standard().recommend(request)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}
