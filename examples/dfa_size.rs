//! Print the DFA size of a rule file, cumulatively rule by rule (to find blow-ups).
//! Usage: cargo run --release --example dfa_size -- rules/secrets.rules
use vyre::scan::{CompileOptions, Dfa, Pattern};

fn main() {
    let path = std::env::args().nth(1).expect("rule file");
    let text = std::fs::read_to_string(path).expect("read");
    let mut pats = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let re = line
            .split_once('\t')
            .map_or(line, |(_, r)| r.trim_start_matches('\t'));
        let alone = Dfa::compile(&[Pattern::regex(re, 0)], &CompileOptions::default());
        pats.push(Pattern::regex(re, pats.len() as u32));
        let t = std::time::Instant::now();
        let all = Dfa::compile(
            &pats,
            &CompileOptions {
                max_table_bytes: 64 << 20,
            },
        );
        let f = |r: &vyre::Result<Dfa>| {
            r.as_ref().map_or("ERR".to_string(), |d| {
                format!("{} states {} classes", d.state_count(), d.class_count())
            })
        };
        println!(
            "{:<40} alone {:<28} cumulative {:<28} {:?}",
            &line[..line.find('\t').unwrap_or(line.len()).min(40)],
            f(&alone),
            f(&all),
            t.elapsed()
        );
    }
}
