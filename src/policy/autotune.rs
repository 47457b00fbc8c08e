//! Autotuning helpers: pick the cheapest observed candidate, and a natural-gradient step
//! for continuous knobs.

use super::launch::LaunchPolicy;

/// Index of the smallest cost (first on ties). NaN costs are no observation and are skipped.
fn argmin(costs: &[f64]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &c) in costs.iter().enumerate() {
        if c.is_nan() {
            continue;
        }
        if best.is_none_or(|(_, b)| c < b) {
            best = Some((i, c));
        }
    }
    best.map(|(i, _)| i)
}

/// The candidate paired with the smallest cost; pairs beyond the shorter slice are ignored;
/// `current` when there is no (non-NaN) pair.
pub fn autotune_select(candidates: &[u32], costs: &[f64], current: u32) -> u32 {
    let n = candidates.len().min(costs.len());
    argmin(&costs[..n]).map_or(current, |i| candidates[i])
}

impl LaunchPolicy {
    /// Best hit-capacity multiplier among observed candidates (lower cost wins, ties →
    /// first); the policy's own multiplier when nothing was observed.
    pub fn autotune_hit_capacity_multiplier(&self, candidates: &[u32], costs: &[f64]) -> u32 {
        autotune_select(candidates, costs, self.hit_capacity_multiplier)
    }

    /// Best workgroup size among observed candidates; `current_size` when nothing was observed.
    pub fn autotune_workgroup_size(
        &self,
        candidates: &[u32],
        costs: &[f64],
        current_size: u32,
    ) -> u32 {
        autotune_select(candidates, costs, current_size)
    }
}

/// Length of the natural-gradient step for these input lengths: `n` when `m_inv_sqrt` has
/// at least `n·n` and `grad` at least `n` elements, else 0 (too-short inputs → empty result).
pub fn natural_gradient_step_len(m_len: usize, grad_len: usize, n: u32) -> usize {
    let Ok(n) = usize::try_from(n) else { return 0 };
    match n.checked_mul(n) {
        Some(nn) if m_len >= nn && grad_len >= n => n,
        _ => 0,
    }
}

/// Write `delta = −lr · M · grad` (M is `n×n` row-major) into `out`, which should hold
/// at least [`natural_gradient_step_len`] elements (extra elements are left alone).
/// Returns the number written.
pub fn natural_gradient_step_write(
    m_inv_sqrt: &[f64],
    grad: &[f64],
    n: u32,
    learning_rate: f64,
    out: &mut [f64],
) -> usize {
    let dim = natural_gradient_step_len(m_inv_sqrt.len(), grad.len(), n);
    for (row, slot) in out.iter_mut().take(dim).enumerate() {
        let m_row = &m_inv_sqrt[row * dim..(row + 1) * dim];
        let acc: f64 = m_row.iter().zip(&grad[..dim]).map(|(m, g)| m * g).sum();
        *slot = -learning_rate * acc;
    }
    dim.min(out.len())
}

/// Natural-gradient step into caller storage (cleared first; empty for too-short inputs).
pub fn natural_gradient_step_into(
    m_inv_sqrt: &[f64],
    grad: &[f64],
    n: u32,
    learning_rate: f64,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.resize(
        natural_gradient_step_len(m_inv_sqrt.len(), grad.len(), n),
        0.0,
    );
    natural_gradient_step_write(m_inv_sqrt, grad, n, learning_rate, out);
}

/// Natural-gradient step: `−lr · M · grad` for `n×n` row-major `M`.
pub fn natural_gradient_step(
    m_inv_sqrt: &[f64],
    grad: &[f64],
    n: u32,
    learning_rate: f64,
) -> Vec<f64> {
    let mut out = Vec::new();
    natural_gradient_step_into(m_inv_sqrt, grad, n, learning_rate, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmin_with_ties_and_empties() {
        let p = LaunchPolicy::standard();
        assert_eq!(
            p.autotune_hit_capacity_multiplier(&[1, 2, 4, 8], &[3.0, 1.5, 1.5, 9.0]),
            2
        );
        assert_eq!(
            p.autotune_hit_capacity_multiplier(&[], &[1.0]),
            2,
            "empty → policy value"
        );
        assert_eq!(p.autotune_hit_capacity_multiplier(&[5], &[]), 2);
        assert_eq!(
            p.autotune_hit_capacity_multiplier(&[7, 9], &[f64::NAN, 4.0]),
            9,
            "NaN skipped"
        );
        assert_eq!(p.autotune_hit_capacity_multiplier(&[7], &[f64::NAN]), 2);
        assert_eq!(
            p.autotune_workgroup_size(&[64, 128, 256], &[2.0, 1.0], 32),
            128,
            "pairs only"
        );
        assert_eq!(p.autotune_workgroup_size(&[], &[], 32), 32);
        assert_eq!(
            p.autotune_workgroup_size(&[64, 128], &[-1.0, f64::NEG_INFINITY], 32),
            128
        );
    }

    #[test]
    fn natural_gradient_identity_and_matrix() {
        let id = [1.0, 0.0, 0.0, 1.0];
        assert_eq!(
            natural_gradient_step(&id, &[2.0, -4.0], 2, 0.5),
            vec![-1.0, 2.0]
        );
        let m = [1.0, 2.0, 3.0, 4.0];
        // M·g = [1·1 + 2·1, 3·1 + 4·1] = [3, 7]; −0.1 · that.
        let d = natural_gradient_step(&m, &[1.0, 1.0], 2, 0.1);
        assert!(
            (d[0] + 0.3).abs() < 1e-12 && (d[1] + 0.7).abs() < 1e-12,
            "{d:?}"
        );
        // Longer inputs are fine; only the n×n block and n gradient entries are read.
        assert_eq!(
            natural_gradient_step(&[2.0, 9.0, 9.0, 9.0, 9.0], &[1.0, 7.0], 1, 1.0),
            vec![-2.0]
        );
    }

    #[test]
    fn natural_gradient_short_inputs_are_empty() {
        assert!(natural_gradient_step(&[1.0, 0.0, 0.0], &[1.0, 1.0], 2, 1.0).is_empty());
        assert!(natural_gradient_step(&[1.0; 4], &[1.0], 2, 1.0).is_empty());
        assert!(natural_gradient_step(&[], &[], 0, 1.0).is_empty());
        assert_eq!(
            natural_gradient_step_len(usize::MAX, usize::MAX, u32::MAX),
            u32::MAX as usize
        );
        let mut out = vec![9.0; 3];
        natural_gradient_step_into(&[1.0], &[], 1, 1.0, &mut out);
        assert!(out.is_empty());
    }
}
