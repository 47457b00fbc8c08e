//! Custom opcodes (WGSL spliced into the interpreter, with extra buffers, budgeted loops
//! that YIELD, packed inner use, faults) and the fused payload variant, against Rust
//! models in the reference interpreter; creation errors carry naga's message.

mod gpu_common;
use gpu_common::*;
use std::collections::HashMap;
use vyre::gpu::reference::{Ctx, CustomModel, RefBuffers, RefOptions};
use vyre::gpu::*;
use vyre::protocol::abi::{control as c, fault, op, state, CONTROL_WORDS, SLOT_WORDS};
use vyre::Status;

const DOUBLE: &str = "
fn double_it(slot: u32) -> u32 {
    let obs = vyre_arg(1u);
    if obs >= vyre_observable_count() {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicStore(&control[VYRE_C_OBSERVABLE + obs], vyre_arg(0u) * 2u);
    return VYRE_DONE;
}";

// args: 0 first word of user0, 1 words left, 2 running sum, 3 observable index.
const SUM: &str = "
fn sum_words(slot: u32) -> u32 {
    var at = vyre_arg(0u);
    var left = vyre_arg(1u);
    var acc = vyre_arg(2u);
    let n = arrayLength(&user0);
    let obs = vyre_arg(3u);
    if at > n || left > n - at || obs >= vyre_observable_count() {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    let step = min(left, vyre_budget());
    vyre_spend(step);
    for (var k = 0u; k < step; k++) {
        acc += user0[at + k];
    }
    vyre_set_arg(0u, at + step);
    vyre_set_arg(1u, left - step);
    vyre_set_arg(2u, acc);
    if left > step {
        return VYRE_YIELD;
    }
    atomicStore(&control[VYRE_C_OBSERVABLE + obs], acc);
    atomicAdd(&user1[0], 1u);
    return VYRE_DONE;
}";

const BAD_STATE: &str = "fn bad_state(slot: u32) -> u32 { return 42u; }";

fn custom_desc() -> MegakernelDesc {
    MegakernelDesc {
        slot_count: 128,
        workgroup_size_x: 32,
        opcodes: vec![
            CustomOpcode {
                opcode: 9,
                name: "double_it".into(),
                wgsl: DOUBLE.into(),
            },
            CustomOpcode {
                opcode: 0x1_0000,
                name: "sum_words".into(),
                wgsl: SUM.into(),
            },
            CustomOpcode {
                opcode: 0x2_0000,
                name: "bad_state".into(),
                wgsl: BAD_STATE.into(),
            },
        ],
        extra_buffers: vec![ExtraKind::ReadOnly, ExtraKind::Atomic],
        ..Default::default()
    }
}

fn models() -> HashMap<u32, CustomModel> {
    let mut m: HashMap<u32, CustomModel> = HashMap::new();
    m.insert(
        9,
        Box::new(|ctx: &mut Ctx<'_>, _slot| {
            let obs = ctx.arg(1) as usize;
            if obs >= ctx.bufs.control.len() - CONTROL_WORDS {
                return ctx.fault(fault::OUT_OF_BOUNDS);
            }
            ctx.bufs.control[CONTROL_WORDS + obs] = ctx.arg(0).wrapping_mul(2);
            state::DONE
        }),
    );
    m.insert(
        0x1_0000,
        Box::new(|ctx: &mut Ctx<'_>, _slot| {
            let (at, left, mut acc, obs) =
                (ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(3) as usize);
            let n = ctx.bufs.extras[0].len() as u32;
            if at > n || left > n - at || obs >= ctx.bufs.control.len() - CONTROL_WORDS {
                return ctx.fault(fault::OUT_OF_BOUNDS);
            }
            let step = left.min(ctx.budget());
            ctx.spend(step);
            for k in 0..step {
                acc = acc.wrapping_add(ctx.bufs.extras[0][(at + k) as usize]);
            }
            ctx.set_arg(0, at + step);
            ctx.set_arg(1, left - step);
            ctx.set_arg(2, acc);
            if left > step {
                return state::YIELD;
            }
            ctx.bufs.control[CONTROL_WORDS + obs] = acc;
            ctx.bufs.extras[1][0] += 1;
            state::DONE
        }),
    );
    m.insert(0x2_0000, Box::new(|_ctx: &mut Ctx<'_>, _slot| 42));
    m
}

#[test]
fn custom_opcodes_match_their_models() {
    let mk = Megakernel::new(device(), &custom_desc()).unwrap();
    assert!(mk.source().contains("fn sum_words(slot: u32)"));
    let data: Vec<u32> = (0..50_000u32)
        .map(|i| i.wrapping_mul(2654435761) >> 7)
        .collect();
    let mut ring = empty_ring(128);
    for i in 0..20 {
        publish(&mut ring, i, 0, 2, 9, &[i as u32 + 100, i as u32]);
    }
    publish(&mut ring, 20, 0, 0, 0x1_0000, &[0, 50_000, 0, 40]);
    publish(&mut ring, 21, 0, 1, 0x1_0000, &[10, 100, 0, 41]);
    publish(&mut ring, 22, 0, 2, 0x1_0000, &[49_990, 11, 0, 42]); // one word too far
    publish(&mut ring, 23, 0, 2, 0x2_0000, &[]);
    publish(&mut ring, 24, 0, 2, 9, &[1, 10_000]); // observable out of range
                                                   // Custom opcode 9 (<= 255) also runs as an inner op of a packed slot.
    publish(
        &mut ring,
        25,
        0,
        2,
        op::PACKED_SLOT,
        &pack(&[(9, &[7, 50]), (2, &[5, 220]), (9, &[8, 51])]),
    );
    publish(&mut ring, 26, 0, 2, 0x3_0000, &[]); // not registered
    let input = RefBuffers {
        control: control(1, 64, 128),
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![data.clone(), vec![0; 4]],
    };
    let opts = DispatchOptions {
        work_budget: 4096,
        ..Default::default()
    };
    let (gpu, report) = gpu_run(&mk, &input, &opts);
    let (cpu, rref) = ref_run(
        &input,
        &RefOptions {
            work_budget: 4096,
            custom: models(),
            ..Default::default()
        },
    );
    // Lanes run in parallel, so claims (fairness counters) and waves may differ from the
    // one-lane model when long ops yield; everything else matches word for word.
    let (mut g, mut r) = (gpu.clone(), cpu);
    for w in [
        c::TENANT_FAIRNESS,
        c::STARVATION,
        c::PRIORITY_FAIRNESS,
        c::PRIORITY_FAIRNESS + 1,
        c::PRIORITY_FAIRNESS + 2,
    ] {
        g.control[w] = 0;
        r.control[w] = 0;
    }
    assert_same(&g, &r);
    for i in 0..20 {
        assert_eq!(gpu.control[CONTROL_WORDS + i], 2 * (i as u32 + 100));
    }
    let sum = |a: usize, n: usize| data[a..a + n].iter().fold(0u32, |s, &x| s.wrapping_add(x));
    assert_eq!(gpu.control[CONTROL_WORDS + 40], sum(0, 50_000));
    assert_eq!(gpu.control[CONTROL_WORDS + 41], sum(10, 100));
    assert_eq!(
        gpu.extras[1][0], 2,
        "the atomic extra buffer counted the finished sums"
    );
    let code = |i: usize| (gpu.ring[i * SLOT_WORDS], gpu.ring[i * SLOT_WORDS + 15]);
    assert_eq!(code(22), (state::FAULT, fault::OUT_OF_BOUNDS));
    assert_eq!(
        code(23),
        (state::FAULT, fault::BAD_ARGUMENT),
        "an invalid returned state faults"
    );
    assert_eq!(code(24), (state::FAULT, fault::OUT_OF_BOUNDS));
    assert_eq!(code(26), (state::FAULT, fault::UNKNOWN_OPCODE));
    assert_eq!(
        (
            gpu.control[CONTROL_WORDS + 50],
            gpu.control[CONTROL_WORDS + 51],
            gpu.control[220]
        ),
        (14, 16, 5)
    );
    assert_eq!(
        gpu.control[c::METRICS + 9],
        23,
        "20 DONE + 1 FAULT + 2 packed inner: finished executions of opcodes < 32"
    );
    assert!(
        report.waves >= (50_000u32).div_ceil(4096),
        "the long sum yielded across waves"
    );
    assert_eq!((report.done, report.faulted), (rref.done, rref.faulted));
}

#[test]
fn fused_payload_replaces_the_switch() {
    // A fused ATOMIC_ADD: control[arg1] += arg0 for every claimed slot, whatever its opcode.
    let payload = FusedPayload {
        name: "add_payload".into(),
        wgsl: "fn add_payload(slot: u32) -> u32 {
    let idx = vyre_arg(1u);
    if idx >= arrayLength(&control) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    atomicAdd(&control[idx], vyre_arg(0u));
    return VYRE_DONE;
}"
        .into(),
    };
    const N: usize = 65_536;
    let fused = Megakernel::bootstrap_fused(device(), N as u32, 256, payload).unwrap();
    let interp = Megakernel::bootstrap_sharded(device(), N as u32, 256, vec![]).unwrap();
    assert_ne!(fused.pipeline_id(), interp.pipeline_id());
    assert!(
        !fused.source().contains("case 0xFFFDu"),
        "no opcode switch in the fused kernel"
    );
    let mut ring = empty_ring(N);
    for i in 0..N {
        publish(
            &mut ring,
            i,
            0,
            (i % 5) as u32,
            op::ATOMIC_ADD,
            &[(i % 11) as u32, 170 + (i % 3) as u32],
        );
    }
    publish(&mut ring, 7, 0, 2, op::ATOMIC_ADD, &[1, 1 << 30]);
    let input = RefBuffers {
        control: control(1, 16, N as u32),
        ring,
        debug_log: debug_log(4),
        io_queue: io_queue(4),
        extras: vec![],
    };
    let (a, ra) = gpu_run(&fused, &input, &DispatchOptions::default());
    let (b, rb) = gpu_run(&interp, &input, &DispatchOptions::default());
    assert_eq!(a.ring, b.ring);
    assert_eq!(&a.control[160..176], &b.control[160..176]);
    assert_eq!(
        a.control[c::METRICS + 2],
        b.control[c::METRICS + 2],
        "metrics counted by the slot's opcode"
    );
    assert_eq!((ra.done, ra.faulted), (rb.done, rb.faulted));
    assert_eq!(ra.faulted, 1);
    let fused_model = RefOptions {
        fused: Some(Box::new(|ctx: &mut Ctx<'_>, _slot| {
            let idx = ctx.arg(1) as usize;
            if idx >= ctx.bufs.control.len() {
                return ctx.fault(fault::OUT_OF_BOUNDS);
            }
            ctx.bufs.control[idx] = ctx.bufs.control[idx].wrapping_add(ctx.arg(0));
            state::DONE
        })),
        ..Default::default()
    };
    let (cpu, _) = ref_run(&input, &fused_model);
    let (mut g, mut r) = (a, cpu);
    g.control[c::STARVATION] = 0;
    r.control[c::STARVATION] = 0;
    assert_same(&g, &r);
}

#[test]
fn creation_errors_are_clear() {
    let dev = device();
    let with = |opcode: u32, name: &str, wgsl: &str| {
        Megakernel::bootstrap_with_opcodes(
            dev,
            vec![CustomOpcode {
                opcode,
                name: name.into(),
                wgsl: wgsl.into(),
            }],
        )
        .err()
        .expect("must fail")
    };
    let e = with(9, "f", "fn f(slot: u32) -> u32 { return VYRE_DONE + ; }");
    assert_eq!(e.status, Status::Shader);
    assert!(
        e.message.contains("megakernel.wgsl:") && e.message.contains("expected"),
        "{}",
        e.message
    );
    let e = with(
        9,
        "f",
        "fn f(slot: u32) -> u32 { let x: f32 = 1u; return VYRE_DONE; }",
    );
    assert_eq!(e.status, Status::Shader, "{}", e.message);
    let e = with(9, "f", "fn g(slot: u32) -> u32 { return VYRE_DONE; }");
    assert!(
        e.status == Status::Shader && e.message.contains("does not define the function `f`"),
        "{}",
        e.message
    );
    let e = with(9, "f", "fn f(slot: u32) -> i32 { return 3; }");
    assert!(e.message.contains("signature"), "{}", e.message);
    let e = with(9, "f", "@group(0) @binding(9) var<storage, read_write> mine: array<u32>;\nfn f(slot: u32) -> u32 { mine[0] = 1u; return VYRE_DONE; }");
    assert!(
        e.status == Status::Shader && e.message.contains("binding"),
        "{}",
        e.message
    );
    for reserved in [
        0u32,
        5,
        7,
        op::DFA_SCAN,
        0xFFFC,
        op::LOAD_MISS,
        op::PRINTF,
        op::PACKED_SLOT,
        op::SHUTDOWN,
    ] {
        let e = with(
            reserved,
            "f",
            "fn f(slot: u32) -> u32 { return VYRE_DONE; }",
        );
        assert_eq!(e.status, Status::InvalidArgument, "opcode {reserved:#x}");
    }
    let e = with(
        9,
        "vyre_f",
        "fn vyre_f(slot: u32) -> u32 { return VYRE_DONE; }",
    );
    assert_eq!(e.status, Status::InvalidArgument);
    let dup = vec![
        CustomOpcode {
            opcode: 9,
            name: "f".into(),
            wgsl: "fn f(slot: u32) -> u32 { return VYRE_DONE; }".into(),
        },
        CustomOpcode {
            opcode: 9,
            name: "g".into(),
            wgsl: "fn g(slot: u32) -> u32 { return VYRE_DONE; }".into(),
        },
    ];
    assert_eq!(
        Megakernel::bootstrap_with_opcodes(dev, dup)
            .err()
            .unwrap()
            .status,
        Status::InvalidArgument
    );
    let both = MegakernelDesc {
        opcodes: vec![CustomOpcode {
            opcode: 9,
            name: "f".into(),
            wgsl: "fn f(slot: u32) -> u32 { return VYRE_DONE; }".into(),
        }],
        fused: Some(FusedPayload {
            name: "p".into(),
            wgsl: "fn p(slot: u32) -> u32 { return VYRE_DONE; }".into(),
        }),
        ..Default::default()
    };
    assert_eq!(
        Megakernel::new(dev, &both).err().unwrap().status,
        Status::InvalidArgument
    );
    let many = MegakernelDesc {
        extra_buffers: vec![ExtraKind::ReadWrite; 4096],
        ..Default::default()
    };
    assert_eq!(
        Megakernel::new(dev, &many).err().unwrap().status,
        Status::InvalidArgument
    );
}
