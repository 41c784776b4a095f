//! `--parse-numbers`: a table whose numbers are written by hand (`$1,234.50`, `12%`,
//! `1 000`, `−2`) trains as the same table written plainly, the model records it, `dnn
//! predict`, `dnn evaluate` and `dnn train --from` read its files so unasked (and a plain
//! model's with the flag), `dnn export` says to read numbers as written, and `dnn describe`
//! names the flag and loads with it.

use crate::common;

use std::path::Path;

use common::{dnn_in, Run};

fn code(run: &Run, expected: i32) {
    assert_eq!(run.code, Some(expected), "{run:?}");
}

/// 40 rows of a price, a share in percent, a width (`NA` in rows 3 and 17), a change and a
/// species, written by hand (`hand`: `"$1,234.50"`, `12.5%`, `1 000`, `−2.5`) or plainly.
fn write_table(path: &Path, hand: bool) {
    let mut s = "price,share,width,change,species\n".to_owned();
    for r in 1..=40u64 {
        let kind = r % 2;
        let (thousands, rest) = (1 + kind * 2, (r * 37) % 1000);
        let price = match hand {
            true => format!("\"${thousands},{rest:03}.{:02}\"", r % 100),
            false => format!("{thousands}{rest:03}.{:02}", r % 100),
        };
        let share = format!(
            "{}.5{}",
            10 + kind * 20 + r % 7,
            if hand { "%" } else { "" }
        );
        let width = match (r, hand) {
            (3 | 17, _) => "NA".to_owned(),
            (_, true) => format!("{} {:03}", 1 + kind, (r * 3) % 1000),
            (_, false) => format!("{}{:03}", 1 + kind, (r * 3) % 1000),
        };
        let minus = if hand { "\u{2212}" } else { "-" };
        let change = format!("{minus}{}.{}", kind * 3 + r % 2, r % 10);
        let species = ["setosa", "virginica"][kind as usize];
        s.push_str(&format!("{price},{share},{width},{change},{species}\n"));
    }
    std::fs::write(path, s).expect("write");
}

#[test]
fn a_table_written_by_hand_trains_and_predicts_as_its_plain_twin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_table(&w.join("hand.csv"), true);
    write_table(&w.join("plain.csv"), false);
    let train = |data: &str, save: &str, more: &[&str]| {
        let base = [
            "train",
            "--data",
            data,
            "--fill-missing",
            "median",
            "--hidden",
            "4",
            "--iterations",
            "50",
            "--save",
            save,
        ];
        dnn_in(w, &[&base[..], more].concat())
    };
    let refused = train("hand.csv", "hand.h5", &[]);
    code(&refused, 1);
    assert!(
        refused.stderr.contains(
            "`$3,037.01` is not a number as dnn reads them; write it plainly (3037.01), or \
             read such cells as numbers with --parse-numbers, or read the column as text with \
             --one-hot price"
        ),
        "{}",
        refused.stderr
    );
    let hand = train("hand.csv", "hand.h5", &["--parse-numbers"]);
    code(&hand, 0);
    let plain = train("plain.csv", "plain.h5", &[]);
    code(&plain, 0);
    // The same numbers: the same run, line for line but the file's name.
    assert_eq!(hand.stdout.replace("hand", "plain"), plain.stdout);
    let model = dnn_data::model::load_model(w.join("hand.h5")).expect("model");
    assert_eq!(model.setup.numbers.as_deref(), Some("as-written"));
    assert!(dnn_data::model::load_model(w.join("plain.h5"))
        .expect("model")
        .setup
        .numbers
        .is_none());

    // predict: the model reads its files unasked, and plain ones too; the plain model
    // refuses numbers written by hand but with the flag, and says which rows it filled alike.
    let predict = |args: &[&str]| {
        let run = dnn_in(w, &[&["predict"][..], args].concat());
        code(&run, 0);
        run
    };
    let reference = predict(&["--model", "plain.h5", "plain.csv"]);
    assert!(
        reference
            .stderr
            .contains("warning: column `width`: 2 rows missing (rows 3, 17), filled with"),
        "{}",
        reference.stderr
    );
    for args in [
        &["--model", "hand.h5", "hand.csv"][..],
        &["--model", "hand.h5", "plain.csv"],
        &["--model", "plain.h5", "--parse-numbers", "hand.csv"],
    ] {
        let run = predict(args);
        assert_eq!(run.stdout, reference.stdout, "{args:?}");
        assert_eq!(run.stderr, reference.stderr, "{args:?}");
    }
    let refused = dnn_in(w, &["predict", "--model", "plain.h5", "hand.csv"]);
    code(&refused, 1);
    assert!(
        refused.stderr.contains("--parse-numbers"),
        "{}",
        refused.stderr
    );

    // evaluate: its own file, in its parts again, unasked; as the plain model its own.
    let eval = dnn_in(w, &["evaluate", "--model", "hand.h5", "--data", "hand.csv"]);
    code(&eval, 0);
    assert!(
        eval.stdout.contains("in its parts again"),
        "{}",
        eval.stdout
    );
    let plain_eval = dnn_in(
        w,
        &["evaluate", "--model", "plain.h5", "--data", "plain.csv"],
    );
    assert_eq!(eval.stdout.replace("hand", "plain"), plain_eval.stdout);

    // train --from: the model's reading goes on, unasked, and is recorded again.
    let from = dnn_in(
        w,
        &[
            "train",
            "--data",
            "hand.csv",
            "--from",
            "hand.h5",
            "--iterations",
            "2",
            "--save",
            "from.h5",
        ],
    );
    code(&from, 0);
    let again = dnn_data::model::load_model(w.join("from.h5")).expect("model");
    assert_eq!(again.setup.numbers.as_deref(), Some("as-written"));

    // export: the caller is told to read numbers as written, as the metadata says.
    for output in ["hand.onnx", "hand.safetensors"] {
        let export = dnn_in(w, &["export", "--model", "hand.h5", "--output", output]);
        code(&export, 0);
        assert!(
            export.stdout.contains(
                "Before the exported input, yours to do: read the numbers as written, as dnn \
                 read them: $1,234.50 as 1234.50, 12% as 12, 1 000 as 1000 (the metadata's \
                 numbers is as-written); fill missing numbers"
            ),
            "{}",
            export.stdout
        );
        let bytes = std::fs::read(w.join(output)).expect("export");
        assert!(
            bytes.windows(10).any(|b| b == b"as-written"),
            "{output} has no numbers = as-written in its metadata"
        );
    }
}

#[test]
fn describe_names_the_flag_and_its_verdict_loads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_table(&w.join("hand.csv"), true);
    let run = dnn_in(w, &["describe", "--data", "hand.csv"]);
    code(&run, 0);
    let out = &run.stdout;
    for column in ["price", "share", "width"] {
        let row = out
            .lines()
            .find(|l| l.split("  ").nth(1).is_some_and(|c| c.trim() == column))
            .unwrap_or_else(|| panic!("no row for {column}:\n{out}"));
        if column == "width" {
            // Spaces between thousands, and missing numbers: both flags, one mend shown.
            assert!(row.contains("refused (--"), "{row}");
            continue;
        }
        assert!(
            row.contains("numbers written by hand") && row.ends_with("refused (--parse-numbers)"),
            "{row}\n{out}"
        );
    }
    let refusal = out
        .lines()
        .find(|l| l.contains("`$3,037.01` is not a number as dnn reads them"))
        .unwrap_or_else(|| panic!("no refusal of price:\n{out}"));
    assert!(
        refusal.trim_start().starts_with("--parse-numbers "),
        "{refusal}"
    );
    let last = out.lines().last().unwrap_or_default();
    let flags = last
        .split_once("with `")
        .and_then(|(_, rest)| rest.split_once("` it loads: "))
        .map(|(flags, _)| flags)
        .unwrap_or_else(|| panic!("no verdict that loads: {last}"));
    assert!(flags.contains("--parse-numbers"), "{last}");
    let words: Vec<&str> = flags.split(' ').collect();
    let trained = dnn_in(
        w,
        &[
            &["train", "--data", "hand.csv", "--hidden", "2"][..],
            &["--iterations", "1", "-q", "--save", "m.h5"],
            &words,
        ]
        .concat(),
    );
    code(&trained, 0);
}
