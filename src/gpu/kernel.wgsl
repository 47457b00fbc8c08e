// vyre interpreter kernel: one bounded *wave* over the ring (see src/gpu/kernel.rs).
//
// Every loop of an invocation is bounded per wave (lavapipe silently cuts an invocation
// after 65,535 loop iterations in total): slot visits are bounded by the visit cap and
// every inner loop spends from the lane's work budget. Long opcodes save their progress
// in their args and return YIELD; the host runs more waves.
//
// Lines starting with `//@` are replaced by src/gpu/kernel.rs when the kernel is generated.

@group(0) @binding(0) var<storage, read_write> control: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> ring: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> debug_log: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> io_queue: array<atomic<u32>>;
//@USER_BUFFERS
@group(1) @binding(0) var<storage, read_write> vyre_engine: array<atomic<u32>>;

//@CONSTANTS

// Slot states (SPEC 1.2) and io completions (SPEC 1.4).
const VYRE_EMPTY: u32 = 0u;
const VYRE_PUBLISHED: u32 = 1u;
const VYRE_CLAIMED: u32 = 2u;
const VYRE_DONE: u32 = 3u;
const VYRE_WAIT_IO: u32 = 4u;
const VYRE_YIELD: u32 = 5u;
const VYRE_REQUEUE: u32 = 6u;
const VYRE_FAULT: u32 = 7u;
const VYRE_IO_OK: u32 = 0x10u;
const VYRE_IO_ERROR: u32 = 0x11u;

// Fault codes stored in slot word 15.
const VYRE_FAULT_UNKNOWN_OPCODE: u32 = 1u;
const VYRE_FAULT_OUT_OF_BOUNDS: u32 = 2u;
const VYRE_FAULT_BAD_ARGUMENT: u32 = 3u;
const VYRE_FAULT_IO_ERROR: u32 = 4u;

// Opcodes the interpreter itself needs to know.
const VYRE_OP_MEMCPY: u32 = 5u;
const VYRE_OP_LOAD_MISS: u32 = 0xFFFDu;
const VYRE_OP_PACKED_SLOT: u32 = 0x80000001u;

// Control words (SPEC 1.1).
const VYRE_C_SHUTDOWN: u32 = 0u;
const VYRE_C_DONE_COUNT: u32 = 1u;
const VYRE_C_TENANT_TABLE: u32 = 3u;
const VYRE_C_TENANT_QUOTA: u32 = 32u;
const VYRE_C_TENANT_FAIRNESS: u32 = 64u;
const VYRE_C_METRICS: u32 = 96u;
const VYRE_C_EPOCH: u32 = 128u;
const VYRE_C_STARVATION: u32 = 135u;
const VYRE_C_PRIORITY_FAIRNESS: u32 = 136u;
const VYRE_C_FAULT_COUNT: u32 = 141u;
const VYRE_C_OBSERVABLE: u32 = 160u;
const VYRE_MAX_TENANTS: u32 = 928u;

// Engine-state words (src/gpu/engine.rs keeps the same numbers).
const VYRE_E_TICKET: u32 = 0u;
const VYRE_E_CLAIMABLE: u32 = 1u;
const VYRE_E_WAITING: u32 = 2u;
const VYRE_E_DENIED: u32 = 3u;
const VYRE_E_DONE: u32 = 4u;
const VYRE_E_FAULTED: u32 = 5u;
const VYRE_E_CLAIMS: u32 = 6u;
const VYRE_E_SHUTDOWN: u32 = 7u;
const VYRE_E_QUOTA_USED: u32 = 16u;
const VYRE_E_BUDGET: u32 = 48u;
const VYRE_E_VISIT_CAP: u32 = 49u;

// Per-lane state of the current wave.
var<private> vyre_lane_budget: u32;
var<private> vyre_fault_code: u32;
var<private> vyre_arg_base: u32;
var<private> vyre_arg_len: u32;

// Per-lane counters, flushed once per wave (few atomics on shared words).
var<private> vyre_acc_done: u32;
var<private> vyre_acc_faulted: u32;
var<private> vyre_acc_claims: u32;
var<private> vyre_acc_claimable: u32;
var<private> vyre_acc_waiting: u32;
var<private> vyre_acc_denied: u32;
var<private> vyre_acc_hi: u32;
var<private> vyre_acc_lo: u32;
var<private> vyre_run_op: u32;
var<private> vyre_run_op_n: u32;
var<private> vyre_run_tenant: u32;
var<private> vyre_run_tenant_n: u32;
var<private> vyre_run_prio: u32;
var<private> vyre_run_prio_n: u32;

var<workgroup> vyre_wg_base: u32;
var<workgroup> vyre_wg_metrics: array<atomic<u32>, 32>;
var<workgroup> vyre_wg_tenants: array<atomic<u32>, 32>;
var<workgroup> vyre_wg_prio: array<atomic<u32>, 5>;
var<workgroup> vyre_wg_counts: array<atomic<u32>, 8>;

// ---------------------------------------------------------------------------------------
// Helpers available to custom opcodes (documented in the gpu module and gpu-api notes).
// ---------------------------------------------------------------------------------------

/// Argument `i` of the op being executed (0 past the op's argument count).
fn vyre_arg(i: u32) -> u32 {
    if i >= vyre_arg_len {
        return 0u;
    }
    return atomicLoad(&ring[vyre_arg_base + i]);
}

/// Overwrite argument `i` of the op being executed (saved progress of a YIELD).
fn vyre_set_arg(i: u32, value: u32) {
    if i < vyre_arg_len {
        atomicStore(&ring[vyre_arg_base + i], value);
    }
}

/// Number of argument words of the op being executed (12 for a top-level slot).
fn vyre_arg_count() -> u32 {
    return vyre_arg_len;
}

/// Loop iterations this lane may still spend in this wave.
fn vyre_budget() -> u32 {
    return vyre_lane_budget;
}

/// Spend `n` loop iterations of the lane budget (saturating).
fn vyre_spend(n: u32) {
    vyre_lane_budget = vyre_lane_budget - min(n, vyre_lane_budget);
}

/// Record a fault code and return the FAULT state: `return vyre_fault(code);`.
fn vyre_fault(code: u32) -> u32 {
    vyre_fault_code = code;
    return VYRE_FAULT;
}

/// Words in the observable region of the control buffer.
fn vyre_observable_count() -> u32 {
    return arrayLength(&control) - VYRE_C_OBSERVABLE;
}

//@USER_ACCESS

// ---------------------------------------------------------------------------------------
// Built-in opcodes. Each reads its args with vyre_arg and returns the slot's new state.
// ---------------------------------------------------------------------------------------

// STORE_U32: control[arg1] = arg0.
fn vyre_op_store() -> u32 {
    let idx = vyre_arg(1u);
    if idx >= arrayLength(&control) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicStore(&control[idx], vyre_arg(0u));
    return VYRE_DONE;
}

// ATOMIC_ADD: control[arg1] += arg0.
fn vyre_op_atomic_add() -> u32 {
    let idx = vyre_arg(1u);
    if idx >= arrayLength(&control) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicAdd(&control[idx], vyre_arg(0u));
    return VYRE_DONE;
}

// LOAD_U32: control[160 + arg1] = control[arg0].
fn vyre_op_load() -> u32 {
    let src = vyre_arg(0u);
    let dst = vyre_arg(1u);
    if src >= arrayLength(&control) || dst >= vyre_observable_count() {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicStore(&control[VYRE_C_OBSERVABLE + dst], atomicLoad(&control[src]));
    return VYRE_DONE;
}

// COMPARE_SWAP: prev = CAS(control[arg0], arg1, arg2); control[160 + arg0] = prev.
// WGSL only has a weak CAS: retry a spurious failure a few times, then REQUEUE (no
// side effect happened, so the slot simply runs again in a later wave).
fn vyre_op_compare_swap() -> u32 {
    let idx = vyre_arg(0u);
    if idx >= vyre_observable_count() {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    let expected = vyre_arg(1u);
    let desired = vyre_arg(2u);
    for (var attempt = 0u; attempt < 4u; attempt++) {
        let r = atomicCompareExchangeWeak(&control[idx], expected, desired);
        if r.exchanged || r.old_value != expected {
            atomicStore(&control[VYRE_C_OBSERVABLE + idx], r.old_value);
            return VYRE_DONE;
        }
    }
    return VYRE_REQUEUE;
}

// MEMCPY: control[arg1 + i] = control[arg0 + i] for i < arg2, with memmove semantics.
// Copies at most the lane budget per wave and saves progress in its args: a forward copy
// advances src/dst and shrinks len; a backward copy (src < dst) shrinks len only.
fn vyre_op_memcpy() -> u32 {
    let src = vyre_arg(0u);
    let dst = vyre_arg(1u);
    let len = vyre_arg(2u);
    let n = arrayLength(&control);
    if len > n || src > n - len || dst > n - len {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    if len == 0u {
        return VYRE_DONE;
    }
    let step = min(len, vyre_lane_budget);
    if step == 0u {
        return VYRE_YIELD;
    }
    vyre_lane_budget = vyre_lane_budget - step;
    if src < dst {
        for (var k = len - step; k < len; k++) {
            let j = len - 1u - (k - (len - step));
            atomicStore(&control[dst + j], atomicLoad(&control[src + j]));
        }
        vyre_set_arg(2u, len - step);
    } else {
        for (var k = 0u; k < step; k++) {
            atomicStore(&control[dst + k], atomicLoad(&control[src + k]));
        }
        vyre_set_arg(0u, src + step);
        vyre_set_arg(1u, dst + step);
        vyre_set_arg(2u, len - step);
    }
    if step == len {
        return VYRE_DONE;
    }
    return VYRE_YIELD;
}

// DFA_STEP: one transition of a dense DFA table resident in user buffer arg0.
// Table at word offset arg1 of that buffer: word 0 = state count S, then S x 256 words,
// next = table[arg1 + 1 + state * 256 + byte]. args: 0 buffer, 1 offset, 2 state (replaced
// by the new state), 3 byte (< 256), 4 observable index receiving the new state.
fn vyre_op_dfa_step() -> u32 {
    let buf = vyre_arg(0u);
    let off = vyre_arg(1u);
    let state = vyre_arg(2u);
    let byte = vyre_arg(3u);
    let obs = vyre_arg(4u);
    let len = vyre_user_len(buf);
    if off >= len || obs >= vyre_observable_count() {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    if byte > 255u {
        return vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
    }
    let states = vyre_user_load(buf, off);
    if state >= states || states > (len - off - 1u) / 256u {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    let next = vyre_user_load(buf, off + 1u + state * 256u + byte);
    if next >= states {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    vyre_set_arg(2u, next);
    atomicStore(&control[VYRE_C_OBSERVABLE + obs], next);
    return VYRE_DONE;
}

// BATCH_FENCE: EPOCH += 1; control[160] = arg1 (batch tag).
fn vyre_op_batch_fence() -> u32 {
    if vyre_observable_count() == 0u {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicAdd(&control[VYRE_C_EPOCH], 1u);
    atomicStore(&control[VYRE_C_OBSERVABLE], vyre_arg(1u));
    return VYRE_DONE;
}

// PRINTF: reserve 4 debug-log words; a record past capacity is dropped, the cursor still
// advances. Record = (format id, arg1, arg2, slot word offset).
fn vyre_op_printf(slot: u32) -> u32 {
    let at = atomicAdd(&debug_log[0], 4u);
    let n = arrayLength(&debug_log);
    if n >= 5u && at <= n - 5u {
        atomicStore(&debug_log[at + 1u], vyre_arg(0u));
        atomicStore(&debug_log[at + 2u], vyre_arg(1u));
        atomicStore(&debug_log[at + 3u], vyre_arg(2u));
        atomicStore(&debug_log[at + 4u], slot * 16u);
    }
    return VYRE_DONE;
}

// LOAD_MISS: GPU-initiated READ through the io queue. args: 0 src handle, 1 dst handle,
// 2 offset lo, 3 offset hi, 4 byte count, 5 tag; arg 10 = io slot + 1 (kernel-written).
// First run claims a free io slot (EMPTY or DONE) with CAS, fills it, publishes it and
// waits (WAIT_IO). The slot is claimed again once the host completed the request:
// OK -> DONE, ERROR -> FAULT(IO_ERROR); the io slot is then set back to EMPTY (free).
fn vyre_op_load_miss(slot: u32) -> u32 {
    let nio = arrayLength(&io_queue) / 8u;
    let held = vyre_arg(10u);
    if held != 0u {
        let i = held - 1u;
        if i >= nio {
            return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
        }
        let st = atomicLoad(&io_queue[i * 8u + 6u]);
        if st == VYRE_IO_OK {
            atomicStore(&io_queue[i * 8u + 6u], VYRE_EMPTY);
            return VYRE_DONE;
        }
        if st == VYRE_IO_ERROR {
            atomicStore(&io_queue[i * 8u + 6u], VYRE_EMPTY);
            return vyre_fault(VYRE_FAULT_IO_ERROR);
        }
        return VYRE_WAIT_IO;
    }
    // Scan at most the lane budget, starting at a slot-dependent io slot.
    let scan = min(nio, vyre_lane_budget);
    vyre_lane_budget = vyre_lane_budget - scan;
    let start = slot % max(nio, 1u);
    for (var k = 0u; k < scan; k++) {
        let i = (start + k) % nio;
        let s = atomicLoad(&io_queue[i * 8u + 6u]);
        if s == VYRE_EMPTY || s == VYRE_DONE {
            let r = atomicCompareExchangeWeak(&io_queue[i * 8u + 6u], s, VYRE_CLAIMED);
            if r.exchanged {
                atomicStore(&io_queue[i * 8u + 0u], 1u);
                atomicStore(&io_queue[i * 8u + 1u], vyre_arg(0u));
                atomicStore(&io_queue[i * 8u + 2u], vyre_arg(1u));
                atomicStore(&io_queue[i * 8u + 3u], vyre_arg(2u));
                atomicStore(&io_queue[i * 8u + 4u], vyre_arg(3u));
                atomicStore(&io_queue[i * 8u + 5u], vyre_arg(4u));
                atomicStore(&io_queue[i * 8u + 7u], vyre_arg(5u));
                atomicStore(&io_queue[i * 8u + 6u], VYRE_PUBLISHED);
                vyre_set_arg(10u, i + 1u);
                return VYRE_WAIT_IO;
            }
        }
    }
    if scan < nio {
        // Budget ran out before the whole queue was scanned: try again next wave.
        return VYRE_REQUEUE;
    }
    // Io queue full: wait; the request is retried once the host frees io slots.
    return VYRE_WAIT_IO;
}

//@CUSTOM_FUNCTIONS

// Inner ops of a packed slot (u8 opcodes: built-ins 0..7 and custom opcodes <= 255).
fn vyre_exec_inner(slot: u32, opcode: u32) -> u32 {
    switch opcode {
        case 0u: { return VYRE_DONE; }
        case 1u: { return vyre_op_store(); }
        case 2u: { return vyre_op_atomic_add(); }
        case 3u: { return vyre_op_load(); }
        case 4u: { return vyre_op_compare_swap(); }
        case 5u: { return vyre_op_memcpy(); }
        case 6u: { return vyre_op_dfa_step(); }
        case 7u: { return vyre_op_batch_fence(); }
//@INNER_CASES
        default: { return vyre_fault(VYRE_FAULT_UNKNOWN_OPCODE); }
    }
}

fn vyre_valid_state(s: u32) -> bool {
    return s == VYRE_DONE || s == VYRE_YIELD || s == VYRE_REQUEUE || s == VYRE_WAIT_IO || s == VYRE_FAULT;
}

// Count one finished (DONE or FAULT) execution of `opcode` (run-length per lane).
fn vyre_count_metric(opcode: u32) {
    if opcode >= 32u {
        return;
    }
    if opcode == vyre_run_op {
        vyre_run_op_n += 1u;
        return;
    }
    if vyre_run_op_n != 0u {
        atomicAdd(&vyre_wg_metrics[vyre_run_op], vyre_run_op_n);
    }
    vyre_run_op = opcode;
    vyre_run_op_n = 1u;
}

fn vyre_packed_byte(args: u32, i: u32) -> u32 {
    return (atomicLoad(&ring[args + i / 4u]) >> (8u * (i % 4u))) & 0xFFu;
}

// PACKED_SLOT (SPEC 1.6): run every inner op in order, one budget unit each. An inner op
// that suspends (YIELD/REQUEUE/WAIT_IO, e.g. a long MEMCPY) suspends the whole slot; the
// index of the op to resume is kept in bits 8..15 of the priority word (word 3) while
// suspended and cleared when the slot finishes.
fn vyre_op_packed(slot: u32) -> u32 {
    let w = slot * 16u;
    let a = w + 4u;
    let count = vyre_packed_byte(a, 0u);
    let total = vyre_packed_byte(a, 1u);
    if count == 0u || count > 23u {
        return vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
    }
    let meta_words = (2u + 2u * count + 3u) / 4u;
    if meta_words + total > 12u {
        return vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
    }
    let pw = atomicLoad(&ring[w + 3u]);
    var i = (pw >> 8u) & 0xFFu;
    var st = VYRE_DONE;
    loop {
        if i >= count {
            break;
        }
        if vyre_lane_budget == 0u {
            st = VYRE_YIELD;
            break;
        }
        vyre_lane_budget -= 1u;
        let op = vyre_packed_byte(a, 2u + 2u * i);
        let start = vyre_packed_byte(a, 3u + 2u * i);
        var end = total;
        if i + 1u < count {
            end = vyre_packed_byte(a, 5u + 2u * i);
        }
        if start > end || end > total {
            st = vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
            break;
        }
        vyre_arg_base = a + meta_words + start;
        vyre_arg_len = end - start;
        var r = vyre_exec_inner(slot, op);
        if !vyre_valid_state(r) {
            r = vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
        }
        if r == VYRE_DONE || r == VYRE_FAULT {
            vyre_count_metric(op);
        }
        if r != VYRE_DONE {
            st = r;
            break;
        }
        i += 1u;
    }
    vyre_arg_base = a;
    vyre_arg_len = 12u;
    if st == VYRE_YIELD || st == VYRE_REQUEUE || st == VYRE_WAIT_IO {
        atomicStore(&ring[w + 3u], (pw & 0xFFu) | (i << 8u));
    } else {
        atomicStore(&ring[w + 3u], pw & 0xFFu);
    }
    return st;
}

// Top-level dispatch (the fused variant replaces the body with its payload call).
fn vyre_exec(slot: u32, opcode: u32) -> u32 {
//@EXEC_BODY
}

// ---------------------------------------------------------------------------------------
// Claiming.
// ---------------------------------------------------------------------------------------

fn vyre_tenant_allowed(t: u32) -> bool {
    if t >= VYRE_MAX_TENANTS {
        return false;
    }
    let word = atomicLoad(&control[VYRE_C_TENANT_TABLE + t / 32u]);
    return ((word >> (t % 32u)) & 1u) == 1u;
}

// Opcodes that loop and therefore need budget to make progress.
fn vyre_needs_budget(opcode: u32) -> bool {
    return opcode == VYRE_OP_MEMCPY || opcode == VYRE_OP_PACKED_SLOT || opcode == VYRE_OP_LOAD_MISS;
}

// A WAIT_IO LOAD_MISS slot is ready when it holds no io slot yet (retry the request) or
// the host completed its request.
fn vyre_io_ready(w: u32) -> bool {
    let held = atomicLoad(&ring[w + 14u]);
    if held == 0u {
        return true;
    }
    let i = held - 1u;
    if i >= arrayLength(&io_queue) / 8u {
        return true;
    }
    let st = atomicLoad(&io_queue[i * 8u + 6u]);
    return st == VYRE_IO_OK || st == VYRE_IO_ERROR;
}

// Census of a slot left unclaimed (or left in `status` after running).
fn vyre_leave(status: u32) {
    if status == VYRE_WAIT_IO {
        vyre_acc_waiting += 1u;
    } else if status == VYRE_PUBLISHED || status == VYRE_YIELD || status == VYRE_REQUEUE {
        vyre_acc_claimable += 1u;
    }
}

fn vyre_count_claim(tenant: u32, prio: u32) {
    vyre_acc_claims += 1u;
    let t = tenant % 32u;
    if t == vyre_run_tenant {
        vyre_run_tenant_n += 1u;
    } else {
        if vyre_run_tenant_n != 0u {
            atomicAdd(&vyre_wg_tenants[vyre_run_tenant], vyre_run_tenant_n);
        }
        vyre_run_tenant = t;
        vyre_run_tenant_n = 1u;
    }
    if prio <= 1u {
        vyre_acc_hi += 1u;
    } else {
        vyre_acc_lo += 1u;
    }
    if prio < 5u {
        if prio == vyre_run_prio {
            vyre_run_prio_n += 1u;
        } else {
            if vyre_run_prio_n != 0u {
                atomicAdd(&vyre_wg_prio[vyre_run_prio], vyre_run_prio_n);
            }
            vyre_run_prio = prio;
            vyre_run_prio_n = 1u;
        }
    }
}

fn vyre_visit(slot: u32) {
    let w = slot * 16u;
    let status = atomicLoad(&ring[w]);
    let waiting = status == VYRE_WAIT_IO;
    if !(waiting || status == VYRE_PUBLISHED || status == VYRE_YIELD || status == VYRE_REQUEUE) {
        return;
    }
    let opcode = atomicLoad(&ring[w + 1u]);
    if waiting && opcode == VYRE_OP_LOAD_MISS && !vyre_io_ready(w) {
        vyre_acc_waiting += 1u;
        return;
    }
    // SHUTDOWN: stop claiming; what is left is reported, never dropped.
    if atomicLoad(&control[VYRE_C_SHUTDOWN]) != 0u {
        vyre_leave(status);
        return;
    }
    let tenant = atomicLoad(&ring[w + 2u]);
    if !vyre_tenant_allowed(tenant) {
        // Denied: the slot is left exactly as it was.
        vyre_acc_denied += 1u;
        return;
    }
    if vyre_lane_budget == 0u && vyre_needs_budget(opcode) {
        vyre_leave(status);
        return;
    }
    var quota_taken = false;
    if tenant < 32u {
        let quota = atomicLoad(&control[VYRE_C_TENANT_QUOTA + tenant]);
        if quota != 0u {
            let used = atomicAdd(&vyre_engine[VYRE_E_QUOTA_USED + tenant], 1u);
            if used >= quota {
                // Over this wave's quota: stays claimable for a later wave.
                vyre_leave(status);
                return;
            }
            quota_taken = true;
        }
    }
    let claim = atomicCompareExchangeWeak(&ring[w], status, VYRE_CLAIMED);
    if !claim.exchanged {
        if quota_taken {
            atomicSub(&vyre_engine[VYRE_E_QUOTA_USED + tenant], 1u);
        }
        vyre_leave(claim.old_value);
        return;
    }
    let prio = atomicLoad(&ring[w + 3u]) & 0xFFu;
    vyre_count_claim(tenant, prio);

    vyre_arg_base = w + 4u;
    vyre_arg_len = 12u;
    vyre_fault_code = 0u;
    var st = vyre_exec(slot, opcode);
    if !vyre_valid_state(st) {
        st = vyre_fault(VYRE_FAULT_BAD_ARGUMENT);
    }
    if st == VYRE_FAULT {
        atomicStore(&ring[w + 15u], vyre_fault_code);
        vyre_acc_faulted += 1u;
        vyre_count_metric(opcode);
    } else if st == VYRE_DONE {
        vyre_acc_done += 1u;
        vyre_count_metric(opcode);
    } else {
        vyre_leave(st);
    }
    atomicStore(&ring[w], st);
}

fn vyre_flush_counter(i: u32, v: u32) {
    if v != 0u {
        atomicAdd(&vyre_wg_counts[i], v);
    }
}

@compute @workgroup_size(VYRE_WG)
fn main(@builtin(local_invocation_index) lid: u32) {
    let slots = arrayLength(&ring) / 16u;
    let visit_cap = atomicLoad(&vyre_engine[VYRE_E_VISIT_CAP]);
    vyre_lane_budget = atomicLoad(&vyre_engine[VYRE_E_BUDGET]);
    vyre_run_op = 0xFFFFFFFFu;
    vyre_run_tenant = 0xFFFFFFFFu;
    vyre_run_prio = 0xFFFFFFFFu;

    // Workgroups take chunks of VYRE_WG consecutive slots in ascending order (one atomic
    // per chunk), so more urgent priority partitions (lower slot indices) are claimed
    // first. Every slot of a taken chunk is visited, so the census below is complete.
    var chunks = 0u;
    loop {
        if chunks >= visit_cap {
            break;
        }
        if lid == 0u {
            vyre_wg_base = atomicAdd(&vyre_engine[VYRE_E_TICKET], VYRE_WG);
        }
        let base = workgroupUniformLoad(&vyre_wg_base);
        if base >= slots {
            break;
        }
        chunks += 1u;
        //@WORKGROUP_HOOK
        let slot = base + lid;
        if slot < slots {
            vyre_visit(slot);
        }
    }

    // Flush lane counters into workgroup counters, then workgroup counters to memory.
    if vyre_run_op_n != 0u {
        atomicAdd(&vyre_wg_metrics[vyre_run_op], vyre_run_op_n);
    }
    if vyre_run_tenant_n != 0u {
        atomicAdd(&vyre_wg_tenants[vyre_run_tenant], vyre_run_tenant_n);
    }
    if vyre_run_prio_n != 0u {
        atomicAdd(&vyre_wg_prio[vyre_run_prio], vyre_run_prio_n);
    }
    vyre_flush_counter(0u, vyre_acc_done);
    vyre_flush_counter(1u, vyre_acc_faulted);
    vyre_flush_counter(2u, vyre_acc_claims);
    vyre_flush_counter(3u, vyre_acc_claimable);
    vyre_flush_counter(4u, vyre_acc_waiting);
    vyre_flush_counter(5u, vyre_acc_denied);
    vyre_flush_counter(6u, vyre_acc_hi);
    vyre_flush_counter(7u, vyre_acc_lo);
    workgroupBarrier();

    // Lane 0 flushes the workgroup's counters. (A loop over `lid`-derived indices here
    // was miscompiled by lavapipe for workgroups narrower than its SIMD width: it ran one
    // iteration. Loops in vyre index by uniform counters only.)
    if lid == 0u {
        for (var i = 0u; i < 32u; i++) {
            let m = atomicLoad(&vyre_wg_metrics[i]);
            if m != 0u {
                atomicAdd(&control[VYRE_C_METRICS + i], m);
            }
            let t = atomicLoad(&vyre_wg_tenants[i]);
            if t != 0u {
                atomicAdd(&control[VYRE_C_TENANT_FAIRNESS + i], t);
            }
        }
        for (var i = 0u; i < 5u; i++) {
            let p = atomicLoad(&vyre_wg_prio[i]);
            if p != 0u {
                atomicAdd(&control[VYRE_C_PRIORITY_FAIRNESS + i], p);
            }
        }
        let done = atomicLoad(&vyre_wg_counts[0]);
        let faulted = atomicLoad(&vyre_wg_counts[1]);
        if done != 0u {
            atomicAdd(&control[VYRE_C_DONE_COUNT], done);
            atomicAdd(&vyre_engine[VYRE_E_DONE], done);
        }
        if faulted != 0u {
            atomicAdd(&control[VYRE_C_FAULT_COUNT], faulted);
            atomicAdd(&vyre_engine[VYRE_E_FAULTED], faulted);
        }
        let claims = atomicLoad(&vyre_wg_counts[2]);
        if claims != 0u {
            atomicAdd(&vyre_engine[VYRE_E_CLAIMS], claims);
        }
        let claimable = atomicLoad(&vyre_wg_counts[3]);
        if claimable != 0u {
            atomicAdd(&vyre_engine[VYRE_E_CLAIMABLE], claimable);
        }
        let waiting = atomicLoad(&vyre_wg_counts[4]);
        if waiting != 0u {
            atomicAdd(&vyre_engine[VYRE_E_WAITING], waiting);
        }
        let denied = atomicLoad(&vyre_wg_counts[5]);
        if denied != 0u {
            atomicAdd(&vyre_engine[VYRE_E_DENIED], denied);
        }
        // STARVATION (workgroup granularity): reset by a wave that claimed a NORMAL or
        // lower slot, else grown by the CRITICAL/HIGH claims.
        let hi = atomicLoad(&vyre_wg_counts[6]);
        let lo = atomicLoad(&vyre_wg_counts[7]);
        if lo != 0u {
            atomicStore(&control[VYRE_C_STARVATION], 0u);
        } else if hi != 0u {
            atomicAdd(&control[VYRE_C_STARVATION], hi);
        }
        if atomicLoad(&control[VYRE_C_SHUTDOWN]) != 0u {
            atomicStore(&vyre_engine[VYRE_E_SHUTDOWN], 1u);
        }
    }
}
