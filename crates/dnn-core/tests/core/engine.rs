//! The training engine: agreement with the step-by-step functions, finite-difference
//! gradients, divergence, early stopping, input errors and f32.

use std::ops::ControlFlow;
use std::sync::Arc;

use dnn_core::steps::{self, Parameters};
use dnn_core::{
    gradient_check, gradient_check_sampled, Activation, DnnError, Init, Layer, Network, NumpyRng,
    Optimizer, Polar, TrainControl, TrainParams,
};
use ndarray::{array, Array2};

use crate::common::bits;

/// Random inputs and 0/1 labels, drawn as the exercise's test cases draw them.
fn data(seed: u32, n_x: usize, m: usize) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let x = rng.randn(n_x, m);
    let y = rng.rand(1, m).mapv(|v| if v > 0.5 { 1.0 } else { 0.0 });
    (x, y)
}

#[test]
fn engine_and_step_functions_give_the_same_cost_curve_for_200_iterations() {
    let (x, y) = data(7, 12, 40);
    let dims = [12, 8, 5, 1];
    let (_, step_costs) = {
        // The step API's training loop records every 100th cost; run the loop by hand
        // to compare every iteration.
        let mut params = Parameters::new(
            Network::<f64>::builder(&dims)
                .init(Init::Scaled)
                .build(&mut NumpyRng::new(3))
                .unwrap()
                .to_parameters()
                .into_layers(),
        );
        let mut costs = Vec::new();
        for _ in 0..200 {
            let (al, caches) = steps::l_model_forward(&x, &params);
            costs.push(steps::compute_cost(&al, &y));
            let grads = steps::l_model_backward(&al, &y, &caches);
            params = steps::update_parameters(params, &grads, 0.05);
        }
        (params, costs)
    };
    let mut net = Network::<f64>::builder(&dims)
        .init(Init::Scaled)
        .build(&mut NumpyRng::new(3))
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(0.05)
        .iterations(200)
        .check()
        .unwrap();
    let report = net.fit(&x, &y, &config).unwrap();
    assert_eq!(report.costs().len(), 200);
    assert_eq!(report.costs().len(), step_costs.len());
    for (i, (e, s)) in report.costs().iter().zip(&step_costs).enumerate() {
        assert!(
            (e - s).abs() <= 1e-12,
            "iteration {i}: engine {e} vs steps {s}"
        );
    }
    assert!(
        step_costs[199] < step_costs[0] - 0.05,
        "the test must train: {} -> {}",
        step_costs[0],
        step_costs[199]
    );
}

#[test]
fn engine_gradients_match_the_step_functions_for_every_hidden_activation() {
    // The engine's elementwise passes are compiled once per activation; the step functions
    // (the exercise's, one layer at a time) are the reference for each.
    let (x, y) = data(8, 6, 11);
    let dims = [6, 5, 4, 1];
    for hidden in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let net = Network::<f64>::builder(&dims)
            .hidden_activation(hidden)
            .init(Init::Xavier)
            .build(&mut NumpyRng::new(2))
            .unwrap();
        let big_l = net.layers().len();
        let activation = |l: usize| {
            if l + 1 < big_l {
                hidden
            } else {
                Activation::Sigmoid
            }
        };
        let mut a = x.clone();
        let mut caches = Vec::new();
        for (l, layer) in net.layers().iter().enumerate() {
            let (next, cache) =
                steps::linear_activation_forward(&a, layer.weights(), layer.bias(), activation(l));
            caches.push(cache);
            a = next;
        }
        let proba = net.predict_proba(&x).unwrap();
        let close = |p: &Array2<f64>, q: &Array2<f64>| {
            p.dim() == q.dim() && p.iter().zip(q).all(|(u, v)| (u - v).abs() <= 1e-12)
        };
        assert!(close(&proba, &a), "{hidden}: forward {proba} vs steps {a}");
        let mut da = ndarray::Zip::from(&y)
            .and(&a)
            .map_collect(|&y, &a| -(y / a - (1.0 - y) / (1.0 - a)));
        let engine = net.gradients(&x, &y).unwrap();
        for l in (0..big_l).rev() {
            let (da_prev, dw, db) =
                steps::linear_activation_backward(&da, &caches[l], activation(l));
            assert!(close(&engine[l].dw, &dw), "{hidden}: dW[{l}]");
            assert!(close(&engine[l].db, &db), "{hidden}: db[{l}]");
            da = da_prev;
        }
    }
}

/// A softmax output layer: the step functions and the engine run the same column kernel
/// forward, and the steps' backward pass (the softmax's Jacobian applied to the categorical
/// cross-entropy's `dA = -Y / A`) gives the engine's gradients, which start from `AL - Y`.
#[test]
fn engine_and_step_functions_agree_on_a_softmax_output() {
    let mut rng = NumpyRng::new(5);
    let x = rng.randn(4, 9);
    let labels: Vec<usize> = (0..9).map(|j| (j * 7) % 3).collect();
    let y: Array2<f64> = dnn_core::one_hot(&labels, 3);
    let net = Network::<f64>::builder(&[4, 6, 3])
        .hidden_activation(Activation::Tanh)
        .init(Init::Xavier)
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(6))
        .unwrap();
    let activations = [Activation::Tanh, Activation::Softmax];
    let mut a = x.clone();
    let mut caches = Vec::new();
    for (layer, &activation) in net.layers().iter().zip(&activations) {
        let (next, cache) =
            steps::linear_activation_forward(&a, layer.weights(), layer.bias(), activation);
        caches.push(cache);
        a = next;
    }
    let close = |p: &Array2<f64>, q: &Array2<f64>| {
        p.dim() == q.dim() && p.iter().zip(q).all(|(u, v)| (u - v).abs() <= 1e-12)
    };
    let proba = net.predict_proba(&x).unwrap();
    assert!(close(&proba, &a), "forward {proba} vs steps {a}");
    for column in a.columns() {
        assert!((column.sum() - 1.0).abs() < 1e-15, "{column}");
    }
    // The steps' cost of these probabilities is the engine's.
    let steps_cost = -(&y * &a.mapv(f64::ln)).sum() / 9.0;
    assert!((net.cost(&x, &y).unwrap() - steps_cost).abs() < 1e-12);
    let mut da = -&y / &a;
    let engine = net.gradients(&x, &y).unwrap();
    for l in (0..2).rev() {
        let (da_prev, dw, db) = steps::linear_activation_backward(&da, &caches[l], activations[l]);
        assert!(
            close(&engine[l].dw, &dw),
            "dW[{l}]: {} vs {dw}",
            engine[l].dw
        );
        assert!(
            close(&engine[l].db, &db),
            "db[{l}]: {} vs {db}",
            engine[l].db
        );
        da = da_prev;
    }
}

#[test]
fn l_layer_model_matches_the_engine_with_scaled_init() {
    let (x, y) = data(11, 6, 30);
    let (params, costs) =
        steps::l_layer_model(&x, &y, &[6, 5, 3, 1], 0.1, 301, &mut NumpyRng::new(1));
    let mut net = Network::<f64>::builder(&[6, 5, 3, 1])
        .init(Init::Scaled)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let report = net
        .fit(
            &x,
            &y,
            &TrainParams::new()
                .learning_rate(0.1)
                .iterations(301)
                .check()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(
        costs.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![0, 100, 200, 300]
    );
    for &(i, c) in &costs {
        assert!((report.costs()[i] - c).abs() < 1e-12, "iteration {i}");
    }
    let trained = net.to_parameters();
    for l in 1..=3 {
        let diff = (trained.w(l) - params.w(l))
            .mapv(f64::abs)
            .fold(0.0_f64, |a, &b| a.max(b));
        assert!(diff < 1e-12, "W{l} differs by {diff}");
    }
}

#[test]
fn backprop_matches_centred_finite_differences_on_random_architectures() {
    let cases: [(&[usize], Activation, u32); 6] = [
        (&[4, 3, 1], Activation::Relu, 1),
        (&[5, 7, 4, 1], Activation::Relu, 2),
        (&[3, 6, 1], Activation::Tanh, 3),
        (&[6, 4, 4, 3, 1], Activation::Tanh, 4),
        (&[4, 5, 1], Activation::Sigmoid, 5),
        (&[2, 1], Activation::Relu, 6), // logistic regression: no hidden layer
    ];
    for (dims, hidden, seed) in cases {
        let (x, y) = data(seed, dims[0], 9);
        let net = Network::<f64>::builder(dims)
            .hidden_activation(hidden)
            .init(Init::Xavier)
            .build(&mut NumpyRng::new(seed))
            .unwrap();
        let diff = gradient_check(&net, &x, &y, 1e-7).unwrap();
        assert!(diff < 1e-7, "{dims:?} {hidden}: relative difference {diff}");
    }
}

#[test]
fn divergence_stops_training_and_keeps_the_last_good_parameters() {
    let (x, y) = data(3, 10, 50);
    let mut net = Network::<f64>::builder(&[10, 6, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let before = net.clone();
    let config = TrainParams::new()
        .learning_rate(1e4)
        .iterations(100)
        .check()
        .unwrap();
    match net.fit(&x, &y, &config) {
        Err(DnnError::Diverged(d)) => {
            assert_eq!(d.at.epoch, 1, "{d}");
            let good = d.last_good.expect("iteration 0 was good");
            assert_eq!((good.step.epoch, good.updates), (0, 0));
            assert_eq!(d.costs, vec![good.cost]);
            assert!(
                matches!(
                    d.cause,
                    dnn_core::DivergenceCause::CostGrew { cost, start, .. } if cost > 10.0 * start
                ) || matches!(d.cause, dnn_core::DivergenceCause::NonFiniteCost(_))
            );
            assert_eq!(net, before, "the parameters of iteration 0 are restored");
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

/// The error of a [10, 6, 1] network trained on 50 examples (their inputs times
/// `input_scale`) at `learning_rate`, which must fail.
fn training_error(input_scale: f64, learning_rate: f64) -> DnnError {
    let (x, y) = data(3, 10, 50);
    let mut net = Network::<f64>::builder(&[10, 6, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let params = TrainParams::new()
        .learning_rate(learning_rate)
        .check()
        .unwrap();
    net.fit(&x.mapv(|v| v * input_scale), &y, &params)
        .unwrap_err()
}

#[test]
fn divergence_message_names_the_iteration_and_suggests_a_smaller_learning_rate() {
    let msg = training_error(1.0, 1e4).to_string();
    assert!(msg.contains("diverged at iteration 1"), "{msg}");
    assert!(msg.contains("smaller learning rate"), "{msg}");
    assert!(!msg.contains("standardise"), "{msg}");
}

/// Inputs far from unit scale make the very first cost huge: the message says so and advises
/// standardising them, and prints that cost (and the last good one) in scientific notation,
/// not as 200 digits.
#[test]
fn divergence_from_huge_inputs_advises_standardising_them() {
    let err = training_error(1e200, 0.01);
    let DnnError::Diverged(d) = &err else {
        panic!("expected divergence, got {err:?}")
    };
    assert!(d.started_huge(), "{d:?}");
    let first = d.first_cost().unwrap();
    assert!(first > 1e190, "{first}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "the very first cost was already {}, so the inputs are probably far from unit scale: \
             standardise each feature",
            dnn_core::cost::shown(first)
        )),
        "{msg}"
    );
    assert!(
        !msg.contains("0000000000"),
        "a huge cost printed in full: {msg}"
    );
    if let Some(good) = d.last_good {
        assert!(
            msg.ends_with(&format!(
                "(the network keeps the parameters that gave the cost {} at {})",
                dnn_core::cost::shown(good.cost),
                good.step
            )),
            "{msg}"
        );
    }
}

#[test]
fn saturated_outputs_give_a_large_finite_cost_where_numpy_gives_nan() {
    // One unit with a huge weight: z = 1000 for a negative example.
    let net = Network::<f64>::from_layers(vec![Layer::new(
        array![[1000.0]],
        array![[0.0]],
        Activation::Sigmoid,
    )])
    .unwrap();
    let x = array![[1.0, -1.0]];
    let y = array![[0.0, 0.0]];
    let cost = net.cost(&x, &y).unwrap();
    // Example 1: z = 1000, y = 0 -> loss 1000; example 2: z = -1000 -> loss ~0.
    assert_eq!(cost, 500.0);
    let grads = net.gradients(&x, &y).unwrap();
    assert!(grads
        .iter()
        .all(|g| g.dw.iter().chain(&g.db).all(|v| v.is_finite())));
}

#[test]
fn an_observer_can_stop_training_after_any_iteration() {
    let (x, y) = data(4, 5, 20);
    let mut net = Network::<f64>::builder(&[5, 3, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(0.1)
        .iterations(50)
        .check()
        .unwrap();
    let mut seen = Vec::new();
    let report = net
        .train(&x, &y, &config, |p| {
            seen.push((p.iteration, p.total));
            if p.iteration == 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, (0..5).map(|i| (i, 50)).collect::<Vec<_>>());
    assert_eq!(report.iterations_run(), 5);
    assert!(report.stopped_early());
    assert_eq!(
        report.costs_every(2),
        vec![
            (0, report.costs()[0]),
            (2, report.costs()[2]),
            (4, report.costs()[4])
        ]
    );
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let mut net = Network::<f64>::builder(&[3, 2, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    let config = TrainParams::new().iterations(3).check().unwrap();
    let x = Array2::<f64>::zeros((4, 5));
    let y = Array2::<f64>::zeros((1, 5));
    let err = net.fit(&x, &y, &config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has 4 rows but the first layer expects 3 (one row per input feature)"
    );
    // Examples as rows: X's columns are the features.
    let err = net
        .fit(&Array2::<f64>::zeros((5, 3)), &y, &config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has 5 rows but the first layer expects 3 (one row per input feature); X has 3 \
         columns, so it looks like (examples, features): pass its transpose, x.t() (one column \
         per example)"
    );

    let x = Array2::<f64>::zeros((3, 5));
    let err = net.fit(&x, &Array2::zeros((1, 4)), &config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Y has shape (1, 4) but X has 5 examples and the network 1 output(s), so Y must be (1, 5)"
    );

    let err = net
        .fit(&Array2::zeros((3, 0)), &Array2::zeros((1, 0)), &config)
        .unwrap_err();
    assert_eq!(err, DnnError::EmptyDataSet);

    let mut x = Array2::<f64>::zeros((3, 5));
    x[[2, 4]] = f64::NAN;
    let err = net.fit(&x, &y, &config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X contains a non-finite value (NaN) at row 2, column 4, which is input 2 of example 4 \
         (both counted from 0): replace the value or leave the example out"
    );
    assert!(net.predict(&x).is_err());
    let mut bad_y = y.clone();
    bad_y[[0, 3]] = f64::INFINITY;
    let err = net
        .fit(&Array2::zeros((3, 5)), &bad_y, &config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Y contains a non-finite value (inf) at row 0, column 3, which is output 0 of example 3 \
         (both counted from 0): replace the value or leave the example out"
    );

    for (lr, iterations) in [(0.0, 10), (-0.1, 10), (f64::NAN, 10), (0.1, 0)] {
        assert!(TrainParams::new()
            .learning_rate(lr)
            .iterations(iterations)
            .check()
            .is_err());
    }
}

#[test]
fn builder_and_from_layers_refuse_networks_that_cannot_exist() {
    let mut rng = NumpyRng::new(1);
    assert!(matches!(
        Network::<f64>::builder(&[5]).build(&mut rng),
        Err(DnnError::TooFewLayers(_))
    ));
    assert!(matches!(
        Network::<f64>::builder(&[5, 0, 1]).build(&mut rng),
        Err(DnnError::ZeroSizedLayer { index: 1, .. })
    ));
    assert!(matches!(
        Network::<f64>::builder(&[5, 3, 2, 1])
            .activations(vec![Activation::Relu])
            .build(&mut rng),
        Err(DnnError::ActivationCount {
            given: 1,
            hidden: 2
        })
    ));
    let err = Network::<f64>::from_layers(vec![
        Layer::new(
            Array2::zeros((3, 4)),
            Array2::zeros((3, 1)),
            Activation::Relu,
        ),
        Layer::new(
            Array2::zeros((1, 2)),
            Array2::zeros((1, 1)),
            Activation::Sigmoid,
        ),
    ])
    .unwrap_err();
    assert_eq!(
        err,
        DnnError::LayersDoNotChain {
            layer: 2,
            w: (1, 2),
            previous_units: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "W2 has shape (1, 2) but layer 1 has 3 units, so W2 needs 3 columns"
    );
    let err = Network::<f64>::from_layers(vec![Layer::new(
        Array2::zeros((1, 4)),
        Array2::zeros((2, 1)),
        Activation::Sigmoid,
    )])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "W1 has shape (1, 4) so b1 must be (1, 1), but it is (2, 1)"
    );
    let err = Network::<f64>::from_layers(vec![Layer::new(
        Array2::zeros((0, 4)),
        Array2::zeros((0, 1)),
        Activation::Sigmoid,
    )])
    .unwrap_err();
    assert_eq!(
        err,
        DnnError::EmptyLayer {
            layer: 1,
            w: (0, 4)
        }
    );
    let err = Network::<f64>::from_layers(vec![Layer::new(
        Array2::zeros((1, 4)),
        Array2::zeros((1, 1)),
        Activation::Relu,
    )])
    .unwrap_err();
    assert_eq!(err, DnnError::OutputActivation(Activation::Relu));
}

#[test]
fn f32_training_follows_f64_closely() {
    let (x, y) = data(5, 20, 60);
    let config = TrainParams::new()
        .learning_rate(0.05)
        .iterations(300)
        .check()
        .unwrap();
    let mut n64 = Network::<f64>::builder(&[20, 7, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let mut n32 = Network::<f32>::builder(&[20, 7, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let r64 = n64.fit(&x, &y, &config).unwrap();
    let r32 = n32
        .fit(&x.mapv(|v| v as f32), &y.mapv(|v| v as f32), &config)
        .unwrap();
    assert_eq!(r64.costs().len(), r32.costs().len());
    assert!(!r64.costs().is_empty());
    for (a, b) in r64.costs().iter().zip(r32.costs()) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
    assert_eq!(
        n64.accuracy(&x, &y).unwrap(),
        n32.accuracy(&x.mapv(|v| v as f32), &y.mapv(|v| v as f32))
            .unwrap()
    );
}

#[test]
fn any_rand_rng_can_initialise_a_network() {
    use rand::SeedableRng;
    let mut rng = Polar::new(rand::rngs::StdRng::seed_from_u64(9));
    let net = Network::<f64>::builder(&[4, 3, 1])
        .init(Init::He)
        .build(&mut rng)
        .unwrap();
    assert_eq!(net.layer_sizes(), vec![4, 3, 1]);
    assert!(net.layers()[0].weights().iter().any(|&w| w != 0.0));
}

#[test]
fn init_schemes_scale_the_same_numpy_draw() {
    let draw = NumpyRng::new(1).randn(3, 8);
    let cases = [
        (Init::Small, draw.mapv(|v| v * 0.01)),
        (Init::Scaled, draw.mapv(|v| v / 8f64.sqrt())),
        (Init::He, draw.mapv(|v| v * (2.0 / 8.0f64).sqrt())),
        (Init::Xavier, draw.mapv(|v| v * (2.0 / 11.0f64).sqrt())),
        (Init::Zeros, Array2::zeros((3, 8))),
    ];
    // Every scheme round-trips through its name (orthogonal too; its weights are checked
    // against numpy's QR below).
    for init in Init::ALL {
        assert_eq!(Init::from_name(init.name()), Some(init));
    }
    assert_eq!(Init::ALL.len(), 6);
    for (init, expected) in cases {
        let net = Network::<f64>::builder(&[8, 3, 1])
            .init(init)
            .build(&mut NumpyRng::new(1))
            .unwrap();
        assert_eq!(net.layers()[0].weights(), &expected, "{init}");
    }
}

#[test]
fn orthogonal_init_matches_numpys_qr_and_is_orthonormal() {
    // Expected: tests/reference/gen_orthogonal.py (numpy's np.linalg.qr, signs fixed).
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/orthogonal.json"
    ))
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let (n_in, n_out) = (
            case["n_in"].as_u64().unwrap() as usize,
            case["n_out"].as_u64().unwrap() as usize,
        );
        let w = Init::Orthogonal.weights(
            n_in,
            n_out,
            &mut NumpyRng::new(case["seed"].as_u64().unwrap() as u32),
        );
        assert_eq!(w.dim(), (n_out, n_in));
        let rows = case["w"].as_array().unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.as_array().unwrap().iter().enumerate() {
                let v = v.as_f64().unwrap();
                assert!(
                    (w[[i, j]] - v).abs() < 1e-12,
                    "({n_in}, {n_out}) W[{i}, {j}] = {} vs numpy {v}",
                    w[[i, j]]
                );
            }
        }
        let gram = if n_out >= n_in {
            w.t().dot(&w)
        } else {
            w.dot(&w.t())
        };
        let eye = Array2::<f64>::eye(gram.nrows());
        assert!(
            (&gram - &eye).mapv(f64::abs).iter().all(|&d| d < 1e-12),
            "({n_in}, {n_out}) not orthonormal"
        );
    }
}

#[test]
fn a_sampled_gradient_check_probes_each_matrix_and_agrees() {
    let (x, y) = data(12, 40, 6);
    let net = Network::<f64>::builder(&[40, 30, 5, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(12))
        .unwrap();
    let sampled = gradient_check_sampled(&net, &x, &y, 1e-7, 10).unwrap();
    assert!(sampled < 1e-7, "{sampled}");
    let full = gradient_check(&net, &x, &y, 1e-7).unwrap();
    assert!(full < 1e-7, "{full}");
}

/// The columns of `x` in `order` (a mini-batch as the engine gathers it).
fn columns(x: &Array2<f64>, order: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((x.nrows(), order.len()), |(i, j)| x[[i, order[j]]])
}

#[test]
fn a_batch_gathered_from_example_major_data_trains_as_one_gathered_column_by_column() {
    // 300 features and batches of 128: 38,400 elements a batch, enough that the team copies
    // the examples of an example-major X (the layout of pictures and CSV rows), each member
    // its own rows, and an epoch's later batches are gathered during the step before (by
    // the team's workers when they would wait, in chunks of whole examples, or with 2500
    // features of pieces of one). The same data stored feature by feature is gathered
    // element by element on one thread; both runs must give the same bits, the ragged last
    // batch included.
    for features in [300, 2500] {
        let (x, y) = data(9, features, 300);
        let example_major = x.t().as_standard_layout().into_owned();
        let initial = Network::<f64>::builder(&[features, 16, 1])
            .init(Init::He)
            .build(&mut NumpyRng::new(4))
            .unwrap();
        let config = TrainParams::new()
            .learning_rate(1e-3)
            .optimizer(dnn_core::Optimizer::ADAM)
            .iterations(3)
            .mini_batches(128, 5)
            .check()
            .unwrap();
        let (mut by_columns, mut by_rows) = (initial.clone(), initial);
        let a = by_columns.fit(&x, &y, &config).unwrap();
        let b = by_rows.fit(example_major.t(), &y, &config).unwrap();
        assert_eq!(a.costs(), b.costs(), "{features} features");
        assert_eq!(by_columns.to_parameters(), by_rows.to_parameters());
        assert!(
            a.costs()[2] < a.costs()[0],
            "the test must train: {:?}",
            a.costs()
        );
    }
}

#[test]
fn mini_batch_divergence_names_the_epoch_and_batch_and_keeps_the_parameters_of_a_good_batch() {
    // Batches of 16 of 50 examples: 4 per epoch, the last of 2. Find learning rates at which
    // training diverges in the first batch after an update and after several updates (the
    // case that once reported the diverging step itself as the last good one).
    let (x, y) = data(8, 10, 50);
    let initial = Network::<f64>::builder(&[10, 6, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let mut seen_later_batch = false;
    let mut seen_first_update = false;
    for lr in [
        1e4, 300.0, 100.0, 60.0, 40.0, 30.0, 20.0, 15.0, 10.0, 7.0, 5.0,
    ] {
        let mut net = initial.clone();
        let config = TrainParams::new()
            .learning_rate(lr)
            .iterations(30)
            .mini_batches(16, 11)
            .check()
            .unwrap();
        let Err(DnnError::Diverged(d)) = net.fit(&x, &y, &config) else {
            continue;
        };
        assert_eq!(d.at.batches, 4, "{d}");
        let msg = d.to_string();
        assert!(
            msg.contains(&format!(
                "at epoch {}, batch {} of 4",
                d.at.epoch,
                d.at.batch + 1
            )),
            "{msg}"
        );
        let good = d.last_good.expect("the first batch's cost was good");
        assert!(msg.contains(&good.step.to_string()), "{msg}");
        assert!(good.cost.is_finite());
        assert_eq!(d.costs.len(), d.at.epoch, "completed epochs only");
        // The network holds the parameters that gave `good.cost` on `good.step`'s batch.
        let order = NumpyRng::new(11 + good.step.epoch as u32).permutation(50);
        let batch = &order[16 * good.step.batch..(16 * good.step.batch + 16).min(50)];
        let again = net.cost(&columns(&x, batch), &columns(&y, batch)).unwrap();
        assert!(
            (again - good.cost).abs() < 1e-12,
            "{again} vs {}",
            good.cost
        );
        if good.updates == 0 {
            assert_eq!(net, initial);
            seen_first_update = true;
        } else {
            seen_later_batch |= d.at.batch > 0;
        }
    }
    assert!(
        seen_first_update,
        "no learning rate diverged right after the first update"
    );
    assert!(
        seen_later_batch,
        "no learning rate diverged in a later batch after updates"
    );
}

/// An update that makes a weight infinite stops training with the parameters that gave the
/// last cost: not applied where updates go to a spare copy (full batch), undone where they are
/// made in place and leave the layers half written (mini-batches on data many times the size
/// of the network).
#[test]
fn an_update_that_makes_a_weight_infinite_keeps_the_parameters_that_gave_the_last_cost() {
    /// Inputs, examples, their scale, the layers, the mini-batch size.
    type Setup = (usize, usize, f64, &'static [usize], Option<usize>);
    let setups: [Setup; 2] = [
        (4, 12, 1e3, &[4, 3, 1], None),
        (6, 400, 1e100, &[6, 8, 4, 1], Some(16)),
    ];
    for (n_x, m, scale, layers, batch) in setups {
        let (x, y) = data(9, n_x, m);
        let x = x.mapv(|v| v * scale);
        let mut net = Network::<f64>::builder(layers)
            .build(&mut NumpyRng::new(1))
            .unwrap();
        let before = net.clone();
        let mut params = TrainParams::new()
            .learning_rate(f64::MAX)
            .iterations(5)
            .divergence_factor(None);
        if let Some(b) = batch {
            params = params.mini_batches(b, 11);
        }
        let Err(DnnError::Diverged(d)) = net.fit(&x, &y, &params.check().unwrap()) else {
            panic!("{layers:?}: expected divergence")
        };
        assert!(
            matches!(
                d.cause,
                dnn_core::DivergenceCause::NonFiniteParameter { .. }
            ),
            "{d}"
        );
        assert_eq!((d.at.epoch, d.at.batch), (0, 0));
        let good = d.last_good.expect("the first cost was good");
        assert_eq!((good.step, good.updates), (d.at, 0));
        if batch.is_none() {
            assert_eq!(good.cost, before.cost(&x, &y).unwrap());
        }
        assert!(d.costs.is_empty(), "epoch 0 did not complete");
        assert!(
            bits(&net) == bits(&before),
            "{layers:?}: the update was kept"
        );
    }
}

#[test]
fn per_layer_dropout_must_give_one_keep_probability_per_hidden_layer() {
    let (x, y) = data(4, 5, 20);
    let mut net = Network::<f64>::builder(&[5, 4, 3, 1])
        .build(&mut NumpyRng::new(1))
        .unwrap();
    for keep in [vec![0.9], vec![0.9, 0.8, 0.7]] {
        let given = keep.len();
        let config = TrainParams::new()
            .dropout_per_layer(keep, 1)
            .check()
            .unwrap();
        let err = net.fit(&x, &y, &config).unwrap_err();
        assert_eq!(err, DnnError::DropoutLayers { given, hidden: 2 });
    }
    let config = TrainParams::new()
        .iterations(3)
        .dropout_per_layer(vec![0.9, 0.8], 1)
        .check()
        .unwrap();
    assert_eq!(net.fit(&x, &y, &config).unwrap().costs().len(), 3);
}

/// With L2 and mini-batches, a last batch of one example has an L2 term `(1/k)(λ/2)Σ‖W‖²`
/// as many times larger as the batch is: divergence is judged on the cost a full batch would
/// have, so a run whose cost falls is not stopped there as diverged.
#[test]
fn a_last_batch_of_one_is_not_taken_for_divergence_under_l2() {
    // 33 examples in batches of 32: the last batch has one.
    let (x, y) = data(5, 4, 33);
    let mut net = Network::<f64>::builder(&[4, 8, 1])
        .init(Init::He)
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(1e-3)
        .mini_batches(32, 11)
        .l2(50.0)
        .iterations(20)
        .check()
        .unwrap();
    // The L2 term dominates: one example's is more than ten times a full batch's cost.
    let squares: f64 = net
        .layers()
        .iter()
        .map(|l| l.weights().iter().map(|w| w * w).sum::<f64>())
        .sum();
    let full = net.cost(&x, &y).unwrap() + 25.0 * squares / 32.0;
    assert!(25.0 * squares > 10.0 * full, "{squares} {full}");
    let report = net.fit(&x, &y, &config).expect("no divergence");
    let costs = report.costs();
    assert_eq!(costs.len(), 20);
    assert!(costs[19] < costs[0], "{costs:?}");
}

/// A mini-batch run is judged on a moving mean of its batch costs: a full batch holding one
/// outlier (a regression target 40 among 640 zeros, as a heavy-tailed column has), whose
/// cost is many times the first batch's at every learning rate, is no divergence.
#[test]
fn a_full_batch_holding_an_outlier_is_not_taken_for_divergence() {
    let m = 640;
    let (x, _) = data(6, 3, m);
    let mut y = Array2::<f64>::zeros((1, m));
    y[[0, 100]] = 40.0;
    let initial = Network::<f64>::builder(&[3, 8, 1])
        .init(Init::He)
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(4))
        .unwrap();
    // The rule it would break: the batch holding the outlier costs more than ten times the
    // run's first batch, with the parameters the run starts from.
    let order = NumpyRng::new(11).permutation(m);
    let first = &order[..32];
    let holding = order.chunks(32).find(|batch| batch.contains(&100)).unwrap();
    let cost_of = |batch: &[usize]| {
        initial
            .cost(&columns(&x, batch), &columns(&y, batch))
            .unwrap()
    };
    assert!(
        cost_of(holding) > 10.0 * cost_of(first),
        "{} vs {}",
        cost_of(holding),
        cost_of(first)
    );
    for lr in [1e-2, 1e-3, 1e-4] {
        let mut net = initial.clone();
        let config = TrainParams::new()
            .learning_rate(lr)
            .mini_batches(32, 11)
            .iterations(30)
            .check()
            .unwrap();
        let report = net.fit(&x, &y, &config).expect("no divergence");
        assert_eq!(report.iterations_run(), 30, "learning rate {lr}");
    }
}

/// A last batch of one example is judged on its epoch's mean cost so far: an outlier alone
/// in it (a regression's one target of 10 among 32 zeros, which no network can fit from
/// inputs like the others) costs far more than ten times the first batch, and is no
/// divergence.
#[test]
fn a_last_batch_of_one_outlier_is_not_taken_for_divergence() {
    let (x, _) = data(6, 3, 33);
    let mut y = Array2::<f64>::zeros((1, 33));
    y[[0, 17]] = 10.0;
    let mut net = Network::<f64>::builder(&[3, 8, 1])
        .init(Init::He)
        .output(Activation::Identity)
        .build(&mut NumpyRng::new(4))
        .unwrap();
    let config = TrainParams::new()
        .learning_rate(1e-3)
        .mini_batches(32, 11)
        .iterations(300)
        .check()
        .unwrap();
    let report = net.fit(&x, &y, &config).expect("no divergence");
    assert_eq!(report.iterations_run(), 300);
    // Alone, the outlier costs more than ten times any epoch's cost.
    let lone = x.column(17).to_owned().insert_axis(ndarray::Axis(1));
    let alone = net.cost(&lone, &array![[10.0]]).unwrap();
    let most = report.costs().iter().copied().fold(0.0, f64::max);
    assert!(alone > 10.0 * most, "{alone} vs {most}");
}

/// A mini-batch run on data many times the size of its network updates in place and rolls
/// back by replaying the epoch from a checkpoint: after divergence the network holds, to
/// the bit, what a run stopped after the last good update holds, whether the replay runs
/// within the epoch or over the whole previous one (divergence at an epoch's first batch),
/// with dropout, L2 and each optimiser's averages.
#[test]
fn a_mini_batch_rollback_replays_to_the_bits_of_the_last_good_update() {
    // 2400 inputs, 97 parameters.
    let (x, y) = data(8, 6, 400);
    let initial = Network::<f64>::builder(&[6, 8, 4, 1])
        .build(&mut NumpyRng::new(2))
        .unwrap();
    let momentum = Optimizer::Momentum { beta: 0.9 };
    // (batch size, divergence factor, optimiser, learning rate): found by a sweep to diverge
    // after an epoch's first batch, and at its first batch.
    let cases = [
        (100, 1.5, Optimizer::GradientDescent, 10.0),
        (64, 1.01, Optimizer::GradientDescent, 0.02),
        (64, 1.01, momentum, 3.0),
        (50, 1.001, Optimizer::ADAM, 0.001),
        (32, 1.03, Optimizer::ADAM, 0.2),
    ];
    let (mut across_epochs, mut within_epoch_adam) = (false, false);
    for (batch, factor, optimizer, lr) in cases {
        let params = TrainParams::new()
            .learning_rate(lr)
            .iterations(20)
            .optimizer(optimizer)
            .divergence_factor(Some(factor))
            .mini_batches(batch, 11)
            .dropout(0.8, 3)
            .l2(0.05);
        let mut net = initial.clone();
        let Err(DnnError::Diverged(d)) = net.fit(&x, &y, &params.clone().check().unwrap()) else {
            panic!("batch {batch}, {optimizer:?} at {lr}: no divergence");
        };
        let good = d.last_good.expect("a good cost before");
        let control = Arc::new(TrainControl::new());
        control.stop_after_updates(good.updates);
        let config = params.check().unwrap().with_control(Arc::clone(&control));
        let mut stopped = initial.clone();
        stopped.fit(&x, &y, &config).unwrap();
        assert!(
            bits(&net) == bits(&stopped),
            "batch {batch}, {optimizer:?} at {lr}: diverged at {:?}, not the parameters after \
             {} updates",
            d.at,
            good.updates
        );
        let first_update_of_epoch = (d.at.epoch * d.at.batches) as u64;
        across_epochs |= d.at.batch == 0 && d.at.epoch > 0;
        within_epoch_adam |= optimizer == Optimizer::ADAM && good.updates > first_update_of_epoch;
    }
    assert!(across_epochs, "no case diverged at an epoch's first batch");
    assert!(
        within_epoch_adam,
        "no Adam case replayed updates within its epoch"
    );
}
