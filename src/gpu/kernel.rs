//! Kernel WGSL generation: the interpreter template (`kernel.wgsl`) plus the custom
//! opcodes, extra ("user") buffers and optional fused payload of one megakernel, validated
//! with naga before any pipeline is created.
//!
//! # Custom opcode contract
//! A custom opcode is WGSL source defining (at least) one function
//! `fn NAME(slot: u32) -> u32`. It is called for a claimed slot whose opcode word equals
//! the registered id (and, for ids <= 255, as an inner op of a PACKED_SLOT) and returns
//! the slot's new state: `VYRE_DONE`, `VYRE_YIELD` (progress saved in its args; runs again
//! in a later wave), `VYRE_REQUEUE`, `VYRE_WAIT_IO` or `return vyre_fault(code);`. Any
//! other value faults the slot with BAD_ARGUMENT. The source may use:
//! - buffers `control`, `ring`, `debug_log`, `io_queue` (`array<atomic<u32>>`) and the
//!   megakernel's extra buffers `user0..userN` (`array<u32>`, read-only `array<u32>`, or
//!   `array<atomic<u32>>` by [`ExtraKind`]);
//! - `vyre_arg(i)`, `vyre_set_arg(i, v)`, `vyre_arg_count()`: the op's argument words;
//! - `vyre_budget()`, `vyre_spend(n)`: every loop must spend one unit per iteration and
//!   stop (saving progress, returning `VYRE_YIELD`) when the budget is 0 — lavapipe ends
//!   an invocation after 65,535 loop iterations in total;
//! - `vyre_fault(code)`, `vyre_observable_count()`, the `VYRE_*` state and
//!   `VYRE_FAULT_*` code constants.
//!
//! Names starting with `vyre_`, `main` and the buffer names are reserved. The source
//! must not declare bindings.

use crate::error::{Error, Result, Status};
use crate::protocol::abi::op;

const TEMPLATE: &str = include_str!("kernel.wgsl");

/// How an extra buffer is declared in the kernel (numbering is ABI: `VYRE_EXTRA_*`).
/// Non-exhaustive: the crate adds kinds for its own opcodes (`ReadOnlyVec4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExtraKind {
    /// `var<storage, read_write> userN: array<u32>`.
    #[default]
    ReadWrite = 0,
    /// `var<storage, read> userN: array<u32>` (tables, haystacks): never read back.
    ReadOnly = 1,
    /// `var<storage, read_write> userN: array<atomic<u32>>` (counters, hit rings).
    Atomic = 2,
    /// Crate-internal (no C value): `var<storage, read> userN: array<vec4<u32>>`, for a
    /// haystack that lanes stream 16 bytes per load (one load of 32 scattered lines
    /// costs a warp as much as a 4-byte one). Its size must be a multiple of 16 bytes.
    ReadOnlyVec4 = 3,
}

impl ExtraKind {
    /// Validate a raw C value.
    pub fn from_raw(raw: u32) -> Result<Self> {
        match raw {
            0 => Ok(ExtraKind::ReadWrite),
            1 => Ok(ExtraKind::ReadOnly),
            2 => Ok(ExtraKind::Atomic),
            _ => Err(Error::invalid(format!(
                "extra buffer kind {raw} is not one of 0 (read-write), 1 (read-only), 2 (atomic)"
            ))),
        }
    }

    /// Whether the kernel only reads the buffer (it is never read back).
    pub fn is_read_only(self) -> bool {
        matches!(self, ExtraKind::ReadOnly | ExtraKind::ReadOnlyVec4)
    }
}

/// A custom opcode: WGSL source for `fn NAME(slot: u32) -> u32` and the opcode id that
/// selects it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomOpcode {
    pub opcode: u32,
    pub name: String,
    pub wgsl: String,
}

/// A fused payload: `fn NAME(slot: u32) -> u32` runs for every claimed slot instead of
/// the opcode switch (single-opcode rings).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FusedPayload {
    pub name: String,
    pub wgsl: String,
}

/// Everything the generated source depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelSpec {
    pub workgroup_size_x: u32,
    pub opcodes: Vec<CustomOpcode>,
    pub extra_buffers: Vec<ExtraKind>,
    pub fused: Option<FusedPayload>,
    /// Crate-internal: `fn NAME(base: u32, lid: u32)` that every lane of a workgroup
    /// calls, in uniform control flow, before the workgroup visits slots
    /// `base..base + VYRE_WG` (e.g. to stage a table in workgroup memory; an opcode runs
    /// per slot and cannot place a barrier itself). Its code comes with a custom opcode.
    pub workgroup_hook: Option<String>,
    /// Crate-internal: compute entry points (defined with a custom opcode, same
    /// bindings) dispatched after every wave, in order, in the same pass: work over
    /// the whole ring that no single slot can do (e.g. the scanner's prefix sums and
    /// compaction of its hits, so the host reads a summary instead of every slot).
    pub epilogues: Vec<Epilogue>,
}

/// A crate-internal compute entry point run after each wave (see
/// [`KernelSpec::epilogues`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Epilogue {
    /// `@compute @workgroup_size(VYRE_WG) fn NAME(...)` in the custom code.
    pub name: String,
    /// Workgroups: one (`false`) or one per `VYRE_WG` ring slots (`true`).
    pub per_slots: bool,
}

/// Opcode ids custom code may take. `internal` additionally allows the scanner range
/// 0xFFF0..=0xFFFC (crate-internal registrations only).
pub fn check_custom_opcode_id(opcode: u32, internal: bool) -> Result<()> {
    if internal && (op::SCANNER_FIRST..=op::SCANNER_LAST).contains(&opcode) {
        return Ok(());
    }
    let system = opcode & 0x8000_0000 != 0
        || (0xFFF0..=0xFFFF).contains(&opcode)
        || opcode <= op::BATCH_FENCE;
    if system {
        return Err(Error::invalid(format!(
            "opcode {opcode:#x} is a reserved system opcode; custom opcodes use 8..=0xFFEF or 0x10000..=0x7FFFFFFF"
        )));
    }
    Ok(())
}

const RESERVED_NAMES: &[&str] = &["main", "control", "ring", "debug_log", "io_queue"];

fn check_name(name: &str, what: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok_first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let ok_rest = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok_first || !ok_rest {
        return Err(Error::invalid(format!(
            "{what} name `{name}` is not a WGSL identifier"
        )));
    }
    let lower = name.to_ascii_lowercase();
    let user_buffer = lower
        .strip_prefix("user")
        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    if lower.starts_with("vyre_")
        || name.starts_with("__")
        || RESERVED_NAMES.contains(&name)
        || user_buffer
    {
        return Err(Error::invalid(format!(
            "{what} name `{name}` is reserved (vyre_*, __*, main, control, ring, debug_log, io_queue, userN)"
        )));
    }
    Ok(())
}

/// Check ids and names (not the WGSL itself; see [`validate`]).
pub fn check_spec(spec: &KernelSpec, internal: bool) -> Result<()> {
    let mut seen_ops = std::collections::HashSet::new();
    let mut seen_names = std::collections::HashSet::new();
    for c in &spec.opcodes {
        check_custom_opcode_id(c.opcode, internal)?;
        check_name(&c.name, "custom opcode function")?;
        if !seen_ops.insert(c.opcode) {
            return Err(Error::invalid(format!(
                "custom opcode {:#x} is registered twice",
                c.opcode
            )));
        }
        if !seen_names.insert(c.name.clone()) {
            return Err(Error::invalid(format!(
                "custom opcode function `{}` is registered twice",
                c.name
            )));
        }
    }
    if let Some(h) = &spec.workgroup_hook {
        if !internal {
            return Err(Error::invalid("workgroup hooks are crate-internal"));
        }
        check_name(h, "workgroup hook function")?;
    }
    for e in &spec.epilogues {
        if !internal {
            return Err(Error::invalid("epilogue entry points are crate-internal"));
        }
        check_name(&e.name, "epilogue entry point")?;
    }
    if let Some(f) = &spec.fused {
        check_name(&f.name, "fused payload function")?;
        if !spec.opcodes.is_empty() {
            return Err(Error::invalid(
                "a fused megakernel has one payload instead of an opcode switch; pass either custom opcodes or a fused payload",
            ));
        }
    }
    Ok(())
}

/// Generate the complete kernel source for `spec`.
pub fn generate(spec: &KernelSpec) -> String {
    generate_with(spec, true)
}

/// `calls = false` leaves custom code in but never calls it (first validation stage).
fn generate_with(spec: &KernelSpec, calls: bool) -> String {
    let mut out = String::with_capacity(TEMPLATE.len() + 4096);
    for line in TEMPLATE.lines() {
        match line.trim() {
            "//@USER_BUFFERS" => {
                for (i, k) in spec.extra_buffers.iter().enumerate() {
                    let (access, elem) = match k {
                        ExtraKind::ReadWrite => ("read_write", "u32"),
                        ExtraKind::ReadOnly => ("read", "u32"),
                        ExtraKind::Atomic => ("read_write", "atomic<u32>"),
                        ExtraKind::ReadOnlyVec4 => ("read", "vec4<u32>"),
                    };
                    out.push_str(&format!(
                        "@group(0) @binding({}) var<storage, {access}> user{i}: array<{elem}>;\n",
                        4 + i
                    ));
                }
            }
            "//@CONSTANTS" => {
                out.push_str(&format!(
                    "const VYRE_WG: u32 = {}u;\n",
                    spec.workgroup_size_x
                ));
            }
            "//@USER_ACCESS" => out.push_str(&user_access(&spec.extra_buffers)),
            "//@CUSTOM_FUNCTIONS" => {
                for c in &spec.opcodes {
                    out.push_str(&format!(
                        "// ---- custom opcode {:#x}: {}\n",
                        c.opcode, c.name
                    ));
                    out.push_str(&c.wgsl);
                    out.push('\n');
                }
                // Part of the source, so of the pipeline cache key.
                for e in &spec.epilogues {
                    out.push_str(&format!(
                        "// ---- epilogue: {} ({})\n",
                        e.name,
                        if e.per_slots {
                            "per slots"
                        } else {
                            "one workgroup"
                        }
                    ));
                }
                if let Some(f) = &spec.fused {
                    out.push_str(&format!("// ---- fused payload: {}\n", f.name));
                    out.push_str(&f.wgsl);
                    out.push('\n');
                }
            }
            "//@INNER_CASES" => {
                for c in spec.opcodes.iter().filter(|c| calls && c.opcode <= 0xFF) {
                    out.push_str(&format!(
                        "        case {}u: {{ return {}(slot); }}\n",
                        c.opcode, c.name
                    ));
                }
            }
            "//@EXEC_BODY" => out.push_str(&exec_body(spec, calls)),
            "//@WORKGROUP_HOOK" => {
                if let Some(h) = spec.workgroup_hook.as_ref().filter(|_| calls) {
                    out.push_str(&format!("        {h}(base, lid);\n"));
                }
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn user_access(extras: &[ExtraKind]) -> String {
    let mut len = String::from("// Length in words of user buffer `b` (0 when there is no such buffer).\nfn vyre_user_len(b: u32) -> u32 {\n    switch b {\n");
    let mut load = String::from("// Word `i` of user buffer `b` (callers check `i < vyre_user_len(b)`).\nfn vyre_user_load(b: u32, i: u32) -> u32 {\n    switch b {\n");
    for (i, k) in extras.iter().enumerate() {
        let (words, read) = match k {
            ExtraKind::Atomic => (
                format!("arrayLength(&user{i})"),
                format!("atomicLoad(&user{i}[i])"),
            ),
            ExtraKind::ReadOnlyVec4 => (
                format!("arrayLength(&user{i}) * 4u"),
                format!("user{i}[i >> 2u][i & 3u]"),
            ),
            _ => (format!("arrayLength(&user{i})"), format!("user{i}[i]")),
        };
        len.push_str(&format!("        case {i}u: {{ return {words}; }}\n"));
        load.push_str(&format!("        case {i}u: {{ return {read}; }}\n"));
    }
    len.push_str("        default: { return 0u; }\n    }\n}\n");
    load.push_str("        default: { return 0u; }\n    }\n}\n");
    len + &load
}

fn exec_body(spec: &KernelSpec, calls: bool) -> String {
    if let Some(f) = &spec.fused {
        if !calls {
            return "    return VYRE_DONE;\n".to_string();
        }
        return format!("    return {}(slot);\n", f.name);
    }
    let mut s = String::from(
        "    switch opcode {
        case 0u: { return VYRE_DONE; }
        case 1u: { return vyre_op_store(); }
        case 2u: { return vyre_op_atomic_add(); }
        case 3u: { return vyre_op_load(); }
        case 4u: { return vyre_op_compare_swap(); }
        case 5u: { return vyre_op_memcpy(); }
        case 6u: { return vyre_op_dfa_step(); }
        case 7u: { return vyre_op_batch_fence(); }
        case 0xFFFDu: { return vyre_op_load_miss(slot); }
        case 0xFFFEu: { return vyre_op_printf(slot); }
        case 0x80000001u: { return vyre_op_packed(slot); }
        case 0xFFFFFFFFu: {
            atomicStore(&control[VYRE_C_SHUTDOWN], 1u);
            return VYRE_DONE;
        }
",
    );
    for c in spec.opcodes.iter().filter(|_| calls) {
        s.push_str(&format!(
            "        case {}u: {{ return {}(slot); }}\n",
            c.opcode, c.name
        ));
    }
    s.push_str("        default: { return vyre_fault(VYRE_FAULT_UNKNOWN_OPCODE); }\n    }\n");
    s
}

fn shader_error(what: &str, message: String) -> Error {
    Error::new(Status::Shader, format!("{what}: {message}"))
}

/// Parse and validate the generated source with naga, and check that every custom
/// function exists with the signature `fn NAME(slot: u32) -> u32`. Errors carry naga's
/// message (with the offending source lines).
pub fn validate(spec: &KernelSpec, source: &str) -> Result<()> {
    let what = "the megakernel WGSL (custom opcodes / fused payload) failed to compile";
    // Stage 1: the kernel with the custom code but no calls into it, so a missing
    // function or a wrong signature is reported as such (not as a bad call site).
    let probe = generate_with(spec, false);
    let module = naga::front::wgsl::parse_str(&probe)
        .map_err(|e| shader_error(what, e.emit_to_string_with_path(&probe, "megakernel.wgsl")))?;
    let ours = |name: &str| {
        ["control", "ring", "debug_log", "io_queue", "vyre_engine"].contains(&name)
            || name
                .strip_prefix("user")
                .and_then(|d| d.parse::<usize>().ok())
                .is_some_and(|i| i < spec.extra_buffers.len())
    };
    for (_, g) in module.global_variables.iter() {
        if let Some(b) = &g.binding {
            if !g.name.as_deref().is_some_and(ours) {
                return Err(Error::new(
                    Status::Shader,
                    format!(
                        "custom WGSL declares a binding (@group({}) @binding({})); use the provided buffers \
                         control, ring, debug_log, io_queue and user0..user{} instead",
                        b.group,
                        b.binding,
                        spec.extra_buffers.len().saturating_sub(1)
                    ),
                ));
            }
        }
    }
    let names = spec
        .opcodes
        .iter()
        .map(|c| c.name.as_str())
        .chain(spec.fused.iter().map(|f| f.name.as_str()));
    for name in names {
        let func = module
            .functions
            .iter()
            .map(|(_, f)| f)
            .find(|f| f.name.as_deref() == Some(name));
        let Some(func) = func else {
            return Err(Error::new(
                Status::Shader,
                format!("custom WGSL does not define the function `{name}`; define `fn {name}(slot: u32) -> u32`"),
            ));
        };
        let is_u32 = |ty: naga::Handle<naga::Type>| {
            matches!(
                module.types[ty].inner,
                naga::TypeInner::Scalar(naga::Scalar {
                    kind: naga::ScalarKind::Uint,
                    width: 4
                })
            )
        };
        let args_ok = func.arguments.len() == 1 && is_u32(func.arguments[0].ty);
        let result_ok = func.result.as_ref().is_some_and(|r| is_u32(r.ty));
        if !args_ok || !result_ok {
            return Err(Error::new(
                Status::Shader,
                format!("custom function `{name}` must have the signature `fn {name}(slot: u32) -> u32`"),
            ));
        }
    }
    // Stage 2: the full kernel.
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| shader_error(what, e.emit_to_string_with_path(source, "megakernel.wgsl")))?;
    for e in &spec.epilogues {
        let found = module
            .entry_points
            .iter()
            .any(|p| p.name == e.name && p.stage == naga::ShaderStage::Compute);
        if !found {
            return Err(Error::new(
                Status::Shader,
                format!("the epilogue `{}` is not a compute entry point", e.name),
            ));
        }
    }
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    );
    validator
        .validate(&module)
        .map_err(|e| shader_error(what, e.emit_to_string_with_path(source, "megakernel.wgsl")))?;
    Ok(())
}

/// Stable 64-bit FNV-1a hash of the generated source (pipeline cache key and id).
pub fn source_hash(source: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> KernelSpec {
        KernelSpec {
            workgroup_size_x: 64,
            opcodes: vec![],
            extra_buffers: vec![],
            fused: None,
            workgroup_hook: None,
            epilogues: Vec::new(),
        }
    }

    #[test]
    fn builtin_kernel_validates() {
        let s = spec();
        validate(&s, &generate(&s)).unwrap();
        let s = KernelSpec {
            extra_buffers: vec![ExtraKind::ReadOnly, ExtraKind::Atomic, ExtraKind::ReadWrite],
            ..spec()
        };
        validate(&s, &generate(&s)).unwrap();
    }

    #[test]
    fn custom_opcode_is_spliced_and_checked() {
        let good = CustomOpcode {
            opcode: 9,
            name: "double_it".into(),
            wgsl: "fn double_it(slot: u32) -> u32 { vyre_set_arg(0u, vyre_arg(0u) * 2u); return VYRE_DONE; }".into(),
        };
        let s = KernelSpec {
            opcodes: vec![good.clone()],
            ..spec()
        };
        let src = generate(&s);
        assert!(src.contains("case 9u: { return double_it(slot); }"));
        validate(&s, &src).unwrap();

        let bad = CustomOpcode {
            wgsl: "fn double_it(slot: u32) -> u32 { return nope; }".into(),
            ..good.clone()
        };
        let s = KernelSpec {
            opcodes: vec![bad],
            ..spec()
        };
        let e = validate(&s, &generate(&s)).unwrap_err();
        assert_eq!(e.status, Status::Shader);
        assert!(e.message.contains("nope"), "{}", e.message);

        let sig = CustomOpcode {
            wgsl: "fn double_it(slot: u32, x: u32) -> u32 { return 3u; }".into(),
            ..good
        };
        let s = KernelSpec {
            opcodes: vec![sig],
            ..spec()
        };
        let e = validate(&s, &generate(&s)).unwrap_err();
        assert!(e.message.contains("signature"), "{}", e.message);
    }

    #[test]
    fn epilogues_are_internal_and_must_be_compute_entry_points() {
        let op = CustomOpcode {
            opcode: 9,
            name: "scan_x".into(),
            wgsl: "fn scan_x(slot: u32) -> u32 { return VYRE_DONE; }\n\
                   @compute @workgroup_size(VYRE_WG) fn scan_after() { }"
                .into(),
        };
        let with = |name: &str| KernelSpec {
            opcodes: vec![op.clone()],
            epilogues: vec![Epilogue {
                name: name.into(),
                per_slots: true,
            }],
            ..spec()
        };
        let s = with("scan_after");
        check_spec(&s, true).unwrap();
        let src = generate(&s);
        assert!(src.contains("// ---- epilogue: scan_after (per slots)"));
        validate(&s, &src).unwrap();
        let e = check_spec(&s, false).unwrap_err();
        assert!(e.message.contains("crate-internal"), "{}", e.message);
        // A plain function is not an entry point.
        let s = with("scan_x");
        let e = validate(&s, &generate(&s)).unwrap_err();
        assert!(
            e.message.contains("not a compute entry point"),
            "{}",
            e.message
        );
    }

    #[test]
    fn ids_and_names() {
        assert!(check_custom_opcode_id(8, false).is_ok());
        assert!(check_custom_opcode_id(0x1_0000, false).is_ok());
        for bad in [0, 7, 0xFFF0, 0xFFFC, 0xFFFF, 0x8000_0001, 0xFFFF_FFFF] {
            assert_eq!(
                check_custom_opcode_id(bad, false).unwrap_err().status,
                Status::InvalidArgument
            );
        }
        assert!(check_custom_opcode_id(op::DFA_SCAN, true).is_ok());
        assert!(check_custom_opcode_id(0xFFFD, true).is_err());
        for bad in ["vyre_x", "main", "user3", "1abc", "a-b", ""] {
            assert!(check_name(bad, "f").is_err(), "{bad}");
        }
        assert!(check_name("user_fn", "f").is_ok());
    }

    #[test]
    fn fused_payload_replaces_switch() {
        let s = KernelSpec {
            fused: Some(FusedPayload {
                name: "payload".into(),
                wgsl: "fn payload(slot: u32) -> u32 { return VYRE_DONE; }".into(),
            }),
            ..spec()
        };
        let src = generate(&s);
        assert!(src.contains("return payload(slot);"));
        assert!(!src.contains("case 0xFFFDu"));
        validate(&s, &src).unwrap();
    }
}
