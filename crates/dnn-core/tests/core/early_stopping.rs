//! `Validation` and its early stopping against numpy (`tests/reference/gen_early_stopping.py`
//! → `tests/data/early_stopping.json`): the validation cost after every iteration (the data cost
//! only: no L2 term, no dropout), the rule with `patience` and `min_delta`, where it stops
//! and the best parameters put back, for full-batch gradient descent, mini-batch Adam, and
//! gradient descent with L2 and dropout. Then, Rust's alone: the parameters put back are those
//! of training for one iteration past the best, bit for bit; a tie is no improvement; without
//! early stopping it only records; and what it refuses.

use std::ops::ControlFlow;

use crate::common::{f, get, list, load, panic_message, u};
use dnn_core::{
    DnnError, EarlyStopping, GramForm, Init, Network, NumpyRng, Optimizer, Progress, TrainConfig,
    TrainParams, Validation,
};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;

const CASES: [&str; 3] = ["gd", "adam", "l2_dropout"];

/// A JSON list of rows (as `tolist()` writes them) as a matrix.
fn arr2(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = list(v)
        .iter()
        .map(|r| list(r).iter().map(f).collect())
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

/// The fixture's training and validation sets: `(x, y, x_val, y_val)`.
fn sets(fx: &Value) -> (Array2<f64>, Array2<f64>, Array2<f64>, Array2<f64>) {
    (
        arr2(get(fx, "x")),
        arr2(get(fx, "y")),
        arr2(get(fx, "x_val")),
        arr2(get(fx, "y_val")),
    )
}

/// numpy's network before training: He initialisation after `np.random.seed(3)`.
fn network(fx: &Value) -> Network<f64> {
    let dims: Vec<usize> = list(get(fx, "dims")).iter().map(u).collect();
    Network::<f64>::builder(&dims)
        .init(Init::He)
        .build(&mut NumpyRng::new(3))
        .unwrap()
}

/// A case's training set-up, from the settings the script recorded, for `iterations`.
fn params(case: &Value, iterations: usize) -> TrainConfig {
    let mut p = TrainParams::new()
        .learning_rate(f(get(case, "lr")))
        .iterations(iterations)
        .l2(f(get(case, "lambd")))
        // As train_watched does; `fit` would otherwise pick the Gram form where it pays.
        .gram_form(GramForm::Never);
    match get(case, "optimizer").as_str() {
        Some("gd") => {}
        Some("adam") => p = p.optimizer(Optimizer::ADAM),
        other => panic!("optimizer {other:?} in the fixture"),
    }
    if let Some(size) = get(case, "batch").as_u64() {
        p = p.mini_batches(size as usize, u(get(case, "shuffle_seed")) as u32);
    }
    if let Some(keep) = get(case, "keep_prob").as_f64() {
        p = p.dropout(keep, u(get(case, "dropout_seed")) as u32);
    }
    p.check().unwrap()
}

fn patience(case: &Value) -> EarlyStopping {
    EarlyStopping {
        patience: u(get(case, "patience")),
        min_delta: f(get(case, "min_delta")),
    }
}

/// Compares with `|got - want| <= 1e-12 max(1, |want|)`, keeping the largest relative
/// difference seen.
struct Diff {
    max: f64,
    count: usize,
}

impl Diff {
    const TOL: f64 = 1e-12;

    fn new() -> Self {
        Diff { max: 0.0, count: 0 }
    }

    fn scalar(&mut self, what: &str, got: f64, want: f64) {
        let rel = (got - want).abs() / want.abs().max(1.0);
        assert!(
            rel <= Self::TOL,
            "{what}: got {got:.17e}, numpy {want:.17e} (relative difference {rel:.3e})"
        );
        self.max = self.max.max(rel);
        self.count += 1;
    }

    fn costs(&mut self, what: &str, got: &[f64], want: &Value) {
        let want = list(want);
        assert_eq!(got.len(), want.len(), "{what}: how many");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            self.scalar(&format!("{what} {i}"), *g, f(w));
        }
    }

    fn params(&mut self, what: &str, net: &Network<f64>, want: &Value) {
        let want = list(want);
        assert_eq!(net.layers().len(), want.len(), "{what}: layers");
        for (l, (layer, want)) in net.layers().iter().zip(want).enumerate() {
            for (name, got, want) in [
                ("W", layer.weights(), &list(want)[0]),
                ("b", layer.bias(), &list(want)[1]),
            ] {
                let want = arr2(want);
                assert_eq!(got.dim(), want.dim(), "{what} {name}{}: shape", l + 1);
                for ((i, g), w) in got.indexed_iter().zip(&want) {
                    self.scalar(&format!("{what} {name}{}{i:?}", l + 1), *g, *w);
                }
            }
        }
    }
}

#[test]
fn validation_costs_best_stop_and_restored_parameters_match_numpy() {
    let fx = load("early_stopping.json");
    let (x, y, x_val, y_val) = sets(&fx);
    let mut count = 0;
    for name in CASES {
        let case = get(&fx, name);
        // The costs and the parameters, each with its largest difference from numpy's.
        let (mut diff, mut params_diff) = (Diff::new(), Diff::new());
        let (best, stopped_at) = (u(get(case, "best")), u(get(case, "stopped_at")));
        let config = params(case, u(get(case, "iterations")));
        let mut net = network(&fx);
        let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())
            .unwrap()
            .early_stopping(patience(case))
            .unwrap();
        let report = net
            .train_watched(&x, &y, &config, |p, now| val.observe(p, now))
            .unwrap();
        assert!(report.stopped_early(), "{name}");
        assert_eq!(report.iterations_run(), stopped_at + 1, "{name}");
        // The training costs carry the L2 term and dropout; the validation costs do not.
        diff.costs(&format!("{name}: cost"), report.costs(), get(case, "costs"));
        diff.costs(
            &format!("{name}: validation cost"),
            val.costs(),
            get(case, "val_costs"),
        );
        params_diff.params(&format!("{name}: at the stop"), &net, get(case, "final"));

        let seen = val.finish(&mut net);
        diff.costs(
            &format!("{name}: validation cost"),
            seen.costs(),
            get(case, "val_costs"),
        );
        let (got_best, best_cost) = seen.best().unwrap();
        assert_eq!(got_best, best, "{name}: the best iteration");
        diff.scalar(
            &format!("{name}: best cost"),
            best_cost,
            f(get(case, "best_cost")),
        );
        assert_eq!(best_cost, seen.costs()[best], "{name}");
        assert_eq!(seen.stopped_at(), Some(stopped_at), "{name}: stopped at");
        // Put back unless the lowest cost was the last one's (l2_dropout's, here).
        assert_eq!(seen.restored(), best != stopped_at, "{name}");
        assert_eq!(seen.examples(), x_val.ncols());
        params_diff.params(&format!("{name}: restored"), &net, get(case, "restored"));
        // The parameters put back are the best iteration's, to the bit.
        assert_eq!(net.cost(&x_val, &y_val).unwrap(), best_cost, "{name}");

        // The put-back iteration has the lowest cost of all, and min_delta mattered: some
        // iteration was a new lowest by less than min_delta, kept without resetting the
        // patience.
        let costs = seen.costs();
        assert!(costs.iter().all(|&c| c >= best_cost), "{name}");
        let undercut: Vec<usize> = list(get(case, "undercut")).iter().map(u).collect();
        assert!(
            !undercut.is_empty(),
            "{name}: the fixture does not test min_delta"
        );
        for i in undercut {
            let before = costs[..i].iter().copied().fold(f64::INFINITY, f64::min);
            assert!(costs[i] < before, "{name}: iteration {i}");
            assert!(
                costs[i] >= before - patience(case).min_delta,
                "{name}: iteration {i}"
            );
        }
        eprintln!(
            "{name} vs numpy: best {best}, stopped at {stopped_at}; largest relative \
             difference {:.1e} in {} costs, {:.1e} in {} parameters",
            diff.max, diff.count, params_diff.max, params_diff.count
        );
        count += diff.count + params_diff.count;
    }
    assert!(count > 500, "{count} numbers compared");
}

#[test]
fn without_min_delta_the_rule_stops_where_numpy_says() {
    let fx = load("early_stopping.json");
    let (x, y, x_val, y_val) = sets(&fx);
    let mut diff = Diff::new();
    for name in CASES {
        let case = get(&fx, name);
        let config = params(case, u(get(case, "iterations")));
        let mut net = network(&fx);
        let rule = EarlyStopping {
            min_delta: 0.0,
            ..patience(case)
        };
        let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())
            .unwrap()
            .early_stopping(rule)
            .unwrap();
        net.train_watched(&x, &y, &config, |p, now| val.observe(p, now))
            .unwrap();
        let seen = val.finish(&mut net);
        let best = u(get(case, "best_without_min_delta"));
        assert_eq!(seen.best().map(|b| b.0), Some(best), "{name}");
        assert_eq!(
            seen.stopped_at(),
            Some(u(get(case, "stopped_at_without_min_delta"))),
            "{name}"
        );
        assert_ne!(
            seen.stopped_at(),
            Some(u(get(case, "stopped_at"))),
            "{name}: min_delta changes the stop"
        );
        // The same training: the same validation costs as far as numpy's rule with min_delta.
        let want = list(get(case, "val_costs"));
        for (i, (g, w)) in seen.costs().iter().zip(want).enumerate() {
            diff.scalar(&format!("{name}: validation cost {i}"), *g, f(w));
        }
    }
}

/// What early stopping puts back is what training for one iteration past the best leaves,
/// bit for bit: the same shuffles, dropout masks and Adam steps up to there.
#[test]
fn the_restored_parameters_are_those_of_training_best_plus_one_iterations() {
    let fx = load("early_stopping.json");
    let (x, y, x_val, y_val) = sets(&fx);
    for name in CASES {
        let case = get(&fx, name);
        let config = params(case, u(get(case, "iterations")));
        let mut net = network(&fx);
        let mut val = Validation::new(&net, &x_val, &y_val, config.iterations())
            .unwrap()
            .early_stopping(patience(case))
            .unwrap();
        net.train_watched(&x, &y, &config, |p, now| val.observe(p, now))
            .unwrap();
        let (best, best_cost) = val.finish(&mut net).best().unwrap();

        let mut shorter = network(&fx);
        let report = shorter.fit(&x, &y, &params(case, best + 1)).unwrap();
        assert_eq!(report.iterations_run(), best + 1);
        assert_eq!(shorter, net, "{name}: trained for {} iterations", best + 1);
        assert_eq!(shorter.cost(&x_val, &y_val).unwrap(), best_cost, "{name}");
    }
}

/// Without early stopping a `Validation` only records: every iteration, no stop, and `finish`
/// leaves the network as training left it.
#[test]
fn without_early_stopping_it_records_and_restores_nothing() {
    let fx = load("early_stopping.json");
    let (x, y, x_val, y_val) = sets(&fx);
    let case = get(&fx, "gd");
    let stopped_at = u(get(case, "stopped_at"));
    let config = params(case, stopped_at + 1);
    let mut net = network(&fx);
    let mut val = Validation::new(&net, &x_val, &y_val, config.iterations()).unwrap();
    let report = net
        .train_watched(&x, &y, &config, |p, now| val.observe(p, now))
        .unwrap();
    assert!(!report.stopped_early());
    let trained = net.clone();
    let seen = val.finish(&mut net);
    assert_eq!(net, trained);
    assert!(!seen.restored());
    assert_eq!(seen.stopped_at(), None);
    let mut diff = Diff::new();
    diff.costs("validation cost", seen.costs(), get(case, "val_costs"));
    // Only recording, the best is the lowest cost (min_delta 0).
    let lowest = (0..seen.costs().len())
        .min_by(|&a, &b| seen.costs()[a].total_cmp(&seen.costs()[b]))
        .unwrap();
    assert_eq!(seen.best(), Some((lowest, seen.costs()[lowest])));

    // With early stopping, when the last iteration is the best there is nothing to restore.
    let early = params(case, 5);
    let mut net = network(&fx);
    let mut val = Validation::new(&net, &x_val, &y_val, 5)
        .unwrap()
        .early_stopping(patience(case))
        .unwrap();
    net.train_watched(&x, &y, &early, |p, now| val.observe(p, now))
        .unwrap();
    let trained = net.clone();
    let seen = val.finish(&mut net);
    assert_eq!(seen.best().map(|b| b.0), Some(4));
    assert!(!seen.restored());
    assert_eq!(seen.stopped_at(), None);
    assert_eq!(net, trained);
}

/// Keras compares with `np.less`: a validation cost equal to the best one is no improvement,
/// with a `min_delta` of 0 too (the fixture keeps clear of ties, so this is Rust's alone).
#[test]
fn a_tie_with_the_best_is_not_an_improvement() {
    let fx = load("early_stopping.json");
    let (_, _, x_val, y_val) = sets(&fx);
    let net = network(&fx);
    let mut val = Validation::new(&net, &x_val, &y_val, 4)
        .unwrap()
        .early_stopping(EarlyStopping {
            patience: 3,
            min_delta: 0.0,
        })
        .unwrap();
    let after = |iteration| Progress {
        iteration,
        cost: 0.5,
        total: 10,
    };
    // The same parameters every time: the same validation cost, to the bit.
    for i in 0..3 {
        assert_eq!(val.observe(after(i), &net), ControlFlow::Continue(()));
    }
    assert_eq!(val.observe(after(3), &net), ControlFlow::Break(()));
    let mut kept = net.clone();
    let seen = val.finish(&mut kept);
    let first = seen.costs()[0];
    assert_eq!(seen.costs(), [first; 4]);
    assert_eq!(seen.best(), Some((0, first)));
    assert_eq!(seen.stopped_at(), Some(3));
    assert!(seen.restored());
    assert_eq!(kept, net);
}

/// The error of `Validation::new(net, x_val, y_val, ..).early_stopping(p)`.
fn refusal(
    net: &Network<f64>,
    x_val: ArrayView2<'_, f64>,
    y_val: ArrayView2<'_, f64>,
    p: EarlyStopping,
) -> DnnError {
    Validation::new(net, x_val, y_val, 10)
        .and_then(|v| v.early_stopping(p))
        .expect_err("refused")
}

#[test]
fn bad_patience_min_delta_and_validation_shapes_are_refused() {
    let fx = load("early_stopping.json");
    let (_, _, x_val, y_val) = sets(&fx);
    let (xv, yv) = (x_val.view(), y_val.view());
    let net = network(&fx);
    let ok = EarlyStopping {
        patience: 3,
        min_delta: 0.0,
    };
    assert_eq!(
        refusal(&net, xv, yv, EarlyStopping { patience: 0, ..ok }),
        DnnError::InvalidParameter {
            name: "patience",
            value: 0.0,
            reason: "it must be at least 1 iteration",
        }
    );
    for bad in [
        -1e-3,
        -f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let err = refusal(
            &net,
            xv,
            yv,
            EarlyStopping {
                min_delta: bad,
                ..ok
            },
        );
        assert!(
            matches!(
                err,
                DnnError::InvalidParameter {
                    name: "min_delta",
                    value,
                    reason: "it must be a finite number, 0 or more",
                } if value.to_bits() == bad.to_bits()
            ),
            "min_delta {bad}: {err:?}"
        );
    }
    // Validation sets that do not fit the network.
    let rows = x_val.slice(ndarray::s![..3, ..]);
    assert_eq!(
        refusal(&net, rows, yv, ok),
        DnnError::InputRows {
            rows: 3,
            columns: xv.ncols(),
            expected: 4
        }
    );
    let fewer = y_val.slice(ndarray::s![.., ..29]);
    assert_eq!(
        refusal(&net, xv, fewer, ok),
        DnnError::LabelShape {
            y_shape: (1, 29),
            examples: 30,
            outputs: 1
        }
    );
    let two = Array2::<f64>::zeros((2, 30));
    assert_eq!(
        refusal(&net, xv, two.view(), ok),
        DnnError::LabelShape {
            y_shape: (2, 30),
            examples: 30,
            outputs: 1
        }
    );
    let empty = Array2::<f64>::zeros((4, 0));
    assert_eq!(
        refusal(&net, empty.view(), Array2::zeros((1, 0)).view(), ok),
        DnnError::EmptyDataSet
    );
    let mut nan = x_val.clone();
    nan[[2, 7]] = f64::NAN;
    assert!(matches!(
        refusal(&net, nan.view(), yv, ok),
        DnnError::NonFinite { what: "X", .. }
    ));
    let mut label = y_val.clone();
    label[[0, 4]] = 2.0;
    assert!(matches!(
        refusal(&net, xv, label.view(), ok),
        DnnError::LabelOutOfRange {
            value,
            row: 0,
            col: 4,
            ..
        } if value == 2.0
    ));
    // And the same set with a good rule is taken, a min_delta of -0 included.
    for min_delta in [0.0, -0.0, 1e-3] {
        assert!(Validation::new(&net, &x_val, &y_val, 10)
            .unwrap()
            .early_stopping(EarlyStopping { min_delta, ..ok })
            .is_ok());
    }
}

/// A planned count far beyond memory (early stopping invites a large one) reserves room for a
/// million costs at most, as training's own history does, rather than ending the process.
#[test]
fn a_huge_planned_iteration_count_is_not_reserved_up_front() {
    let fx = load("early_stopping.json");
    let (x, y, x_val, y_val) = sets(&fx);
    let mut net = network(&fx);
    let mut val = Validation::new(&net, &x_val, &y_val, usize::MAX).unwrap();
    let config = TrainParams::new()
        .learning_rate(0.3)
        .iterations(3)
        .check()
        .unwrap();
    net.train_watched(&x, &y, &config, |p, now| val.observe(p, now))
        .unwrap();
    assert_eq!(val.finish(&mut net).costs().len(), 3);
}

/// A wide problem, more features than examples, for the Gram form: `(x, y, x_val, y_val)`
/// with labels that are half noise, so the validation cost turns up.
fn wide(seed: u32) -> (Array2<f64>, Array2<f64>, Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let x = rng.randn(400, 50);
    let x_val = rng.randn(400, 30);
    let label = |x: &Array2<f64>, rng: &mut NumpyRng| {
        let noise = rng.rand(1, x.ncols());
        Array2::from_shape_fn((1, x.ncols()), |(_, j)| {
            let clean = x[[0, j]] + x[[1, j]] > 0.0;
            f64::from(u8::from(clean ^ (noise[[0, j]] < 0.3)))
        })
    };
    let (y, y_val) = (label(&x, &mut rng), label(&x_val, &mut rng));
    (x, y, x_val, y_val)
}

/// `train_validated` watches the validation set in the Gram form (through `Xᵀ X_val`) with
/// the same costs, best and stop as the direct form watched by `train_watched`, to rounding;
/// the best `W1` it forms from the Gram form's record is, bit for bit, the `W1` of training in
/// the Gram form for one iteration past the best.
#[test]
fn in_the_gram_form_the_validation_set_is_watched_as_in_the_direct_form() {
    let (x, y, x_val, y_val) = wide(7);
    let start = Network::<f64>::builder(&[400, 8, 1])
        .init(Init::Scaled)
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(0.05)
        .iterations(3000)
        .check()
        .unwrap();
    let rule = EarlyStopping {
        patience: 25,
        min_delta: 1e-5,
    };
    let watch = |net: &Network<f64>| {
        Validation::new(net, &x_val, &y_val, 3000)
            .unwrap()
            .early_stopping(rule)
            .unwrap()
    };
    let mut gram = start.clone();
    let mut val = watch(&gram);
    let mut costs = Vec::new();
    let report = gram
        .train_validated(&x, &y, &mut val, &config, |p, cost| {
            costs.push((p.iteration, cost));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(report.diagnostics().gram_form, "the Gram form pays here");
    let seen = val.finish(&mut gram);
    let (best, best_cost) = seen.best().unwrap();
    let stopped = seen.stopped_at().expect("early stopping ends it");
    assert!(seen.restored() && best > 5, "{best} {stopped}");
    assert_eq!(costs.len(), stopped + 1);
    assert!(costs.iter().zip(seen.costs()).all(|(a, b)| a.1 == *b));

    let mut direct = start.clone();
    let mut val = watch(&direct);
    direct
        .train_watched(&x, &y, &config, |p, now| val.observe(p, now))
        .unwrap();
    let direct_seen = val.finish(&mut direct);
    assert_eq!(direct_seen.best().map(|b| b.0), Some(best));
    assert_eq!(direct_seen.stopped_at(), Some(stopped));
    for (g, d) in seen.costs().iter().zip(direct_seen.costs()) {
        assert!((g - d).abs() <= 1e-12 * d.abs(), "{g} vs {d}");
    }
    for (g, d) in gram.layers().iter().zip(direct.layers()) {
        for (a, b) in g.weights().iter().zip(d.weights()) {
            assert!((a - b).abs() <= 1e-10, "{a} vs {b}");
        }
    }
    assert!((gram.cost(&x_val, &y_val).unwrap() - best_cost).abs() <= 1e-12);

    // Best + 1 iterations of plain training, in the Gram form too: the same bits.
    let mut shorter = start.clone();
    let short = TrainParams::new()
        .learning_rate(0.05)
        .iterations(best + 1)
        .check()
        .unwrap();
    let report = shorter.fit(&x, &y, &short).unwrap();
    assert!(report.diagnostics().gram_form);
    assert_eq!(shorter, gram);
}

/// A `Validation` made for one network and given to another's `train_validated` is refused,
/// before any work, rather than panicking on a shape.
#[test]
fn a_validation_of_another_network_is_refused() {
    let (x, y, x_val, y_val) = wide(3);
    let small = Network::<f64>::builder(&[400, 8, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let mut other = Network::<f64>::builder(&[400, 5, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let before = other.clone();
    let mut val = Validation::new(&small, &x_val, &y_val, 10).unwrap();
    let config = TrainParams::new().iterations(10).check().unwrap();
    let err = other
        .train_validated(&x, &y, &mut val, &config, |_, _| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(
        err,
        DnnError::ValidationNetwork {
            watched: vec![400, 8, 1],
            trained: vec![400, 5, 1]
        }
    );
    assert_eq!(other, before);
    assert!(val.costs().is_empty());
}

/// `Validation::observe` and `Validation::finish` given another network than the one the
/// validation was made for panic before any work, naming both networks' layer sizes, rather
/// than with the GEMM's internal shape assertion (or not at all, for other activations).
#[test]
fn observe_and_finish_with_another_network_panic_naming_both_networks() {
    let (x, y, x_val, y_val) = wide(3);
    let small = Network::<f64>::builder(&[400, 8, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let config = TrainParams::new().iterations(3).check().unwrap();
    for (other, sizes, activations) in [
        (
            Network::<f64>::builder(&[400, 5, 1])
                .build(&mut NumpyRng::new(2))
                .unwrap(),
            "[400, 5, 1]",
            "relu, sigmoid",
        ),
        (
            Network::<f64>::builder(&[400, 8, 1])
                .hidden_activation(dnn_core::Activation::Tanh)
                .build(&mut NumpyRng::new(2))
                .unwrap(),
            "[400, 8, 1]",
            "tanh, sigmoid",
        ),
    ] {
        let mut val = Validation::new(&small, &x_val, &y_val, 10).unwrap();
        let mut trained = other.clone();
        let message = panic_message(|| {
            let _ = trained.train_watched(&x, &y, &config, |p, now| val.observe(p, now));
        });
        let expected = |function: &str| {
            format!(
                "Validation::{function}: this validation set is watched for a network of layer \
                 sizes [400, 8, 1] (activations relu, sigmoid), but was given one of layer sizes \
                 {sizes} (activations {activations}): make the Validation with the network you \
                 train"
            )
        };
        assert_eq!(message, expected("observe"));
        assert!(val.costs().is_empty(), "nothing was computed");
        let mut trained = other.clone();
        let message = panic_message(|| {
            let _ = val.finish(&mut trained);
        });
        assert_eq!(message, expected("finish"));
    }
}

/// `Validation` is `Debug`: the validation set's shapes, the watched network and what was
/// seen, not its buffers.
#[test]
fn a_validation_shows_what_it_watches_in_debug() {
    let (x, y, x_val, y_val) = wide(3);
    let mut net = Network::<f64>::builder(&[400, 8, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let mut val = Validation::new(&net, &x_val, &y_val, 10)
        .unwrap()
        .early_stopping(EarlyStopping {
            patience: 3,
            min_delta: 0.0,
        })
        .unwrap();
    assert_eq!(
        format!("{val:?}"),
        "Validation { x: (400, 30), y: (1, 30), layer_sizes: [400, 8, 1], early_stopping: \
         Some(EarlyStopping { patience: 3, min_delta: 0.0 }), costs: [], best: None, \
         stopped_at: None, .. }"
    );
    let config = TrainParams::new().iterations(1).check().unwrap();
    net.train_watched(&x, &y, &config, |p, now| val.observe(p, now))
        .unwrap();
    let cost = val.costs()[0];
    assert!(format!("{val:?}").ends_with(&format!(
        "costs: [{cost:?}], best: Some((0, {cost:?})), stopped_at: None, .. }}"
    )));
}
