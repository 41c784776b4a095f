//! `make_moons` / `make_circles` against scikit-learn, bit for bit
//! (expected values: `tests/reference/gen_toy.py` → `toy_expected.json`).

use dnn_core::NumpyRng;
use dnn_data::toy::{make_circles, make_moons};
use serde_json::Value;

fn as_vec(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn moons_and_circles_equal_scikit_learns_to_the_last_bit() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/toy_expected.json"
    ))
    .expect("fixture");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let mut rng = NumpyRng::new(case["seed"].as_u64().expect("seed") as u32);
        let (n, shuffle, noise) = (
            case["n"].as_u64().expect("n") as usize,
            case["shuffle"].as_bool().expect("bool"),
            case["noise"].as_f64(),
        );
        let (x, y) = match case["kind"].as_str() {
            Some("moons") => make_moons(n, shuffle, noise, &mut rng),
            _ => make_circles(
                n,
                shuffle,
                noise,
                case["factor"].as_f64().expect("factor"),
                &mut rng,
            ),
        };
        let (ex, ey) = (&case["x"], as_vec(&case["y"]));
        for r in 0..2 {
            let want = as_vec(&ex[r]);
            let got: Vec<f64> = x.row(r).to_vec();
            assert_eq!(
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "{name}: row {r} of X"
            );
        }
        assert_eq!(y.row(0).to_vec(), ey, "{name}: labels");
        assert_eq!(
            rng.randn_vec(3).to_vec(),
            as_vec(&case["randn_after"]),
            "{name}: the stream continues as numpy's"
        );
    }
}
