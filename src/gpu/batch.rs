//! Batch dispatch: many resident sets of one megakernel in one submission per wave (one
//! command buffer, one compute pass, one census readback for all sets).

use super::megakernel::Megakernel;
use super::recovery::with_recovery;
use super::resident::ResidentSet;
use super::stats::{DispatchOptions, DispatchReport};
use super::waves::{self, Job, Uploads};
use crate::error::{Error, Result};

impl Megakernel {
    /// Dispatch every set in `sets` together: each wave records all sets that still have
    /// claimable slots into one command buffer. Returns one report per set, in order.
    /// Sets must belong to this megakernel and appear once each.
    pub fn dispatch_batch(
        &self,
        sets: &[&ResidentSet],
        opts: &DispatchOptions,
    ) -> Result<Vec<DispatchReport>> {
        opts.validate()?;
        let start = std::time::Instant::now();
        for (i, s) in sets.iter().enumerate() {
            if !s.megakernel().same(self) {
                return Err(Error::invalid(format!(
                    "set {i} of the batch belongs to another megakernel"
                )));
            }
        }
        // Lock in address order (no deadlock with concurrent batches); refuse duplicates.
        let mut order: Vec<usize> = (0..sets.len()).collect();
        order.sort_by_key(|&i| sets[i].ptr_id());
        for w in order.windows(2) {
            if sets[w[0]].ptr_id() == sets[w[1]].ptr_id() {
                return Err(Error::invalid(format!(
                    "sets {} and {} of the batch are the same set",
                    w[0], w[1]
                )));
            }
        }
        if sets.is_empty() {
            return Ok(Vec::new());
        }
        let mut guards: Vec<_> = order.iter().map(|&i| sets[i].lock_for_batch()).collect();
        let mut recovered = 0;
        let sorted_reports = with_recovery(
            self.device(),
            opts.recovery_attempts,
            &mut recovered,
            |state| {
                let pipe = self.pipeline(state)?;
                // Plan every set, stage all their uploads in one buffer, then run.
                let mut plans = Vec::with_capacity(guards.len());
                let mut copies = Vec::with_capacity(guards.len());
                for k in 0..guards.len() {
                    match guards[k].plan(state, &pipe) {
                        Ok(p) => plans.push(p),
                        Err(e) => {
                            // Sets planned so far dropped their dirty ranges and copies:
                            // rebuild them all from their mirrors next time.
                            guards.iter_mut().for_each(|g| g.invalidate());
                            return Err(e);
                        }
                    }
                    copies.push(guards[k].take_copies());
                }
                let mut parts = Vec::new();
                for (k, (g, plan)) in guards.iter().zip(&plans).enumerate() {
                    parts.extend(g.parts(k, plan));
                }
                let staged = Uploads::stage(state, &parts).map(|u| {
                    copies
                        .into_iter()
                        .enumerate()
                        .fold(u, |u, (k, c)| u.with_device_copies(k, c))
                });
                drop(parts);
                let outcome = staged.and_then(|uploads| {
                    let mut jobs: Vec<Job<'_>> =
                        guards.iter_mut().map(|g| Job::new(g.gpu(), &[])).collect();
                    waves::run(state, &pipe, self, &mut jobs, opts, &uploads)?;
                    Ok(jobs
                        .iter()
                        .zip(&plans)
                        .map(|(j, plan)| {
                            let mut r = j.report;
                            r.bytes_in += plan.iter().map(|&(_, s, e)| e - s).sum::<u64>();
                            r
                        })
                        .collect::<Vec<_>>())
                });
                if outcome.is_err() {
                    guards.iter_mut().for_each(|g| g.invalidate());
                }
                outcome
            },
        )?;
        let latency = start.elapsed();
        let mut reports = vec![DispatchReport::default(); sets.len()];
        for (k, &i) in order.iter().enumerate() {
            reports[i] = sorted_reports[k];
            reports[i].recovered = recovered.max(guards[k].take_rebuilt() as u32);
            reports[i].latency = latency;
        }
        Ok(reports)
    }
}
