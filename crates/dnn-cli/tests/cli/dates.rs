//! A column of dates: trained on as its parts, as the same table with the parts written out
//! as numbers trains (the weekday and day of the year counted here by hand, not by dnn's
//! calendar); the model records the column, and `dnn predict`, `dnn evaluate` and `dnn
//! export` read or describe it so.

use crate::common;

use std::path::Path;

use common::{dnn_in, Run};

fn code(run: &Run, expected: i32) {
    assert_eq!(run.code, Some(expected), "{run:?}");
}

/// Day of the week, 0 Monday, by Zeller's congruence; and the day of the year, by the
/// months' lengths.
fn weekday_and_day_of_year(year: i64, month: i64, day: i64) -> (i64, i64) {
    let (m, y) = if month < 3 {
        (month + 12, year - 1)
    } else {
        (month, year)
    };
    let h = (day + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7; // 0 Saturday
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let before: i64 = lengths[..(month - 1) as usize].iter().sum();
    ((h + 5) % 7, before + day)
}

/// 60 rows from 2011 to 2014: the date written day first with `/` (`dates`), or its year,
/// month, day, weekday and day of the year as numbers named as dnn names its inputs; then
/// a number and a class that follows the season.
fn write_table(path: &Path, dates: bool, rows: std::ops::Range<i64>) {
    let mut s = if dates {
        "date,x,season\n".to_owned()
    } else {
        "date.year,date.month,date.day,date.weekday,date.day_of_year,x,season\n".to_owned()
    };
    for r in rows {
        let (year, month, day) = (2011 + r % 4, 1 + (r * 5) % 12, 1 + (r * 11) % 28);
        let x = (r * 7) % 10;
        let season = if (4..=9).contains(&month) {
            "summer"
        } else {
            "winter"
        };
        if dates {
            s.push_str(&format!("{day:02}/{month:02}/{year},{x},{season}\n"));
        } else {
            let (weekday, yday) = weekday_and_day_of_year(year, month, day);
            s.push_str(&format!(
                "{year},{month},{day},{weekday},{yday},{x},{season}\n"
            ));
        }
    }
    std::fs::write(path, s).expect("write");
}

#[test]
fn a_column_of_dates_trains_predicts_and_evaluates_as_its_parts_written_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_table(&w.join("dates.csv"), true, 0..60);
    write_table(&w.join("parts.csv"), false, 0..60);
    let train = |data: &str, save: &str, more: &[&str]| {
        let base = [
            "train",
            "--data",
            data,
            "--hidden",
            "4",
            "--optimizer",
            "adam",
            "--iterations",
            "40",
            "--save",
            save,
        ];
        dnn_in(w, &[&base[..], more].concat())
    };
    let dates = train("dates.csv", "dates.h5", &[]);
    code(&dates, 0);
    let parts = train("parts.csv", "parts.h5", &[]);
    code(&parts, 0);
    assert!(
        dates.stdout.contains(
            "Dates, read into 5 inputs (--date-parts chooses them): date (day/month/year: \
             year, month, day, weekday, day_of_year)"
        ),
        "{}",
        dates.stdout
    );
    // The same numbers: the same run, line for line but the file's name and the dates line.
    let same = |out: &str| {
        out.lines()
            .filter(|l| !l.starts_with("Dates,"))
            .map(|l| l.replace("dates", "parts"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(same(&dates.stdout), same(&parts.stdout));
    assert!(dates.stdout.contains("Test accuracy"), "{}", dates.stdout);

    // predict: new rows, by their dates or their parts, the same classes and probabilities.
    write_table(&w.join("new_dates.csv"), true, 100..120);
    write_table(&w.join("new_parts.csv"), false, 100..120);
    let predict = |model: &str, data: &str| {
        let run = dnn_in(w, &["predict", "--model", model, "--probabilities", data]);
        code(&run, 0);
        run.stdout
    };
    assert_eq!(
        predict("dates.h5", "new_dates.csv"),
        predict("parts.h5", "new_parts.csv")
    );
    // A date the model cannot read is named, with the order it reads.
    std::fs::write(w.join("bad.csv"), "date,x\n12/31/2012,1\n").expect("write");
    let bad = dnn_in(w, &["predict", "--model", "dates.h5", "bad.csv"]);
    code(&bad, 1);
    assert!(
        bad.stderr.contains(
            "column `date`: `12/31/2012` is not a date as the model reads this column, whose \
             training dates were written day/month/year, as 31/01/2012, or year first"
        ),
        "{}",
        bad.stderr
    );

    // evaluate: the same numbers again.
    let evaluate = |model: &str, data: &str| {
        let run = dnn_in(w, &["evaluate", "--model", model, "--data", data]);
        code(&run, 0);
        same(&run.stdout)
    };
    assert_eq!(
        evaluate("dates.h5", "new_dates.csv"),
        evaluate("parts.h5", "new_parts.csv")
    );

    // export: the caller is told to split the dates, and the metadata says how. The format
    // is the output's name's (no --format).
    let export = dnn_in(
        w,
        &["export", "--model", "dates.h5", "--output", "d.safetensors"],
    );
    code(&export, 0);
    assert!(
        export.stdout.contains("to d.safetensors (safetensors,"),
        "{}",
        export.stdout
    );
    let onnx = dnn_in(w, &["export", "--model", "dates.h5", "--output", "d.onnx"]);
    code(&onnx, 0);
    assert!(onnx.stdout.contains("to d.onnx (ONNX"), "{}", onnx.stdout);
    assert!(
        export
            .stdout
            .contains("split each date into its parts (input.dates lists"),
        "{}",
        export.stdout
    );
    let model = dnn_data::model::load_model(w.join("d.safetensors")).expect("exported");
    let Some(dnn_data::Input::Table { dates, .. }) = model.spec.map(|s| s.input) else {
        panic!("a table model")
    };
    assert_eq!(dates[0].order, dnn_data::dates::DateOrder::Dmy);
}

#[test]
fn date_parts_choose_the_inputs_and_describe_shows_the_column_as_dates() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    write_table(&w.join("dates.csv"), true, 0..60);
    let run = dnn_in(
        w,
        &[
            "train",
            "--data",
            "dates.csv",
            "--date-parts",
            "year,month",
            "--hidden",
            "4",
            "--iterations",
            "5",
            "--save",
            "m.h5",
        ],
    );
    code(&run, 0);
    assert!(
        run.stdout.contains(
            "Dates, read into 2 inputs (--date-parts chooses them): date (day/month/year: \
             year, month)"
        ),
        "{}",
        run.stdout
    );
    let model = dnn_data::model::load_model(w.join("m.h5")).expect("model");
    assert_eq!(model.network.layer_sizes()[0], 3);
    // From a model, the model's parts.
    let from = dnn_in(
        w,
        &[
            "train",
            "--from",
            "m.h5",
            "--data",
            "dates.csv",
            "--date-parts",
            "year",
            "--iterations",
            "5",
        ],
    );
    code(&from, 1);
    assert!(
        from.stderr.contains("leave out --date-parts"),
        "{}",
        from.stderr
    );
    // A wrong part is named by clap, with the parts there are.
    let wrong = dnn_in(w, &["train", "--data", "dates.csv", "--date-parts", "week"]);
    code(&wrong, 2);
    assert!(wrong.stderr.contains("day_of_year"), "{}", wrong.stderr);

    let describe = dnn_in(w, &["describe", "--data", "dates.csv"]);
    code(&describe, 0);
    assert!(
        describe
            .stdout
            .contains("dates (day/month/year) → 5 inputs"),
        "{}",
        describe.stdout
    );
    assert!(
        describe.stdout.contains("Dates, read into 5 inputs"),
        "{}",
        describe.stdout
    );
    let chosen = dnn_in(
        w,
        &[
            "describe",
            "--data",
            "dates.csv",
            "--date-parts",
            "year,month",
        ],
    );
    code(&chosen, 0);
    assert!(
        chosen.stdout.contains("dates (day/month/year) → 2 inputs")
            && chosen.stdout.contains("Dates, read into 2 inputs"),
        "{}",
        chosen.stdout
    );
}

#[test]
fn date_order_reads_dates_that_do_not_tell_and_the_model_keeps_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // The first of each month, 2010 to 2014, written 01/MM/YYYY: no day above 12.
    let mut s = "date,x,season\n".to_owned();
    for r in 0..60 {
        let (year, month) = (2010 + r / 12, 1 + r % 12);
        let season = if (4..=9).contains(&month) {
            "summer"
        } else {
            "winter"
        };
        s.push_str(&format!("01/{month:02}/{year},{},{season}\n", r % 7));
    }
    std::fs::write(w.join("eu.csv"), s).expect("write");
    let train = |more: &[&str]| {
        let base = [
            "train",
            "--data",
            "eu.csv",
            "--hidden",
            "4",
            "--iterations",
            "5",
        ];
        dnn_in(w, &[&base[..], more].concat())
    };
    let guessed = train(&[]);
    code(&guessed, 0);
    assert!(
        guessed.stderr.contains(
            "column `date` holds dates (`01/02/2010`, ...) whose day is never above 12, so none \
             tells day from month: they are read as month/day/year; if that is wrong, give \
             --date-order day-first"
        ),
        "{}",
        guessed.stderr
    );
    let told = train(&["--date-order", "day-first", "--save", "m.h5"]);
    code(&told, 0);
    assert!(
        !told.stderr.contains("whose day is never above 12"),
        "{}",
        told.stderr
    );
    assert!(
        told.stdout.contains("date (day/month/year: "),
        "{}",
        told.stdout
    );
    // predict reads the model's order: 15/06/2014 is a date to it.
    std::fs::write(w.join("new.csv"), "date,x\n15/06/2014,3\n").expect("write");
    let predicted = dnn_in(w, &["predict", "--model", "m.h5", "new.csv"]);
    code(&predicted, 0);
    let from = dnn_in(
        w,
        &[
            "train",
            "--from",
            "m.h5",
            "--data",
            "eu.csv",
            "--date-order",
            "day-first",
        ],
    );
    code(&from, 1);
    assert!(
        from.stderr.contains("leave out --date-order"),
        "{}",
        from.stderr
    );
}

#[test]
fn describe_shows_a_column_of_dates_by_its_earliest_and_latest_date_and_its_days() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = tmp.path();
    // write_table's dates, their range and days worked out from its own rule.
    write_table(&w.join("dates.csv"), true, 0..60);
    let days: std::collections::BTreeSet<(i64, i64, i64)> = (0..60)
        .map(|r| (2011 + r % 4, 1 + (r * 5) % 12, 1 + (r * 11) % 28))
        .collect();
    let shown = |(y, m, d): (i64, i64, i64)| format!("{y:04}-{m:02}-{d:02}");
    let first = *days.iter().next().expect("a day");
    let last = *days.iter().next_back().expect("a day");
    let dates = format!("{} – {}, {} days", shown(first), shown(last), days.len());
    // HTTP's dates, with times (2012-01-31 was a Tuesday), and months written month first.
    let mut http = "when,x,label\n".to_owned();
    let mut months = "when,x,label\n".to_owned();
    for i in 0..20 {
        let (cell, month) = [
            ("Tue, 31 Jan 2012 10:30:00 GMT", "01/2012"),
            ("Wed, 01 Feb 2012 23:59:00 GMT", "1/2012"),
            ("Tue, 31 Jan 2012 08:00:00 GMT", "12/2013"),
            ("Thu, 02 Feb 2012 17:45:00 GMT", "06/2013"),
        ][i % 4];
        http.push_str(&format!("\"{cell}\",{i},{}\n", i % 2));
        months.push_str(&format!("{month},{i},{}\n", i % 2));
    }
    std::fs::write(w.join("http.csv"), http).expect("write");
    std::fs::write(w.join("months.csv"), months).expect("write");
    for (file, read_as, want) in [
        (
            "dates.csv",
            "dates (day/month/year) → 5 inputs",
            dates.as_str(),
        ),
        (
            "http.csv",
            "dates (year-month-day) → 6 inputs",
            "2012-01-31 08:00 – 2012-02-02 17:45, 3 days",
        ),
        (
            "months.csv",
            "dates (year-month-day) → 2 inputs",
            "2012-01-01 – 2013-12-01, 3 months",
        ),
    ] {
        let run = dnn_in(w, &["describe", "--data", file]);
        code(&run, 0);
        let row = run
            .stdout
            .lines()
            .find(|l| l.contains(read_as))
            .unwrap_or_else(|| panic!("{file}: no row read as {read_as}:\n{}", run.stdout));
        assert!(
            row.contains(&format!("  {want}  ")),
            "{file}:\n{}",
            run.stdout
        );
    }
}

/// A month alone (`2024-05`) among dates with days is read as the 1st of its month, which the
/// day inputs then take as its day: training, `dnn evaluate` and `dnn predict` say so, naming
/// the column, the rows and the first; not when the inputs keep no day (`--date-parts
/// year,month`), nor for a column of months only.
#[test]
fn months_without_a_day_among_days_are_told() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("when,x,label\n");
    for i in 0..40 {
        let (m, d) = (i % 12 + 1, i % 27 + 1);
        let label = if m < 7 { "a" } else { "b" };
        rows.push_str(&format!("2024-{m:02}-{d:02},{},{label}\n", i as f64 / 40.0));
    }
    let whole = rows.clone();
    rows.push_str("2024-05,0.4,a\n2024-07,0.1,b\nMarch 2024,0.3,a\n");
    std::fs::write(dir.path().join("mixed.csv"), &rows).unwrap();
    std::fs::write(dir.path().join("whole.csv"), &whole).unwrap();
    let told = "warning: column `when` has 3 dates without a day (`2024-05` in row 41, ...): each \
                is read as the 1st of its month, which its day inputs (day, weekday, day of the \
                year) then take as its day; write the day where it is known";
    let train = |data: &str, extra: &[&str]| {
        let mut args = vec![
            "train",
            "--data",
            data,
            "--hidden",
            "2",
            "--iterations",
            "2",
            "-q",
        ];
        args.extend_from_slice(extra);
        let run = dnn_in(dir.path(), &args);
        code(&run, 0);
        run
    };
    let run = train("mixed.csv", &[]);
    assert!(run.stderr.contains(told), "{}", run.stderr);
    let run = train("mixed.csv", &["--date-parts", "year,month"]);
    assert!(!run.stderr.contains("without a day"), "{}", run.stderr);
    // A model of whole dates, given months alone.
    let run = train("whole.csv", &["--save", "m.h5"]);
    assert!(!run.stderr.contains("without a day"), "{}", run.stderr);
    let run = dnn_in(
        dir.path(),
        &["evaluate", "--model", "m.h5", "--data", "mixed.csv"],
    );
    code(&run, 0);
    assert!(run.stderr.contains(told), "{}", run.stderr);
    std::fs::write(
        dir.path().join("new.csv"),
        "when,x\n2024-11-05,0.2\n2024-03,0.5\n",
    )
    .unwrap();
    let run = dnn_in(dir.path(), &["predict", "--model", "m.h5", "new.csv"]);
    code(&run, 0);
    assert!(
        run.stderr.contains(
            "warning: column `when` has 1 date without a day (`2024-03` in row 2): each is read \
             as the 1st of its month"
        ),
        "{}",
        run.stderr
    );
    // `dnn serve`'s Predict says so too.
    let server = crate::server::Server::start(dir.path(), dir.path(), &["--model", "m.h5"]);
    let answer = crate::server::post(
        &server.url("/api/predict"),
        "text/csv",
        b"when,x
2024-11-05,0.2
2024-03,0.5
",
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let warnings = answer.json()["warnings"].clone();
    assert!(
        warnings.to_string().contains(
            "column `when` has 1 date without a day (`2024-03` in row 2): each is read as the \
             1st of its month"
        ),
        "{warnings}"
    );
    // Months only: the column's inputs are its year and month, and nothing is told.
    let months: String = (0..30)
        .map(|i| format!("2024-{:02},{},{}\n", i % 12 + 1, i, ["a", "b"][i % 2]))
        .fold("when,x,label\n".to_owned(), |s, r| s + &r);
    std::fs::write(dir.path().join("months.csv"), months).unwrap();
    let run = train("months.csv", &[]);
    assert!(!run.stderr.contains("without a day"), "{}", run.stderr);
}
