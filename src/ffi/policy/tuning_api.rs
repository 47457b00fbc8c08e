//! Autotune step, priority accounting and diffusion functions.

#[allow(unused_imports)]
use super::*;

/// Natural-gradient step `delta = -learning_rate * M * grad` for the `n × n` row-major
/// matrix `m_inv_sqrt` (identity = plain gradient descent), written as `n` doubles into
/// caller storage. Too-short inputs (`m_len < n*n` or `grad_len < n`) give an empty result
/// (`*out_written = 0`). Size query: `out` NULL → `*out_written` = elements needed.
/// Too small `out_len` → VYRE_ERROR_INSUFFICIENT_SIZE with the size in `*out_written`,
/// `out` untouched. `out` may overlap the inputs. Thread-safe.
///
/// # Safety
/// `m_inv_sqrt`/`grad` are NULL (only with length 0) or valid for their lengths; `out` is
/// NULL or valid for `out_len` doubles; `out_written` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_autotune_natural_gradient_step(
    m_inv_sqrt: *const f64,
    m_len: usize,
    grad: *const f64,
    grad_len: usize,
    n: u32,
    learning_rate: f64,
    out: *mut f64,
    out_len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let delta = {
            let m = slice_ref(m_inv_sqrt, m_len, "m_inv_sqrt")?;
            let g = slice_ref(grad, grad_len, "grad")?;
            autotune::natural_gradient_step(m, g, n, learning_rate)
        };
        write_out(out, out_len, out_written, delta.len(), "out", |dst| {
            dst.copy_from_slice(&delta);
            Ok(())
        })
    })
}

/// Record one requeue of a slot aged `age_ticks`: requeue_count + 1, max_priority_age
/// raised. At UINT64_MAX → VYRE_ERROR_OVERFLOW and the struct is unchanged. The struct
/// is the caller's; do not share it between threads without a lock.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_record_requeue(
    accounting: *mut vyre_priority_requeue_accounting,
    age_ticks: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let acct = obj_mut(accounting, "accounting")?;
        let mut a = acct.to_rust();
        a.record_requeue(age_ticks)?;
        *acct = vyre_priority_requeue_accounting::from_rust(&a);
        Ok(())
    })
}

/// Record one aging promotion of a slot aged `age_ticks` (aged_promotions + 1). At
/// UINT64_MAX → VYRE_ERROR_OVERFLOW, struct unchanged; NULL `accounting` →
/// VYRE_ERROR_NULL_POINTER. Caller-owned struct; do not share it between threads without
/// a lock.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_record_aged_promotion(
    accounting: *mut vyre_priority_requeue_accounting,
    age_ticks: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let acct = obj_mut(accounting, "accounting")?;
        let mut a = acct.to_rust();
        a.record_aged_promotion(age_ticks)?;
        *acct = vyre_priority_requeue_accounting::from_rust(&a);
        Ok(())
    })
}

/// Drain recommendation for the counters: headroom = UINT64_MAX − counter; reason by
/// urgency: exhausted (headroom 0) > near limit (headroom ≤ 1024) > pending telemetry
/// (any counter non-zero) > none; should_drain = reason != NONE. Errors: NULL
/// `accounting` or `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_drain_recommendation(
    accounting: *const vyre_priority_requeue_accounting,
    out: *mut vyre_priority_drain_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let a = obj_ref(accounting, "accounting")?.to_rust();
        *obj_mut(out, "out")? =
            vyre_priority_drain_recommendation::from_rust(&a.drain_recommendation());
        Ok(())
    })
}

/// Diffuse priorities across siblings: per iteration `x[i] -= damping * diag[i] * x[i]`;
/// result (`count` doubles) into caller storage. When `diag_count != count` the priorities
/// are copied unchanged. Size query: `out` NULL → `*out_written = count`; too small →
/// VYRE_ERROR_INSUFFICIENT_SIZE, `out` untouched. `out` may equal `priorities` (in place).
/// Thread-safe.
///
/// # Safety
/// `priorities`/`restriction_diag` are NULL (only with count 0) or valid for their counts;
/// `out` is NULL or valid for `out_len` doubles; `out_written` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_diffuse_across_siblings(
    priorities: *const f64,
    count: usize,
    restriction_diag: *const f64,
    diag_count: usize,
    damping: f64,
    iterations: u32,
    out: *mut f64,
    out_len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let result = {
            let x = slice_ref(priorities, count, "priorities")?;
            let d = slice_ref(restriction_diag, diag_count, "restriction_diag")?;
            if out.is_null() {
                Vec::new() // size query: no work
            } else {
                policy::diffuse_priority_across_siblings(x, d, damping, iterations)
            }
        };
        write_out(out, out_len, out_written, count, "out", |dst| {
            dst.copy_from_slice(&result);
            Ok(())
        })
    })
}
