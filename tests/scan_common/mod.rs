//! Shared by the prefilter tests (CPU and GPU): the bundled rule file and a generator
//! of adversarial inputs full of near-tokens for it.
#![allow(dead_code)]

use vyre::scan::prefilter::{analyse, parse};
use vyre::scan::Pattern;

/// Small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

/// rules/secrets.rules as patterns (id = rule number).
pub fn rules() -> Vec<Pattern> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/secrets.rules");
    let text = std::fs::read_to_string(path).expect("rules/secrets.rules");
    vyre::scan::rule_file_patterns(&text)
}

/// Per rule: (factor literals, typical tail length after the literal), for planting.
pub struct Planter {
    seeds: Vec<(Vec<Vec<u8>>, usize)>,
}

const ALPHABETS: [&[u8]; 4] = [
    b"0123456789abcdef",
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-",
    b"0123456789abcdefghijklmnopqrstuvwxyz",
];
const SEPARATORS: [&[u8]; 16] = [
    b" ", b"\n", b"\"", b"'", b"=", b": ", b".", b"/", b"@", b"-", b"_", b"x", b"\t", b"A", b"=\"",
    b"-",
];

impl Planter {
    pub fn new(patterns: &[Pattern]) -> Planter {
        let seeds = patterns
            .iter()
            .filter_map(|p| analyse(&parse(p).ok()?))
            .map(|f| {
                let lit = f.literals[0].len();
                let tail = f.max_len.map_or(40, |m| m.saturating_sub(lit + f.min_pre));
                (f.cased, tail)
            })
            .collect();
        Planter { seeds }
    }

    /// Append a near-token: a factor literal of a random rule (sometimes with its
    /// `pre` context), then a run from a token alphabet of about the rule's length.
    pub fn token(&self, rng: &mut Rng, out: &mut Vec<u8>) {
        let (lits, tail) = &self.seeds[rng.below(self.seeds.len())];
        let clean: &[&[u8]] = &[b" ", b"\n", b"\"", b"'", b"=", b": ", b"/"];
        if rng.below(4) != 0 {
            out.extend_from_slice(rng.pick(clean));
        }
        if rng.below(3) == 0 {
            // Context the rule may need before the literal (digits, a key name...).
            let pre: &[u8] = rng.pick(&[&b"123456789"[..], b"123456789012-", b"aws_", b"api_"]);
            out.extend_from_slice(pre);
        }
        let i = rng.below(lits.len());
        out.extend_from_slice(&lits[i]);
        if rng.below(4) == 0 {
            out.extend_from_slice(rng.pick(&[&b" = \""[..], b"=", b": '", b"\t:"]));
        }
        let alphabet = rng.pick(&ALPHABETS);
        let n = match rng.below(4) {
            0 => rng.below(2 * tail + 2),
            1 => (tail + rng.below(3)).saturating_sub(1),
            _ => *tail,
        };
        out.extend((0..n).map(|_| rng.pick(alphabet)));
        if rng.below(4) != 0 {
            out.extend_from_slice(rng.pick(clean));
        }
    }

    /// An input of near-tokens, separators and noise (about `len` bytes).
    pub fn input(&self, rng: &mut Rng, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 256);
        while out.len() < len {
            match rng.below(6) {
                0..=2 => self.token(rng, &mut out),
                3 => {
                    let alphabet = rng.pick(&ALPHABETS);
                    let n = rng.below(30);
                    out.extend((0..n).map(|_| rng.pick(alphabet)));
                }
                _ => out.extend_from_slice(rng.pick(&SEPARATORS)),
            }
        }
        out
    }
}
