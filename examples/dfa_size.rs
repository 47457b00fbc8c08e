//! Print the DFA size of each rule of a rule file alone, then how the whole file splits
//! into groups, without and with the literal prefilter (to find blow-ups and check
//! compile time).
//! Usage: cargo run --release --example dfa_size -- rules/secrets.rules
use std::time::Instant;
use vyre::scan::set::DEFAULT_GROUP_TABLE_BYTES;
use vyre::scan::{prefilter, CompileOptions, Dfa, DfaSet, Pattern};

fn main() {
    let path = std::env::args().nth(1).expect("rule file");
    let text = std::fs::read_to_string(path).expect("read");
    let mut pats = Vec::new();
    let group = CompileOptions {
        max_table_bytes: DEFAULT_GROUP_TABLE_BYTES,
    };
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, re) = line.split_once('\t').unwrap_or((line, line));
        let re = re.trim_start_matches('\t');
        let t = Instant::now();
        let alone = Dfa::compile(&[Pattern::regex(re, 0)], &group);
        let size = alone
            .as_ref()
            .map_or("over the group target".to_string(), |d| {
                format!("{} states {} classes", d.state_count(), d.class_count())
            });
        let factor = prefilter::parse(&Pattern::regex(re, 0))
            .ok()
            .and_then(|h| prefilter::analyse(&h))
            .map_or("residual (no factor)".to_string(), |f| {
                format!(
                    "factor {:?} ({} literals), pre {}..={}, max len {:?}",
                    String::from_utf8_lossy(&f.literals[0]),
                    f.literals.len(),
                    f.min_pre,
                    f.max_pre,
                    f.max_len
                )
            });
        println!("{name:<36} {size:<28} {:>12?}  {factor}", t.elapsed());
        pats.push(Pattern::regex(re, pats.len() as u32));
    }
    let t = Instant::now();
    let group_bytes = std::env::args()
        .nth(2)
        .map_or(DEFAULT_GROUP_TABLE_BYTES, |s| {
            s.parse().expect("group bytes")
        });
    match DfaSet::compile_grouped(&pats, &CompileOptions::default(), group_bytes) {
        Ok(set) => {
            println!(
                "{} rules: {} groups, {} states, {} table bytes, compiled in {:?}",
                pats.len(),
                set.group_count(),
                set.state_count(),
                set.table_bytes(),
                t.elapsed()
            );
            for (i, g) in set.groups().iter().enumerate() {
                println!(
                    "  group {i}: {} patterns, {} states, {} classes, {} bytes",
                    g.pattern_count(),
                    g.state_count(),
                    g.class_count(),
                    g.table_bytes()
                );
            }
        }
        Err(e) => println!("set: {}", e.message),
    }
    let t = Instant::now();
    match DfaSet::compile_prefiltered(&pats, &CompileOptions::default(), group_bytes) {
        Ok(set) => println!(
            "with the literal prefilter: {} rules prefiltered, {} groups (last: literal DFA), {} states, {} table bytes, compiled in {:?}",
            set.prefiltered_count(),
            set.group_count(),
            set.state_count(),
            set.table_bytes(),
            t.elapsed()
        ),
        Err(e) => println!("prefiltered set: {}", e.message),
    }
}
