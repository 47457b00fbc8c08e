//! Launch sizing and routing policy (SPEC §2). Pure maths, no GPU.
