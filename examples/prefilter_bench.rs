//! Compile time and CPU-backend scan throughput of a rule file with and without the
//! literal prefilter, on the bundled corpus repeated to MIB MiB (hits must agree).
//! Usage: cargo run --release --example prefilter_bench -- rules/secrets.rules [MIB] [THREADS]
use std::time::Instant;
use vyre::scan::set::DEFAULT_GROUP_TABLE_BYTES;
use vyre::scan::{CompileOptions, DfaSet, Pattern, Scanner};

fn corpus(dir: &std::path::Path, out: &mut Vec<u8>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("corpus").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            corpus(&p, out);
        } else {
            out.extend(std::fs::read(&p).expect("read"));
            out.push(b'\n');
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("rule file");
    let mib: usize = args.get(2).map_or(16, |s| s.parse().expect("MIB"));
    let threads: usize = args.get(3).map_or(0, |s| s.parse().expect("THREADS"));
    let pats: Vec<Pattern> = vyre::scan::rule_file_patterns(&text);
    let mut unit = Vec::new();
    corpus(std::path::Path::new("corpus"), &mut unit);
    let mut hay = Vec::with_capacity(mib << 20);
    while hay.len() < mib << 20 {
        hay.extend_from_slice(&unit);
    }
    hay.truncate(mib << 20);
    let opts = CompileOptions::default();
    let mut results = Vec::new();
    for (name, prefilter) in [("prefiltered", true), ("plain groups", false)] {
        let t = Instant::now();
        let set = if prefilter {
            DfaSet::compile(&pats, &opts)
        } else {
            DfaSet::compile_grouped(&pats, &opts, DEFAULT_GROUP_TABLE_BYTES)
        }
        .expect("compile");
        let compile = t.elapsed();
        let groups = set.group_count();
        let sc = Scanner::cpu(set, threads);
        let _ = sc.scan(&hay, 0).expect("scan"); // warm-up
        let t = Instant::now();
        let hits = sc.scan(&hay, 0).expect("scan");
        let s = t.elapsed().as_secs_f64();
        println!(
            "{name:<13} {groups:>2} groups, compile {:>6.2} s, {} on {mib} MiB: {:>7.1} MB/s, {} hits",
            compile.as_secs_f64(),
            sc.backend_name(),
            hay.len() as f64 / s / 1e6,
            hits.len()
        );
        results.push(hits);
    }
    assert_eq!(results[0], results[1], "prefiltered and plain hits differ");
}
