//! Deterministic generators for seeded emulator data.
//!
//! SplitMix64 is tiny, fast even in debug builds and, unlike `rand`'s `StdRng` (whose stream may
//! change between releases), fixed forever: the same seed gives the same data across dependency
//! upgrades. Two streams exist because emulators were seeded with both; each must stay as it is
//! so existing seeds keep producing the same records.

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 step: advance by the golden gamma, then finalise.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Multiply-shift into `0..n`; the bias is negligible for the tiny `n` used here.
fn scale(x: u64, n: u64) -> u64 {
    ((u128::from(x) * u128::from(n)) >> 64) as u64
}

/// Standard SplitMix64: the state advances by the gamma and each output is its finalised value.
pub struct SeedRng(pub u64);

impl SeedRng {
    pub fn next_u64(&mut self) -> u64 {
        let out = mix(self.0);
        self.0 = self.0.wrapping_add(GAMMA);
        out
    }

    /// Uniform-enough in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        scale(self.next_u64(), n as u64) as usize
    }

    /// Uniform-enough in `lo..hi` (milliseconds or counts, `hi > lo`).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + scale(self.next_u64(), (hi - lo) as u64) as i64
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    /// `k` distinct indices below `n` (`k <= n`, both tiny here).
    pub fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut picked = Vec::with_capacity(k);
        while picked.len() < k {
            let i = self.below(n);
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked
    }

    /// Whole seconds in `0..span_ms`, as milliseconds (seeded timestamps carry no milliseconds).
    pub fn secs_below(&mut self, span_ms: i64) -> i64 {
        self.below((span_ms.max(1000) / 1000) as usize) as i64 * 1000
    }

    /// A version-4-shaped UUID.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// The chained variant: the state is replaced by its own mix and doubles as the output.
pub struct ChainRng(pub u64);

impl ChainRng {
    /// Uniform-enough in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = mix(self.0);
        scale(self.0, n as u64) as usize
    }

    /// Whole seconds in `0..span`, as milliseconds.
    pub fn ms_below(&mut self, span: i64) -> i64 {
        (self.below((span.max(1000) / 1000) as usize) as i64) * 1000
    }
}
