//! Numbers written by hand (`--parse-numbers`, [`LoadOptions::parse_numbers`]), as R readr's
//! `parse_number` reads them: a table written with currency signs, percent signs, thousands
//! separators and a Unicode minus reads as the same table written plainly, labels and a
//! regression's target included, and with `--decimal-comma` as the same table written with
//! `1.234,5`; refused without the flag, with the flag named; what stays ambiguous or is no
//! number is refused with it.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::Task;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// How a table's numbers are written.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Plainly, cells separated by commas: `1237.07`, `10.5`, `3037141`, `-3.25`.
    Plain,
    /// By hand, cells separated by commas: `$1,237.07`, `10.5%`, `3 037 141` or
    /// `3'037'141`, `−3.25`.
    Hand,
    /// By hand where a comma marks decimals, cells separated by semicolons: `1.237,07 €`,
    /// `10,5 %`, `3 037 141` (narrow no-break spaces) or `3_037_141`, `−3,25`.
    Eu,
}

/// `n` with `separator` between its groups of three digits: `3037141` -> `3,037,141`.
fn grouped(n: u64, separator: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// 30 rows of a price, a share in percent, a count, a small negative number, a colour and
/// `y`, the target: a price (`regress`) or a class, written in `style`.
fn table(style: Style, regress: bool) -> String {
    let sep = if style == Style::Eu { ";" } else { "," };
    let mut s = ["price", "share", "count", "change", "colour", "y"].join(sep);
    s.push('\n');
    for r in 0..30u64 {
        let (whole, cents) = (1000 + r * 1237, (r * 7) % 100);
        let price = match style {
            Style::Plain => format!("{whole}.{cents:02}"),
            Style::Hand => format!("\"${}.{cents:02}\"", grouped(whole, ",")),
            Style::Eu => format!("{},{cents:02} €", grouped(whole, ".")),
        };
        let share = match style {
            Style::Plain => format!("{}.5", r * 3),
            Style::Hand => format!("{}.5%", r * 3),
            Style::Eu => format!("{},5 %", r * 3),
        };
        let n = r * 104_729;
        let count = match (style, r % 2) {
            (Style::Plain, _) => n.to_string(),
            (Style::Hand, 0) => grouped(n, " "),
            (Style::Hand, _) => grouped(n, "'"),
            (Style::Eu, 0) => grouped(n, "\u{202f}"),
            (Style::Eu, _) => grouped(n, "_"),
        };
        let change = match style {
            Style::Plain => format!("-{}.25", r % 5),
            Style::Hand => format!("\u{2212}{}.25", r % 5),
            Style::Eu => format!("\u{2212}{},25", r % 5),
        };
        let colour = ["red", "blue"][(r % 2) as usize].to_owned();
        let y = match (regress, style) {
            (false, _) => ["cheap", "dear"][(r % 3 == 0) as usize].to_owned(),
            (true, Style::Plain) => format!("{}.50", 1000 + r * 311),
            (true, Style::Hand) => format!("\"${}.50\"", grouped(1000 + r * 311, ",")),
            (true, Style::Eu) => format!("{},50 €", grouped(1000 + r * 311, ".")),
        };
        s.push_str(&[price, share, count, change, colour, y].join(sep));
        s.push('\n');
    }
    s
}

fn options(task: Task, parse_numbers: bool, decimal_comma: bool) -> LoadOptions {
    LoadOptions {
        task,
        parse_numbers,
        decimal_comma,
        ..LoadOptions::default()
    }
}

#[test]
fn the_price_column_is_written_as_intended() {
    let text = table(Style::Hand, true);
    let row = text.lines().nth(2).unwrap();
    assert_eq!(
        row,
        "\"$2,237.07\",3.5%,104'729,\u{2212}1.25,blue,\"$1,311.50\""
    );
    let eu = table(Style::Eu, true);
    assert_eq!(
        eu.lines().nth(2).unwrap(),
        "2.237,07 €;3,5 %;104_729;\u{2212}1,25;blue;1.311,50 €"
    );
}

#[test]
fn a_table_written_by_hand_reads_as_the_same_table_written_plainly() {
    let dir = tempfile::tempdir().unwrap();
    for regress in [false, true] {
        let task = if regress {
            Task::Regress
        } else {
            Task::Classify
        };
        let plain = write(dir.path(), "plain.csv", &table(Style::Plain, regress));
        let hand = write(dir.path(), "hand.csv", &table(Style::Hand, regress));
        let eu = write(dir.path(), "eu.csv", &table(Style::Eu, regress));
        let b = load(&plain, &options(task, false, false)).unwrap();
        for (path, decimal_comma) in [(&hand, false), (&eu, true)] {
            let a = load(path, &options(task, true, decimal_comma)).unwrap();
            let at = format!("{} regress {regress}", path.display());
            assert_eq!(a.train_x, b.train_x, "{at}");
            assert_eq!(a.test_x, b.test_x, "{at}");
            assert_eq!(a.train_labels, b.train_labels, "{at}");
            assert_eq!(a.test_labels, b.test_labels, "{at}");
            assert_eq!(a.train_values, b.train_values, "{at}");
            assert_eq!(a.test_values, b.test_values, "{at}");
            assert_eq!(a.spec, b.spec, "{at}");
            assert_eq!(a.is_regression(), regress);
            assert!(a.source.parse_numbers && !b.source.parse_numbers);
        }
        // The flag still reads plain numbers.
        let c = load(&plain, &options(task, true, false)).unwrap();
        assert_eq!((c.train_x, c.train_values), (b.train_x, b.train_values));
    }
}

#[test]
fn without_the_flag_a_number_written_by_hand_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let hand = write(dir.path(), "hand.csv", &table(Style::Hand, true));
    let err = load(&hand, &options(Task::Auto, false, false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 1 (line 2), column `price`: `$1,000.00` is not a number as dnn reads them; \
             write it plainly (1000.00), or read such cells as numbers with --parse-numbers, \
             or read the column as text with --one-hot price"
        ),
        "{err}"
    );
    // A regression's target too, and prices are not made a class each.
    let drop = ["price", "share", "count", "change"]
        .map(String::from)
        .to_vec();
    for task in [Task::Auto, Task::Regress] {
        let err = load(
            &hand,
            &LoadOptions {
                drop_columns: drop.clone(),
                ..options(task, false, false)
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(
                "row 1 (line 2), column `y`: the label `$1,000.50` is a number written by hand, \
                 and so are 30 of its 30 labels; read such cells as numbers with \
                 --parse-numbers, or write them plainly (1000.50)"
            ),
            "{err}"
        );
    }
    // Where a comma marks decimals, the flags that read it are both named.
    let eu = write(dir.path(), "eu.csv", &table(Style::Eu, true));
    let err = load(&eu, &options(Task::Auto, false, false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "`1.000,00 €` is not a number as dnn reads them; write it plainly (1000.00), or \
             read such cells as numbers with --decimal-comma --parse-numbers"
        ),
        "{err}"
    );
    let err = load(&eu, &options(Task::Auto, true, false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("or read such cells as numbers with --decimal-comma,"),
        "{err}"
    );
}

#[test]
fn a_comma_before_three_digits_is_a_thousand_but_with_a_decimal_comma() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", "x;y\n1,000;a\n2;b\n3;a\n4;b\n");
    let first = |decimal_comma| {
        let data = load(
            &path,
            &LoadOptions {
                parts: dnn_data::dataset::Parts::Whole,
                ..options(Task::Classify, true, decimal_comma)
            },
        )
        .unwrap();
        data.test_x[[0, 0]]
    };
    assert_eq!(first(false), 1000.0);
    assert_eq!(first(true), 1.0);
}

#[test]
fn with_the_flag_an_ambiguous_number_or_text_is_still_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (cell, said) in [
        // A decimal comma without --decimal-comma, or a thousands separator.
        (
            "\"1,5\"",
            "`1,5` is not a number as dnn reads them; write it plainly (1.5), or read the \
             column as text with --one-hot x",
        ),
        // Indian grouping, and separators not between groups of three.
        (
            "\"1,23,456\"",
            "`1,23,456` is not a number as dnn reads them; write it plainly (123456), or",
        ),
        (
            "1 2 3",
            "`1 2 3` is not a number as dnn reads them; write it plainly (123), or",
        ),
        (
            "12 apples",
            "`12 apples` is not a number, in a column of numbers",
        ),
    ] {
        let text = format!("x,y\n7,a\n{cell},b\n3,a\n4,b\n");
        let path = write(dir.path(), "t.csv", &text);
        let err = load(&path, &options(Task::Auto, true, false))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("row 2 (line 3), column `x`: {said}")),
            "{cell}: {err}"
        );
        assert!(!err.contains("--parse-numbers"), "{cell}: {err}");
    }
    // A label that stays ambiguous: refused as before.
    let path = write(
        dir.path(),
        "y.csv",
        "x,y\n1,$1.5\n2,\"$2,5\"\n3,$3.5\n4,$4.5\n",
    );
    let err = load(&path, &options(Task::Regress, true, false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the target `$2,5` is not a number") && err.contains("(2.5)"),
        "{err}"
    );
    assert!(!err.contains("--parse-numbers"), "{err}");
}
