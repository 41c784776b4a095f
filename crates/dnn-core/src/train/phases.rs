//! Where a training run's time goes, phase by phase: a wall clock read between the phases of
//! each batch, summed over the run (for benchmarks and profiles; see [`PhaseTimes`]).

use std::time::{Duration, Instant};

/// Wall time spent in each phase of training, summed over every batch of the run.
///
/// Measured only when an iteration is large enough for the clock reads not to matter
/// (at least [`PhaseTimes::MIN_FLOPS`] per batch); otherwise every field is zero. The
/// phases add up to the loop's time, less the observer and the epoch bookkeeping.
///
/// ```
/// use dnn_core::{Network, NumpyRng, TrainParams};
/// let mut rng = NumpyRng::new(1);
/// let (x, y) = (rng.randn(300, 400), rng.rand(1, 400).mapv(|v| (v > 0.5) as u8 as f64));
/// let mut net = Network::<f64>::builder(&[300, 32, 1]).build(&mut rng)?;
/// let config = TrainParams::new().learning_rate(0.01).iterations(5).check()?;
/// let report = net.fit(&x, &y, &config)?;
/// let phases = report.diagnostics().phases;
/// assert!(phases.forward > std::time::Duration::ZERO);
/// assert!(phases.total() <= report.elapsed());
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PhaseTimes {
    /// Copying each mini-batch's examples out of `X` and `Y`, on the training thread: where
    /// an epoch's next batch is gathered during a step (examples contiguous in `X`, a GEMM
    /// team of several threads), only what the team's workers left of it.
    pub gather: Duration,
    /// The forward pass: the products `W[l] A[l-1]` (or the Gram form's), bias, activation,
    /// dropout and the output activation.
    pub forward: Duration,
    /// The batch's cost (and the divergence check).
    pub cost: Duration,
    /// The backward pass without the weight gradients: `dZ[L]`, `db[l]`, `dA[l-1] = W[l]ᵀ dZ[l]`
    /// and the activation's derivative.
    pub backward: Duration,
    /// The weight gradients `dW[l] = dZ[l] A[l-1]ᵀ / k` (with L2) and the optimiser's step
    /// on every parameter.
    pub update: Duration,
}

impl PhaseTimes {
    /// FLOPs per batch below which phases are not timed.
    pub const MIN_FLOPS: f64 = 1e6;

    /// The sum of the phases.
    pub fn total(&self) -> Duration {
        self.gather + self.forward + self.cost + self.backward + self.update
    }
}

/// Reads the clock between phases when timing is on; a no-op otherwise.
pub(super) struct PhaseClock {
    last: Option<Instant>,
}

impl PhaseClock {
    /// A clock that times (`on`) or not.
    pub(super) fn new(on: bool) -> Self {
        PhaseClock {
            last: on.then(Instant::now),
        }
    }

    /// Adds the time since the last lap to `phase`.
    #[inline]
    pub(super) fn lap(&mut self, phase: &mut Duration) {
        if let Some(last) = self.last.as_mut() {
            let now = Instant::now();
            *phase += now - *last;
            *last = now;
        }
    }

    /// Restarts the lap without charging anything (after work that is in no phase).
    #[inline]
    pub(super) fn skip(&mut self) {
        if let Some(last) = self.last.as_mut() {
            *last = Instant::now();
        }
    }
}
