// DFA_SCAN (opcode 0xFFF0): scan a byte range of the resident haystack with the resident
// DFA table and append hit records to the hit ring.
//   user0: DFA tables (Dfa::gpu_words of every group, back to back)
//   user1: haystack bytes packed LE, 16 per element (array<vec4<u32>>)
//   user2: hits. Header words (SCAN_H_*, see scan_finish.wgsl): overflow records
//          appended (atomic, counts past capacity), their capacity and word offset,
//          round 0's region table T (0 = none) and the region area; the rest serve the
//          epilogue (scan_finish.wgsl).
//          Slot k's region is words user2[T + k] .. user2[T + k + 1] (inside the region
//          area): its first hits (mode 0), {match-set or bit 31 | pattern id, end
//          relative to args 4/5}, two words each: no atomic, and the epilogue copies
//          them out in slot order (regions are sized from the last call's hits).
//          Overflow records (a slot's hits past its region, and all of mode 1):
//          {slot, match-set (state index) or bit 31 | pattern id (see below), end lo,
//          end hi}.
//   user3: three result words per slot, written when the slot is DONE (read by the
//          epilogue, and by the host for fix-ups, instead of the ring): mode 0 = state
//          on reaching arg 9, exit state,
//          hits appended; mode 1 = position where both runs met (0xFFFFFFFF = never),
//          exit state, 0.
// args: 0 mode (0 scan; 1 lockstep fix-up against a speculative run), 1 word offset of
//       this slot's group table in user0 (all groups' chunks run in one round),
//       2 position (byte index in user1, advanced on YIELD), 3 end (exclusive),
//       4/5 absolute offset of user1 byte 0 for this item (lo/hi, wrapping),
//       6 state (premultiplied), 7 speculative state (mode 1),
//       8 mode 0: hits appended so far (0 when published); mode 1: result = position
//         where both runs met, 0xFFFFFFFF = never met,
//       9 emit-from position: hits are appended only from there on (mode 0 starts a
//         chunk early, from the start state, so that its state at the chunk start is
//         almost always the true one; see scan/gpu.rs), 10 state on reaching arg 9,
//       11 the segment around the chunk (for verification windows): bits 0-14 bytes
//         from its start to arg 9 (capped), bit 15 it starts its item, bits 16-30 bytes
//         from arg 3 to its end (capped), bit 31 it ends its item.
// A hit record's second word is a match state index, or (bit 31 set) a pattern id.
//
// Verification in the lane: the table of a prefilter's literal group has a factor
// table (header word 9). A factor hit in mode 0 is queued (scan_note) and, when the
// queue is drained (scan_drain), runs that literal's
// anchored verifier (its own table in user0) from `back` bytes before the literal's end
// until the verifier dies, and appends the verified matches (pattern ids) instead of
// the factor hit. Whatever the lane cannot settle (window outside the segment, verifier still
// alive after SCAN_VERIFY_STEPS bytes, verification budget spent, mode 1) is appended as
// the factor hit itself, which the host verifies (scan/prefilter.rs); matches found
// twice are merged on the host.
// Mode 0 reads the haystack 16 bytes (one vec4 load) per loop iteration once the
// position is 16-byte aligned: lanes scan far-apart chunks, so every load of a warp
// touches 32 cache lines, and one load per 16 bytes instead of per 4 bytes takes most
// of that traffic off the load unit. Bytes before the first and after the last whole
// block, and all of mode 1 (which stops as soon as the runs meet), go one byte per
// iteration. Every
// iteration spends one unit of the lane budget (lavapipe cuts loops after 65,535
// iterations per invocation), verification iterations out of the reserve; out of budget
// → save position and state, YIELD. A loop that lavapipe cuts anyway ends in a YIELD or
// in a factor hit left to the host, never in a lost hit.
// A hit in its slot's region costs two plain stores; an overflow record one atomicAdd
// and four stores. The capacity and the region are read once per call.
//
// Hot table: the workgroup hook `scan_dfa_prepare` stages, in workgroup memory, the
// class map (64 words) and the transitions of the first states of the group named by
// the workgroup's first slot. States are numbered breadth-first from the start state,
// so the first states are where a scan spends nearly all of its steps; a transition to
// a state past the staged ones reads the table in user0 as before. SCAN_HOT_WORDS is
// generated from the adapter's workgroup-memory limit. Slots of other groups, and
// mode 1, read user0 only.

var<workgroup> scan_hot: array<u32, SCAN_HOT_WORDS>;
// Table word offset + 1 of the staged group (0 = none; workgroup memory starts zeroed).
var<workgroup> scan_hot_key: u32;
// Premultiplied index limit of the staged transitions.
var<workgroup> scan_hot_lim: u32;
// Words to stage this time (0 = keep what is staged).
var<workgroup> scan_hot_load: u32;
// Staging loop iterations spent in this wave (every lane spends the same).
var<workgroup> scan_hot_spent: u32;

// Most staging loop iterations per lane and wave (lavapipe ends a lane's loops after
// 65,535 iterations in all: this + the lane budget + the claim loop stay below it).
const SCAN_HOT_SPEND_CAP: u32 = 4096u;

fn scan_dfa_prepare(base: u32, lid: u32) {
    if lid == 0u {
        var load = 0u;
        let w = base * 16u;
        if w + 16u <= arrayLength(&ring) && atomicLoad(&ring[w + 1u]) == 0xFFF0u
            && atomicLoad(&ring[w + 4u]) == 0u {
            let g = atomicLoad(&ring[w + 5u]);
            if g + 1u != scan_hot_key && g + 16u + 64u <= arrayLength(&user0) {
                let states = user0[g];
                let classes = user0[g + 1u];
                let toff = g + user0[g + 4u];
                var lim = 0u;
                if classes != 0u && classes <= 256u {
                    lim = min(states, (SCAN_HOT_WORDS - 64u) / classes) * classes;
                }
                if toff < g || toff + lim > arrayLength(&user0) {
                    lim = 0u; // malformed offsets: the slot itself faults
                }
                let iters = (64u + lim + VYRE_WG - 1u) / VYRE_WG;
                if scan_hot_spent + iters <= SCAN_HOT_SPEND_CAP {
                    scan_hot_spent += iters;
                    scan_hot_key = g + 1u;
                    scan_hot_lim = lim;
                    load = 64u + lim;
                } else {
                    scan_hot_key = 0u; // out of staging budget: user0 only
                }
            }
        }
        scan_hot_load = load;
    }
    let load = workgroupUniformLoad(&scan_hot_load);
    if load != 0u {
        let g = scan_hot_key - 1u;
        let toff = g + user0[g + 4u];
        // A uniform trip count (a loop over lid-derived indices is what lavapipe
        // miscompiled for workgroups narrower than its SIMD width).
        let rounds = (load + VYRE_WG - 1u) / VYRE_WG;
        for (var j = 0u; j < rounds; j += 1u) {
            let i = j * VYRE_WG + lid;
            if i < 64u {
                scan_hot[i] = user0[g + 16u + i];
            } else if i < load {
                scan_hot[i] = user0[toff + i - 64u];
            }
        }
        workgroupBarrier();
    }
}

// Verification steps left in this call (reserved from the lane budget in scan_dfa).
var<private> scan_vleft: u32;
// Per-call values a hit needs, read once in scan_dfa (args live in the ring, where
// every read is a trip to L2; table header words would be a dependent load per hit):
// absolute offset of user1 byte 0 (args 4/5); segment bounds for verification windows
// (from args 9, 11, 3: lo, hi, 1 = lo is the item start, 1 = hi is the item end);
// the group's class count, delay, match-list offset, first factor id and factor count.
var<private> scan_abs: vec2<u32>;
var<private> scan_seg: vec4<u32>;
var<private> scan_cls: u32;
var<private> scan_delay: u32;
var<private> scan_mo: u32;
var<private> scan_fbase: u32;
var<private> scan_fcount: u32;
// Hits of this slot so far (arg 8 in mode 0), this slot's region (word range; empty
// in mode 1), word offset of the overflow records.
var<private> scan_count: u32;
var<private> scan_region: vec2<u32>;
var<private> scan_obase: u32;
// SCAN_VERIFY_STEPS (generated): most steps of one verification. SCAN_VERIFY_RESERVE
// (generated, at most 16384): the lane budget per call kept for verification.

// Slot `slot`'s region (word range) in the round's region table; empty when there is
// no table or its entries are malformed (the slot's hits then go to overflow records).
// The epilogue uses the same function, so both agree on what each slot held.
fn scan_region_of(slot: u32) -> vec2<u32> {
    let table = atomicLoad(&user2[SCAN_H_TABLE]);
    let lo = atomicLoad(&user2[SCAN_H_REGIONS]);
    let hi = lo + 2u * atomicLoad(&user2[SCAN_H_ROOM]);
    let len = arrayLength(&user2);
    if (table == 0u || table + slot + 1u >= len || lo < SCAN_HEADER_WORDS || hi > len || hi < lo) {
        return vec2<u32>(0u, 0u);
    }
    let a = atomicLoad(&user2[table + slot]);
    let b = atomicLoad(&user2[table + slot + 1u]);
    if (a >= lo && a <= b && b <= hi) {
        return vec2<u32>(a, b);
    }
    return vec2<u32>(0u, 0u);
}

fn scan_byte(q: u32) -> u32 {
    return (user1[q >> 4u][(q >> 2u) & 3u] >> ((q & 3u) * 8u)) & 0xffu;
}

fn scan_dfa_class(g: u32, b: u32) -> u32 {
    return (user0[g + 16u + (b >> 2u)] >> ((b & 3u) * 8u)) & 0xffu;
}

// Append a hit: `what` (match state index, or bit 31 | pattern id) ending at user1
// position `rel` (end = abs + rel, 64-bit with carry): into the slot's region while it
// has room, else as an overflow record.
fn scan_record(slot: u32, what: u32, rel: u32, cap: u32) {
    let j = scan_count;
    scan_count += 1u;
    if (j < (scan_region.y - scan_region.x) / 2u) {
        let w = scan_region.x + j * 2u;
        atomicStore(&user2[w], what);
        atomicStore(&user2[w + 1u], rel);
        return;
    }
    let i = atomicAdd(&user2[SCAN_H_OVF_COUNT], 1u);
    if (i < cap) {
        let lo = scan_abs.x + rel;
        let hi = scan_abs.y + select(0u, 1u, lo < rel);
        let r = scan_obase + i * 4u;
        atomicStore(&user2[r], slot);
        atomicStore(&user2[r + 1u], what);
        atomicStore(&user2[r + 2u], lo);
        atomicStore(&user2[r + 3u], hi);
    }
}

fn scan_dfa_emit(slot: u32, g: u32, s: u32, p: u32, cap: u32) {
    scan_record(slot, (s & 0x7fffffffu) / scan_cls, p + 1u - scan_delay, cap);
}

// Match state `s` of group `g` (factor table at g + ft) after the byte at `p`: verify
// each factor literal it names in the lane, or leave it to the host; other patterns
// (residual regexes sharing the table) are appended as they are.
fn scan_dfa_candidates(slot: u32, g: u32, ft: u32, s: u32, p: u32, cap: u32) {
    let si = (s & 0x7fffffffu) / scan_cls;
    let a = user0[scan_mo + si];
    let b = user0[scan_mo + si + 1u];
    if (b < a || b - a > scan_vleft) {
        scan_dfa_emit(slot, g, s, p, cap); // the host verifies all of them
        return;
    }
    // The id loop's iterations are paid up front; each verification pays for its steps
    // and its loop exit out of what is left (lavapipe counts every loop iteration).
    scan_vleft -= b - a;
    let fend = p + 1u - scan_delay;
    var k = a;
    for (; k < b; k = k + 1u) {
        let id = user0[g + k];
        let j = id - scan_fbase;
        var done = false;
        if (j < scan_fcount && scan_vleft != 0u) {
            let voff = user0[g + ft + 2u + 2u * j];
            if (voff != 0u) {
                scan_vleft -= 1u;
                done = scan_verify(slot, g + voff, fend, user0[g + ft + 3u + 2u * j], cap);
            }
        }
        if (!done) {
            scan_record(slot, 0x80000000u | id, fend, cap);
        }
    }
    if (k < b) {
        // lavapipe cut the loop (its per-invocation iteration limit was reached): the
        // host verifies every id of this state (ids already settled come back twice and
        // are merged).
        scan_dfa_emit(slot, g, s, p, cap);
    }
}

// Run the anchored verifier at `v` from `back` bytes before `fend` (user1 position
// just past a factor literal) until it dies; append its matches. False: the window
// could not be settled here (the host verifies this factor hit again).
fn scan_verify(slot: u32, v: u32, fend: u32, back: u32, cap: u32) -> bool {
    let seg_lo = scan_seg.x;
    let seg_hi = scan_seg.y;
    let at_start = scan_seg.z != 0u;
    let at_end = scan_seg.w != 0u;
    let starts = v + user0[v + 10u];
    var q = seg_lo;
    var s: u32;
    if (fend >= seg_lo + back && fend - back > seg_lo) {
        q = fend - back;
        s = user0[starts + scan_byte(q - 1u)];
    } else if (at_start) {
        s = user0[starts + 256u];
    } else {
        return false;
    }
    let dead = user0[v + 11u];
    let toff = v + user0[v + 4u];
    let steps = min(scan_vleft, SCAN_VERIFY_STEPS);
    var k = 0u;
    for (; k < steps; k = k + 1u) {
        if (s == dead || q >= seg_hi) {
            break;
        }
        s = user0[toff + (s & 0x7fffffffu) + scan_dfa_class(v, scan_byte(q))];
        if ((s & 0x80000000u) != 0u) {
            // A verifier reports one pattern; its matches end one byte back (delay 1).
            let si = (s & 0x7fffffffu) / user0[v + 1u];
            let mo = v + user0[v + 5u];
            scan_record(slot, 0x80000000u | user0[v + user0[mo + si]], q, cap);
        }
        q = q + 1u;
    }
    scan_vleft -= k;
    if (s == dead) {
        return true;
    }
    if (q >= seg_hi && at_end) {
        let si = (s & 0x7fffffffu) / user0[v + 1u];
        let eo = v + user0[v + 7u];
        let a = user0[eo + si];
        if (a < user0[eo + si + 1u]) {
            scan_record(slot, 0x80000000u | user0[v + a], q, cap);
        }
        return true;
    }
    return false;
}

// Hits queued in this lane (match state, position) when SCAN_QUEUE != 0 (GPUs): the
// scan loop's only work per hit is this private store, so that the code of a
// verification is not inlined into each of its 16 steps per block (it was: queue full
// → verify at once; with it the loop was large and its speed on the H200 fell 3-5x at
// small changes of shape or knobs, BENCHMARKS.md session 7). The queue is drained at
// every iteration that is a multiple of SCAN_DRAIN_MASK + 1 (the same iteration in
// every lane of a warp, so verifying lanes run side by side), and before a block
// could overfill it (SCAN_QUEUE_LEN >= 16 then).
var<private> scan_q: array<vec2<u32>, SCAN_QUEUE_LEN>;
var<private> scan_qn: u32;

// A hit (match state s after the byte at p): queued (GPUs), or handled at once.
fn scan_note(slot: u32, g: u32, ft: u32, s: u32, p: u32, cap: u32) {
    if (SCAN_QUEUE != 0u) {
        scan_q[scan_qn] = vec2<u32>(s, p);
        scan_qn += 1u;
    } else {
        scan_dfa_hit(slot, g, ft, s, p, cap);
    }
}

// A hit of group g: verified in the lane when the group has a factor table (ft != 0),
// else appended.
fn scan_dfa_hit(slot: u32, g: u32, ft: u32, s: u32, p: u32, cap: u32) {
    if (ft != 0u) {
        scan_dfa_candidates(slot, g, ft, s, p, cap);
    } else {
        scan_dfa_emit(slot, g, s, p, cap);
    }
}

// Handle the queued hits. The loop's iterations and its exit are paid from the
// verification reserve; without enough of it, or if lavapipe cuts the loop (its
// iteration limit counts the loops of 8 lanes run together, which a lane's own
// accounting cannot bound), the hits not reached are appended as they are by
// scan_drain_rest (generated: one `if` per queue entry, no loop), and the host verifies
// factor hits among them; one that was partly settled comes back twice, which the host
// merges.
fn scan_drain(slot: u32, g: u32, ft: u32, cap: u32) {
    let n = scan_qn;
    scan_qn = 0u;
    var i = 0u;
    if (scan_vleft > n) {
        scan_vleft -= n + 1u;
        for (; i < n; i = i + 1u) {
            let e = scan_q[i];
            scan_dfa_hit(slot, g, ft, e.x, e.y, cap);
        }
    }
    if (i < n) {
        scan_drain_rest(slot, g, i, n, cap);
    }
}

// Next state (premultiplied, match bit kept) from state s on byte b: from the staged
// hot table when `lim` != 0 (this slot's group is staged) and the index is below it.
fn scan_dfa_next(g: u32, toff: u32, lim: u32, s: u32, b: u32) -> u32 {
    var c: u32;
    if lim != 0u {
        c = (scan_hot[b >> 2u] >> ((b & 3u) * 8u)) & 0xffu;
    } else {
        c = scan_dfa_class(g, b);
    }
    let i = (s & 0x7fffffffu) + c;
    if i < lim {
        return scan_hot[64u + i];
    }
    return user0[toff + i];
}

// One DFA step on byte b at position p (mode 0); returns the new state.
fn scan_dfa_byte(slot: u32, g: u32, ft: u32, s: u32, b: u32, p: u32, toff: u32, lim: u32, cap: u32, emit_from: u32) -> u32 {
    let n = scan_dfa_next(g, toff, lim, s, b);
    if (n & 0x80000000u) != 0u && p >= emit_from {
        scan_note(slot, g, ft, n, p, cap);
    }
    return n;
}

// Four DFA steps on the bytes of word w (little-endian) at positions p..p+3 (mode 0).
fn scan_dfa_word(slot: u32, g: u32, ft: u32, s0: u32, w: u32, p: u32, toff: u32, lim: u32, cap: u32, emit_from: u32) -> u32 {
    var s = scan_dfa_byte(slot, g, ft, s0, w & 0xffu, p, toff, lim, cap, emit_from);
    s = scan_dfa_byte(slot, g, ft, s, (w >> 8u) & 0xffu, p + 1u, toff, lim, cap, emit_from);
    s = scan_dfa_byte(slot, g, ft, s, (w >> 16u) & 0xffu, p + 2u, toff, lim, cap, emit_from);
    return scan_dfa_byte(slot, g, ft, s, w >> 24u, p + 3u, toff, lim, cap, emit_from);
}

fn scan_dfa(slot: u32) -> u32 {
    let mode = vyre_arg(0u);
    var p = vyre_arg(2u);
    let end = vyre_arg(3u);
    var s = vyre_arg(6u);
    var sp = vyre_arg(7u);
    let g = vyre_arg(1u);
    let emit_from = vyre_arg(9u);
    if (g + 16u + 64u > arrayLength(&user0)) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    let toff = g + user0[g + 4u];
    let cap = atomicLoad(&user2[SCAN_H_OVF_CAP]);
    scan_obase = max(atomicLoad(&user2[SCAN_H_OVF_BASE]), SCAN_HEADER_WORDS);
    scan_region = vec2<u32>(0u, 0u);
    if (mode == 0u) {
        scan_region = scan_region_of(slot);
    }
    scan_count = select(0u, vyre_arg(8u), mode == 0u);
    scan_abs = vec2<u32>(vyre_arg(4u), vyre_arg(5u));
    let seg = vyre_arg(11u);
    scan_seg = vec4<u32>(
        emit_from - min(seg & 0x7fffu, emit_from),
        end + ((seg >> 16u) & 0x7fffu),
        (seg >> 15u) & 1u,
        seg >> 31u,
    );
    scan_cls = max(user0[g + 1u], 1u);
    scan_delay = user0[g + 3u];
    scan_mo = g + user0[g + 5u];
    let lim = select(0u, scan_hot_lim, mode == 0u && scan_hot_key == g + 1u);
    if (p > end || end > arrayLength(&user1) * 16u || mode > 1u) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    // Iterations needed to finish: mode 0 = head bytes + whole blocks + tail bytes.
    var need = end - p;
    if (mode == 0u) {
        let head = min((16u - (p & 15u)) & 15u, end - p);
        let blocks = (end - p - head) >> 4u;
        need = head + blocks + (end - p - head - blocks * 16u);
    }
    // A literal group with a factor table (mode 0): keep part of the lane budget for
    // verification; any other table whose hits are queued keeps a little for its drain
    // loops (without it, scan_drain_rest appends the same hits without a loop). What is
    // left goes back at the end.
    var ft = 0u;
    if (mode == 0u && g + 12u < arrayLength(&user0)) {
        ft = user0[g + 9u];
    }
    if (ft != 0u) {
        scan_fbase = user0[g + ft];
        scan_fcount = user0[g + ft + 1u];
    }
    var reserve = 0u;
    if (ft != 0u) {
        reserve = min(vyre_budget() / 2u, SCAN_VERIFY_RESERVE);
    } else if (SCAN_QUEUE != 0u) {
        reserve = min(vyre_budget() / 8u, 1024u);
    }
    scan_vleft = reserve;
    scan_qn = 0u;
    let n = min(need, vyre_budget() - reserve);
    vyre_spend(n + reserve);
    var met = false;
    var ahead = vec4<u32>(0u);
    var ahead_at = 0xffffffffu; // user1 index of `ahead`
    for (var k = 0u; k < n; k = k + 1u) {
        // k is the same in every lane of the workgroup: queued hits are verified side by
        // side. A block queues up to 16 hits.
        if (scan_qn != 0u && ((k & SCAN_DRAIN_MASK) == 0u || scan_qn + 16u > SCAN_QUEUE_LEN)) {
            scan_drain(slot, g, ft, cap);
        }
        if p == emit_from {
            vyre_set_arg(10u, s);
        }
        if (mode == 0u && (p & 15u) == 0u && end - p >= 16u && (emit_from <= p || emit_from >= p + 16u)) {
            // The block was loaded one iteration ahead when the last iteration read
            // the block before it; load the next one now, so that its trip to memory
            // overlaps this block's 16 steps instead of stalling the next iteration.
            let i = p >> 4u;
            var v = ahead;
            if (ahead_at != i) {
                v = user1[i];
            }
            if (SCAN_PREFETCH && end - p >= 32u) {
                ahead = user1[i + 1u];
                ahead_at = i + 1u;
            }
            s = scan_dfa_word(slot, g, ft, s, v.x, p, toff, lim, cap, emit_from);
            s = scan_dfa_word(slot, g, ft, s, v.y, p + 4u, toff, lim, cap, emit_from);
            s = scan_dfa_word(slot, g, ft, s, v.z, p + 8u, toff, lim, cap, emit_from);
            s = scan_dfa_word(slot, g, ft, s, v.w, p + 12u, toff, lim, cap, emit_from);
            p = p + 16u;
            continue;
        }
        let b = scan_byte(p);
        let c = scan_dfa_class(g, b);
        s = user0[toff + (s & 0x7fffffffu) + c];
        if (mode == 1u) {
            sp = user0[toff + (sp & 0x7fffffffu) + c];
            if (sp == s) {
                met = true;
                break;
            }
        }
        if ((s & 0x80000000u) != 0u && p >= emit_from) {
            scan_note(slot, g, ft, s, p, cap);
        }
        p = p + 1u;
    }
    if (scan_qn != 0u) {
        scan_drain(slot, g, ft, cap);
    }
    vyre_lane_budget += scan_vleft;
    vyre_set_arg(2u, p);
    vyre_set_arg(6u, s);
    vyre_set_arg(7u, sp);
    if (met) {
        vyre_set_arg(8u, p);
        scan_dfa_result(slot, p, s, 0u);
        return VYRE_DONE;
    }
    if (mode == 0u) {
        vyre_set_arg(8u, scan_count);
    }
    // Decide from data, not from the loop bound (lavapipe may cut loops short).
    if (p < end) {
        return VYRE_YIELD;
    }
    if (mode == 0u) {
        scan_dfa_result(slot, vyre_arg(10u), s, scan_count);
    } else {
        vyre_set_arg(8u, 0xffffffffu);
        scan_dfa_result(slot, 0xffffffffu, s, 0u);
    }
    return VYRE_DONE;
}

fn scan_dfa_result(slot: u32, first: u32, exit: u32, hits: u32) {
    if slot * 3u + 2u < arrayLength(&user3) {
        user3[slot * 3u] = first;
        user3[slot * 3u + 1u] = exit;
        user3[slot * 3u + 2u] = hits;
    }
}
