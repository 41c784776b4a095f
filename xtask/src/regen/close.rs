//! A fixture regenerated where numpy's OpenBLAS runs other kernels than the committed fixtures
//! were made with ([`super::COMMITTED_BLAS_KERNELS`]; a machine may set `OPENBLAS_CORETYPE`,
//! which xtask never changes). Its floats then differ in the last bits, so `regen --check`
//! compares a file that depends on BLAS value by value, to a relative [`TOLERANCE`], instead of
//! byte for byte.
//!
//! Some results move by more than the last bits: `gen_repro.py` records, beside them, what
//! one-ulp perturbations of the inputs reach (`reached_under_one_ulp`,
//! `cost_spread_under_one_ulp`). Such an entry's accuracy may differ only to one its committed
//! spread holds, and its costs only by their committed spread; the spreads themselves, made
//! with other kernels, may differ. Those differences are listed, not failed.

use serde_json::{Map, Value};

/// The largest relative difference allowed between a committed and a regenerated float (the
/// fixtures regenerated on OpenBLAS's Haswell kernels, against the SkylakeX ones, differ by at
/// most 3.2e-14). Relative only: a committed 0 must stay 0.
pub const TOLERANCE: f64 = 1e-12;

/// How a regenerated JSON fixture compares with the committed one, when every value is close.
#[derive(Debug, Default, PartialEq)]
pub struct Closeness {
    /// The largest relative difference between two floats compared to [`TOLERANCE`], and its
    /// JSON path; `None` when they are all equal.
    pub largest: Option<(f64, String)>,
    /// The JSON paths of the values that differ by more, within their committed one-ulp
    /// spreads (and of the spreads that differ).
    pub within_spread: Vec<String>,
}

/// Compares two JSON fixtures value by value: the same keys, lengths, strings, booleans and
/// integers, floats within [`TOLERANCE`] of each other (relative), and the results of an entry
/// that records its one-ulp spreads within those spreads. `Err` names the first value that is
/// not close, or says that a file is not JSON.
pub fn compare(old: &[u8], new: &[u8]) -> Result<Closeness, String> {
    let parse = |bytes: &[u8], which: &str| {
        serde_json::from_slice::<Value>(bytes)
            .map_err(|e| format!("the {which} file is not JSON ({e})"))
    };
    let (a, b) = (parse(old, "committed")?, parse(new, "regenerated")?);
    let mut closeness = Closeness::default();
    walk(&a, &b, "$".to_string(), &mut closeness)?;
    Ok(closeness)
}

fn walk(a: &Value, b: &Value, path: String, found: &mut Closeness) -> Result<(), String> {
    let differ = |why: String| Err(format!("{path}: {why}"));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                return differ(format!(
                    "committed keys {:?}, regenerated {:?}",
                    x.keys().collect::<Vec<_>>(),
                    y.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in x {
                let here = format!("{path}.{k}");
                match within_spread(x, k, v, &y[k], &here)? {
                    Some(true) => found.within_spread.push(here),
                    Some(false) => {}
                    None => walk(v, &y[k], here, found)?,
                }
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return differ(format!(
                    "committed length {}, regenerated {}",
                    x.len(),
                    y.len()
                ));
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                walk(v, w, format!("{path}[{i}]"), found)?;
            }
            Ok(())
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() != y.is_f64() => differ(format!(
            "committed {a}, regenerated {b} (an integer and a float)"
        )),
        (Value::Number(x), Value::Number(y)) if x.is_f64() => {
            // serde_json holds no NaN or infinity: both are finite.
            let (p, q) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let relative = relative(p, q);
            if relative > TOLERANCE {
                return differ(format!(
                    "committed {a}, regenerated {b} (a relative difference of {relative:.1e}, \
                     more than {TOLERANCE:e})"
                ));
            }
            if relative > found.largest.as_ref().map_or(0.0, |(r, _)| *r) {
                found.largest = Some((relative, path));
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => differ(format!("committed {a}, regenerated {b}")),
    }
}

fn relative(p: f64, q: f64) -> f64 {
    if p == q {
        0.0
    } else {
        (p - q).abs() / p.abs().max(q.abs())
    }
}

/// The value `k` of a `gen_repro.py` entry (`entry`, the committed one) that its recorded
/// one-ulp spreads cover: `Some(true)` when it differs within them, `Some(false)` when it is
/// equal, `Err` when it differs by more; `None` for any other value (compared as usual).
fn within_spread(
    entry: &Map<String, Value>,
    k: &str,
    old: &Value,
    new: &Value,
    path: &str,
) -> Result<Option<bool>, String> {
    let Some(reached) = entry.get("reached_under_one_ulp") else {
        return Ok(None);
    };
    let same = old == new;
    let beyond = |why: String| Err(format!("{path}: {why}"));
    match k {
        // The spreads themselves, made with other kernels.
        "reached_under_one_ulp" | "cost_spread_under_one_ulp" => Ok(Some(!same)),
        // The flower runs: [[n_h, accuracy], ...], reached [[n_h, [accuracies]], ...].
        "accuracies" => {
            let pairs = |v: &Value| -> Option<Vec<(Value, Value)>> {
                v.as_array()?
                    .iter()
                    .map(|p| Some((p.get(0)?.clone(), p.get(1)?.clone())))
                    .collect()
            };
            let (Some(x), Some(y), Some(spread)) = (pairs(old), pairs(new), pairs(reached)) else {
                return beyond("not a list of [n_h, accuracy] with its one-ulp spread".into());
            };
            if x.len() != y.len() {
                return beyond(format!(
                    "committed length {}, regenerated {}",
                    x.len(),
                    y.len()
                ));
            }
            for ((n, p), (m, q)) in x.iter().zip(&y) {
                let held = spread.iter().find(|(s, _)| s == n).map(|(_, r)| r);
                let in_spread = held
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.contains(q));
                if n != m || (p != q && !in_spread) {
                    return beyond(format!(
                        "committed [{n}, {p}], regenerated [{m}, {q}], which the committed \
                         one-ulp spread {} does not hold",
                        held.map_or("(none)".to_string(), Value::to_string)
                    ));
                }
            }
            Ok(Some(!same))
        }
        // The moons runs: one accuracy, reached [accuracies].
        "accuracy" => {
            let in_spread = reached.as_array().is_some_and(|r| r.contains(new));
            if !same && !in_spread {
                return beyond(format!(
                    "committed {old}, regenerated {new}, which the committed one-ulp spread \
                     {reached} does not hold"
                ));
            }
            Ok(Some(!same))
        }
        // [[iteration, cost], ...], each cost within its committed spread of the committed one.
        "costs" => {
            let Some(spread) = entry
                .get("cost_spread_under_one_ulp")
                .and_then(Value::as_array)
                .and_then(|s| s.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>())
            else {
                return Ok(None);
            };
            let pairs = |v: &Value| -> Option<Vec<(f64, f64)>> {
                v.as_array()?
                    .iter()
                    .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect()
            };
            let (Some(x), Some(y)) = (pairs(old), pairs(new)) else {
                return beyond("not a list of [iteration, cost]".into());
            };
            if x.len() != y.len() || x.len() != spread.len() {
                return beyond(format!(
                    "committed {} costs, regenerated {}, for {} spreads",
                    x.len(),
                    y.len(),
                    spread.len()
                ));
            }
            let mut moved = false;
            for (i, ((&(n, p), &(m, q)), &d)) in x.iter().zip(&y).zip(&spread).enumerate() {
                if n != m || (p - q).abs() > d + TOLERANCE * p.abs().max(q.abs()) {
                    return Err(format!(
                        "{path}[{i}]: committed [{n}, {p}], regenerated [{m}, {q}] (more than \
                         its committed one-ulp spread, {d:.1e})"
                    ));
                }
                moved |= relative(p, q) > TOLERANCE;
            }
            Ok(Some(moved))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_within_the_tolerance_pass_and_the_largest_difference_is_named() {
        let old = br#"{"costs": [[0, 0.7717493284237688], [100, 0.5]], "n": 3, "v": "2.4.6"}"#;
        let new = br#"{"costs": [[0, 0.7717493284237686], [100, 0.5]], "n": 3, "v": "2.4.6"}"#;
        let c = compare(old, new).expect("close");
        let (relative, at) = c.largest.expect("a difference");
        assert_eq!(at, "$.costs[0][1]");
        assert!(relative > 1e-16 && relative < 1e-15, "{relative}");
        assert!(c.within_spread.is_empty());
        assert_eq!(compare(old, old), Ok(Closeness::default()));
    }

    #[test]
    fn anything_else_that_differs_fails_naming_its_path() {
        let e = compare(br#"{"a": [0.5, 1.0]}"#, br#"{"a": [0.5, 1.000000001]}"#).unwrap_err();
        assert!(
            e.starts_with(
                "$.a[1]: committed 1.0, regenerated 1.000000001 (a relative difference of 1.0e-9"
            ),
            "{e}"
        );
        for (old, new, at) in [
            (r#"{"n": 3}"#, r#"{"n": 4}"#, "$.n: committed 3, regenerated 4"),
            (
                r#"{"n": 3.0}"#,
                r#"{"n": 3}"#,
                "$.n: committed 3.0, regenerated 3 (an integer and a float)",
            ),
            (
                r#"{"z": 0.0}"#,
                r#"{"z": 1e-300}"#,
                "$.z: committed 0.0, regenerated 1e-300 (a relative difference of 1.0e0, more than 1e-12)",
            ),
            (r#"{"v": "a"}"#, r#"{"v": "b"}"#, r#"$.v: committed "a", regenerated "b""#),
            (r#"{"a": [1]}"#, r#"{"a": [1, 2]}"#, "$.a: committed length 1, regenerated 2"),
            (r#"{"a": 1}"#, r#"{"b": 1}"#, r#"$: committed keys ["a"], regenerated ["b"]"#),
        ] {
            assert_eq!(compare(old.as_bytes(), new.as_bytes()).unwrap_err(), at);
        }
        assert!(compare(b"{", b"{}")
            .unwrap_err()
            .starts_with("the committed file is not JSON"));
    }

    /// A flower entry of repro.json, its n_h = 50 accuracy and its cost at iteration 1000 as
    /// given.
    fn entry(accuracy: f64, reached: &str, cost: f64, spread: f64) -> Vec<u8> {
        format!(
            r#"{{"entries": [{{"accuracies": [[4, 90.5], [50, {accuracy:?}]], "reached_under_one_ulp": [[4, [90.5]], [50, {reached}]], "costs": [[0, 0.69], [1000, {cost:?}]], "cost_spread_under_one_ulp": [0.0, {spread:?}], "published": [[50, 90.25]]}}]}}"#
        )
        .into_bytes()
    }

    #[test]
    fn results_may_move_within_their_committed_one_ulp_spread_and_no_further() {
        let old = entry(90.25, "[90.25, 90.75]", 0.21942666375489162, 8.5e-5);
        // Another accuracy that the spread holds, a cost within its spread, another spread.
        let new = entry(90.75, "[90.75]", 0.2194408709894632, 7.3e-5);
        assert_eq!(
            compare(&old, &new)
                .expect("within the spreads")
                .within_spread,
            [
                "$.entries[0].accuracies",
                "$.entries[0].cost_spread_under_one_ulp",
                "$.entries[0].costs",
                "$.entries[0].reached_under_one_ulp",
            ]
        );
        // An accuracy the committed spread does not hold.
        let e = compare(&old, &entry(90.0, "[90.0]", 0.21942666375489162, 8.5e-5)).unwrap_err();
        assert!(
            e.starts_with("$.entries[0].accuracies: committed [50, 90.25], regenerated [50, 90.0]"),
            "{e}"
        );
        // A cost beyond the committed spread, whatever the regenerated spread says.
        let e = compare(&old, &entry(90.25, "[90.25, 90.75]", 0.2196, 1.0)).unwrap_err();
        assert!(
            e.starts_with("$.entries[0].costs[1]: committed [1000, 0.21942666375489162]"),
            "{e}"
        );
        // The published numbers are compared as any value.
        let mut moved = String::from_utf8(old.clone()).expect("utf-8");
        moved = moved.replace(
            r#""published": [[50, 90.25]]"#,
            r#""published": [[50, 90.75]]"#,
        );
        assert!(compare(&old, moved.as_bytes())
            .unwrap_err()
            .starts_with("$.entries[0].published[0][1]"));
        // A moons entry's one accuracy: within its spread only.
        let moons =
            |a: f64| format!(r#"{{"accuracy": {a}, "reached_under_one_ulp": [0.94, 0.95]}}"#);
        assert!(compare(moons(0.94).as_bytes(), moons(0.95).as_bytes()).is_ok());
        assert!(compare(moons(0.94).as_bytes(), moons(0.5).as_bytes()).is_err());
    }
}
