//! Priority scheduling telemetry: requeue/aging counters with a drain recommendation, and
//! priority diffusion across sibling tasks.

use super::enums::DrainReason;
use crate::error::{Error, Result};

/// A counter with at most this many increments left is "near its limit".
pub const DRAIN_NEAR_LIMIT_HEADROOM: u64 = 1024;

/// Requeue and aging counters kept by a priority-aware scheduler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PriorityRequeueAccounting {
    /// Slots requeued because of contention or quota pressure.
    pub requeue_count: u64,
    /// Slots promoted because their age crossed the policy threshold.
    pub aged_promotions: u64,
    /// Largest age seen on any queued slot.
    pub max_priority_age: u32,
}

/// What a scheduler should do with its counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DrainRecommendation {
    /// Drain the counters into the next launch request (and reset them) now.
    pub should_drain: bool,
    /// The most urgent reason.
    pub reason: DrainReason,
    /// Counter values to carry into the launch request.
    pub requeue_count: u64,
    /// Aged promotions to carry into launch telemetry.
    pub aged_promotions: u64,
    /// Largest observed age.
    pub max_priority_age: u32,
    /// `u64::MAX − requeue_count`: increments left before overflow.
    pub requeue_counter_headroom: u64,
    /// `u64::MAX − aged_promotions`.
    pub aged_promotion_counter_headroom: u64,
}

impl DrainReason {
    /// What the operator or scheduler should do about this reason.
    pub const fn fix(self) -> &'static std::ffi::CStr {
        match self {
            DrainReason::None => c"nothing to do",
            DrainReason::PendingTelemetry => {
                c"copy requeue_count and max_priority_age into the next launch request, then reset the counters"
            }
            DrainReason::RequeueCounterNearLimit | DrainReason::AgedPromotionCounterNearLimit => {
                c"drain and reset the counters now: fewer than 1025 increments remain before u64 overflow"
            }
            DrainReason::RequeueCounterExhausted | DrainReason::AgedPromotionCounterExhausted => {
                c"the counter is at u64::MAX and rejects further events; drain and reset it before recording more"
            }
        }
    }
}

impl PriorityRequeueAccounting {
    /// Record one requeue of a slot aged `age_ticks`. Overflow is an error and leaves the
    /// counters unchanged.
    pub fn record_requeue(&mut self, age_ticks: u32) -> Result<()> {
        self.requeue_count = self.requeue_count.checked_add(1).ok_or_else(|| {
            Error::overflow(
                "priority requeue_count is at u64::MAX; drain the counters before recording more",
            )
        })?;
        self.max_priority_age = self.max_priority_age.max(age_ticks);
        Ok(())
    }

    /// Record one aging promotion of a slot aged `age_ticks`. Overflow is an error.
    pub fn record_aged_promotion(&mut self, age_ticks: u32) -> Result<()> {
        self.aged_promotions = self.aged_promotions.checked_add(1).ok_or_else(|| {
            Error::overflow(
                "priority aged_promotions is at u64::MAX; drain the counters before recording more",
            )
        })?;
        self.max_priority_age = self.max_priority_age.max(age_ticks);
        Ok(())
    }

    /// The most urgent reason wins: exhausted > near limit > pending telemetry > none;
    /// requeue before aged promotion at the same urgency.
    pub const fn drain_recommendation(&self) -> DrainRecommendation {
        let rq_head = u64::MAX - self.requeue_count;
        let ap_head = u64::MAX - self.aged_promotions;
        let reason = if rq_head == 0 {
            DrainReason::RequeueCounterExhausted
        } else if ap_head == 0 {
            DrainReason::AgedPromotionCounterExhausted
        } else if rq_head <= DRAIN_NEAR_LIMIT_HEADROOM {
            DrainReason::RequeueCounterNearLimit
        } else if ap_head <= DRAIN_NEAR_LIMIT_HEADROOM {
            DrainReason::AgedPromotionCounterNearLimit
        } else if self.requeue_count > 0 || self.aged_promotions > 0 || self.max_priority_age > 0 {
            DrainReason::PendingTelemetry
        } else {
            DrainReason::None
        };
        DrainRecommendation {
            should_drain: !matches!(reason, DrainReason::None),
            reason,
            requeue_count: self.requeue_count,
            aged_promotions: self.aged_promotions,
            max_priority_age: self.max_priority_age,
            requeue_counter_headroom: rq_head,
            aged_promotion_counter_headroom: ap_head,
        }
    }
}

/// Diffuse priorities across siblings into `out` (same length as `priorities`): per
/// iteration `x_i ← x_i − damping · diag_i · x_i`. Mismatched lengths leave the input
/// unchanged (copied to `out`).
pub fn diffuse_priority_write(
    priorities: &[f64],
    restriction_diag: &[f64],
    damping: f64,
    iterations: u32,
    out: &mut [f64],
) {
    let n = priorities.len().min(out.len());
    out[..n].copy_from_slice(&priorities[..n]);
    if priorities.len() != restriction_diag.len() {
        return;
    }
    for (x, &d) in out[..n].iter_mut().zip(restriction_diag) {
        for _ in 0..iterations {
            *x -= damping * d * *x;
        }
    }
}

/// Diffuse priorities into caller storage (cleared and resized to `priorities.len()`).
pub fn diffuse_priority_across_siblings_into(
    priorities: &[f64],
    restriction_diag: &[f64],
    damping: f64,
    iterations: u32,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.resize(priorities.len(), 0.0);
    diffuse_priority_write(priorities, restriction_diag, damping, iterations, out);
}

/// Diffuse priorities across siblings (see [`diffuse_priority_write`]).
pub fn diffuse_priority_across_siblings(
    priorities: &[f64],
    restriction_diag: &[f64],
    damping: f64,
    iterations: u32,
) -> Vec<f64> {
    let mut out = Vec::new();
    diffuse_priority_across_siblings_into(
        priorities,
        restriction_diag,
        damping,
        iterations,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn record_and_overflow() {
        let mut a = PriorityRequeueAccounting::default();
        a.record_requeue(7).unwrap();
        a.record_requeue(3).unwrap();
        a.record_aged_promotion(40).unwrap();
        assert_eq!(
            a,
            PriorityRequeueAccounting {
                requeue_count: 2,
                aged_promotions: 1,
                max_priority_age: 40
            }
        );
        let mut full = PriorityRequeueAccounting {
            requeue_count: u64::MAX,
            aged_promotions: u64::MAX,
            max_priority_age: 1,
        };
        let before = full;
        assert_eq!(
            full.record_requeue(99).unwrap_err().status,
            Status::Overflow
        );
        assert_eq!(
            full.record_aged_promotion(99).unwrap_err().status,
            Status::Overflow
        );
        assert_eq!(full, before, "failed records change nothing");
    }

    #[test]
    fn drain_reasons_by_urgency() {
        let at = |rq: u64, ap: u64, age: u32| {
            PriorityRequeueAccounting {
                requeue_count: rq,
                aged_promotions: ap,
                max_priority_age: age,
            }
            .drain_recommendation()
        };
        let none = at(0, 0, 0);
        assert_eq!((none.reason, none.should_drain), (DrainReason::None, false));
        assert_eq!(
            (
                none.requeue_counter_headroom,
                none.aged_promotion_counter_headroom
            ),
            (u64::MAX, u64::MAX)
        );
        assert_eq!(at(1, 0, 0).reason, DrainReason::PendingTelemetry);
        assert_eq!(at(0, 1, 0).reason, DrainReason::PendingTelemetry);
        assert_eq!(at(0, 0, 5).reason, DrainReason::PendingTelemetry);
        assert!(at(0, 0, 5).should_drain);
        // Headroom 1025 is not near; 1024 is.
        assert_eq!(
            at(u64::MAX - 1025, 0, 0).reason,
            DrainReason::PendingTelemetry
        );
        let near = at(u64::MAX - 1024, 0, 0);
        assert_eq!(
            (near.reason, near.requeue_counter_headroom),
            (DrainReason::RequeueCounterNearLimit, 1024)
        );
        assert_eq!(
            at(0, u64::MAX - 1, 0).reason,
            DrainReason::AgedPromotionCounterNearLimit
        );
        assert_eq!(
            at(u64::MAX - 1, u64::MAX - 1, 0).reason,
            DrainReason::RequeueCounterNearLimit
        );
        assert_eq!(
            at(u64::MAX, 0, 0).reason,
            DrainReason::RequeueCounterExhausted
        );
        assert_eq!(
            at(5, u64::MAX, 0).reason,
            DrainReason::AgedPromotionCounterExhausted
        );
        assert_eq!(
            at(u64::MAX - 3, u64::MAX, 0).reason,
            DrainReason::AgedPromotionCounterExhausted
        );
        assert_eq!(
            at(u64::MAX, u64::MAX, 0).reason,
            DrainReason::RequeueCounterExhausted
        );
        let r = at(10, 20, 30);
        assert_eq!(
            (r.requeue_count, r.aged_promotions, r.max_priority_age),
            (10, 20, 30)
        );
        assert_eq!(r.aged_promotion_counter_headroom, u64::MAX - 20);
        for reason in DrainReason::ALL {
            assert!(!reason.fix().to_bytes().is_empty());
        }
    }

    #[test]
    fn diffusion() {
        let out = diffuse_priority_across_siblings(&[10.0, 4.0, 8.0], &[1.0, 0.0, 0.5], 0.5, 2);
        // 10 · 0.5² = 2.5; 4 unchanged; 8 · 0.75² = 4.5.
        assert_eq!(out, vec![2.5, 4.0, 4.5]);
        assert_eq!(
            diffuse_priority_across_siblings(&[1.0, 2.0], &[1.0], 0.5, 3),
            vec![1.0, 2.0]
        );
        assert_eq!(
            diffuse_priority_across_siblings(&[3.0], &[1.0], 0.5, 0),
            vec![3.0]
        );
        assert!(diffuse_priority_across_siblings(&[], &[], 0.5, 9).is_empty());
        let mut v = vec![9.0; 5];
        diffuse_priority_across_siblings_into(&[2.0], &[1.0], 0.25, 1, &mut v);
        assert_eq!(v, vec![1.5]);
    }
}
