//! What training reports: the observer's [`Progress`] after each iteration, and the
//! [`TrainReport`] at the end.

use std::time::Duration;

use super::{PartialEpoch, PhaseTimes, StepOrder};

/// What the observer of [`crate::Network::train`] sees after each iteration (each epoch,
/// with mini-batches).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The iteration just completed, from 0.
    pub iteration: usize,
    /// The cost computed in that iteration's forward pass (before its update),
    /// as the exercise reports it (with mini-batches: the epoch's mean batch cost).
    pub cost: f64,
    /// The total number of iterations planned.
    pub total: usize,
}

/// What a training run did.
///
/// ```
/// use dnn_core::{Network, NumpyRng, TrainParams};
/// let mut rng = NumpyRng::new(1);
/// let (x, y) = (rng.randn(3, 20), rng.rand(1, 20).mapv(|v| (v > 0.5) as u8 as f64));
/// let mut net = Network::<f64>::builder(&[3, 4, 1]).build(&mut rng)?;
/// let report = net.fit(&x, &y, &TrainParams::new().learning_rate(0.1).iterations(250).check()?)?;
/// assert_eq!(report.iterations_run(), 250);
/// assert_eq!(report.costs_every(100).iter().map(|c| c.0).collect::<Vec<_>>(), [0, 100, 200, 249]);
/// # Ok::<(), dnn_core::DnnError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    pub(super) costs: Vec<f64>,
    pub(super) partial: Option<PartialEpoch>,
    pub(super) planned: usize,
    pub(super) elapsed: Duration,
    pub(super) diagnostics: TrainDiagnostics,
}

/// How the engine ran: for benchmarks and the curious, not needed to use the result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainDiagnostics {
    /// Whether the first layer trained in Gram form (see [`crate::Network::train`]).
    pub gram_form: bool,
    /// The textbook form's floating-point operations per iteration: the GEMMs of the
    /// forward pass, of `dW[l]`, and of `dA[l-1]` for `l >= 2` (`dA0` is never computed).
    pub flops_per_iteration: f64,
    /// Those FLOPs over the run's time, in GFLOP/s. In the Gram form the engine does far
    /// fewer operations, so this is the rate the textbook's products would need to finish in
    /// the same time, and it can exceed the machine's peak.
    pub gflops: f64,
    /// Where the time went, phase by phase (zero for runs too small to time).
    pub phases: PhaseTimes,
    /// The order that the weight steps of layers of several strips took, timed on this CPU
    /// ([`StepOrder`]): `None` where no layer had the choice (one thread, narrow layers,
    /// batches too deep to pack ahead) or the run ended before the choice was made. Where
    /// several layers chose, the first layer's choice.
    pub step_order: Option<StepOrder>,
}

impl TrainReport {
    /// The cost of every completed iteration, in order.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// `(iteration, cost)` for every `every`-th iteration and the last one completed,
    /// as the exercise prints them.
    pub fn costs_every(&self, every: usize) -> Vec<(usize, f64)> {
        costs_every(&self.costs, every)
    }

    /// The cost of the last completed iteration.
    pub fn final_cost(&self) -> Option<f64> {
        self.costs.last().copied()
    }

    /// How many iterations (epochs, with mini-batches) completed.
    pub fn iterations_run(&self) -> usize {
        self.costs.len()
    }

    /// Where the run stopped inside an epoch, when a [`crate::TrainControl`] stopped it
    /// between two mini-batches: the network then holds the updates of the
    /// [`TrainReport::iterations_run`] completed epochs and of the batches of this one that
    /// ran. `None` when the run ended at the end of an epoch.
    pub fn partial_epoch(&self) -> Option<PartialEpoch> {
        self.partial
    }

    /// Whether training stopped before the planned number of iterations (the observer, or a
    /// [`crate::TrainControl`], stopped it).
    pub fn stopped_early(&self) -> bool {
        self.costs.len() < self.planned
    }

    /// Wall time of training: the loop, and in the Gram form its set-up (`XᵀX`, `W1(0) X`)
    /// and the final `W1`.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How the engine ran (Gram form or not, FLOPs, rate).
    pub fn diagnostics(&self) -> &TrainDiagnostics {
        &self.diagnostics
    }
}

/// `(iteration, cost)` of `costs` (one per iteration) for every `every`-th iteration and the
/// last one, as the exercise prints them.
pub(crate) fn costs_every(costs: &[f64], every: usize) -> Vec<(usize, f64)> {
    let every = every.max(1);
    let last = costs.len().saturating_sub(1);
    costs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i % every == 0 || i == last)
        .map(|(i, &c)| (i, c))
        .collect()
}

/// The textbook form's FLOPs per iteration (see [`TrainDiagnostics::flops_per_iteration`]).
pub(super) fn flops_per_iteration(sizes: &[usize], m: usize) -> f64 {
    sizes
        .windows(2)
        .enumerate()
        .map(|(i, p)| {
            let gemm = 2.0 * (p[0] * p[1] * m) as f64;
            // forward + dW, and dA_prev except for the first layer
            gemm * if i == 0 { 2.0 } else { 3.0 }
        })
        .sum()
}
