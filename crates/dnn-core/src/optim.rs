//! Optimisers and learning-rate schedules: how a gradient becomes a parameter update.
//!
//! Plain gradient descent stays the default; momentum and Adam keep one or two running
//! averages per parameter. Every formula is written in the order the course's numpy code
//! evaluates it, so updates agree with numpy to the last bits.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::Float;

/// How gradients turn into updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// `θ -= α d`.
    GradientDescent,
    /// `v = β v + (1 - β) d`, `θ -= α v` (`v` starts at 0).
    Momentum {
        /// β, in `[0, 1)`; 0.9 is usual.
        beta: f64,
    },
    /// `v = β1 v + (1 - β1) d`, `s = β2 s + (1 - β2) d²`,
    /// `θ -= α (v / (1 - β1ᵗ)) / (sqrt(s / (1 - β2ᵗ)) + ε)`, with `t` the number of updates
    /// so far, from 1 (Kingma & Ba 2015, with bias correction).
    Adam {
        /// β1, in `[0, 1)`; 0.9 is usual.
        beta1: f64,
        /// β2, in `[0, 1)`; 0.999 is usual.
        beta2: f64,
        /// ε > 0; 1e-8 is usual.
        epsilon: f64,
    },
}

impl Optimizer {
    /// Adam with the usual β1 = 0.9, β2 = 0.999, ε = 1e-8.
    pub const ADAM: Optimizer = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };

    /// The lower-case name used on the command line and in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::GradientDescent => "gd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
        }
    }

    /// Checks the hyper-parameters' ranges; returns `(name, value, reason)` of the first bad one.
    pub(crate) fn invalid(&self) -> Option<(&'static str, f64, &'static str)> {
        let unit =
            |name, v: f64| (!(0.0..1.0).contains(&v)).then_some((name, v, "it must be in [0, 1)"));
        match *self {
            Optimizer::GradientDescent => None,
            Optimizer::Momentum { beta } => unit("momentum beta", beta),
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => unit("Adam beta1", beta1)
                .or_else(|| unit("Adam beta2", beta2))
                .or_else(|| {
                    (!(epsilon.is_finite() && epsilon > 0.0)).then_some((
                        "Adam epsilon",
                        epsilon,
                        "it must be a finite number greater than 0",
                    ))
                }),
        }
    }
}

/// How the learning rate changes from epoch to epoch (`α0` is the configured rate, `e` the
/// epoch from 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrDecay {
    /// `α = α0`.
    Constant,
    /// `α = α0 / (1 + rate e)`.
    InverseTime {
        /// The decay rate (≥ 0).
        rate: f64,
    },
    /// `α = α0 / (1 + rate floor(e / interval))`: steps down every `interval` epochs.
    Step {
        /// The decay rate (≥ 0).
        rate: f64,
        /// Epochs per step (≥ 1).
        interval: usize,
    },
}

impl LrDecay {
    /// The learning rate for epoch `epoch` (from 0).
    ///
    /// ```
    /// use dnn_core::LrDecay;
    /// assert_eq!(LrDecay::InverseTime { rate: 1.0 }.rate_at(0.1, 1), 0.05);
    /// assert_eq!(LrDecay::Step { rate: 1.0, interval: 10 }.rate_at(0.1, 9), 0.1);
    /// ```
    pub fn rate_at(&self, lr0: f64, epoch: usize) -> f64 {
        match *self {
            LrDecay::Constant => lr0,
            LrDecay::InverseTime { rate } => lr0 / (1.0 + rate * epoch as f64),
            LrDecay::Step { rate, interval } => {
                lr0 / (1.0 + rate * (epoch / interval.max(1)) as f64)
            }
        }
    }

    pub(crate) fn invalid(&self) -> Option<(&'static str, f64, &'static str)> {
        match *self {
            LrDecay::Constant => None,
            LrDecay::InverseTime { rate } | LrDecay::Step { rate, .. }
                if !(rate.is_finite() && rate >= 0.0) =>
            {
                Some(("decay rate", rate, "it must be a finite number ≥ 0"))
            }
            LrDecay::Step { interval: 0, .. } => {
                Some(("decay interval", 0.0, "it must be at least 1 epoch"))
            }
            _ => None,
        }
    }
}

/// The running averages of one parameter array (`v` for momentum and Adam, `s` for Adam).
#[derive(Debug, Clone)]
pub(crate) struct Moments<F: Float> {
    v: Array2<F>,
    s: Array2<F>,
}

impl<F: Float> Moments<F> {
    /// Zeros shaped like a parameter of shape `dim`, only as many as `optimizer` needs.
    pub(crate) fn new(optimizer: &Optimizer, dim: (usize, usize)) -> Self {
        let (nv, ns) = match optimizer {
            Optimizer::GradientDescent => (0, 0),
            Optimizer::Momentum { .. } => (1, 0),
            Optimizer::Adam { .. } => (1, 1),
        };
        let shape = |n: usize| if n == 1 { dim } else { (0, 0) };
        Moments {
            v: Array2::zeros(shape(nv)),
            s: Array2::zeros(shape(ns)),
        }
    }

    /// Writes `new = old - update(grad)` for update number `t` (from 1) and returns whether
    /// every new value is finite.
    pub(crate) fn step(
        &mut self,
        optimizer: &Optimizer,
        t: u64,
        lr: f64,
        old: ArrayView2<'_, F>,
        grad: ArrayView2<'_, F>,
        new: &mut Array2<F>,
    ) -> bool {
        step(
            optimizer,
            t,
            lr,
            old,
            grad,
            new.view_mut(),
            self.v.view_mut(),
            self.s.view_mut(),
        )
    }

    /// The running averages as `(v, s)` (empty where the optimiser keeps none).
    pub(crate) fn averages_mut(&mut self) -> (ArrayViewMut2<'_, F>, ArrayViewMut2<'_, F>) {
        (self.v.view_mut(), self.s.view_mut())
    }
}

/// [`Moments::step`] on views: `new = old - update(grad)` with the running averages `v`
/// (momentum, Adam) and `s` (Adam) of the same shape (ignored, and may be empty, where the
/// optimiser keeps none). Returns whether every new value is finite. The fused weight update
/// calls it on blocks of a layer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn step<F: Float>(
    optimizer: &Optimizer,
    t: u64,
    lr: f64,
    old: ArrayView2<'_, F>,
    grad: ArrayView2<'_, F>,
    new: ArrayViewMut2<'_, F>,
    v: ArrayViewMut2<'_, F>,
    s: ArrayViewMut2<'_, F>,
) -> bool {
    let lr = F::of(lr);
    let mut finite = true;
    match *optimizer {
        Optimizer::GradientDescent => Zip::from(new).and(old).and(grad).for_each(|n, &o, &d| {
            *n = o - lr * d;
            finite &= n.is_finite();
        }),
        Optimizer::Momentum { beta } => {
            let (beta, one_minus) = (F::of(beta), F::of(1.0 - beta));
            Zip::from(new)
                .and(old)
                .and(grad)
                .and(v)
                .for_each(|n, &o, &d, v| {
                    *v = beta * *v + one_minus * d;
                    *n = o - lr * *v;
                    finite &= n.is_finite();
                });
        }
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        } => {
            let (b1, c1) = (F::of(beta1), F::of(1.0 - beta1));
            let (b2, c2) = (F::of(beta2), F::of(1.0 - beta2));
            let (corr1, corr2) = (
                F::of(1.0 - beta1.powf(t as f64)),
                F::of(1.0 - beta2.powf(t as f64)),
            );
            let eps = F::of(epsilon);
            Zip::from(new)
                .and(old)
                .and(grad)
                .and(v)
                .and(s)
                .for_each(|n, &o, &d, v, s| {
                    *v = b1 * *v + c1 * d;
                    *s = b2 * *s + c2 * (d * d);
                    *n = o - lr * (*v / corr1) / ((*s / corr2).sqrt() + eps);
                    finite &= n.is_finite();
                });
        }
    }
    finite
}
