//! Columns of dates (`src/dates.rs`): every form read as Python's `datetime` reads it
//! (`tests/reference/gen_dates.py`), a table's dates made into their parts, filled, kept by
//! the model file in both formats and read again by a model.

use std::path::{Path, PathBuf};

use dnn_data::dataset::{load, LoadOptions};
use dnn_data::dates::{parse, DateColumn, DateOrder, DatePart};
use dnn_data::missing::{FillMissing, Filled};
use dnn_data::standardize::ZScore;
use dnn_data::table::{read_table, Columns};
use dnn_data::table_checks::TableWarning;
use dnn_data::{DataSpec, Input};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    form: String,
    cell: String,
    order: String,
    instant: f64,
    year: f64,
    month: f64,
    day: f64,
    weekday: f64,
    day_of_year: f64,
    hour: f64,
}

#[derive(Deserialize)]
struct NotDate {
    cell: String,
    order: String,
}

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
    not_dates: Vec<NotDate>,
}

fn expected() -> Expected {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/dates_expected.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("dates_expected.json"))
        .expect("parsed")
}

fn order(name: &str) -> DateOrder {
    DateOrder::from_name(name).expect("an order")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_form_reads_as_pythons_datetime_reads_it() {
    let expected = expected();
    assert!(expected.cases.len() > 400);
    for c in &expected.cases {
        let t = parse(&c.cell, order(&c.order));
        assert_eq!(t, Some(c.instant), "{} `{}`", c.form, c.cell);
        let t = c.instant;
        for (part, want) in [
            (DatePart::Year, c.year),
            (DatePart::Month, c.month),
            (DatePart::Day, c.day),
            (DatePart::Weekday, c.weekday),
            (DatePart::DayOfYear, c.day_of_year),
        ] {
            assert_eq!(part.of(t), want, "{part:?} of {} `{}`", c.form, c.cell);
        }
        // The hour is the instant's fraction times 24: within rounding of Python's sum.
        let hour = DatePart::Hour.of(t);
        assert!(
            (hour - c.hour).abs() < 1e-9,
            "hour {hour} of `{}`: {}",
            c.cell,
            c.hour
        );
    }
    for bad in &expected.not_dates {
        assert_eq!(parse(&bad.cell, order(&bad.order)), None, "`{}`", bad.cell);
    }
}

/// A table of `date,x,label`, the dates the fixture's cells of `form`.
fn dated_table(form: &str) -> (String, Vec<f64>) {
    let expected = expected();
    let cases: Vec<&Case> = expected.cases.iter().filter(|c| c.form == form).collect();
    let mut text = String::from("date,x,label\n");
    for (i, c) in cases.iter().enumerate() {
        text.push_str(&format!("\"{}\",{},{}\n", c.cell, i % 7, i % 2));
    }
    (text, cases.iter().map(|c| c.instant).collect())
}

#[test]
fn a_column_of_dates_becomes_its_parts_in_the_order_its_cells_tell() {
    let dir = tempfile::tempdir().unwrap();
    for (form, order) in [
        ("iso", DateOrder::Ymd),
        ("day_first_slashes", DateOrder::Dmy),
        ("month_first_twelve_hours", DateOrder::Mdy),
        ("month_name", DateOrder::Ymd),
        ("month", DateOrder::Ymd),
        // Excel's, months written month first, e-mail's and HTTP's: none needs an order.
        ("excel_short_year", DateOrder::Ymd),
        ("month_first_month_year", DateOrder::Ymd),
        ("rfc_2822", DateOrder::Ymd),
        ("http_date", DateOrder::Ymd),
    ] {
        let (text, instants) = dated_table(form);
        let path = write(dir.path(), "d.csv", &text);
        let options = LoadOptions {
            zscore: ZScore::Off,
            parts: dnn_data::dataset::Parts::Whole,
            ..LoadOptions::default()
        };
        let data = load(&path, &options).unwrap();
        let Input::Table { dates, .. } = &data.spec.input else {
            panic!("a table")
        };
        let parts = match form {
            "month" | "month_first_month_year" => DatePart::MONTH.to_vec(),
            "month_first_twelve_hours" | "rfc_2822" | "http_date" => {
                [DatePart::DAY.as_slice(), &[DatePart::Hour]].concat()
            }
            _ => DatePart::DAY.to_vec(),
        };
        assert_eq!(
            dates,
            &[DateColumn {
                column: "date".into(),
                order,
                parts: parts.clone()
            }],
            "{form}"
        );
        let names: Vec<String> = parts.iter().map(|p| format!("date.{}", p.name())).collect();
        assert_eq!(
            data.spec.input.input_names(),
            [names, vec!["x".into()]].concat()
        );
        // Every row's inputs are its instant's parts, then x.
        let x = &data.test_x;
        assert_eq!(x.ncols(), instants.len());
        for (j, &t) in instants.iter().enumerate() {
            for (k, part) in parts.iter().enumerate() {
                assert_eq!(x[[k, j]], part.of(t), "{form}: row {j}, {part:?}");
            }
            assert_eq!(x[[parts.len(), j]], (j % 7) as f64);
        }
        assert!(data.source.table_warnings.is_empty(), "{form}");
    }
}

#[test]
fn a_column_none_of_whose_days_tells_the_order_is_read_by_its_separator_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for (sep, order) in [('/', DateOrder::Mdy), ('.', DateOrder::Dmy)] {
        let mut text = String::from("date,label\n");
        for i in 1..=24 {
            text.push_str(&format!(
                "{:02}{sep}{:02}{sep}2012,{}\n",
                i % 12 + 1,
                i % 10 + 1,
                i % 2
            ));
        }
        let path = write(dir.path(), "d.csv", &text);
        let data = load(&path, &LoadOptions::default()).unwrap();
        let Input::Table { dates, .. } = &data.spec.input else {
            panic!("a table")
        };
        assert_eq!(dates[0].order, order);
        let w = &data.source.table_warnings;
        assert!(
            matches!(&w[..], [TableWarning::DateOrder { column, order: o, .. }] if column == "date" && *o == order),
            "{w:?}"
        );
        let said = w[0].to_string();
        let flag = match order {
            DateOrder::Mdy => "--date-order day-first",
            _ => "--date-order month-first",
        };
        assert!(
            said.contains(order.describe()) && said.contains(flag),
            "{said}"
        );
        // A day above 12 tells: no warning then.
        let told = format!(
            "{text}{}\n",
            if sep == '/' {
                "01/13/2012,0"
            } else {
                "13.01.2012,0"
            }
        );
        let path = write(dir.path(), "d.csv", &told);
        let data = load(&path, &LoadOptions::default()).unwrap();
        assert!(
            data.source.table_warnings.is_empty(),
            "{:?}",
            data.source.table_warnings
        );
    }
}

#[test]
fn a_missing_date_is_refused_or_filled_with_the_training_parts_mean_or_median_date() {
    let dir = tempfile::tempdir().unwrap();
    // Row i: its date (none where i % 10 == 3), then i, which tells the rows apart.
    let date_of = |i: usize| {
        (i % 10 != 3).then(|| format!("2012-{:02}-{:02} {:02}:00", i % 12 + 1, i % 28 + 1, i % 24))
    };
    let mut text = String::from("date,i,label\n");
    for i in 0..40 {
        let date = date_of(i).unwrap_or_else(|| "NA".into());
        text.push_str(&format!("{date},{i},{}\n", i % 2));
    }
    let path = write(dir.path(), "d.csv", &text);
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 4 (line 5), column `date`: `NA` marks a missing value, in a column of dates"
        ) && err.contains("--fill-missing mean"),
        "{err}"
    );
    let instant = |i: usize| date_of(i).map(|d| parse(&d, DateOrder::Ymd).unwrap());
    for how in [FillMissing::Mean, FillMissing::Median] {
        let options = LoadOptions {
            fill_missing: Some(how),
            zscore: ZScore::Off,
            ..LoadOptions::default()
        };
        let data = load(&path, &options).unwrap();
        let i_row = data
            .spec
            .input
            .input_names()
            .iter()
            .position(|n| n == "i")
            .unwrap();
        // The training part's known instants, and their mean or median.
        let train: Vec<usize> = data
            .train_x
            .row(i_row)
            .iter()
            .map(|&i| i as usize)
            .collect();
        let known: Vec<f64> = train
            .iter()
            .map(|&i| instant(i).unwrap_or(f64::NAN))
            .collect();
        let fill = how
            .fit(&known, &(0..known.len()).collect::<Vec<_>>())
            .unwrap();
        let Input::Table { filled, dates, .. } = &data.spec.input else {
            panic!("a table")
        };
        assert!(
            filled.contains(&Filled {
                column: "date".into(),
                value: fill
            }),
            "{filled:?}"
        );
        // Each row, in either part, holds its date's parts, or the fill's.
        for x in [&data.train_x, &data.test_x] {
            for c in x.columns() {
                let t = instant(c[i_row] as usize).unwrap_or(fill);
                for (k, part) in dates[0].parts.iter().enumerate() {
                    assert_eq!(c[k], part.of(t), "{how:?}: row {}, {part:?}", c[i_row]);
                }
            }
        }
        assert!(train.iter().any(|i| instant(*i).is_none()));
    }
}

#[test]
fn the_model_file_keeps_its_dates_and_a_model_reads_new_rows_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let dates = DateColumn {
        column: "when".into(),
        order: DateOrder::Dmy,
        parts: vec![DatePart::Year, DatePart::Weekday, DatePart::Hour],
    };
    let input = Input::Table {
        columns: vec!["x".into(), "when".into()],
        target: "label".into(),
        one_hot: vec![],
        filled: vec![Filled {
            column: "when".into(),
            value: 15_370.75,
        }],
        dates: vec![dates.clone()],
    };
    assert_eq!(
        input.input_names(),
        ["x", "when.year", "when.weekday", "when.hour"]
    );
    let path = write(
        dir.path(),
        "new.csv",
        "when,x\n31/01/2012 06:00,1\n,2\n01/02/2012,3\n",
    );
    // `NaT` and dashes are missing dates through the model too, as training read them.
    for gap in ["NaT", "nat", "-", "\u{2014}"] {
        let other = write(dir.path(), "gap.csv", &format!("when,x\n{gap},2\n"));
        let t = read_table(&other, Columns::of_model(&input)).unwrap();
        assert_eq!(
            t.matrix(&[0]).column(0).to_vec(),
            [2.0, 2012.0, 1.0, 18.0],
            "{gap}"
        );
        assert_eq!(t.filled_rows.len(), 1, "{gap}");
    }
    let t = read_table(&path, Columns::of_model(&input)).unwrap();
    // 2012-01-31 was a Tuesday (1); the missing date is the fill, 2012-01-31 18:00.
    assert_eq!(
        t.matrix(&[0, 1, 2]),
        ndarray::array![
            [1.0, 2.0, 3.0],
            [2012.0, 2012.0, 2012.0],
            [1.0, 1.0, 2.0],
            [6.0, 18.0, 0.0]
        ]
    );
    assert_eq!(t.filled_rows.len(), 1);
    assert_eq!(
        (t.filled_rows[0].rows, &t.filled_rows[0].first),
        (1, &vec![2])
    );
    // A cell that is no date in the model's order is named with that order.
    let bad = write(dir.path(), "bad.csv", "when,x\n01/31/2012,1\n");
    let err = read_table(&bad, Columns::of_model(&input))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 1 (line 2), column `when`: `01/31/2012` is not a date as the model reads this \
             column, whose training dates were written day/month/year, as 31/01/2012, or year \
             first, as 2012-01-31"
        ),
        "{err}"
    );
    // Without a fill value, a missing date is refused.
    let mut strict = input.clone();
    if let Input::Table { filled, .. } = &mut strict {
        filled.clear();
    }
    let err = read_table(&path, Columns::of_model(&strict))
        .unwrap_err()
        .to_string();
    assert!(err.contains("the model takes a date here"), "{err}");

    // Both model formats keep the dates.
    let spec = DataSpec {
        ranges: None,
        regression: None,
        classes: vec!["a".into(), "b".into()],
        input,
        standardization: None,
    };
    let net = crate::spec_survives_both_formats(dir.path(), &spec);
    // A damaged record is refused when saved (and read).
    for damage in [
        |d: &mut DateColumn| d.parts.push(DatePart::Year),
        |d: &mut DateColumn| d.column = "nope".into(),
    ] {
        let mut wrong = spec.clone();
        if let Input::Table { dates, .. } = &mut wrong.input {
            damage(&mut dates[0]);
        }
        let err = crate::save_error(dir.path(), &net, &wrong);
        assert!(err.contains("its column of dates"), "{err}");
    }
    let mut far = spec.clone();
    if let Input::Table { filled, .. } = &mut far.input {
        filled[0].value = 1e12;
    }
    let err = crate::save_error(dir.path(), &net, &far);
    assert!(err.contains("outside the years 0 to 9999"), "{err}");
}

#[test]
fn date_parts_choose_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = dated_table("iso");
    let path = write(dir.path(), "d.csv", &text);
    let options = LoadOptions {
        date_parts: Some(vec![DatePart::Month, DatePart::Year]),
        ..LoadOptions::default()
    };
    let data = load(&path, &options).unwrap();
    assert_eq!(
        data.spec.input.input_names(),
        ["date.month", "date.year", "x"]
    );
    // Parts asked of a table without dates: said, not ignored.
    let plain = write(dir.path(), "p.csv", "a,label\n1,0\n2,1\n3,0\n4,1\n5,0\n");
    let options = LoadOptions {
        date_parts: Some(vec![DatePart::Year]),
        ..LoadOptions::default()
    };
    let err = load(&plain, &options).unwrap_err().to_string();
    assert!(
        err.contains("--date-parts names the inputs of a column of dates, but no column"),
        "{err}"
    );
}

#[test]
fn a_column_of_dates_with_one_word_is_refused_and_one_hot_reads_it_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("when,label\n");
    for i in 0..20 {
        let when = if i == 5 {
            "soon".to_owned()
        } else {
            format!("2012-01-{:02}", i + 1)
        };
        text.push_str(&format!("{when},{}\n", i % 2));
    }
    let path = write(dir.path(), "d.csv", &text);
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 6 (line 7), column `when`: `soon` is no date, in a column of dates"),
        "{err}"
    );
    let options = LoadOptions {
        one_hot_columns: vec!["when".into()],
        ..LoadOptions::default()
    };
    let data = load(&path, &options).unwrap();
    let Input::Table { one_hot, dates, .. } = &data.spec.input else {
        panic!("a table")
    };
    assert!(dates.is_empty());
    assert_eq!(one_hot[0].column, "when");
}

/// `rows` days from 2012-01-01 written `date(i)`, row `bad` written `cell` instead.
fn days_with(rows: usize, bad: usize, cell: &str) -> String {
    let mut text = String::from("date,x,label\n");
    for i in 0..rows {
        let date = if i == bad {
            cell.to_owned()
        } else {
            dnn_data::dates::shown(i as f64 + 15_340.0)
        };
        text.push_str(&format!("{date},{},{}\n", i % 7, i % 2));
    }
    text
}

#[test]
fn a_cell_that_is_no_date_among_dates_is_named_not_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    // Many values (an id's refusal before) and few (one-hot encoded before): the cell, named.
    for (rows, cell) in [(300, "2012-02-30"), (300, "unknown"), (40, "2012-02-30")] {
        let path = write(dir.path(), "d.csv", &days_with(rows, 30, cell));
        let err = load(&path, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "row 31 (line 32), column `date`: `{cell}` is no date, in a column of dates; \
                 mend the cell, or empty it (a missing date, which --fill-missing fills), or read \
                 the column as text with --one-hot date, or leave it out with --drop date"
            )),
            "{rows} rows, {cell}: {err}"
        );
    }
    // One cell of the other order: named with the order of the others.
    let mut text = String::from("date,label\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{:02}/{:02}/2012,{}\n",
            13 + i % 15,
            1 + i % 12,
            i % 2
        ));
    }
    text.push_str("02/13/2012,0\n");
    let path = write(dir.path(), "d.csv", &text);
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 41 (line 42), column `date`: `02/13/2012` is no date read day/month/year, as \
             the column's other dates are"
        ),
        "{err}"
    );
    // `NaT` and a dash, as pandas and people write a missing date, are missing dates.
    for gap in ["NaT", "-"] {
        let path = write(dir.path(), "d.csv", &days_with(300, 30, gap));
        let err = load(&path, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "row 31 (line 32), column `date`: `{gap}` marks a missing value, in a column of dates"
            )),
            "{gap}: {err}"
        );
        let options = LoadOptions {
            fill_missing: Some(FillMissing::Median),
            ..LoadOptions::default()
        };
        let data = load(&path, &options).unwrap();
        let Input::Table { dates, filled, .. } = &data.spec.input else {
            panic!("a table")
        };
        assert_eq!(dates.len(), 1, "{gap}");
        assert!(filled.iter().any(|f| f.column == "date"), "{gap}");
    }
    // A column of text with a date or two among its values stays text.
    let mut text = String::from("when,label\n");
    for i in 0..40 {
        let when = ["soon", "later", "never", "2012-01-01"][i % 4];
        text.push_str(&format!("{when},{}\n", i % 2));
    }
    let path = write(dir.path(), "t.csv", &text);
    let data = load(&path, &LoadOptions::default()).unwrap();
    let Input::Table { one_hot, .. } = &data.spec.input else {
        panic!("a table")
    };
    assert_eq!(one_hot[0].values.len(), 4);
}

#[test]
fn date_order_reads_a_column_that_does_not_tell_and_refuses_a_cell_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("date,label\n");
    for i in 0..24 {
        text.push_str(&format!("01/{:02}/2012,{}\n", i % 12 + 1, i % 2));
    }
    let path = write(dir.path(), "d.csv", &text);
    // Guessed month first (`/`), the warning naming the flag and a cell the guess changes.
    let data = load(&path, &LoadOptions::default()).unwrap();
    let said = data.source.table_warnings[0].to_string();
    assert!(
        said.contains("(`01/02/2012`, ...)") && said.contains("give --date-order day-first"),
        "{said}"
    );
    let options = LoadOptions {
        date_order: Some(DateOrder::Dmy),
        zscore: ZScore::Off,
        ..LoadOptions::default()
    };
    let data = load(&path, &options).unwrap();
    assert!(data.source.table_warnings.is_empty());
    let Input::Table { dates, .. } = &data.spec.input else {
        panic!("a table")
    };
    assert_eq!(dates[0].order, DateOrder::Dmy);
    // Every row is the first of a month: day 1 throughout.
    let day = dates[0]
        .parts
        .iter()
        .position(|&p| p == DatePart::Day)
        .unwrap();
    assert!(data.train_x.row(day).iter().all(|&d| d == 1.0));
    // A cell that tells the other order is refused under the flag.
    let told = write(dir.path(), "t.csv", &format!("{text}12/13/2012,0\n"));
    let err = load(&told, &options).unwrap_err().to_string();
    assert!(
        err.contains(
            "`12/13/2012` is no date read day/month/year, as the column's other dates are"
        ),
        "{err}"
    );
    // A column whose every date tells the other order is refused under the flag, not read
    // as text: its days above 12 say month first.
    let mut text = String::from("date,label\n");
    for i in 0..30 {
        text.push_str(&format!(
            "{:02}/{:02}/2012,{}\n",
            i % 12 + 1,
            i % 28 + 1,
            i % 2
        ));
    }
    let against = write(dir.path(), "a.csv", &text);
    let err = load(&against, &options).unwrap_err().to_string();
    assert!(
        err.contains(
            "row 13 (line 14), column `date`: `01/13/2012` is no date read day/month/year \
             (--date-order), and the column's dates read month/day/year: leave out \
             --date-order, as the column tells its own order"
        ),
        "{err}"
    );
    let data = load(&against, &LoadOptions::default()).unwrap();
    let Input::Table { dates, .. } = &data.spec.input else {
        panic!("a table")
    };
    assert_eq!(dates[0].order, DateOrder::Mdy);
    // One day-first stray among them: still refused against the flag (it was read as text,
    // 30 one-hot values, silently); without the flag, the stray is the cell refused.
    let stray = text.replacen("01/01/2012", "13/01/2012", 1);
    let stray = write(dir.path(), "s.csv", &stray);
    let err = load(&stray, &options).unwrap_err().to_string();
    assert!(err.contains("leave out --date-order"), "{err}");
    let err = load(&stray, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`13/01/2012` is no date read month/day/year"),
        "{err}"
    );
}

#[test]
fn date_parts_the_cells_do_not_give_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = dated_table("iso");
    let path = write(dir.path(), "d.csv", &text);
    let options = LoadOptions {
        date_parts: Some(vec![DatePart::Year, DatePart::Hour]),
        ..LoadOptions::default()
    };
    let err = load(&path, &options).unwrap_err().to_string();
    assert!(
        err.contains(
            "--date-parts asks for its hour, but its cells give no time of day (its parts are \
             year, month, day, weekday, day_of_year); leave hour out of --date-parts"
        ),
        "{err}"
    );
    let (months, _) = dated_table("month");
    let path = write(dir.path(), "m.csv", &months);
    let options = LoadOptions {
        date_parts: Some(vec![DatePart::Weekday]),
        ..LoadOptions::default()
    };
    let err = load(&path, &options).unwrap_err().to_string();
    assert!(err.contains("its cells give no day, only months"), "{err}");
}

#[test]
fn a_date_input_named_as_another_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("date,date.year,label\n");
    for i in 0..20 {
        text.push_str(&format!("2012-01-{:02},{},{}\n", i + 1, 2000 + i, i % 2));
    }
    let path = write(dir.path(), "d.csv", &text);
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "column `date` holds dates, whose input `date.year` has the name of another column"
        ),
        "{err}"
    );
}
