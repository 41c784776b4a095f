//! Tables as people save them, with what a reader must not take at face value: a first line
//! that is data (no header), Excel's error cells and dashes, text that is not UTF-8, gzip
//! files, dates, row numbers and ids ([`dnn_data::table_checks`]); and the tables like them
//! that must load unchanged.

use std::path::{Path, PathBuf};

use dnn_data::missing::FillMissing;
use dnn_data::table_checks::TableWarning;
use dnn_data::{load, Dataset, Input, LoadOptions};

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn options(target: &str) -> LoadOptions {
    LoadOptions {
        target: Some(target.into()),
        ..LoadOptions::default()
    }
}

fn error(path: &Path, options: &LoadOptions) -> String {
    load(path, options).unwrap_err().to_string()
}

/// Penguins as `to_csv(header=False)` writes them: 24 rows, three species.
fn penguin_rows() -> String {
    let mut s = String::new();
    for i in 0..24 {
        let (species, island, bill, mass) = match i % 3 {
            0 => (
                "Adelie",
                "Torgersen",
                38.0 + (i as f64) / 10.0,
                3700 + i * 10,
            ),
            1 => (
                "Chinstrap",
                "Dream",
                48.0 + (i as f64) / 10.0,
                3600 + i * 10,
            ),
            _ => ("Gentoo", "Biscoe", 46.0 + (i as f64) / 10.0, 5000 + i * 10),
        };
        let sex = if i % 2 == 0 { "male" } else { "female" };
        s.push_str(&format!(
            "{species},{island},{bill:.1},{},{mass},{sex},{}\n",
            180 + i % 20,
            2007 + i % 3
        ));
    }
    s
}

const PENGUIN_HEADER: &str =
    "species,island,bill_length_mm,flipper_length_mm,body_mass_g,sex,year\n";

#[test]
fn a_headerless_table_is_refused_as_data_in_its_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let first = "Adelie,Torgersen,39.1,181,3750,male,2007\n";
    let path = write(
        dir.path(),
        "noheader.csv",
        format!("{first}{}", penguin_rows()),
    );
    let err = error(&path, &LoadOptions::default());
    assert!(
        err.contains("the first line (`Adelie,Torgersen,39.1,181,3750,male,2007`) looks like a row of data, not the columns' names")
            && err.contains("add a line naming the columns at the top of the file"),
        "{err}"
    );
    // With the target named, too: the header check comes before the unknown column.
    let err = error(&path, &options("species"));
    assert!(err.contains("looks like a row of data"), "{err}");
    // The same rows under their names load.
    let named = write(
        dir.path(),
        "named.csv",
        format!("{PENGUIN_HEADER}{}", penguin_rows()),
    );
    let data = load(&named, &options("species")).unwrap();
    assert_eq!(data.spec.classes, ["Adelie", "Chinstrap", "Gentoo"]);
}

#[test]
fn a_headerless_table_of_numbers_is_refused_and_duplicate_number_names_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "digits.csv",
        "0,0,5,13,9,0\n0,0,13,15,10,1\n0,1,2,3,4,1\n",
    );
    let err = error(&path, &LoadOptions::default());
    assert!(err.contains("every one of its cells is a number"), "{err}");
    // Names that repeat and are numbers, the header not all numbers.
    let path = write(dir.path(), "dup.csv", "7,7,label\na,b,x\nc,d,y\n");
    let err = error(&path, &LoadOptions::default());
    assert!(
        err.contains("the column name `7` appears twice (columns 1 and 2)")
            && err.contains("does the file have no header line?"),
        "{err}"
    );
}

#[test]
fn wide_tables_whose_columns_are_years_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("country,1990,1991,1992,group\n");
    for i in 0..12 {
        text.push_str(&format!(
            "c{i},{}.5,{},{},{}\n",
            1500 + i * 40,
            1900 + i * 30,
            2100 - i,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    let path = write(dir.path(), "wide.csv", &text);
    let data = load(&path, &options("group").with_drop(&["country"])).unwrap();
    assert_eq!(data.features(), 3);
    // Decimal names that lie outside their columns' values (wavelengths) load too.
    let path = write(
        dir.path(),
        "spectra.csv",
        "400.5,401.0,label\n0.21,0.33,a\n0.25,0.31,b\n0.22,0.35,a\n0.27,0.30,b\n",
    );
    let half = LoadOptions {
        test_split: 0.5,
        ..options("label")
    };
    assert_eq!(load(&path, &half).unwrap().features(), 2);
    // pandas' names for an array's columns, pd.DataFrame(np.c_[x, y]).to_csv(index=False).
    let path = write(
        dir.path(),
        "array.csv",
        "0,1,2,3\n0.5,1.5,2,0\n0.25,1.0,3,1\n0.75,2.5,1,0\n0.5,0.5,2,1\n",
    );
    let last = LoadOptions {
        test_split: 0.5,
        ..LoadOptions::default()
    };
    let data = load(&path, &last).unwrap();
    assert_eq!((data.features(), data.spec.classes.len()), (3, 2));
}

trait WithDrop {
    fn with_drop(self, columns: &[&str]) -> Self;
}

impl WithDrop for LoadOptions {
    fn with_drop(mut self, columns: &[&str]) -> Self {
        self.drop_columns = columns.iter().map(|c| c.to_string()).collect();
        self
    }
}

#[test]
fn excel_error_cells_are_missing_numbers_and_dashes_in_number_columns_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,y,label\n");
    let cells = [
        "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#NAME?", "#NULL!", "#N/A", "-", "—",
    ];
    for (i, c) in cells.iter().enumerate() {
        text.push_str(&format!("{c},{i},{}\n", i % 2));
        text.push_str(&format!("{},{i},{}\n", i * 2, (i + 1) % 2));
    }
    let path = write(dir.path(), "excel.csv", &text);
    // Without --fill-missing: a missing number, with the flag that fills it.
    let err = error(&path, &options("label"));
    assert!(
        err.contains("`#DIV/0!` marks a missing value, in a column of numbers")
            && err.contains("--fill-missing"),
        "{err}"
    );
    let filled = LoadOptions {
        fill_missing: Some(FillMissing::Median),
        test_split: 0.5,
        ..options("label")
    };
    let data = load(&path, &filled).unwrap();
    assert_eq!(data.features(), 2, "x stays one number column");
    // In a text column a dash is a value; Excel's errors are none.
    let path = write(
        dir.path(),
        "text.csv",
        "c,label\n-,a\n#REF!,b\nred,a\n-,b\nred,a\ngreen,b\n",
    );
    let t = dnn_data::table::read_table(
        &path,
        dnn_data::table::Columns {
            labels_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    let dnn_data::categories::ColumnValues::Text { values, codes } = &t.features[0] else {
        panic!("{:?}", t.features[0]);
    };
    assert_eq!(values, &["-", "green", "red"]);
    assert_eq!(codes[1], u32::MAX);
}

#[test]
fn text_in_a_column_of_numbers_is_not_advised_one_hot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", "x,label\n1,a\n2,b\noops,a\n4,b\n");
    let err = error(&path, &options("label"));
    assert!(
        err.contains("`oops` is not a number, in a column of numbers; mend the cell")
            && err.contains("--fill-missing")
            && err.contains("--drop x")
            && !err.contains("--one-hot"),
        "{err}"
    );
}

#[test]
fn numbers_with_signs_and_exponents_load_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "x,z,label\n-5,1e-3,a\n2.5,-2E+2,b\n-0.5,3,a\n7,0.0,b\n",
    );
    let half = LoadOptions {
        test_split: 0.5,
        ..options("label")
    };
    let data = load(&path, &half).unwrap();
    assert_eq!(data.features(), 2);
    assert!(
        data.source.table_warnings.is_empty(),
        "{:?}",
        data.source.table_warnings
    );
}

#[test]
fn a_cell_not_in_utf8_says_how_to_convert_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "latin1.csv",
        b"island,label\nDream,a\nR\xeave,b\n",
    );
    let err = error(&path, &options("label"));
    assert!(
        err.contains("row 2 (line 3), column `island`: the cell `R\u{fffd}ve` is not UTF-8 text")
            && err.contains("CSV UTF-8")
            && err.contains("iconv -f cp1252 -t utf-8 in.csv > out.csv"),
        "{err}"
    );
}

#[test]
fn a_gzip_file_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3];
    let path = write(dir.path(), "t.csv.gz", gz);
    let expected = "the file is gzip-compressed, and dnn reads CSV text as it is: decompress it first (gunzip -k t.csv.gz)";
    let err = error(&path, &LoadOptions::default());
    assert!(err.contains(expected), "{err}");
    let as_csv = LoadOptions {
        format: Some(dnn_data::Format::Csv),
        ..LoadOptions::default()
    };
    let err = error(&path, &as_csv);
    assert!(err.contains(expected), "{err}");
}

/// `rows` rows of `date,x,label`, the dates `date(i)`.
fn dated(rows: usize, date: impl Fn(usize) -> String) -> String {
    let mut s = String::from("date,x,label\n");
    for i in 0..rows {
        s.push_str(&format!("{},{},{}\n", date(i), (i * 7) % 5, i % 2));
    }
    s
}

#[test]
fn a_column_of_many_dates_is_read_as_dates_not_refused_as_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "d.csv",
        dated(150, |i| format!("2012/{:02}/{:02}", i / 28 + 1, i % 28 + 1)),
    );
    let data = load(&path, &options("label")).unwrap();
    assert_eq!(
        data.spec.input.input_names(),
        [
            "date.year",
            "date.month",
            "date.day",
            "date.weekday",
            "date.day_of_year",
            "x"
        ]
    );
    assert!(
        data.source.table_warnings.is_empty(),
        "{:?}",
        data.source.table_warnings
    );
}

#[test]
fn a_column_of_few_dates_is_read_as_dates_not_as_categories() {
    let dir = tempfile::tempdir().unwrap();
    /// A row's date, the inputs the column makes, whether its order is a guess.
    type Case = (fn(usize) -> String, usize, bool);
    let cases: [Case; 3] = [
        (|i: usize| format!("2012-01-{:02}", i % 10 + 1), 5, false),
        // No day above 12: read month first, as written with `/`, and warned about.
        (|i: usize| format!("{}/11/07", i % 10 + 1), 5, true),
        (
            |i: usize| format!("2012-01-{:02} 10:{:02}:00", i % 10 + 1, i % 10),
            6,
            false,
        ),
    ];
    for (date, inputs, guessed) in cases {
        let path = write(dir.path(), "d.csv", dated(40, date));
        let data = load(&path, &options("label")).unwrap();
        let Input::Table { one_hot, dates, .. } = &data.spec.input else {
            panic!("a table")
        };
        assert!(one_hot.is_empty());
        assert_eq!(dates[0].parts.len(), inputs);
        let w = &data.source.table_warnings;
        assert_eq!(
            matches!(&w[..], [TableWarning::DateOrder { column, .. }] if column == "date"),
            guessed,
            "{w:?}"
        );
    }
}

#[test]
fn names_and_categories_are_not_dates_nor_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("name,colour,x,label\n");
    let names = ["Ann", "Bob", "Cy", "Dee", "Eve"];
    for i in 0..40 {
        text.push_str(&format!(
            "{},{},{},{}\n",
            names[i % 5],
            ["red", "green"][i % 2],
            (i * 3) % 7,
            i % 2
        ));
    }
    let path = write(dir.path(), "t.csv", &text);
    let data = load(&path, &options("label")).unwrap();
    assert!(
        data.source.table_warnings.is_empty(),
        "{:?}",
        data.source.table_warnings
    );
    assert_eq!(data.features(), 5 + 2 + 1);
}

fn with_row_names(from: usize, header_first: &str) -> String {
    let mut s = format!("{header_first},x,label\n");
    for i in 0..30 {
        s.push_str(&format!("\"{}\",{},{}\n", i + from, (i * 7) % 5, i % 2));
    }
    s
}

#[test]
fn an_unnamed_first_column_of_row_numbers_is_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for (from, name) in [(1, "r.csv"), (0, "p.csv")] {
        let path = write(dir.path(), name, with_row_names(from, "\"\""));
        let data = load(&path, &options("label")).unwrap();
        assert_eq!(data.features(), 1, "only x");
        let w = &data.source.table_warnings;
        assert_eq!(
            w,
            &[TableWarning::RowNames {
                from: from as u64,
                rows: 30
            }]
        );
        let line = w[0].to_string();
        let by = if from == 1 {
            "R's write.csv"
        } else {
            "pandas' to_csv"
        };
        assert!(line.contains(by) && line.contains("left out"), "{line}");
    }
}

#[test]
fn an_unnamed_first_column_of_other_values_is_refused_naming_r_and_pandas() {
    let dir = tempfile::tempdir().unwrap();
    let text = with_row_names(1, "").replace("\"5\"", "\"9\"");
    let path = write(dir.path(), "r.csv", text);
    let err = error(&path, &options("label"));
    assert!(
        err.contains("column 1 of 3 has no name")
            && err.contains("write.csv(df, row.names = FALSE)")
            && err.contains("index=False")
            && err.contains("index_label=\"date\"")
            && err.contains("row 5 has `9`"),
        "{err}"
    );
}

#[test]
fn a_number_column_of_row_numbers_or_ids_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    // In order: a row number whatever its name.
    let mut text = String::from("n,x,label\n");
    for i in 0..30 {
        text.push_str(&format!("{},{},{}\n", 100 + i, (i * 7) % 5, i % 2));
    }
    let data = load(write(dir.path(), "n.csv", &text), &options("label")).unwrap();
    let w = &data.source.table_warnings;
    assert!(
        matches!(&w[..], [TableWarning::RowNumbers { column, in_order: true, .. }] if column == "n"),
        "{w:?}"
    );
    let line = w[0].to_string();
    assert!(
        line.contains("(100, 101, 102, ...)") && line.contains("--drop n"),
        "{line}"
    );
    // Shuffled but named as an id.
    let mut text = String::from("passenger_id,x,label\n");
    for i in 0..30 {
        text.push_str(&format!("{},{},{}\n", (i * 7) % 30 + 1, (i * 7) % 5, i % 2));
    }
    let data = load(write(dir.path(), "id.csv", &text), &options("label")).unwrap();
    assert!(
        matches!(
            &data.source.table_warnings[..],
            [TableWarning::RowNumbers {
                named_as_id: true,
                in_order: false,
                ..
            }]
        ),
        "{:?}",
        data.source.table_warnings
    );
    // Shuffled whole numbers not named as an id (a count per state): no warning.
    let text = text.replace("passenger_id", "population");
    let data = load(write(dir.path(), "p.csv", &text), &options("label")).unwrap();
    assert!(
        data.source.table_warnings.is_empty(),
        "{:?}",
        data.source.table_warnings
    );
}

#[test]
fn a_nearly_unique_text_column_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("last_name,x,label\n");
    for i in 0..50 {
        let name = if i < 4 {
            "Smith".to_owned()
        } else {
            format!("N{i}")
        };
        text.push_str(&format!("{name},{},{}\n", (i * 7) % 5, i % 2));
    }
    let all = LoadOptions {
        parts: dnn_data::Parts::Whole,
        ..options("label")
    };
    let data: Dataset = load(write(dir.path(), "t.csv", &text), &all).unwrap();
    let w = &data.source.table_warnings;
    assert_eq!(
        w,
        &[TableWarning::NearlyUnique {
            column: "last_name".into(),
            values: 47,
            rows: 50
        }]
    );
    assert!(w[0].to_string().contains("--drop last_name"), "{}", w[0]);
    // Fewer than 20 rows: too few to tell.
    let short: String = text.lines().take(15).map(|l| format!("{l}\n")).collect();
    let data = load(write(dir.path(), "s.csv", &short), &all).unwrap();
    assert!(data.source.table_warnings.is_empty());
}
