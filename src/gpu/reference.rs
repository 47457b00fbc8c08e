//! A CPU model of the interpreter kernel (same protocol, same wave semantics), used by
//! tests to check GPU results word for word.
//!
//! The model runs one lane: each wave visits slots in ascending order with one work
//! budget, exactly like a GPU megakernel of one lane. A multi-lane GPU run reaches the
//! same final state for rings whose ops do not depend on each other's order; what may
//! differ is only what depends on concurrency (order of PRINTF records and of io-slot
//! choice, and STARVATION across workgroups).

use crate::protocol::abi::{control as c, fault, op, slot, state, CONTROL_WORDS, SLOT_WORDS};
use std::collections::HashMap;

/// Buffers as words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefBuffers {
    pub control: Vec<u32>,
    pub ring: Vec<u32>,
    pub debug_log: Vec<u32>,
    pub io_queue: Vec<u32>,
    pub extras: Vec<Vec<u32>>,
}

/// What a custom opcode sees: the buffers, its argument words, the lane budget.
pub struct Ctx<'a> {
    pub bufs: &'a mut RefBuffers,
    arg_base: usize,
    arg_len: usize,
    budget: &'a mut u32,
    fault_code: &'a mut u32,
}

impl Ctx<'_> {
    pub fn arg(&self, i: usize) -> u32 {
        if i < self.arg_len {
            self.bufs.ring[self.arg_base + i]
        } else {
            0
        }
    }
    pub fn set_arg(&mut self, i: usize, v: u32) {
        if i < self.arg_len {
            self.bufs.ring[self.arg_base + i] = v;
        }
    }
    pub fn budget(&self) -> u32 {
        *self.budget
    }
    pub fn spend(&mut self, n: u32) {
        *self.budget -= n.min(*self.budget);
    }
    pub fn fault(&mut self, code: u32) -> u32 {
        *self.fault_code = code;
        state::FAULT
    }
}

/// Model of a custom opcode (or fused payload): `(ctx, slot) -> new state`.
pub type CustomModel = Box<dyn Fn(&mut Ctx<'_>, u32) -> u32>;

/// Options of a model run.
pub struct RefOptions {
    pub work_budget: u32,
    /// 0 = run until nothing claimable remains (capped at 1,000,000 waves).
    pub max_waves: u32,
    pub custom: HashMap<u32, CustomModel>,
    /// Fused payload: runs for every claimed slot instead of the opcode switch.
    pub fused: Option<CustomModel>,
}

impl Default for RefOptions {
    fn default() -> Self {
        RefOptions {
            work_budget: super::stats::DEFAULT_WORK_BUDGET,
            max_waves: 0,
            custom: HashMap::new(),
            fused: None,
        }
    }
}

/// Totals of a model run (same meaning as [`super::DispatchReport`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefReport {
    pub waves: u32,
    pub done: u64,
    pub faulted: u64,
    pub claims: u64,
    pub claimable: u64,
    pub waiting_io: u64,
    pub denied: u64,
    pub shutdown: bool,
}

struct Lane<'o> {
    budget: u32,
    fault_code: u32,
    arg_base: usize,
    arg_len: usize,
    metrics: [u32; 32],
    tenants: [u32; 32],
    prio: [u32; 5],
    done: u32,
    faulted: u32,
    claims: u32,
    claimable: u32,
    waiting: u32,
    denied: u32,
    hi: u32,
    lo: u32,
    quota_used: [u32; 32],
    opts: &'o RefOptions,
}

fn valid_state(s: u32) -> bool {
    matches!(
        s,
        state::DONE | state::YIELD | state::REQUEUE | state::WAIT_IO | state::FAULT
    )
}

impl Lane<'_> {
    fn arg(&self, b: &RefBuffers, i: usize) -> u32 {
        if i < self.arg_len {
            b.ring[self.arg_base + i]
        } else {
            0
        }
    }
    fn set_arg(&self, b: &mut RefBuffers, i: usize, v: u32) {
        if i < self.arg_len {
            b.ring[self.arg_base + i] = v;
        }
    }
    fn fault(&mut self, code: u32) -> u32 {
        self.fault_code = code;
        state::FAULT
    }
    fn obs_count(b: &RefBuffers) -> usize {
        b.control.len() - CONTROL_WORDS
    }

    fn count_metric(&mut self, opcode: u32) {
        if opcode < 32 {
            self.metrics[opcode as usize] += 1;
        }
    }

    fn custom(&mut self, b: &mut RefBuffers, model: &CustomModel, slot_i: u32) -> u32 {
        let mut ctx = Ctx {
            bufs: b,
            arg_base: self.arg_base,
            arg_len: self.arg_len,
            budget: &mut self.budget,
            fault_code: &mut self.fault_code,
        };
        model(&mut ctx, slot_i)
    }

    fn exec_builtin(&mut self, b: &mut RefBuffers, slot_i: u32, opcode: u32) -> Option<u32> {
        let n = b.control.len();
        Some(match opcode {
            op::NOP => state::DONE,
            op::STORE_U32 => {
                let idx = self.arg(b, 1) as usize;
                if idx >= n {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                b.control[idx] = self.arg(b, 0);
                state::DONE
            }
            op::ATOMIC_ADD => {
                let idx = self.arg(b, 1) as usize;
                if idx >= n {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                b.control[idx] = b.control[idx].wrapping_add(self.arg(b, 0));
                state::DONE
            }
            op::LOAD_U32 => {
                let (src, dst) = (self.arg(b, 0) as usize, self.arg(b, 1) as usize);
                if src >= n || dst >= Self::obs_count(b) {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                b.control[CONTROL_WORDS + dst] = b.control[src];
                state::DONE
            }
            op::COMPARE_SWAP => {
                let idx = self.arg(b, 0) as usize;
                if idx >= Self::obs_count(b) {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                let prev = b.control[idx];
                if prev == self.arg(b, 1) {
                    b.control[idx] = self.arg(b, 2);
                }
                b.control[CONTROL_WORDS + idx] = prev;
                state::DONE
            }
            op::MEMCPY => {
                let (src, dst, len) = (
                    self.arg(b, 0) as u64,
                    self.arg(b, 1) as u64,
                    self.arg(b, 2) as u64,
                );
                let n = n as u64;
                if len > n || src > n - len || dst > n - len {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                if len == 0 {
                    return Some(state::DONE);
                }
                let step = len.min(self.budget as u64);
                if step == 0 {
                    return Some(state::YIELD);
                }
                self.budget -= step as u32;
                if src < dst {
                    for j in (len - step..len).rev() {
                        b.control[(dst + j) as usize] = b.control[(src + j) as usize];
                    }
                    self.set_arg(b, 2, (len - step) as u32);
                } else {
                    for k in 0..step {
                        b.control[(dst + k) as usize] = b.control[(src + k) as usize];
                    }
                    self.set_arg(b, 0, (src + step) as u32);
                    self.set_arg(b, 1, (dst + step) as u32);
                    self.set_arg(b, 2, (len - step) as u32);
                }
                if step == len {
                    state::DONE
                } else {
                    state::YIELD
                }
            }
            op::DFA_STEP => {
                let (buf, off, st, byte, obs) = (
                    self.arg(b, 0) as usize,
                    self.arg(b, 1) as u64,
                    self.arg(b, 2),
                    self.arg(b, 3),
                    self.arg(b, 4),
                );
                let len = b.extras.get(buf).map_or(0, |e| e.len()) as u64;
                if off >= len || obs as usize >= Self::obs_count(b) {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                if byte > 255 {
                    return Some(self.fault(fault::BAD_ARGUMENT));
                }
                let table = &b.extras[buf];
                let states = table[off as usize] as u64;
                if st as u64 >= states || states > (len - off - 1) / 256 {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                let next = table[(off + 1 + st as u64 * 256 + byte as u64) as usize];
                if next as u64 >= states {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                self.set_arg(b, 2, next);
                b.control[CONTROL_WORDS + obs as usize] = next;
                state::DONE
            }
            op::BATCH_FENCE => {
                if Self::obs_count(b) == 0 {
                    return Some(self.fault(fault::OUT_OF_BOUNDS));
                }
                b.control[c::EPOCH] = b.control[c::EPOCH].wrapping_add(1);
                b.control[CONTROL_WORDS] = self.arg(b, 1);
                state::DONE
            }
            op::PRINTF => {
                let at = b.debug_log[0] as usize;
                b.debug_log[0] = b.debug_log[0].wrapping_add(4);
                let n = b.debug_log.len();
                if n >= 5 && at <= n - 5 {
                    b.debug_log[at + 1] = self.arg(b, 0);
                    b.debug_log[at + 2] = self.arg(b, 1);
                    b.debug_log[at + 3] = self.arg(b, 2);
                    b.debug_log[at + 4] = slot_i * SLOT_WORDS as u32;
                }
                state::DONE
            }
            op::LOAD_MISS => self.load_miss(b, slot_i),
            op::SHUTDOWN => {
                b.control[c::SHUTDOWN] = 1;
                state::DONE
            }
            op::PACKED_SLOT => self.packed(b, slot_i),
            _ => return None,
        })
    }

    fn load_miss(&mut self, b: &mut RefBuffers, slot_i: u32) -> u32 {
        let nio = b.io_queue.len() / 8;
        let held = self.arg(b, 10) as usize;
        if held != 0 {
            let i = held - 1;
            if i >= nio {
                return self.fault(fault::OUT_OF_BOUNDS);
            }
            return match b.io_queue[i * 8 + 6] {
                state::IO_OK => {
                    b.io_queue[i * 8 + 6] = state::EMPTY;
                    state::DONE
                }
                state::IO_ERROR => {
                    b.io_queue[i * 8 + 6] = state::EMPTY;
                    self.fault(fault::IO_ERROR)
                }
                _ => state::WAIT_IO,
            };
        }
        let scan = nio.min(self.budget as usize);
        self.budget -= scan as u32;
        let start = slot_i as usize % nio.max(1);
        for k in 0..scan {
            let i = (start + k) % nio;
            let s = b.io_queue[i * 8 + 6];
            if s == state::EMPTY || s == state::DONE {
                let fields = [
                    1,
                    self.arg(b, 0),
                    self.arg(b, 1),
                    self.arg(b, 2),
                    self.arg(b, 3),
                    self.arg(b, 4),
                ];
                b.io_queue[i * 8..i * 8 + 6].copy_from_slice(&fields);
                b.io_queue[i * 8 + 7] = self.arg(b, 5);
                b.io_queue[i * 8 + 6] = state::PUBLISHED;
                self.set_arg(b, 10, i as u32 + 1);
                return state::WAIT_IO;
            }
        }
        if scan < nio {
            state::REQUEUE
        } else {
            state::WAIT_IO
        }
    }

    fn exec_inner(&mut self, b: &mut RefBuffers, slot_i: u32, opcode: u32) -> u32 {
        if opcode <= op::BATCH_FENCE {
            return self.exec_builtin(b, slot_i, opcode).unwrap_or(state::FAULT);
        }
        let opts = self.opts;
        match opts.custom.get(&opcode) {
            Some(m) => self.custom(b, m, slot_i),
            None => self.fault(fault::UNKNOWN_OPCODE),
        }
    }

    fn packed(&mut self, b: &mut RefBuffers, slot_i: u32) -> u32 {
        let w = slot_i as usize * SLOT_WORDS;
        let a = w + slot::ARGS;
        let byte = |b: &RefBuffers, i: usize| (b.ring[a + i / 4] >> (8 * (i % 4))) & 0xFF;
        let count = byte(b, 0);
        let total = byte(b, 1);
        if count == 0 || count > 23 {
            return self.fault(fault::BAD_ARGUMENT);
        }
        let meta = (2 + 2 * count).div_ceil(4);
        if meta + total > 12 {
            return self.fault(fault::BAD_ARGUMENT);
        }
        let pw = b.ring[w + slot::PRIORITY];
        let mut i = (pw >> 8) & 0xFF;
        let mut st = state::DONE;
        while i < count {
            if self.budget == 0 {
                st = state::YIELD;
                break;
            }
            self.budget -= 1;
            let opc = byte(b, 2 + 2 * i as usize);
            let start = byte(b, 3 + 2 * i as usize);
            let end = if i + 1 < count {
                byte(b, 5 + 2 * i as usize)
            } else {
                total
            };
            if start > end || end > total {
                st = self.fault(fault::BAD_ARGUMENT);
                break;
            }
            self.arg_base = a + (meta + start) as usize;
            self.arg_len = (end - start) as usize;
            let mut r = self.exec_inner(b, slot_i, opc);
            if !valid_state(r) {
                r = self.fault(fault::BAD_ARGUMENT);
            }
            if r == state::DONE || r == state::FAULT {
                self.count_metric(opc);
            }
            if r != state::DONE {
                st = r;
                break;
            }
            i += 1;
        }
        self.arg_base = a;
        self.arg_len = 12;
        b.ring[w + slot::PRIORITY] = if matches!(st, state::YIELD | state::REQUEUE | state::WAIT_IO)
        {
            (pw & 0xFF) | (i << 8)
        } else {
            pw & 0xFF
        };
        st
    }

    fn leave(&mut self, status: u32) {
        match status {
            state::WAIT_IO => self.waiting += 1,
            state::PUBLISHED | state::YIELD | state::REQUEUE => self.claimable += 1,
            _ => {}
        }
    }

    fn visit(&mut self, b: &mut RefBuffers, slot_i: u32) {
        let w = slot_i as usize * SLOT_WORDS;
        let status = b.ring[w];
        let waiting = status == state::WAIT_IO;
        if !(waiting || matches!(status, state::PUBLISHED | state::YIELD | state::REQUEUE)) {
            return;
        }
        let opcode = b.ring[w + slot::OPCODE];
        if waiting && opcode == op::LOAD_MISS {
            let held = b.ring[w + 14] as usize;
            let ready = held == 0
                || held > b.io_queue.len() / 8
                || matches!(
                    b.io_queue[(held - 1) * 8 + 6],
                    state::IO_OK | state::IO_ERROR
                );
            if !ready {
                self.waiting += 1;
                return;
            }
        }
        if b.control[c::SHUTDOWN] != 0 {
            self.leave(status);
            return;
        }
        let tenant = b.ring[w + slot::TENANT];
        let allowed = tenant < c::MAX_TENANTS
            && (b.control[c::TENANT_TABLE + tenant as usize / 32] >> (tenant % 32)) & 1 == 1;
        if !allowed {
            self.denied += 1;
            return;
        }
        if self.budget == 0 && matches!(opcode, op::MEMCPY | op::PACKED_SLOT | op::LOAD_MISS) {
            self.leave(status);
            return;
        }
        if tenant < 32 {
            let quota = b.control[c::TENANT_QUOTA + tenant as usize];
            if quota != 0 {
                let used = self.quota_used[tenant as usize];
                self.quota_used[tenant as usize] += 1;
                if used >= quota {
                    self.leave(status);
                    return;
                }
            }
        }
        b.ring[w] = state::CLAIMED;
        let prio = b.ring[w + slot::PRIORITY] & 0xFF;
        self.claims += 1;
        self.tenants[(tenant % 32) as usize] += 1;
        if prio <= 1 {
            self.hi += 1;
        } else {
            self.lo += 1;
        }
        if prio < 5 {
            self.prio[prio as usize] += 1;
        }
        self.arg_base = w + slot::ARGS;
        self.arg_len = 12;
        self.fault_code = 0;
        let opts = self.opts;
        let mut st = if let Some(f) = &opts.fused {
            self.custom(b, f, slot_i)
        } else {
            match self.exec_builtin(b, slot_i, opcode) {
                Some(s) => s,
                None => match opts.custom.get(&opcode) {
                    Some(m) => self.custom(b, m, slot_i),
                    None => self.fault(fault::UNKNOWN_OPCODE),
                },
            }
        };
        if !valid_state(st) {
            st = self.fault(fault::BAD_ARGUMENT);
        }
        match st {
            state::FAULT => {
                b.ring[w + slot::FAULT_CODE] = self.fault_code;
                self.faulted += 1;
                self.count_metric(opcode);
            }
            state::DONE => {
                self.done += 1;
                self.count_metric(opcode);
            }
            s => self.leave(s),
        }
        b.ring[w] = st;
    }
}

/// Run waves over `bufs` like a one-lane megakernel until nothing claimable remains
/// (or `max_waves`), and return the totals.
pub fn run(bufs: &mut RefBuffers, opts: &RefOptions) -> RefReport {
    let slots = (bufs.ring.len() / SLOT_WORDS) as u32;
    let mut report = RefReport::default();
    let cap = if opts.max_waves == 0 {
        1_000_000
    } else {
        opts.max_waves
    };
    while report.waves < cap {
        let mut lane = Lane {
            budget: opts.work_budget,
            fault_code: 0,
            arg_base: 0,
            arg_len: 0,
            metrics: [0; 32],
            tenants: [0; 32],
            prio: [0; 5],
            done: 0,
            faulted: 0,
            claims: 0,
            claimable: 0,
            waiting: 0,
            denied: 0,
            hi: 0,
            lo: 0,
            quota_used: [0; 32],
            opts,
        };
        for s in 0..slots {
            lane.visit(bufs, s);
        }
        let ctl = &mut bufs.control;
        for i in 0..32 {
            ctl[c::METRICS + i] = ctl[c::METRICS + i].wrapping_add(lane.metrics[i]);
            ctl[c::TENANT_FAIRNESS + i] = ctl[c::TENANT_FAIRNESS + i].wrapping_add(lane.tenants[i]);
        }
        for i in 0..5 {
            ctl[c::PRIORITY_FAIRNESS + i] =
                ctl[c::PRIORITY_FAIRNESS + i].wrapping_add(lane.prio[i]);
        }
        ctl[c::DONE_COUNT] = ctl[c::DONE_COUNT].wrapping_add(lane.done);
        ctl[c::FAULT_COUNT] = ctl[c::FAULT_COUNT].wrapping_add(lane.faulted);
        if lane.lo != 0 {
            ctl[c::STARVATION] = 0;
        } else {
            ctl[c::STARVATION] = ctl[c::STARVATION].wrapping_add(lane.hi);
        }
        report.waves += 1;
        report.done += lane.done as u64;
        report.faulted += lane.faulted as u64;
        report.claims += lane.claims as u64;
        report.claimable = lane.claimable as u64;
        report.waiting_io = lane.waiting as u64;
        report.denied = lane.denied as u64;
        report.shutdown = ctl[c::SHUTDOWN] != 0;
        if report.shutdown || report.claimable == 0 {
            break;
        }
    }
    report
}
