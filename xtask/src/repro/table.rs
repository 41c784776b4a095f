//! The side-by-side table of `cargo xtask repro`: one row per compared quantity, a verdict per
//! set-up, and the summary that decides the command's exit.

use anyhow::{bail, Result};

/// One line of the side-by-side table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Set-up name.
    pub setup: String,
    /// What is compared.
    pub quantity: String,
    /// Expected value, formatted.
    pub expected: String,
    /// Obtained value, formatted.
    pub got: String,
    /// got - expected, for numbers.
    pub diff: Option<f64>,
    /// Whether it is within tolerance.
    pub ok: bool,
}

impl Row {
    /// A comparison of two texts (e.g. layer sizes): ok when they are equal.
    pub fn text(setup: &str, quantity: &str, expected: String, got: String) -> Row {
        Row {
            setup: setup.to_string(),
            quantity: quantity.to_string(),
            ok: expected == got,
            expected,
            got,
            diff: None,
        }
    }

    /// A numeric comparison within `tol`; a missing value is a mismatch.
    pub fn number(setup: &str, quantity: &str, expected: f64, got: Option<f64>, tol: f64) -> Row {
        let diff = got.map(|g| g - expected);
        Row {
            setup: setup.to_string(),
            quantity: quantity.to_string(),
            expected: format!("{expected:.9}"),
            got: got.map_or_else(|| "missing".to_string(), |g| format!("{g:.9}")),
            diff,
            ok: diff.is_some_and(|d| d.abs() <= tol),
        }
    }
}

/// The result of checking one entry.
#[derive(Debug)]
pub enum Verdict {
    /// Ran and compared; the rows say what matched.
    Compared(Vec<Row>),
    /// The run itself failed.
    Failed(String),
}

/// Prints the side-by-side table of all verdicts.
pub fn print_table(verdicts: &[(String, Verdict)]) {
    println!();
    println!(
        "{:<14} {:<16} {:>20} {:>20} {:>10}  ok",
        "set-up", "quantity", "expected", "got", "difference"
    );
    println!("{}", "-".repeat(88));
    for (name, verdict) in verdicts {
        match verdict {
            Verdict::Compared(rows) => {
                for r in rows {
                    println!(
                        "{:<14} {:<16} {:>20} {:>20} {:>10}  {}",
                        r.setup,
                        r.quantity,
                        r.expected,
                        r.got,
                        r.diff.map_or_else(String::new, |d| format!("{d:.2e}")),
                        if r.ok { "ok" } else { "MISMATCH" }
                    );
                }
            }
            Verdict::Failed(why) => {
                println!("{name:<12} FAILED TO RUN: {why}");
            }
        }
    }
    println!();
}

/// Turns the verdicts into the command's result, with a one-line-per-set-up summary.
pub fn summarize(verdicts: &[(String, Verdict)]) -> Result<()> {
    let mut bad = Vec::new();
    for (name, verdict) in verdicts {
        let line = match verdict {
            Verdict::Compared(rows) => {
                let mismatches = rows.iter().filter(|r| !r.ok).count();
                if mismatches > 0 {
                    bad.push(name.clone());
                    format!("MISMATCH ({mismatches} of {} values)", rows.len())
                } else {
                    format!("ok ({} values)", rows.len())
                }
            }
            Verdict::Failed(_) => {
                bad.push(name.clone());
                "FAILED TO RUN".to_string()
            }
        };
        println!("repro: {name:<12} {line}");
    }
    if bad.is_empty() {
        Ok(())
    } else {
        bail!(
            "the reproducibility check failed for: {} (see the table above)",
            bad.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_within_the_tolerance_and_a_missing_one_never_does() {
        assert!(Row::number("s", "q", 1.0, Some(1.0 + 1e-7), 1e-6).ok);
        assert!(!Row::number("s", "q", 1.0, Some(1.0 + 2e-6), 1e-6).ok);
        let missing = Row::number("s", "q", 1.0, None, 1.0);
        assert!(!missing.ok && missing.got == "missing");
        assert!(Row::text("s", "layers", "[2, 1]".into(), "[2, 1]".into()).ok);
        assert!(!Row::text("s", "layers", "[2, 1]".into(), "[3, 1]".into()).ok);
    }

    #[test]
    fn one_mismatch_or_failed_run_fails_the_summary() {
        let good = || Verdict::Compared(vec![Row::number("a", "q", 1.0, Some(1.0), 0.0)]);
        assert!(summarize(&[("a".into(), good())]).is_ok());
        let bad = Verdict::Compared(vec![Row::number("b", "q", 1.0, Some(2.0), 0.0)]);
        let err = summarize(&[("a".into(), good()), ("b".into(), bad)]).unwrap_err();
        assert!(err.to_string().contains("failed for: b"), "{err}");
        assert!(summarize(&[("c".into(), Verdict::Failed("boom".into()))]).is_err());
    }
}
