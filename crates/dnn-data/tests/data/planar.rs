//! The flower data set and `linspace`, bit for bit against numpy
//! (tests/reference/planar_expected.json, written by tests/reference/gen_expected.py).

use dnn_data::planar::{flower, linspace};
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_str(include_str!("../reference/planar_expected.json")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn linspace_matches_numpy_bit_for_bit() {
    let e = expected();
    let cases = e["linspace"].as_array().unwrap();
    assert_eq!(cases.len(), 7, "linspace cases in the fixture");
    for c in cases {
        let (start, stop) = (c["start"].as_f64().unwrap(), c["stop"].as_f64().unwrap());
        let num = c["num"].as_u64().unwrap() as usize;
        let got = linspace(start, stop, num).to_vec();
        let want = floats(&c["values"]);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                g.to_bits(),
                w.to_bits(),
                "linspace({start}, {stop}, {num})[{i}]: {g} vs {w}"
            );
        }
    }
    assert_eq!(linspace(0.0, 1.0, 0).len(), 0);
}

#[test]
fn flower_matches_numpy_bit_for_bit() {
    let e = expected();
    let sets = e["flower"].as_array().unwrap();
    assert_eq!(sets.len(), 2);
    for s in sets {
        let seed = s["seed"].as_u64().unwrap() as u32;
        let (x, y) = flower(seed);
        assert_eq!(x.dim(), (2, 400));
        assert_eq!(y.dim(), (1, 400));
        for (d, row) in s["x"].as_array().unwrap().iter().enumerate() {
            let want = floats(row);
            assert_eq!(want.len(), 400);
            for (i, w) in want.iter().enumerate() {
                let g = x[[d, i]];
                assert_eq!(
                    g.to_bits(),
                    w.to_bits(),
                    "seed {seed}: X[{d}, {i}] = {g}, numpy {w}"
                );
            }
        }
        let want_y = floats(&s["y"][0]);
        assert_eq!(y.row(0).to_vec(), want_y, "seed {seed}");
    }
}

#[test]
fn flower_classes_are_two_halves() {
    let (x, y) = flower(1);
    assert!(y.iter().take(200).all(|&v| v == 0.0));
    assert!(y.iter().skip(200).all(|&v| v == 1.0));
    // Petals reach at most about a = 4 plus noise.
    assert!(x.iter().all(|v| v.abs() < 6.0));
    // Deterministic, seed-dependent.
    assert_eq!(flower(1), flower(1));
    assert_ne!(flower(1).0, flower(2).0);
}
