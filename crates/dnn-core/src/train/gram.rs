//! The first layer in Gram form: the fast path for full-batch gradient descent with more
//! features than examples (see [`Gram`]).

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::gemm::matmul;
use crate::regularization::sum_of_squares;
use crate::Float;

/// The first layer in "Gram form": gradient descent on `W1` with a fixed input `X` keeps
/// `W1(t) = s(t) W1(0) - C(t) Xᵀ` with `C(t+1) = d(t) C(t) + (α(t)/m) dZ1(t)` (`(n[1], m)`)
/// and `s(t+1) = d(t) s(t)`, where `α(t)` is the step's rate (constant or scheduled) and
/// `d(t) = 1 - α(t)λ/m` L2's decay (1 without L2, where `s` stays 1), so
/// `W1(t) X = s(t) W1(0) X - C(t) (XᵀX)`. With the Gram matrix `G = XᵀX` (`(m, m)`) and
/// `P0 = W1(0) X` computed once, an iteration costs one `(n[1], m) · (m, m)` product
/// instead of the two `(n[1], n[0]) · (n[0], m)` products against `X`; `W1` itself
/// is formed once, when training ends. Same math, different rounding.
///
/// L2's cost term needs `‖W1‖²`, which is
/// `s² ‖W1(0)‖² - 2 s ⟨P0, C⟩ + ⟨C G, C⟩` (`⟨W1(0), C Xᵀ⟩ = ⟨W1(0) X, C⟩`, and
/// `‖C Xᵀ‖² = ⟨C XᵀX, C⟩`): with L2, `C G` is kept from the forward product for it.
///
/// Everything is kept in the network's own type `F`: an `f32` network trains in `f32`
/// end to end.
pub(crate) struct Gram<F: Float> {
    /// `G = XᵀX`, `(m, m)`.
    g: Array2<F>,
    /// `P0 = W1(0) X`, `(n[1], m)`.
    p0: Array2<F>,
    /// `C(t)`, `(n[1], m)`.
    c: Array2<F>,
    /// The other half of `C`'s double buffer: the update writes `C(t+1)` here, then swaps.
    c_spare: Array2<F>,
    /// `s(t)`, and the other half of its double buffer.
    scale: F,
    scale_spare: F,
    /// With L2: `‖W1(0)‖²` (in `f64`, as the cost term sums squares) and `C G` of the last
    /// forward product; `None` without L2.
    l2: Option<(f64, Array2<F>)>,
}

/// The Gram form's record of `W1(t)` beside `W1(0)`: `C(t)` and `s(t)`.
#[derive(Clone, Copy)]
pub(super) struct GramState<'a, F: Float> {
    pub(super) c: &'a Array2<F>,
    pub(super) scale: F,
}

impl<F: Float> Gram<F> {
    /// `G` and `P0` from `x` and `w = W1(0)`; with `l2`, what L2's cost term needs.
    pub(super) fn new(w: &Array2<F>, x: ArrayView2<'_, F>, l2: bool) -> Self {
        let m = x.ncols();
        let n1 = w.nrows();
        let mut g = Array2::zeros((m, m));
        let mut p0 = Array2::zeros((n1, m));
        matmul(F::one(), &x.t(), &x, F::zero(), &mut g.view_mut());
        matmul(F::one(), &w.view(), &x, F::zero(), &mut p0.view_mut());
        let l2 = l2.then(|| (sum_of_squares(w.view()), Array2::zeros(p0.dim())));
        Gram {
            g,
            c: Array2::zeros(p0.dim()),
            c_spare: Array2::zeros(p0.dim()),
            p0,
            scale: F::one(),
            scale_spare: F::one(),
            l2,
        }
    }

    /// `z = W1 X = s P0 - C G`.
    pub(super) fn linear(&mut self, mut out: ArrayViewMut2<'_, F>) {
        match &mut self.l2 {
            None => scaled_less_product(self.scale, &self.p0, (&self.c, &self.g), out),
            Some((_, cg)) => {
                matmul(
                    F::one(),
                    &self.c.view(),
                    &self.g.view(),
                    F::zero(),
                    &mut cg.view_mut(),
                );
                let s = self.scale;
                Zip::from(&mut out)
                    .and(&self.p0)
                    .and(&*cg)
                    .for_each(|z, &p, &q| *z = s * p - q);
            }
        }
    }

    /// `‖W1‖²` now, from the last [`Gram::linear`]'s `C G` (see [`Gram`]); `None` without
    /// L2.
    pub(super) fn squares(&self) -> Option<f64> {
        let (w0, cg) = self.l2.as_ref()?;
        let s = self.scale.to_f64_lossless();
        let dot = |a: &Array2<F>, b: &Array2<F>| {
            Zip::from(a).and(b).fold(0.0, |acc, &u, &v| {
                acc + u.to_f64_lossless() * v.to_f64_lossless()
            })
        };
        Some(s * s * w0 - 2.0 * s * dot(&self.p0, &self.c) + dot(cg, &self.c))
    }

    /// Writes `C(t+1) = d C(t) + step dZ1` and `s(t+1) = d s(t)` into the spare buffers
    /// (the update of the Gram form: `step` is `α / m`, `decay` is L2's `d = 1 - αλ/m`, 1
    /// without it); returns whether every new value is finite.
    pub(super) fn accumulate(&mut self, dz: ArrayView2<'_, F>, step: f64, decay: f64) -> bool {
        // Without L2, `decay` is 1, and `1 * o` is `o`: the same bits as `o + step d`.
        let (step, decay) = (F::of(step), F::of(decay));
        let mut finite = true;
        Zip::from(&mut self.c_spare)
            .and(&self.c)
            .and(dz)
            .for_each(|n, &o, &d| {
                *n = decay * o + step * d;
                finite &= n.is_finite();
            });
        self.scale_spare = decay * self.scale;
        finite && self.scale_spare.is_finite()
    }

    /// `C(t)` and `s(t)`: `W1(t) = s(t) W1(0) - C(t) Xᵀ`.
    pub(super) fn state(&self) -> GramState<'_, F> {
        GramState {
            c: &self.c,
            scale: self.scale,
        }
    }

    /// Swaps `C(t+1)` and `s(t+1)` in (after an update) or back out (to roll an update back).
    pub(super) fn swap(&mut self) {
        std::mem::swap(&mut self.c, &mut self.c_spare);
        std::mem::swap(&mut self.scale, &mut self.scale_spare);
    }

    /// `w = s W1(0) - C Xᵀ` in place (`w` holds `W1(0)`).
    pub(super) fn finish(&self, w: &mut Array2<F>, x: ArrayView2<'_, F>) {
        form_w1(self.state(), w, x);
    }
}

/// `out = s P - C M`: the Gram form's first-layer logits, `P` and `M` the training side's
/// `P0` and `G`, or the validation side's `P0v` and `H`. (`s` is 1 without L2, and `1 * p`
/// is `p`.)
fn scaled_less_product<F: Float>(
    s: F,
    p: &Array2<F>,
    (c, m): (&Array2<F>, &Array2<F>),
    mut out: ArrayViewMut2<'_, F>,
) {
    Zip::from(&mut out).and(p).for_each(|z, &p| *z = s * p);
    matmul(-F::one(), &c.view(), &m.view(), F::one(), &mut out);
}

/// `w = s W1(0) - C Xᵀ` in place, `w` holding `W1(0)`.
fn form_w1<F: Float>(state: GramState<'_, F>, w: &mut Array2<F>, x: ArrayView2<'_, F>) {
    // `s` is 1 without L2, and `1 * v` is `v`.
    let s = state.scale;
    w.mapv_inplace(|v| s * v);
    matmul(
        -F::one(),
        &state.c.view(),
        &x.t(),
        F::one(),
        &mut w.view_mut(),
    );
}

/// A validation set's side of the Gram form: `W1(t) X_val = s(t) P0v - C(t) H`, with
/// `P0v = W1(0) X_val` (`(n[1], m_val)`) and `H = Xᵀ X_val` (`(m, m_val)`) computed once, so
/// watching it costs one `(n[1], m) · (m, m_val)` product per iteration and never touches
/// `X`; and the best iteration's `C` and `s`, from which its `W1 = s W1(0) - C Xᵀ` is formed
/// once at the end, as [`Gram::finish`] forms the last one.
pub(super) struct GramSide<F: Float> {
    p0: Array2<F>,
    h: Array2<F>,
    /// `W1(0)`.
    w1_start: Array2<F>,
    /// `C` and `s` of the best iteration.
    best_c: Array2<F>,
    best_scale: F,
}

impl<F: Float> GramSide<F> {
    /// `P0v` and `H` from `w = W1(0)`, the training inputs `x` and the validation inputs
    /// `x_val`.
    pub(super) fn new(w: &Array2<F>, x: ArrayView2<'_, F>, x_val: ArrayView2<'_, F>) -> Self {
        let (n1, m, m_val) = (w.nrows(), x.ncols(), x_val.ncols());
        let mut p0 = Array2::zeros((n1, m_val));
        let mut h = Array2::zeros((m, m_val));
        matmul(F::one(), &w.view(), &x_val, F::zero(), &mut p0.view_mut());
        matmul(F::one(), &x.t(), &x_val, F::zero(), &mut h.view_mut());
        GramSide {
            p0,
            h,
            w1_start: w.clone(),
            best_c: Array2::zeros((n1, m)),
            best_scale: F::one(),
        }
    }

    /// The bytes [`GramSide::new`] allocates, for `n[0]`, `n[1]`, `m` and `m_val`.
    pub(super) fn bytes(n0: usize, n1: usize, m: usize, m_val: usize) -> Option<u128> {
        let f = std::mem::size_of::<F>();
        crate::memory::sum([
            crate::memory::product(&[n1 + m, m_val, f]),
            crate::memory::product(&[n1, n0 + m, f]),
        ])
    }

    /// `z = W1 X_val = s P0v - C H`, with `state` the Gram form's now.
    pub(super) fn linear(&self, state: GramState<'_, F>, out: ArrayViewMut2<'_, F>) {
        scaled_less_product(state.scale, &self.p0, (state.c, &self.h), out);
    }

    /// Keeps `state` as the best iteration's.
    pub(super) fn keep(&mut self, state: GramState<'_, F>) {
        self.best_c.assign(state.c);
        self.best_scale = state.scale;
    }

    /// `w = s_best W1(0) - C_best Xᵀ`: the best iteration's `W1`, formed as [`Gram::finish`]
    /// forms the last one.
    pub(super) fn best_w1(&self, x: ArrayView2<'_, F>, w: &mut Array2<F>) {
        w.assign(&self.w1_start);
        let best = GramState {
            c: &self.best_c,
            scale: self.best_scale,
        };
        form_w1(best, w, x);
    }
}

/// Whether training `sizes` on `m` examples for `iterations` is at least twice cheaper
/// with the first layer in Gram form (counting its one-off products), and `G` is no
/// larger than `X`.
pub(super) fn gram_pays(sizes: &[usize], m: usize, iterations: usize) -> bool {
    let (n0, n1, m_f, t) = (
        sizes[0] as f64,
        sizes[1] as f64,
        m as f64,
        iterations as f64,
    );
    let direct = t * 4.0 * n1 * n0 * m_f;
    let gram = t * 2.0 * n1 * m_f * m_f + 2.0 * n0 * m_f * m_f + 4.0 * n1 * n0 * m_f;
    m <= sizes[0] && 2.0 * gram < direct
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use std::ops::ControlFlow;

    use super::*;
    use crate::steps::{self, Parameters};
    use crate::{DnnError, Float, GramForm, Init, Network, NumpyRng, TrainParams};

    /// More features than examples, so training takes the Gram form.
    fn wide_data(n_x: usize, m: usize) -> (Array2<f64>, Array2<f64>) {
        let mut rng = NumpyRng::new(5);
        let x = rng.rand(n_x, m);
        let y = rng.rand(1, m).mapv(|v| if v > 0.6 { 1.0 } else { 0.0 });
        (x, y)
    }

    fn net<F: Float>(dims: &[usize]) -> Network<F> {
        Network::<F>::builder(dims)
            .init(Init::Scaled)
            .build(&mut NumpyRng::new(2))
            .unwrap()
    }

    #[test]
    fn the_gram_form_pays_only_with_more_features_than_examples_and_many_iterations() {
        assert!(gram_pays(&[12288, 20, 7, 5, 1], 209, 2500));
        assert!(gram_pays(&[12288, 20, 7, 5, 1], 2090, 2500));
        assert!(!gram_pays(&[12288, 20, 7, 5, 1], 209, 1));
        assert!(!gram_pays(&[12, 8, 5, 1], 40, 200));
        assert!(!gram_pays(&[100, 8, 1], 400, 10_000));
    }

    #[test]
    fn the_gram_form_follows_the_step_functions() {
        let (x, y) = wide_data(300, 25);
        let dims = [300, 6, 4, 1];
        let iterations = 300;
        assert!(gram_pays(&dims, 25, iterations));
        let mut params = Parameters::new(net::<f64>(&dims).to_parameters().into_layers());
        let mut step_costs = Vec::new();
        for _ in 0..iterations {
            let (al, caches) = steps::l_model_forward(&x, &params);
            step_costs.push(steps::compute_cost(&al, &y));
            let grads = steps::l_model_backward(&al, &y, &caches);
            params = steps::update_parameters(params, &grads, 0.05);
        }
        let mut engine = net::<f64>(&dims);
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(iterations)
            .check()
            .unwrap();
        let report = engine.fit(&x, &y, &config).unwrap();
        assert_eq!(report.costs().len(), step_costs.len());
        for (i, (e, s)) in report.costs().iter().zip(&step_costs).enumerate() {
            assert!((e - s).abs() <= 1e-12, "iteration {i}: {e} vs {s}");
        }
        assert!(
            step_costs[iterations - 1] < step_costs[0] - 0.1,
            "it must train"
        );
        let trained = engine.to_parameters();
        for l in 1..=3 {
            let diff = (trained.w(l) - params.w(l))
                .mapv(f64::abs)
                .fold(0.0_f64, |a, &b| a.max(b));
            let bdiff = (trained.b(l) - params.b(l))
                .mapv(f64::abs)
                .fold(0.0_f64, |a, &b| a.max(b));
            assert!(
                diff < 1e-12 && bdiff < 1e-12,
                "layer {l}: W {diff}, b {bdiff}"
            );
        }
    }

    /// The largest absolute difference between two matrices.
    fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).mapv(f64::abs).fold(0.0_f64, |m, &v| m.max(v))
    }

    /// Trains `dims` on `(x, y)` as `config` says, once in Gram form and once in the direct
    /// form, and asserts that the two runs' costs and weights agree to 1e-12; returns both
    /// networks and the direct run's costs.
    fn gram_follows_direct(
        dims: &[usize],
        (x, y): (&Array2<f64>, &Array2<f64>),
        config: impl Fn(GramForm) -> crate::TrainConfig,
        what: &str,
    ) -> (Network<f64>, Network<f64>, Vec<f64>) {
        let (mut gram, mut direct) = (net::<f64>(dims), net::<f64>(dims));
        let a = gram.fit(x, y, &config(GramForm::Auto)).unwrap();
        let b = direct.fit(x, y, &config(GramForm::Never)).unwrap();
        assert!(a.diagnostics().gram_form && !b.diagnostics().gram_form);
        for (i, (g, d)) in a.costs().iter().zip(b.costs()).enumerate() {
            assert!((g - d).abs() <= 1e-12, "{what}, iteration {i}: {g} vs {d}");
        }
        let (g, d) = (gram.to_parameters(), direct.to_parameters());
        for l in 1..dims.len() {
            let diff = max_diff(g.w(l), d.w(l));
            assert!(diff < 1e-12, "{what}, layer {l}: W {diff}");
        }
        (gram, direct, b.costs().to_vec())
    }

    #[test]
    fn dropout_and_a_decaying_rate_train_in_gram_form_as_in_the_direct_form() {
        // Dropout masks hidden units only (dZ1 changes, X does not), and a schedule changes
        // α from epoch to epoch: neither changes the Gram form's W1(t) = W1(0) - C(t) Xᵀ.
        let (x, y) = wide_data(300, 25);
        let config = |form| {
            TrainParams::new()
                .learning_rate(0.05)
                .iterations(300)
                .dropout(0.8, 3)
                .decay(crate::LrDecay::Step {
                    rate: 1.0,
                    interval: 100,
                })
                .gram_form(form)
                .check()
                .unwrap()
        };
        let (_, _, costs) = gram_follows_direct(&[300, 6, 4, 1], (&x, &y), config, "dropout");
        assert!(costs[299] < costs[0] - 0.1, "it must train");
    }

    #[test]
    fn l2_trains_in_gram_form_as_in_the_direct_form_its_cost_term_included() {
        // L2 decays W1 = s W1(0) - C Xᵀ as a whole (s and C by 1 - αλ/m), and its cost term
        // takes ‖W1‖² from P0, C and C G; with dropout and a schedule on top.
        let (x, y) = wide_data(300, 25);
        let dims = [300, 6, 4, 1];
        let mut free = net::<f64>(&dims);
        let unregularised = TrainParams::new()
            .learning_rate(0.05)
            .iterations(300)
            .check()
            .unwrap();
        free.fit(&x, &y, &unregularised).unwrap();
        let norm = |w: &Array2<f64>| w.mapv(|v| v * v).sum();
        let free_norm = norm(free.to_parameters().w(1));
        for (lambda, keep) in [(0.7, 1.0), (3.0, 0.8)] {
            let config = |form| {
                TrainParams::new()
                    .learning_rate(0.05)
                    .iterations(300)
                    .l2(lambda)
                    .dropout(keep, 3)
                    .decay(crate::LrDecay::InverseTime { rate: 0.01 })
                    .gram_form(form)
                    .check()
                    .unwrap()
            };
            let what = format!("λ {lambda}");
            let (gram, _, _) = gram_follows_direct(&dims, (&x, &y), config, &what);
            // The decay is real: W1 shrank well below an unregularised run's.
            let w1 = norm(gram.to_parameters().w(1));
            assert!(
                w1 < 0.95 * free_norm,
                "{what}: ‖W1‖² {w1} against {free_norm}"
            );
        }
    }

    #[test]
    fn with_l2_the_gram_forms_watch_keeps_the_best_iterations_w1() {
        use crate::{EarlyStopping, Validation};
        let (x, y) = wide_data(300, 25);
        let mut rng = NumpyRng::new(8);
        let x_val = rng.rand(300, 15);
        let y_val = rng.rand(1, 15).mapv(|v| if v > 0.6 { 1.0 } else { 0.0 });
        let dims = [300, 6, 1];
        let run = |form| {
            let config = TrainParams::new()
                .learning_rate(0.05)
                .iterations(400)
                .l2(2.0)
                .gram_form(form)
                .check()
                .unwrap();
            let mut net = net::<f64>(&dims);
            let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())
                .unwrap()
                .early_stopping(EarlyStopping {
                    patience: 20,
                    min_delta: 0.0,
                })
                .unwrap();
            let report = net
                .train_validated(&x, &y, &mut val, &config, |_, _| {
                    std::ops::ControlFlow::Continue(())
                })
                .unwrap();
            let history = val.finish(&mut net);
            (report, history, net)
        };
        let (a, watched_a, gram) = run(GramForm::Auto);
        let (b, watched_b, direct) = run(GramForm::Never);
        assert!(a.diagnostics().gram_form && !b.diagnostics().gram_form);
        assert_eq!(watched_a.best().unwrap().0, watched_b.best().unwrap().0);
        assert!(
            a.costs().len() < 400,
            "early stopping must stop: {}",
            a.costs().len()
        );
        let diff = max_diff(gram.to_parameters().w(1), direct.to_parameters().w(1));
        assert!(diff < 1e-12, "the best iteration's W1: {diff}");
        let best_cost = watched_a.best().unwrap().1;
        assert!((gram.cost(&x_val, &y_val).unwrap() - best_cost).abs() < 1e-12);
    }

    #[test]
    fn the_gram_form_in_f32_follows_f64_while_training_in_f32() {
        let (x, y) = wide_data(300, 25);
        let dims = [300, 6, 1];
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(200)
            .check()
            .unwrap();
        let mut n64 = net::<f64>(&dims);
        let mut n32 = net::<f32>(&dims);
        let r64 = n64.fit(&x, &y, &config).unwrap();
        let (x32, y32) = (x.mapv(|v| v as f32), y.mapv(|v| v as f32));
        let r32 = n32.fit(&x32, &y32, &config).unwrap();
        assert_eq!((r64.costs().len(), r32.costs().len()), (200, 200));
        assert!(r32.diagnostics().gram_form && r64.diagnostics().gram_form);
        // Trained in f32: its costs carry f32 rounding (an f64 twin's would equal f64's).
        assert!(r32.costs() != r64.costs());
        for (a, b) in r64.costs().iter().zip(r32.costs()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        let w64 = n64.layers[0].w.mapv(|v| v as f32);
        let diff = (&n32.layers[0].w - &w64)
            .mapv(f32::abs)
            .fold(0.0_f32, |a, &b| a.max(b));
        assert!(diff < 1e-6, "W1 differs by {diff}");
    }

    #[test]
    fn the_gram_form_keeps_the_last_good_parameters_on_divergence() {
        let (x, y) = wide_data(200, 20);
        let mut engine = net::<f64>(&[200, 5, 1]);
        let config = TrainParams::new()
            .learning_rate(1e4)
            .iterations(100)
            .check()
            .unwrap();
        assert!(gram_pays(&[200, 5, 1], 20, 100));
        let before = engine.clone();
        match engine.fit(&x, &y, &config) {
            Err(DnnError::Diverged(d)) => {
                assert_eq!(d.at.epoch, 1);
                let good = d.last_good.expect("iteration 0 was good");
                assert_eq!((good.step.epoch, good.updates), (0, 0));
                assert_eq!(good.cost, d.costs[0]);
                assert_eq!(engine, before);
            }
            other => panic!("expected divergence, got {other:?}"),
        }
    }

    #[test]
    fn an_observer_stop_leaves_the_trained_first_layer_in_place() {
        let (x, y) = wide_data(200, 20);
        let dims = [200, 5, 1];
        let config = TrainParams::new()
            .learning_rate(0.05)
            .iterations(100)
            .check()
            .unwrap();
        let mut stopped = net::<f64>(&dims);
        stopped
            .train(&x, &y, &config, |p| {
                if p.iteration == 9 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        // Ten single iterations: never in Gram form (one iteration cannot pay for it).
        let mut direct = net::<f64>(&dims);
        assert!(!gram_pays(&dims, 20, 1));
        let one = TrainParams::new()
            .learning_rate(0.05)
            .iterations(1)
            .check()
            .unwrap();
        for _ in 0..10 {
            direct.fit(&x, &y, &one).unwrap();
        }
        let diff = (&stopped.layers[0].w - &direct.layers[0].w)
            .mapv(f64::abs)
            .fold(0.0_f64, |a, &b| a.max(b));
        assert!(diff < 1e-13, "{diff}");
        assert!(stopped.cost(&x, &y).unwrap() < net::<f64>(&dims).cost(&x, &y).unwrap());
    }
}
