//! The step-by-step functions of `dnn_core::steps` against numpy.
//!
//! Expected values: `tests/data/steps_{init,forward,backward,models}.json`, written by
//! `tests/reference/gen_fixtures.py`, which computes them with numpy exactly as the exercise
//! "Building your Deep Neural Network: Step by Step" writes each function (np.dot,
//! np.sum(axis=1, keepdims=True) / m, ...). Inputs come from `np.random.seed(s)` then `randn` as
//! in the exercise's test cases, and are stored in the fixtures, so only the initialisation and
//! model tests depend on `NumpyRng`.
//!
//! Single steps are compared to 1e-12 and the training runs to 1e-10, both as
//! |got - numpy| <= tol * max(1, |numpy|); shapes must be equal.

use crate::common::{self, arr2, f, get, list, s, u, usizes, Close};
use dnn_core::steps::*;
use dnn_core::{Activation, NumpyRng};
use ndarray::{array, Array2};
use serde_json::Value;

const TOL: f64 = 1e-12;
const TRAIN_TOL: f64 = 1e-10;

fn activation(name: &str) -> Activation {
    match name {
        "relu" => Activation::Relu,
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        other => panic!("unknown activation {other:?} in fixture"),
    }
}

fn parameters(v: &Value) -> Parameters {
    Parameters::new(
        list(v)
            .iter()
            .map(|layer| (arr2(get(layer, "W")), arr2(get(layer, "b"))))
            .collect(),
    )
}

fn layer_cache(v: &Value) -> LayerCache {
    LayerCache {
        linear: LinearCache {
            a_prev: arr2(get(v, "A_prev")),
            w: arr2(get(v, "W")),
            b: arr2(get(v, "b")),
        },
        z: arr2(get(v, "Z")),
    }
}

fn caches(v: &Value) -> Vec<LayerCache> {
    list(v).iter().map(layer_cache).collect()
}

fn check_parameters(c: &mut Close, what: &str, got: &Parameters, want: &Value) {
    let want = list(want);
    assert_eq!(got.num_layers(), want.len(), "{what}: number of layers");
    for (i, layer) in want.iter().enumerate() {
        let l = i + 1;
        c.arr(&format!("{what} W{l}"), got.w(l), &arr2(get(layer, "W")));
        c.arr(&format!("{what} b{l}"), got.b(l), &arr2(get(layer, "b")));
    }
}

fn check_cache(c: &mut Close, what: &str, got: &LayerCache, want: &Value) {
    c.arr(
        &format!("{what} A_prev"),
        &got.linear.a_prev,
        &arr2(get(want, "A_prev")),
    );
    c.arr(&format!("{what} W"), &got.linear.w, &arr2(get(want, "W")));
    c.arr(&format!("{what} b"), &got.linear.b, &arr2(get(want, "b")));
    c.arr(&format!("{what} Z"), &got.z, &arr2(get(want, "Z")));
}

fn check_grads(c: &mut Close, what: &str, got: &Gradients, want: &Value) {
    let (da, dw, db) = (
        list(get(want, "dA")),
        list(get(want, "dW")),
        list(get(want, "db")),
    );
    assert_eq!(da.len(), dw.len());
    for (l, v) in da.iter().enumerate() {
        c.arr(&format!("{what} dA{l}"), got.da(l), &arr2(v));
    }
    for (i, (w, b)) in dw.iter().zip(db).enumerate() {
        let l = i + 1;
        c.arr(&format!("{what} dW{l}"), got.dw(l), &arr2(w));
        c.arr(&format!("{what} db{l}"), got.db(l), &arr2(b));
    }
}

/// The fixture's list `key`, which must hold exactly `expected` cases: a test that silently
/// ran fewer (a regenerated fixture that lost some) fails here.
fn cases<'a>(fx: &'a Value, key: &str, expected: usize) -> &'a Vec<Value> {
    let cases = list(get(fx, key));
    assert_eq!(
        cases.len(),
        expected,
        "number of {key} cases in the fixture"
    );
    cases
}

fn done(test: &str, c: &Close) {
    assert!(c.count > 0, "{test}: no value was compared");
    eprintln!("{test}: {} values within {:e} of numpy", c.count, c.tol);
}

// ---------------------------------------------------------------------------------------------
// Initialisation (uses NumpyRng: np.random.seed(s) then the exercise's function)

#[test]
fn initialize_parameters_matches_numpy() {
    let fx = common::load("steps_init.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "cases", 8) {
        let seed = u(get(case, "seed")) as u32;
        let dims = usizes(get(case, "dims"));
        let what = format!("{}(seed {seed}, {dims:?})", s(get(case, "fn")));
        let got = match s(get(case, "fn")) {
            "initialize_parameters" => {
                initialize_parameters(dims[0], dims[1], dims[2], &mut NumpyRng::new(seed))
            }
            "initialize_parameters_deep" => {
                initialize_parameters_deep(&dims, &mut NumpyRng::new(seed))
            }
            other => panic!("unknown init function {other:?}"),
        };
        check_parameters(&mut c, &what, &got, get(case, "expected"));
    }
    done("initialize_parameters(_deep)", &c);
}

// ---------------------------------------------------------------------------------------------
// Forward

#[test]
fn linear_forward_matches_numpy() {
    let fx = common::load("steps_forward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "linear_forward", 3) {
        let (a, w, b) = (
            arr2(get(case, "A")),
            arr2(get(case, "W")),
            arr2(get(case, "b")),
        );
        let what = format!("linear_forward seed {}", get(case, "seed"));
        let (z, cache) = linear_forward(&a, &w, &b);
        c.arr(&format!("{what} Z"), &z, &arr2(get(case, "Z")));
        c.arr(&format!("{what} cache A_prev"), &cache.a_prev, &a);
        c.arr(&format!("{what} cache W"), &cache.w, &w);
        c.arr(&format!("{what} cache b"), &cache.b, &b);
    }
    done("linear_forward", &c);
}

#[test]
fn sigmoid_relu_tanh_match_numpy() {
    let fx = common::load("steps_forward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "activation", 3) {
        let name = s(get(case, "activation"));
        let z = arr2(get(case, "Z"));
        let (a, cache) = match name {
            "sigmoid" => sigmoid(&z),
            "relu" => relu(&z),
            "tanh" => tanh(&z),
            other => panic!("unknown activation {other:?}"),
        };
        c.arr(&format!("{name} A"), &a, &arr2(get(case, "A")));
        c.arr(&format!("{name} cache Z"), &cache, &z);
    }
    done("sigmoid/relu/tanh", &c);
}

#[test]
fn linear_activation_forward_matches_numpy() {
    let fx = common::load("steps_forward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "linear_activation_forward", 6) {
        let act = s(get(case, "activation"));
        let what = format!("linear_activation_forward seed {} {act}", get(case, "seed"));
        let (a, cache) = linear_activation_forward(
            &arr2(get(case, "A_prev")),
            &arr2(get(case, "W")),
            &arr2(get(case, "b")),
            activation(act),
        );
        c.arr(&format!("{what} A"), &a, &arr2(get(case, "A")));
        check_cache(&mut c, &format!("{what} cache"), &cache, get(case, "cache"));
    }
    done("linear_activation_forward", &c);
}

#[test]
fn l_model_forward_3_and_4_layers_matches_numpy() {
    let fx = common::load("steps_forward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "l_model_forward", 2) {
        let what = format!("l_model_forward {:?}", usizes(get(case, "dims")));
        let params = parameters(get(case, "parameters"));
        let (al, got_caches) = l_model_forward(&arr2(get(case, "X")), &params);
        c.arr(&format!("{what} AL"), &al, &arr2(get(case, "AL")));
        let want_caches = list(get(case, "caches"));
        assert_eq!(
            got_caches.len(),
            want_caches.len(),
            "{what}: number of caches"
        );
        for (l, (g, w)) in got_caches.iter().zip(want_caches).enumerate() {
            check_cache(&mut c, &format!("{what} cache {}", l + 1), g, w);
        }
    }
    done("l_model_forward", &c);
}

#[test]
fn compute_cost_matches_numpy() {
    let fx = common::load("steps_forward.json");
    let mut c = Close::new(TOL);
    for (i, case) in cases(&fx, "compute_cost", 3).iter().enumerate() {
        let got = compute_cost(&arr2(get(case, "AL")), &arr2(get(case, "Y")));
        c.scalar(&format!("compute_cost case {i}"), got, f(get(case, "cost")));
    }
    done("compute_cost", &c);
}

// ---------------------------------------------------------------------------------------------
// Backward

#[test]
fn linear_backward_matches_numpy() {
    let fx = common::load("steps_backward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "linear_backward", 2) {
        let what = format!("linear_backward seed {}", get(case, "seed"));
        let cache = LinearCache {
            a_prev: arr2(get(case, "A_prev")),
            w: arr2(get(case, "W")),
            b: arr2(get(case, "b")),
        };
        let (da_prev, dw, db) = linear_backward(&arr2(get(case, "dZ")), &cache);
        c.arr(
            &format!("{what} dA_prev"),
            &da_prev,
            &arr2(get(case, "dA_prev")),
        );
        c.arr(&format!("{what} dW"), &dw, &arr2(get(case, "dW")));
        c.arr(&format!("{what} db"), &db, &arr2(get(case, "db")));
    }
    done("linear_backward", &c);
}

#[test]
fn sigmoid_relu_tanh_backward_match_numpy() {
    let fx = common::load("steps_backward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "activation_backward", 3) {
        let name = s(get(case, "activation"));
        let (da, z) = (arr2(get(case, "dA")), arr2(get(case, "Z")));
        let dz = match name {
            "sigmoid" => sigmoid_backward(&da, &z),
            "relu" => relu_backward(&da, &z),
            "tanh" => tanh_backward(&da, &z),
            other => panic!("unknown activation {other:?}"),
        };
        c.arr(&format!("{name}_backward dZ"), &dz, &arr2(get(case, "dZ")));
    }
    done("sigmoid/relu/tanh_backward", &c);
}

#[test]
fn linear_activation_backward_matches_numpy() {
    let fx = common::load("steps_backward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "linear_activation_backward", 6) {
        let act = s(get(case, "activation"));
        let what = format!(
            "linear_activation_backward seed {} {act}",
            get(case, "seed")
        );
        let cache = layer_cache(get(case, "cache"));
        let (da_prev, dw, db) =
            linear_activation_backward(&arr2(get(case, "dA")), &cache, activation(act));
        c.arr(
            &format!("{what} dA_prev"),
            &da_prev,
            &arr2(get(case, "dA_prev")),
        );
        c.arr(&format!("{what} dW"), &dw, &arr2(get(case, "dW")));
        c.arr(&format!("{what} db"), &db, &arr2(get(case, "db")));
    }
    done("linear_activation_backward", &c);
}

#[test]
fn l_model_backward_matches_numpy() {
    // Case 1 is the exercise's test case (seed 3): its caches are not a consistent forward pass,
    // so the gradients must come from exactly what the caches hold. Cases 2 and 3 are a real
    // forward pass through a 3- and a 4-layer net.
    let fx = common::load("steps_backward.json");
    let mut c = Close::new(TOL);
    for case in cases(&fx, "l_model_backward", 3) {
        let what = format!("l_model_backward seed {}", get(case, "seed"));
        let grads = l_model_backward(
            &arr2(get(case, "AL")),
            &arr2(get(case, "Y")),
            &caches(get(case, "caches")),
        );
        check_grads(&mut c, &what, &grads, get(case, "grads"));
    }
    done("l_model_backward", &c);
}

#[test]
fn update_parameters_matches_numpy() {
    // dnn-core has no public Gradients constructor, so the gradients come from l_model_backward
    // on the same-seed case of "l_model_backward" (checked against numpy first).
    let fx = common::load("steps_backward.json");
    let mut c = Close::new(TOL);
    let backward = list(get(&fx, "l_model_backward"));
    for case in cases(&fx, "update_parameters", 2) {
        let seed = get(case, "seed");
        let what = format!("update_parameters seed {seed}");
        let b = backward
            .iter()
            .find(|b| get(b, "seed") == seed)
            .expect("matching l_model_backward case");
        let grads = l_model_backward(
            &arr2(get(b, "AL")),
            &arr2(get(b, "Y")),
            &caches(get(b, "caches")),
        );
        check_grads(
            &mut c,
            &format!("{what} (gradients)"),
            &grads,
            get(case, "grads"),
        );
        let params = parameters(get(case, "parameters"));
        let updated = update_parameters(params, &grads, f(get(case, "learning_rate")));
        check_parameters(&mut c, &what, &updated, get(case, "expected"));
    }
    done("update_parameters", &c);
}

// ---------------------------------------------------------------------------------------------
// Predict and whole models

#[test]
fn predict_matches_numpy() {
    let fx = common::load("steps_models.json");
    let x = arr2(get(get(&fx, "data"), "X"));
    let mut c = Close::new(0.0);
    for case in cases(&fx, "predict", 2) {
        let p = predict(&x, &parameters(get(case, "parameters")));
        c.arr(
            &format!("predict seed {}", get(case, "seed")),
            &p,
            &arr2(get(case, "expected")),
        );
    }
    done("predict", &c);
}

fn check_costs(c: &mut Close, what: &str, got: &[(usize, f64)], want: &Value) {
    let want = list(want);
    let got_iters: Vec<usize> = got.iter().map(|(i, _)| *i).collect();
    let want_iters: Vec<usize> = want.iter().map(|p| u(&p[0])).collect();
    assert_eq!(
        got_iters, want_iters,
        "{what}: iterations at which costs are recorded"
    );
    for ((i, g), w) in got.iter().zip(want) {
        c.scalar(&format!("{what} cost at iteration {i}"), *g, f(&w[1]));
    }
}

#[test]
fn two_layer_model_matches_numpy() {
    let fx = common::load("steps_models.json");
    let data = get(&fx, "data");
    let (x, y) = (arr2(get(data, "X")), arr2(get(data, "Y")));
    let mut c = Close::new(TRAIN_TOL);
    for case in cases(&fx, "two_layer_model", 1) {
        let dims = usizes(get(case, "layer_dims"));
        let what = format!("two_layer_model {dims:?}");
        let (params, costs) = two_layer_model(
            &x,
            &y,
            (dims[0], dims[1], dims[2]),
            f(get(case, "learning_rate")),
            u(get(case, "num_iterations")),
            &mut NumpyRng::new(u(get(case, "rng_seed")) as u32),
        );
        check_costs(&mut c, &what, &costs, get(case, "costs"));
        check_parameters(&mut c, &what, &params, get(case, "parameters"));
    }
    done("two_layer_model", &c);
}

#[test]
fn l_layer_model_matches_numpy() {
    let fx = common::load("steps_models.json");
    let data = get(&fx, "data");
    let (x, y) = (arr2(get(data, "X")), arr2(get(data, "Y")));
    let mut c = Close::new(TRAIN_TOL);
    for case in cases(&fx, "l_layer_model", 2) {
        let dims = usizes(get(case, "layer_dims"));
        let what = format!("l_layer_model {dims:?}");
        let (params, costs) = l_layer_model(
            &x,
            &y,
            &dims,
            f(get(case, "learning_rate")),
            u(get(case, "num_iterations")),
            &mut NumpyRng::new(u(get(case, "rng_seed")) as u32),
        );
        check_costs(&mut c, &what, &costs, get(case, "costs"));
        check_parameters(&mut c, &what, &params, get(case, "parameters"));
    }
    done("l_layer_model", &c);
}

// ---------------------------------------------------------------------------------------------
// Shape misuse: every panic message must contain "shape" (and both shapes).

// Shape misuse: each test expects the step function's own message (naming both shapes), so
// a check deleted from steps.rs fails its test even where ndarray would panic later with its
// own "incompatible shapes" message.

fn ones(r: usize, c: usize) -> Array2<f64> {
    Array2::ones((r, c))
}

#[test]
#[should_panic(
    expected = "linear_forward: W has shape (1, 4) but A has shape (3, 2): W's columns must equal A's rows"
)]
fn linear_forward_rejects_w_columns_not_equal_to_a_rows() {
    let _ = linear_forward(&ones(3, 2), &ones(1, 4), &ones(1, 1));
}

#[test]
#[should_panic(
    expected = "linear_forward: b has shape (3, 1) but W has shape (2, 3): b must be (2, 1)"
)]
fn linear_forward_rejects_b_rows_not_equal_to_w_rows() {
    let _ = linear_forward(&ones(3, 2), &ones(2, 3), &ones(3, 1));
}

#[test]
#[should_panic(expected = "linear_forward: W has shape (4, 5) but A has shape (3, 2)")]
fn linear_activation_forward_rejects_mismatched_w() {
    let _ = linear_activation_forward(&ones(3, 2), &ones(4, 5), &ones(4, 1), Activation::Relu);
}

#[test]
#[should_panic(expected = "linear_forward: W has shape (4, 5) but A has shape (6, 3)")]
fn l_model_forward_rejects_x_with_wrong_number_of_features() {
    let params = Parameters::new(vec![(ones(4, 5), ones(4, 1)), (ones(1, 4), ones(1, 1))]);
    let _ = l_model_forward(&ones(6, 3), &params);
}

#[test]
#[should_panic(expected = "linear_forward: W has shape (4, 5) but A has shape (3, 3)")]
fn predict_rejects_x_with_wrong_number_of_features() {
    let params = Parameters::new(vec![(ones(4, 5), ones(4, 1)), (ones(1, 4), ones(1, 1))]);
    let _ = predict(&ones(3, 3), &params);
}

#[test]
#[should_panic(expected = "compute_cost: AL has shape (1, 3) but Y has shape (1, 2)")]
fn compute_cost_rejects_al_and_y_of_different_shapes() {
    let _ = compute_cost(&array![[0.8, 0.9, 0.4]], &array![[1.0, 1.0]]);
}

#[test]
#[should_panic(
    expected = "linear_backward: dZ has shape (2, 4) but W has shape (3, 5) and A_prev (5, 4)"
)]
fn linear_backward_rejects_dz_rows_not_equal_to_w_rows() {
    let cache = LinearCache {
        a_prev: ones(5, 4),
        w: ones(3, 5),
        b: ones(3, 1),
    };
    let _ = linear_backward(&ones(2, 4), &cache);
}

#[test]
#[should_panic(
    expected = "linear_backward: dZ has shape (3, 6) but W has shape (3, 5) and A_prev (5, 4)"
)]
fn linear_backward_rejects_dz_columns_not_equal_to_examples() {
    let cache = LinearCache {
        a_prev: ones(5, 4),
        w: ones(3, 5),
        b: ones(3, 1),
    };
    let _ = linear_backward(&ones(3, 6), &cache);
}

#[test]
#[should_panic(expected = "sigmoid_backward: dA has shape (2, 3) but Z has shape (3, 2)")]
fn sigmoid_backward_rejects_da_and_z_of_different_shapes() {
    let _ = sigmoid_backward(&ones(2, 3), &ones(3, 2));
}

#[test]
#[should_panic(expected = "relu_backward: dA has shape (2, 3) but Z has shape (2, 4)")]
fn relu_backward_rejects_da_and_z_of_different_shapes() {
    let _ = relu_backward(&ones(2, 3), &ones(2, 4));
}

#[test]
#[should_panic(expected = "tanh_backward: dA has shape (1, 3) but Z has shape (3, 1)")]
fn tanh_backward_rejects_da_and_z_of_different_shapes() {
    let _ = tanh_backward(&ones(1, 3), &ones(3, 1));
}

#[test]
#[should_panic(
    expected = "layer_dims [3, 0, 1] has 0 units at position 1: every layer (the input included) needs at least one unit"
)]
fn initialize_parameters_deep_refuses_a_layer_of_zero_units() {
    let _ = initialize_parameters_deep(&[3, 0, 1], &mut NumpyRng::new(1));
}

#[test]
#[should_panic(
    expected = "update_parameters: the parameters have 2 layers but the gradients 3: pass the gradients l_model_backward gave for these parameters"
)]
fn update_parameters_refuses_gradients_of_more_layers() {
    // The first two layers' gradients fit: only the count tells them apart.
    let x = array![[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]];
    let y = array![[1.0, 0.0, 1.0]];
    let deeper = initialize_parameters_deep(&[2, 4, 1, 1], &mut NumpyRng::new(1));
    let (al, caches) = l_model_forward(&x, &deeper);
    let grads = l_model_backward(&al, &y, &caches);
    let params = initialize_parameters_deep(&[2, 4, 1], &mut NumpyRng::new(1));
    let _ = update_parameters(params, &grads, 0.1);
}

#[test]
#[should_panic(expected = "softmax_backward: dA has shape (3, 2) but Z has shape (2, 3)")]
fn softmax_backward_rejects_da_and_z_of_different_shapes() {
    let _ = softmax_backward(&ones(3, 2), &ones(2, 3));
}

/// A softmax layer through the step functions: each column of `A` is a distribution (even for
/// scores whose `exp` overflows), and `dA = -Y / A` gives `dZ = A - Y`.
#[test]
fn softmax_steps_give_distributions_and_the_cross_entropy_gradient() {
    let x = array![[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]];
    let w = array![[2.0, 1.0], [-1.0, 3.0], [0.5, -0.5], [400.0, 400.0]];
    let b = array![[0.1], [0.0], [-0.2], [0.0]];
    let (a, cache) = linear_activation_forward(&x, &w, &b, Activation::Softmax);
    let (direct, _) = softmax(&cache.z);
    assert_eq!(a, direct);
    for (j, column) in a.columns().into_iter().enumerate() {
        assert!((column.sum() - 1.0).abs() < 1e-15, "column {j}: {column}");
        let z = cache.z.column(j);
        let max = z.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
        for (c, (&p, &zc)) in column.iter().zip(z).enumerate() {
            assert!(
                (p - (zc - max).exp() / sum).abs() < 1e-15,
                "A[{c}, {j}] = {p}"
            );
        }
    }
    // Labels whose probabilities are not underflowed: column 1 (z = -480 for class 3).
    let y = array![
        [0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 1.0]
    ];
    let da = -&y / &a;
    let (_, dw, db) = linear_activation_backward(&da, &cache, Activation::Softmax);
    let dz = &a - &y;
    let m = 3.0;
    let want_dw = dz.dot(&x.t()) / m;
    let want_db = dz.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1)) / m;
    for (got, want) in dw.iter().chain(&db).zip(want_dw.iter().chain(&want_db)) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
}
