//! Mini-batches, momentum, Adam, learning-rate decay, L2 and dropout against the course's
//! numpy code (`tests/reference/gen_improving.py` → `tests/data/improving.json`).

use dnn_core::{GramForm, Init, LrDecay, Network, NumpyRng, Optimizer, TrainParams};
use ndarray::{Array2, Axis};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/improving.json"
    ))
    .expect("fixture");
    serde_json::from_str(&text).expect("json")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("f64"))
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes");
    for ((i, x), y) in a.indexed_iter().zip(b) {
        assert!(
            (x - y).abs() <= tol * y.abs().max(1.0),
            "{what}{i:?}: {x} vs numpy {y}"
        );
    }
}

/// Trains the fixture's network for each of numpy's `steps` full-batch updates with `params`
/// and checks the costs and, after every step, the parameters against numpy's, to 1e-12.
fn check(name: &str, steps: usize, params: TrainParams) {
    let f = fixture();
    let (x, y) = (matrix(&f["x"]), matrix(&f["y"]));
    let dims: Vec<usize> = f["dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let expected = &f[name];
    let history = expected["params"].as_array().unwrap();
    assert_eq!(history.len(), steps, "{name}: numpy's steps in the fixture");
    assert_eq!(expected["costs"].as_array().unwrap().len(), steps);
    for (step, want) in history.iter().enumerate() {
        let mut net = Network::<f64>::builder(&dims)
            .init(Init::He)
            .build(&mut NumpyRng::new(3))
            .unwrap();
        let report = net
            .fit(
                &x,
                &y,
                &params.clone().iterations(step + 1).check().unwrap(),
            )
            .unwrap();
        assert_eq!(report.costs().len(), step + 1);
        assert_eq!(net.layers().len(), want.as_array().unwrap().len());
        for (i, c) in report.costs().iter().enumerate() {
            let e = expected["costs"][i].as_f64().unwrap();
            assert!((c - e).abs() <= 1e-12, "{name}: cost {i}: {c} vs numpy {e}");
        }
        for (l, layer) in net.layers().iter().enumerate() {
            close(
                layer.weights(),
                &matrix(&want[l][0]),
                1e-12,
                &format!("{name} step {}: W{}", step + 1, l + 1),
            );
            close(
                layer.bias(),
                &matrix(&want[l][1]),
                1e-12,
                &format!("{name} step {}: b{}", step + 1, l + 1),
            );
        }
    }
}

#[test]
fn he_initialisation_is_the_courses() {
    let f = fixture();
    let net = Network::<f64>::builder(&[3, 4, 2, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(3))
        .unwrap();
    assert_eq!(f["initial"].as_array().unwrap().len(), 3);
    for (l, layer) in net.layers().iter().enumerate() {
        close(layer.weights(), &matrix(&f["initial"][l][0]), 0.0, "W");
    }
}

#[test]
fn gradient_descent_steps_match_numpy() {
    check("gd", 3, TrainParams::new().learning_rate(0.1));
}

#[test]
fn momentum_steps_match_numpy() {
    check(
        "momentum",
        4,
        TrainParams::new()
            .learning_rate(0.1)
            .optimizer(Optimizer::Momentum { beta: 0.9 }),
    );
}

#[test]
fn adam_steps_with_bias_correction_match_numpy() {
    check(
        "adam",
        4,
        TrainParams::new()
            .learning_rate(0.01)
            .optimizer(Optimizer::ADAM),
    );
}

#[test]
fn l2_cost_term_and_gradient_match_numpy() {
    check("l2", 3, TrainParams::new().learning_rate(0.1).l2(0.7));
}

#[test]
fn dropout_masks_and_gradients_match_numpy() {
    check(
        "dropout",
        3,
        TrainParams::new().learning_rate(0.1).dropout(0.8, 5),
    );
}

#[test]
fn dropout_mask_kernel_draws_numpys_masks_layer_by_layer() {
    // gen_improving.py: RandomState(5), then rand(4, 10) < 0.8 and rand(2, 10) < 0.8 for the
    // two hidden layers of the first forward pass.
    let f = fixture();
    let want = f["dropout_masks_first_pass_seed_5"].as_array().unwrap();
    assert_eq!(want.len(), 2, "hidden layers in the fixture");
    let mut rng = NumpyRng::new(5);
    for (l, want) in want.iter().enumerate() {
        let want = matrix(want);
        let mut mask = Array2::<f64>::zeros(want.dim());
        dnn_core::regularization::dropout_mask(mask.view_mut(), 0.8, &mut rng);
        assert_eq!(mask, want, "layer {}", l + 1);
    }
}

/// A mini-batch case's batches, as numpy cut them.
fn batches(case: &Value) -> Vec<Vec<usize>> {
    case["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b.as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap() as usize)
                .collect()
        })
        .collect()
}

/// The reference batches are numpy's permutation cut in order: what this checks is the
/// permutation (NumpyRng against numpy's); that the engine trains on these batches is the
/// next test's.
#[test]
fn numpy_rng_permutations_give_the_reference_batches_cut_in_order() {
    let cases = fixture()["minibatches"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 5, "mini-batch cases in the fixture");
    for case in &cases {
        let (m, size, seed) = (
            case["m"].as_u64().unwrap() as usize,
            case["size"].as_u64().unwrap() as usize,
            case["seed"].as_u64().unwrap() as u32,
        );
        let perm = NumpyRng::new(seed).permutation(m);
        let ours: Vec<Vec<usize>> = perm.chunks(size).map(<[usize]>::to_vec).collect();
        assert_eq!(ours, batches(case), "m {m}, size {size}, seed {seed}");
    }
}

/// The engine trains on exactly those batches, in that order: two epochs of its mini-batch
/// gradient descent (shuffled with seeds 11 and 12, as the course reseeds each epoch) leave
/// the weights that one full-batch step on each of numpy's batches in turn leaves.
#[test]
fn the_engine_steps_through_numpys_batches_in_order() {
    let cases = fixture()["minibatches"].as_array().unwrap().clone();
    let batches: Vec<Vec<usize>> = [11, 12]
        .iter()
        .flat_map(|&seed| {
            let case = cases
                .iter()
                .find(|c| c["m"] == 300 && c["size"] == 64 && c["seed"] == seed)
                .expect("the case of m 300, batches of 64");
            batches(case)
        })
        .collect();
    assert_eq!(batches.len(), 10);
    let mut rng = NumpyRng::new(5);
    let x = rng.randn(4, 300);
    let y = rng.rand(1, 300).mapv(|v| f64::from(u8::from(v > 0.5)));
    let build = || {
        Network::<f64>::builder(&[4, 5, 1])
            .init(Init::He)
            .build(&mut NumpyRng::new(3))
            .unwrap()
    };
    let step = |iterations: usize| {
        TrainParams::new()
            .learning_rate(0.5)
            .iterations(iterations)
            .gram_form(GramForm::Never)
    };
    let mut engine = build();
    engine
        .fit(&x, &y, &step(2).mini_batches(64, 11).check().unwrap())
        .unwrap();
    let mut by_hand = build();
    for batch in &batches {
        let (xb, yb) = (x.select(Axis(1), batch), y.select(Axis(1), batch));
        by_hand.fit(&xb, &yb, &step(1).check().unwrap()).unwrap();
    }
    for (l, (a, b)) in engine.layers().iter().zip(by_hand.layers()).enumerate() {
        assert_eq!(a.weights(), b.weights(), "W{}", l + 1);
        assert_eq!(a.bias(), b.bias(), "b{}", l + 1);
    }
}

#[test]
fn decay_schedules_match_the_course() {
    let f = fixture();
    assert_eq!(f["decay"]["inverse_time"].as_array().unwrap().len(), 6);
    assert_eq!(f["decay"]["step"].as_array().unwrap().len(), 6);
    for (e, want) in f["decay"]["inverse_time"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(
            LrDecay::InverseTime { rate: 0.3 }.rate_at(0.1, e),
            want.as_f64().unwrap()
        );
    }
    for (e, want) in f["decay"]["step"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            LrDecay::Step {
                rate: 0.3,
                interval: 2
            }
            .rate_at(0.1, e),
            want.as_f64().unwrap()
        );
    }
}

#[test]
fn mini_batch_training_uses_every_example_once_per_epoch_and_reports_the_mean_cost() {
    // With a batch as large as the data, mini-batch training is full-batch training.
    let f = fixture();
    let (x, y) = (matrix(&f["x"]), matrix(&f["y"]));
    let full = TrainParams::new()
        .learning_rate(0.1)
        .iterations(5)
        .check()
        .unwrap();
    let whole = TrainParams::new()
        .learning_rate(0.1)
        .iterations(5)
        .mini_batches(10, 11)
        .check()
        .unwrap();
    let build = || {
        Network::<f64>::builder(&[3, 4, 2, 1])
            .init(Init::He)
            .build(&mut NumpyRng::new(3))
            .unwrap()
    };
    let (mut a, mut b) = (build(), build());
    assert_eq!(
        a.fit(&x, &y, &full).unwrap().costs(),
        b.fit(&x, &y, &whole).unwrap().costs()
    );
    // Batches of 4, 4 and 2: the epoch's cost is the size-weighted mean of the batch costs.
    // With a learning rate too small to move any weight, every batch sees the starting
    // parameters, so that mean is the full batch's first cost (a plain mean of the three
    // batch costs would weigh the last two examples 5/3 times as much).
    let still = |batch| {
        TrainParams::new()
            .learning_rate(1e-300)
            .iterations(3)
            .mini_batches(batch, 11)
            .check()
            .unwrap()
    };
    let first = build().fit(&x, &y, &full).unwrap().costs()[0];
    for batch in [4, 3] {
        let report = build().fit(&x, &y, &still(batch)).unwrap();
        assert_eq!(report.costs().len(), 3);
        for (epoch, &cost) in report.costs().iter().enumerate() {
            assert!(
                (cost - first).abs() <= 1e-15,
                "batches of {batch}, epoch {epoch}: cost {cost}, full batch {first}"
            );
        }
    }
}

#[test]
fn bad_hyper_parameters_are_refused_by_name() {
    let cases: Vec<(TrainParams, &str)> = vec![
        (
            TrainParams::new().optimizer(Optimizer::Momentum { beta: 1.0 }),
            "invalid momentum beta 1",
        ),
        (
            TrainParams::new().optimizer(Optimizer::Adam {
                beta1: 0.9,
                beta2: -0.1,
                epsilon: 1e-8,
            }),
            "invalid Adam beta2 -0.1",
        ),
        (
            TrainParams::new().optimizer(Optimizer::Adam {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 0.0,
            }),
            "invalid Adam epsilon 0",
        ),
        (
            TrainParams::new().mini_batches(0, 1),
            "invalid mini-batch size 0",
        ),
        (TrainParams::new().l2(-1.0), "invalid L2 lambda -1"),
        (
            TrainParams::new().dropout(0.0, 1),
            "invalid dropout keep probability 0",
        ),
        (
            TrainParams::new().dropout_per_layer(vec![0.8, 1.5], 1),
            "invalid dropout keep probability 1.5",
        ),
        (
            TrainParams::new().decay(LrDecay::Step {
                rate: 0.1,
                interval: 0,
            }),
            "invalid decay interval 0",
        ),
    ];
    for (params, want) in cases {
        let msg = params.check().unwrap_err().to_string();
        assert!(msg.starts_with(want), "{msg}");
    }
}
