//! A fixture regenerated where numpy's OpenBLAS runs other kernels than the committed fixtures
//! were made with ([`super::COMMITTED_BLAS_KERNELS`]; a machine may set `OPENBLAS_CORETYPE`,
//! which xtask never changes). Its floats then differ in the last bits, so `regen --check`
//! compares it value by value, to a relative [`TOLERANCE`], instead of byte for byte. The values
//! that record what one-ulp perturbations reach ([`KERNEL_SENSITIVE`]) may differ by more; they
//! are listed, not failed.

use serde_json::Value;

/// The largest relative difference allowed between a committed and a regenerated float (the
/// numpy fixtures regenerated on OpenBLAS's Haswell kernels, against the SkylakeX ones, differ
/// by at most 2.4e-14).
pub const TOLERANCE: f64 = 1e-12;

/// Keys whose values depend on the kernels beyond the last bits: the accuracies and cost
/// spreads that one-ulp perturbations of the inputs reach (`gen_repro.py`), and the flower
/// sweep's accuracies, which those spreads show to be that sensitive (n_h = 50 gives 90.25 %
/// on the SkylakeX kernels and 90.75 % on the Haswell ones, both within its one-ulp spread).
/// An entry's `costs` beside a `cost_spread_under_one_ulp` may differ by that spread.
pub const KERNEL_SENSITIVE: [&str; 3] = [
    "reached_under_one_ulp",
    "cost_spread_under_one_ulp",
    "accuracies",
];

/// How a regenerated JSON fixture compares with the committed one, when every value is close.
#[derive(Debug, Default, PartialEq)]
pub struct Closeness {
    /// The largest relative difference between two floats outside the kernel-sensitive
    /// values, and its JSON path; `None` when they are all equal.
    pub largest: Option<(f64, String)>,
    /// The JSON paths of the kernel-sensitive values that differ.
    pub sensitive: Vec<String>,
}

/// Compares two JSON fixtures value by value: the same keys, lengths, strings, booleans and
/// integers, and floats within [`TOLERANCE`] of each other (relative), except the
/// [`KERNEL_SENSITIVE`] values. `Err` names the first value that is not close, or says that a
/// file is not JSON.
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
                if KERNEL_SENSITIVE.contains(&k.as_str()) {
                    if v != &y[k] {
                        found.sensitive.push(here);
                    }
                    continue;
                }
                if k == "costs" {
                    if let (Some(s), Some(t)) = (spread(x), spread(y)) {
                        costs_within_spread(v, &y[k], (&s, &t), here, found)?;
                        continue;
                    }
                }
                walk(v, &y[k], here, found)?;
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
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (p, q) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            let relative = if p == q {
                0.0
            } else {
                (p - q).abs() / p.abs().max(q.abs())
            };
            // NaN fails here too: a fixture holds no NaN.
            if relative.is_nan() || relative > TOLERANCE {
                return differ(format!(
                    "committed {p}, regenerated {q} (a relative difference of {relative:.1e}, \
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

/// An entry's `cost_spread_under_one_ulp`: how far one-ulp perturbations of its inputs move
/// each of its recorded costs.
fn spread(entry: &serde_json::Map<String, Value>) -> Option<Vec<f64>> {
    entry
        .get("cost_spread_under_one_ulp")?
        .as_array()?
        .iter()
        .map(Value::as_f64)
        .collect()
}

/// An entry's `[[iteration, cost], ...]`, each cost within the larger of its two one-ulp
/// spreads (`s`, `t`) of the committed one, as well as [`TOLERANCE`]: a run whose cost one ulp
/// moves by 8.5e-5 is only known to that much. A cost beyond the tolerance is listed as
/// kernel-sensitive.
fn costs_within_spread(
    a: &Value,
    b: &Value,
    (s, t): (&[f64], &[f64]),
    path: String,
    found: &mut Closeness,
) -> Result<(), String> {
    let pairs = |v: &Value| -> Option<Vec<(f64, f64)>> {
        v.as_array()?
            .iter()
            .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    let (Some(x), Some(y)) = (pairs(a), pairs(b)) else {
        return walk(a, b, path, found);
    };
    if x.len() != y.len() || x.len() != s.len() || s.len() != t.len() {
        return walk(a, b, path, found);
    }
    let mut beyond = false;
    for (i, ((&(n, p), &(m, q)), (&ds, &dt))) in x.iter().zip(&y).zip(s.iter().zip(t)).enumerate() {
        let allowed = ds.max(dt) + TOLERANCE * p.abs().max(q.abs());
        if n != m || (p - q).abs() > allowed {
            return Err(format!(
                "{path}[{i}]: committed [{n}, {p}], regenerated [{m}, {q}] (more than its one-ulp \
                 spread, {:.1e})",
                ds.max(dt)
            ));
        }
        beyond |= (p - q).abs() > TOLERANCE * p.abs().max(q.abs());
    }
    if beyond {
        found.sensitive.push(path);
    }
    Ok(())
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
        assert!(c.sensitive.is_empty());
        assert_eq!(compare(old, old), Ok(Closeness::default()));
    }

    #[test]
    fn anything_else_that_differs_fails_naming_its_path() {
        let e = compare(br#"{"a": [0.5, 1.0]}"#, br#"{"a": [0.5, 1.000000001]}"#).unwrap_err();
        assert!(
            e.starts_with(
                "$.a[1]: committed 1, regenerated 1.000000001 (a relative difference of 1.0e-9"
            ),
            "{e}"
        );
        for (old, new, at) in [
            (
                r#"{"n": 3}"#,
                r#"{"n": 4}"#,
                "$.n: committed 3, regenerated 4",
            ),
            (
                r#"{"v": "a"}"#,
                r#"{"v": "b"}"#,
                r#"$.v: committed "a", regenerated "b""#,
            ),
            (
                r#"{"a": [1]}"#,
                r#"{"a": [1, 2]}"#,
                "$.a: committed length 1, regenerated 2",
            ),
            (
                r#"{"a": 1}"#,
                r#"{"b": 1}"#,
                r#"$: committed keys ["a"], regenerated ["b"]"#,
            ),
        ] {
            assert_eq!(compare(old.as_bytes(), new.as_bytes()).unwrap_err(), at);
        }
        assert!(compare(b"{", b"{}")
            .unwrap_err()
            .starts_with("the committed file is not JSON"));
    }

    #[test]
    fn kernel_sensitive_values_may_differ_and_are_listed() {
        let old = br#"{"entries": [{"accuracies": [[50, 90.25]], "reached_under_one_ulp": [[50, [90.25, 90.75]]], "published": [[50, 90.25]]}]}"#;
        let new = br#"{"entries": [{"accuracies": [[50, 90.75]], "reached_under_one_ulp": [[50, [90.75]]], "published": [[50, 90.25]]}]}"#;
        assert_eq!(
            compare(old, new).expect("close").sensitive,
            [
                "$.entries[0].accuracies",
                "$.entries[0].reached_under_one_ulp"
            ]
        );
        // A cost may move by its one-ulp spread, no more.
        let old_costs = br#"{"costs": [[0, 0.69], [1000, 0.21942666375489162]], "cost_spread_under_one_ulp": [0.0, 8.5e-5]}"#;
        let new_costs = br#"{"costs": [[0, 0.69], [1000, 0.2194408709894632]], "cost_spread_under_one_ulp": [0.0, 7.3e-5]}"#;
        let c = compare(old_costs, new_costs).expect("within the spread");
        assert_eq!(c.sensitive, ["$.cost_spread_under_one_ulp", "$.costs"]);
        let far = br#"{"costs": [[0, 0.69], [1000, 0.2196]], "cost_spread_under_one_ulp": [0.0, 7.3e-5]}"#;
        assert!(compare(old_costs, far)
            .unwrap_err()
            .starts_with("$.costs[1]: committed [1000, 0.21942666375489162]"));
        // The published numbers are not kernel-sensitive.
        let moved = br#"{"entries": [{"accuracies": [[50, 90.25]], "reached_under_one_ulp": [[50, [90.25, 90.75]]], "published": [[50, 90.75]]}]}"#;
        assert!(compare(old, moved)
            .unwrap_err()
            .starts_with("$.entries[0].published[0][1]"));
    }
}
