//! NumPy `.npz` archives: `x_train, y_train, x_test, y_test` (Keras' `mnist.npz` layout) or
//! just `x, y` (then a test part is split off, [`crate::split`]).
//!
//! `x` is `(m, features)` (a table, its columns named `x0`, `x1`, ...), `(m, height, width)`
//! (grey pictures) or `(m, height, width, channels)`, channels last. uint8 pictures are
//! divided by 255, as `dnn predict` divides a picture file's pixels; a table's values, uint8
//! or float, and float pictures are used as they are. `y` holds integer labels, `(m,)`,
//! `(m, 1)` or `(1, m)` (float labels that are whole numbers are accepted too), or class names
//! as numpy strings (`<U`, what `np.asarray(y, dtype=str)` gives, or `|S` bytes in UTF-8);
//! the class names are the sorted label values, numbers in numeric order. Numbers are read with
//! `ndarray-npy`, strings from the `.npy` bytes themselves (ndarray-npy reads no strings).
//!
//! Refused, each with one line that says how to re-save the array:
//! * float pictures (a 3-D or 4-D float `x`) with a value outside `[0, 1]`: a model records
//!   only that its input is a picture, and `dnn predict` (and the exported preprocessing)
//!   divides a JPEG's or PNG's pixels by 255, so pictures trained on 0–255 floats would be
//!   predicted on values 255 times smaller;
//! * a non-finite float (NaN, ±inf), named by its index in the array as numpy writes it;
//! * a 4-D `x` that is channels-first, `(m, 3, h, w)`: its last axis is not 1, 3 or 4 but its
//!   second is.

use dnn_core::Float;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use ndarray::{ArrayD, ArrayView2, IxDyn};
use ndarray_npy::{NpzReader, ReadNpzError};

use crate::cat::check_declared_size;
use crate::classes::{self, ClassChoice};
use crate::dataset::{
    refuse_classes, split_or_keep, split_values, DataSpec, Dataset, Format, Input, LoadOptions,
    Rows, Source,
};
use crate::error::{DataError, Result};
use crate::target::{TargetScale, Task};

type Npz = NpzReader<BufReader<File>>;

/// The inputs as stored.
enum Inputs {
    Bytes(ArrayD<u8>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

impl Inputs {
    fn shape(&self) -> &[usize] {
        match self {
            Inputs::Bytes(a) => a.shape(),
            Inputs::F32(a) => a.shape(),
            Inputs::F64(a) => a.shape(),
        }
    }
}

fn bad(path: &Path, problem: String) -> DataError {
    DataError::BadSource {
        path: path.to_path_buf(),
        problem,
    }
}

fn is_wrong_type(e: &ReadNpzError) -> bool {
    matches!(
        e,
        ReadNpzError::Npy(ndarray_npy::ReadNpyError::WrongDescriptor(_))
    )
}

/// Where an `.npy` header's text starts and how long it is, from the first bytes of the file
/// (`None` when they are not an `.npy` preamble).
fn header_span(head: &[u8]) -> Option<(usize, usize)> {
    let (major, rest) = (head.get(6)?, head.strip_prefix(b"\x93NUMPY")?);
    Some(match major {
        1 => (
            10,
            usize::from(u16::from_le_bytes([*rest.get(2)?, *rest.get(3)?])),
        ),
        _ => (
            12,
            u32::from_le_bytes([*rest.get(2)?, *rest.get(3)?, *rest.get(4)?, *rest.get(5)?])
                as usize,
        ),
    })
}

/// The longest `.npy` header read ahead; numpy writes a few hundred bytes.
const MAX_HEADER: usize = 1 << 16;

/// The shape that an `.npy` header declares, from the first bytes of the file (`None` when they
/// are not a header this can read: ndarray-npy then says what is wrong).
fn declared_shape(head: &[u8]) -> Option<Vec<usize>> {
    let (start, len) = header_span(head)?;
    let text = std::str::from_utf8(head.get(start..start.checked_add(len)?)?).ok()?;
    let after = &text[text.find("'shape'")? + "'shape'".len()..];
    let tuple = &after[after.find('(')? + 1..];
    tuple[..tuple.find(')')?]
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().ok())
        .collect()
}

/// The element type (`descr`) that an `.npy` header declares, e.g. `<U7` or `|O`.
fn declared_descr(head: &[u8]) -> Option<String> {
    let (start, len) = header_span(head)?;
    let text = std::str::from_utf8(head.get(start..start.checked_add(len)?)?).ok()?;
    let after = &text[text.find("'descr'")? + "'descr'".len()..];
    let quoted = &after[after.find('\'')? + 1..];
    Some(quoted[..quoted.find('\'')?].to_owned())
}

/// Refuses an array of `keys` whose header declares more data than the file can hold (at
/// most `cat::MAX_EXPANSION` times its bytes, as compressed, in elements of up to 8 bytes, the
/// widest type read here): ndarray-npy allocates the declared size before it reads any data,
/// so a small file declaring `(10^12,)` would end the process with an allocation failure.
fn check_declared(path: &Path, keys: &[&str]) -> Result<()> {
    let fail = |key: &str, problem: String| bad(path, format!("cannot read `{key}`: {problem}"));
    let file = File::open(path).map_err(|e| fail(keys[0], e.to_string()))?;
    let file_len = file.metadata().map_or(0, |m| m.len());
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| fail(keys[0], format!("not a readable .npz archive: {e}")))?;
    for &key in keys {
        let name = match archive.index_for_name(key) {
            Some(_) => key.to_owned(),
            None => format!("{key}.npy"),
        };
        let Ok(entry) = archive.by_name(&name) else {
            // Missing or unreadable: ndarray-npy says which.
            continue;
        };
        let mut head = Vec::new();
        let _ = entry.take(MAX_HEADER as u64).read_to_end(&mut head);
        // Formats 2 and 3 allow 4 GiB of header, which ndarray-npy would read whole.
        if let Some((start, len)) = header_span(&head) {
            if start + len > MAX_HEADER {
                return Err(fail(
                    key,
                    format!(
                        "its .npy header says it is {len} bytes long; numpy writes a few hundred"
                    ),
                ));
            }
        }
        if key.starts_with('x') && declared_descr(&head).is_some_and(|d| d.ends_with('O')) {
            return Err(bad(
                path,
                format!(
                    "`{key}` holds Python objects (pandas' `.values` of a table with a text \
                     column gives them), which dnn does not unpickle; re-save its numbers as \
                     floats, np.asarray({key}, dtype=float) (from pandas: \
                     df[columns].to_numpy(dtype=float)); a table with text columns is better \
                     saved as a CSV (df.to_csv(\"t.csv\", index=False)), whose text columns dnn \
                     one-hot encodes"
                ),
            ));
        }
        if let Some(shape) = declared_shape(&head) {
            check_declared_size(file_len, &shape, std::mem::size_of::<f64>()).map_err(
                |problem| {
                    fail(
                        key,
                        format!("its header declares shape {shape:?}; {problem}"),
                    )
                },
            )?;
            // A compressed archive holds far more than its size: 4.7 MB of zeros unpack to
            // 4.8 GB. Reading it, and the f64 numbers it becomes, must fit.
            let bytes = shape
                .iter()
                .try_fold(std::mem::size_of::<f64>() as u128, |acc, &d| {
                    acc.checked_mul(d as u128)
                });
            if !dnn_core::fits_in_memory(bytes) {
                return Err(fail(
                    key,
                    format!(
                        "its header declares shape {shape:?}, {} as f64 numbers, more than \
                         this machine can hold",
                        bytes.map_or("beyond any size".to_owned(), |b| {
                            format!("{:.1} GB", b as f64 / 1e9)
                        })
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether the input arrays of the archive at `path` (`x`, `x_train`, `x_test`) hold the
/// values [`load`] gives exactly in `f32`, so that [`crate::load_as`] may read them into
/// `f32` directly: `float32` arrays and uint8 tables do; `float64` arrays do not, nor do
/// uint8 pictures (bytes over 255) when `standardized` (their z-score is computed from the
/// `f64` quotients). `false` where it cannot tell (an archive or header it cannot read):
/// reading through `f64` costs memory, reading inexact values into `f32` would cost exactness.
pub(crate) fn exact_in_f32(path: &Path, standardized: bool) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(file)) else {
        return false;
    };
    ["x", "x_train", "x_test"].iter().all(|key| {
        let name = match archive.index_for_name(key) {
            Some(_) => (*key).to_owned(),
            None => format!("{key}.npy"),
        };
        // An archive has `x`, or `x_train` and `x_test`: the others are absent.
        let Ok(entry) = archive.by_name(&name) else {
            return true;
        };
        let mut head = Vec::new();
        let _ = entry.take(MAX_HEADER as u64).read_to_end(&mut head);
        let (Some(descr), Some(shape)) = (declared_descr(&head), declared_shape(&head)) else {
            return false;
        };
        let picture = shape.len() > 2;
        match descr.trim_start_matches(['<', '>', '|', '=']) {
            "f4" => true,
            "u1" => !(standardized && picture),
            _ => false,
        }
    })
}

fn read_x(npz: &mut Npz, path: &Path, key: &str) -> Result<Inputs> {
    let fail = |e: ReadNpzError| bad(path, format!("cannot read `{key}`: {e}"));
    match npz.by_name::<ndarray::OwnedRepr<u8>, IxDyn>(key) {
        Ok(a) => return Ok(Inputs::Bytes(a)),
        Err(e) if !is_wrong_type(&e) => return Err(fail(e)),
        Err(_) => {}
    }
    match npz.by_name::<ndarray::OwnedRepr<f32>, IxDyn>(key) {
        Ok(a) => return Ok(Inputs::F32(a)),
        Err(e) if !is_wrong_type(&e) => return Err(fail(e)),
        Err(_) => {}
    }
    match npz.by_name::<ndarray::OwnedRepr<f64>, IxDyn>(key) {
        Ok(a) => Ok(Inputs::F64(a)),
        Err(e) if is_wrong_type(&e) => Err(bad(
            path,
            format!("`{key}` has an element type dnn does not read as inputs; give uint8 (pictures' bytes are divided by 255), float32 or float64 ({e})"),
        )),
        Err(e) => Err(fail(e)),
    }
}

/// `[10, 2]` as numpy writes an index: `10, 2`.
fn numpy_index(shape: &[usize], flat: usize) -> String {
    let mut index = vec![0; shape.len()];
    let mut rest = flat;
    for (i, &n) in shape.iter().enumerate().rev() {
        if n > 0 {
            index[i] = rest % n;
            rest /= n;
        }
    }
    index
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses a float input array with a non-finite value, or, for pictures, a value outside
/// `[0, 1]` (see the [module docs](self) for why), naming the first such value by its index.
/// One pass over the array as it is stored, no copy: this runs on every float npz, however
/// large, before the values are converted.
fn check_values<T: dnn_core::Float>(
    path: &Path,
    key: &str,
    a: &ArrayD<T>,
    picture: bool,
) -> Result<()> {
    // Two closures rather than one test of `picture` per value. For a picture, NaN and
    // ±inf are outside [0, 1] too.
    let first_bad = if picture {
        a.iter()
            .map(|&v| v.to_f64_lossless())
            .enumerate()
            .find(|(_, v)| !(0.0..=1.0).contains(v))
    } else {
        a.iter()
            .map(|&v| v.to_f64_lossless())
            .enumerate()
            .find(|(_, v)| !v.is_finite())
    };
    // `iter` walks the array in logical order whatever its memory layout, so `flat` is the
    // value's position in `x.ravel()`.
    let Some((flat, value)) = first_bad else {
        return Ok(());
    };
    let at = format!("{key}[{}]", numpy_index(a.shape(), flat));
    Err(bad(
        path,
        if value.is_finite() {
            format!(
                "{at} is {value}, but float pictures must hold values in [0, 1] (dnn divides a \
                 picture's 0-255 pixels by 255 when it predicts); divide them by 255 \
                 ({key} / 255) or save them as uint8 ({key}.astype(np.uint8))"
            )
        } else {
            format!("{at} is {value} (every value must be finite)")
        },
    ))
}

/// Refuses a 4-D `x` laid out channels-first, `(m, channels, height, width)`: read as it is,
/// `(m, 3, 64, 64)` would be 3x64 pictures of 64 channels and train without a word.
fn check_channels_last(path: &Path, key: &str, shape: &[usize]) -> Result<()> {
    let channels = |n: usize| matches!(n, 1 | 3 | 4);
    if let [m, c, h, w] = *shape {
        if channels(c) && !channels(w) {
            return Err(bad(
                path,
                format!(
                    "`{key}` has shape {shape:?}, which looks channels-first (m, channels, \
                     height, width); dnn reads pictures channels-last, (m, height, width, \
                     channels): re-save it with np.moveaxis({key}, 1, -1), shape [{m}, {h}, \
                     {w}, {c}]"
                ),
            ));
        }
    }
    Ok(())
}

/// A float array's values and its shape.
type Floats = (Vec<f64>, Vec<usize>);

/// One part's targets: class labels, or (a regression's) values; the other one empty.
type Targets = (Vec<usize>, Vec<f64>);

/// Labels as read (`None`: not a whole number) and the array's shape.
type Labels = (Vec<Option<i64>>, Vec<usize>);

/// One `y` array's labels: class numbers, class names, or the floats of a float array
/// (class numbers if they are whole, else a regression's targets).
enum LabelValues {
    Numbers(Vec<i64>),
    Names(Vec<String>),
    Floats(Vec<f64>),
}

impl LabelValues {
    fn numbers(&self) -> Option<&[i64]> {
        match self {
            LabelValues::Numbers(v) => Some(v),
            _ => None,
        }
    }

    fn names(&self) -> Option<&[String]> {
        match self {
            LabelValues::Names(v) => Some(v),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match self {
            LabelValues::Numbers(v) => v.len(),
            LabelValues::Names(v) => v.len(),
            LabelValues::Floats(v) => v.len(),
        }
    }

    /// The values as numbers (a regression's targets); `None` for names.
    fn values(&self) -> Option<Vec<f64>> {
        match self {
            LabelValues::Numbers(v) => Some(v.iter().map(|&n| n as f64).collect()),
            LabelValues::Floats(v) => Some(v.clone()),
            LabelValues::Names(_) => None,
        }
    }

    /// Class numbers: whole floats become integers; a float with a fraction is refused,
    /// naming it.
    fn into_classes(self, path: &Path, key: &str) -> Result<LabelValues> {
        let LabelValues::Floats(v) = self else {
            return Ok(self);
        };
        v.iter()
            .enumerate()
            .map(|(i, &f)| {
                (f.fract() == 0.0 && f.abs() < 9e15)
                    .then_some(f as i64)
                    .ok_or_else(|| {
                        bad(
                            path,
                            format!(
                                "{key}[{i}] is {f}, not a whole number; labels are class \
                                 numbers (a number to predict is a regression: --task regress)"
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()
            .map(LabelValues::Numbers)
    }
}

/// Refuses a `y` of another shape than `(m,)`, `(m, 1)` or `(1, m)`.
fn check_label_shape(path: &Path, key: &str, shape: &[usize]) -> Result<()> {
    if !matches!(shape, [_] | [1, _] | [_, 1]) {
        return Err(bad(
            path,
            format!("`{key}` has shape {shape:?}; labels are (m,), (m, 1) or (1, m)"),
        ));
    }
    Ok(())
}

/// Class names stored as numpy strings, or `None` when `key` holds no strings: `<U{n}`
/// (UTF-32, `n` characters each, what `np.asarray(y, dtype=str)` gives) or `|S{n}` (`n` bytes each,
/// read as UTF-8), both padded with zeros. Object arrays (`|O`, pandas' `.values` of text)
/// are pickled Python objects, which are refused with the `np.asarray(y, dtype=str)` that
/// fixes them.
fn read_names(path: &Path, key: &str) -> Result<Option<Vec<String>>> {
    let fail = |problem: String| bad(path, format!("cannot read `{key}`: {problem}"));
    let file = File::open(path).map_err(|e| crate::error::io_error(path, e))?;
    let file_len = file.metadata().map_or(0, |m| m.len());
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| fail(format!("not a readable .npz archive: {e}")))?;
    let name = match archive.index_for_name(key) {
        Some(_) => key.to_owned(),
        None => format!("{key}.npy"),
    };
    let mut head = Vec::new();
    archive
        .by_name(&name)
        .map_err(|e| fail(e.to_string()))?
        .take(MAX_HEADER as u64)
        .read_to_end(&mut head)
        .map_err(|e| fail(e.to_string()))?;
    let (Some((start, len)), Some(descr), Some(shape)) = (
        header_span(&head),
        declared_descr(&head),
        declared_shape(&head),
    ) else {
        return Ok(None);
    };
    if descr.ends_with('O') {
        return Err(bad(
            path,
            format!(
                "`{key}` holds Python objects (pandas' `.values` of text gives them), which \
                 dnn does not unpickle; re-save it as strings, np.asarray({key}, dtype=str) \
                 (from pandas: df[column].to_numpy(dtype=str); pandas 3's .astype(str) stays \
                 objects), or as integer class numbers"
            ),
        ));
    }
    let (unicode, big_endian) = match descr.get(..2) {
        Some("<U" | "=U") => (true, false),
        Some(">U") => (true, true),
        Some("|S" | "<S" | ">S" | "=S") => (false, false),
        _ => return Ok(None),
    };
    let chars: usize = descr[2..].parse().map_err(|_| {
        fail(format!(
            "its element type `{descr}` is not a numpy string type"
        ))
    })?;
    let item = if unicode { chars * 4 } else { chars };
    check_label_shape(path, key, &shape)?;
    check_declared_size(file_len, &shape, item.max(1))
        .map_err(|problem| fail(format!("its header declares shape {shape:?}; {problem}")))?;
    let m: usize = shape.iter().product();
    let data_start = start + len;
    let mut bytes = Vec::with_capacity(data_start + m * item);
    archive
        .by_name(&name)
        .map_err(|e| fail(e.to_string()))?
        .take((data_start + m * item) as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    let Some(data) = bytes.get(data_start..data_start + m * item) else {
        return Err(fail(format!(
            "it ends before the {m} strings its header declares"
        )));
    };
    let mut names = Vec::with_capacity(m);
    for (i, cell) in data.chunks(item.max(1)).take(m).enumerate() {
        let name = if unicode {
            cell.chunks_exact(4)
                .map(|c| {
                    let u = [c[0], c[1], c[2], c[3]];
                    if big_endian {
                        u32::from_be_bytes(u)
                    } else {
                        u32::from_le_bytes(u)
                    }
                })
                .take_while(|&u| u != 0)
                .map(char::from_u32)
                .collect::<Option<String>>()
        } else {
            let end = cell.iter().position(|&b| b == 0).unwrap_or(cell.len());
            String::from_utf8(cell[..end].to_vec()).ok()
        };
        let Some(name) = name else {
            return Err(bad(
                path,
                format!("{key}[{i}] is not valid text ({descr}); save the names as UTF-8, np.asarray({key}, dtype=str)"),
            ));
        };
        names.push(name);
    }
    Ok(Some(names))
}

/// A float `y` (`float64` or `float32`) as it is, every value finite; `None` for another
/// element type.
fn read_floats(npz: &mut Npz, path: &Path, key: &str) -> Result<Option<LabelValues>> {
    fn attempt<T: ndarray_npy::ReadableElement + Copy + Into<f64>>(
        npz: &mut Npz,
        key: &str,
    ) -> std::result::Result<Option<Floats>, ReadNpzError> {
        match npz.by_name::<ndarray::OwnedRepr<T>, IxDyn>(key) {
            Ok(a) => Ok(Some((
                a.iter().map(|&v| v.into()).collect(),
                a.shape().to_vec(),
            ))),
            Err(e) if is_wrong_type(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
    let fail = |e: ReadNpzError| bad(path, format!("cannot read `{key}`: {e}"));
    let read = match attempt::<f64>(npz, key).map_err(fail)? {
        Some(r) => Some(r),
        None => attempt::<f32>(npz, key).map_err(fail)?,
    };
    let Some((values, shape)) = read else {
        return Ok(None);
    };
    check_label_shape(path, key, &shape)?;
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(bad(
            path,
            format!("{key}[{i}] is {v}; every label or target must be a finite number"),
        ));
    }
    Ok(Some(LabelValues::Floats(values)))
}

/// Labels as `i64`, from any integer type, or as class names from numpy strings (float
/// arrays: [`read_floats`]).
fn read_y(npz: &mut Npz, path: &Path, key: &str) -> Result<LabelValues> {
    fn attempt<T: ndarray_npy::ReadableElement + Copy>(
        npz: &mut Npz,
        key: &str,
        to: impl Fn(T) -> Option<i64>,
    ) -> std::result::Result<Option<Labels>, ReadNpzError> {
        match npz.by_name::<ndarray::OwnedRepr<T>, IxDyn>(key) {
            Ok(a) => Ok(Some((
                a.iter().map(|&v| to(v)).collect(),
                a.shape().to_vec(),
            ))),
            Err(e) if is_wrong_type(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
    let fail = |e: ReadNpzError| bad(path, format!("cannot read `{key}`: {e}"));
    if let Some(floats) = read_floats(npz, path, key)? {
        return Ok(floats);
    }
    let read = attempt::<u8>(npz, key, |v| Some(i64::from(v)))
        .transpose()
        .or_else(|| attempt::<i64>(npz, key, Some).transpose())
        .or_else(|| attempt::<i32>(npz, key, |v| Some(i64::from(v))).transpose())
        .or_else(|| attempt::<u16>(npz, key, |v| Some(i64::from(v))).transpose())
        .or_else(|| attempt::<i16>(npz, key, |v| Some(i64::from(v))).transpose())
        .or_else(|| attempt::<i8>(npz, key, |v| Some(i64::from(v))).transpose())
        .or_else(|| attempt::<u32>(npz, key, |v| Some(i64::from(v))).transpose())
        .or_else(|| attempt::<u64>(npz, key, |v| i64::try_from(v).ok()).transpose());
    let (values, shape) = match read {
        Some(r) => r.map_err(fail)?,
        None => {
            return match read_names(path, key)? {
                Some(names) => Ok(LabelValues::Names(names)),
                None => Err(bad(
                    path,
                    format!("`{key}` must hold class labels, integers or strings; its element type is neither"),
                )),
            }
        }
    };
    check_label_shape(path, key, &shape)?;
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| {
                bad(
                    path,
                    format!("{key}[{i}] is not a whole number; labels are class numbers"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(LabelValues::Numbers)
}

/// The sorted class names of every part's labels, and each part's labels as indices into
/// them: numbers in numeric order, names in text order (as a CSV's).
fn class_indices(
    path: &Path,
    keys: &[&str],
    parts: &[(Inputs, LabelValues)],
) -> Result<(Vec<String>, Vec<Vec<usize>>)> {
    fn indices<T: Ord + Clone>(ys: &[&[T]]) -> (Vec<T>, Vec<Vec<usize>>) {
        let mut values: Vec<T> = ys.iter().flat_map(|y| y.iter().cloned()).collect();
        values.sort_unstable();
        values.dedup();
        let parts = ys
            .iter()
            .map(|y| {
                y.iter()
                    .map(|v| values.binary_search(v).unwrap_or_default())
                    .collect()
            })
            .collect();
        (values, parts)
    }
    let numbers: Vec<&[i64]> = parts.iter().filter_map(|(_, y)| y.numbers()).collect();
    let names: Vec<&[String]> = parts.iter().filter_map(|(_, y)| y.names()).collect();
    match (numbers.len(), names.len()) {
        (_, 0) => {
            let (values, parts) = indices(&numbers);
            Ok((values.iter().map(i64::to_string).collect(), parts))
        }
        (0, _) => Ok(indices(&names)),
        _ => {
            // Mixed kinds only happen in the split layout: y_train against y_test.
            let (first, second) = match parts[0].1 {
                LabelValues::Names(_) => ("class names", "class numbers"),
                _ => ("class numbers", "class names"),
            };
            Err(bad(
                path,
                format!(
                    "`{}` holds {first} but `{}` {second}; save both the same way",
                    keys[1], keys[3]
                ),
            ))
        }
    }
}

/// Each part's target values when `task` makes the archive a regression ([`crate::target`]:
/// for [`Task::Auto`], float `y` arrays whose values have a fraction or are more than
/// [`crate::target::MAX_AUTO_CLASSES`]; integer arrays are class numbers), else `None`.
/// Pictures (`picture`) are classified only.
fn regression_targets(
    path: &Path,
    keys: &[&str],
    parts: &[(Inputs, LabelValues)],
    task: Task,
    picture: bool,
) -> Result<Option<Vec<Vec<f64>>>> {
    let regress = match task {
        Task::Classify => false,
        Task::Regress => true,
        Task::Auto => {
            let floats: Option<Vec<f64>> = parts
                .iter()
                .map(|(_, y)| match y {
                    LabelValues::Floats(v) => Some(v.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat());
            floats.is_some_and(|mut all| {
                all.sort_by(f64::total_cmp);
                all.dedup();
                crate::target::is_continuous(&all)
            })
        }
    };
    if !regress {
        return Ok(None);
    }
    if picture {
        return Err(bad(
            path,
            "its `y` holds numbers to predict, but its `x` holds pictures, and dnn predicts \
             numbers from tables only (x of shape (m, features)); --task classify if `y` holds \
             class numbers"
                .to_owned(),
        ));
    }
    parts
        .iter()
        .zip(keys.iter().skip(1).step_by(2))
        .map(|((_, y), key)| {
            y.values().ok_or_else(|| {
                bad(
                    path,
                    format!(
                        "`{key}` holds class names, but a regression predicts numbers; \
                         save the targets as a float array"
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A regression's target scale fitted on the given training rows, or the error of a target
/// with one value.
fn scale_of(path: &Path, values: &[f64], train: &[usize]) -> Result<TargetScale> {
    TargetScale::fit(values, train).ok_or_else(|| {
        bad(
            path,
            format!(
                "`y_train` has one value, {}, in every example: there is nothing to predict",
                values.first().copied().unwrap_or_default()
            ),
        )
    })
}

/// Loads a `.npz` archive (see the [module docs](self)).
///
/// # Errors
/// [`DataError::LengthMismatch`], [`DataError::BadSource`] for a missing key (listing the
/// keys present), unreadable arrays, unusable shapes, types and values (see the
/// [module docs](self)), the class errors and [`DataError::BadSplit`].
pub fn load<X: Float>(path: &Path, options: &LoadOptions) -> Result<Dataset<X>> {
    let hashing = crate::fingerprint::Hashing::start(path);
    let file = File::open(path).map_err(|e| crate::error::io_error(path, e))?;
    let mut npz = NpzReader::new(BufReader::new(file))
        .map_err(|e| bad(path, format!("not a readable .npz archive: {e}")))?;
    let names = npz
        .names()
        .map_err(|e| bad(path, format!("not a readable .npz archive: {e}")))?;
    let has = |k: &str| names.iter().any(|n| n == k);
    // DataError::MissingKey has no room for the hint, so the same words go in a BadSource.
    let missing = |key: &str, keys: &[&str]| {
        let present = if names.is_empty() {
            "no arrays".to_owned()
        } else {
            names.join(", ")
        };
        let save = keys
            .iter()
            .map(|k| format!("{k}=..."))
            .collect::<Vec<_>>()
            .join(", ");
        bad(
            path,
            format!(
                "missing key `{key}` (the file has: {present}); dnn reads the arrays named {}: \
                 re-save them under those names, np.savez(f, {save})",
                keys.join(", ")
            ),
        )
    };
    let split_layout = has("x_train") || has("y_train") || has("x_test") || has("y_test");
    let keys: &[&str] = if split_layout {
        &["x_train", "y_train", "x_test", "y_test"]
    } else {
        &["x", "y"]
    };
    if let Some(k) = keys.iter().find(|k| !has(k)) {
        return Err(missing(k, keys));
    }
    check_declared(path, keys)?;
    let mut parts = Vec::new();
    for pair in keys.chunks(2) {
        let (xk, yk) = (pair[0], pair[1]);
        let x = read_x(&mut npz, path, xk)?;
        let y = read_y(&mut npz, path, yk)?;
        let m = x.shape().first().copied().unwrap_or(0);
        if x.shape().len() < 2 || x.shape().len() > 4 {
            return Err(bad(
                path,
                format!(
                    "`{xk}` has shape {:?}; inputs are (m, features), (m, height, width) or (m, height, width, channels)",
                    x.shape()
                ),
            ));
        }
        check_channels_last(path, xk, x.shape())?;
        if m != y.len() {
            return Err(DataError::LengthMismatch {
                path: path.to_path_buf(),
                x_key: xk.to_owned(),
                examples: m,
                y_key: yk.to_owned(),
                labels: y.len(),
            });
        }
        if m == 0 || x.shape()[1..].contains(&0) {
            return Err(bad(
                path,
                format!(
                    "`{xk}` has shape {:?}: no examples or no features",
                    x.shape()
                ),
            ));
        }
        // Pictures: 3-D or 4-D, as the `Input` below.
        let picture = x.shape().len() > 2;
        match &x {
            Inputs::Bytes(_) => {}
            Inputs::F32(a) => check_values(path, xk, a, picture)?,
            Inputs::F64(a) => check_values(path, xk, a, picture)?,
        }
        parts.push((x, y));
    }
    let shape = parts[0].0.shape()[1..].to_vec();
    if let Some((x, _)) = parts.get(1) {
        if x.shape()[1..] != shape[..] {
            return Err(bad(
                path,
                format!(
                    "x_train has examples of shape {shape:?} but x_test of shape {:?}",
                    &x.shape()[1..]
                ),
            ));
        }
    }
    let targets = regression_targets(path, keys, &parts, options.task, shape.len() > 1)?;
    let (names, label_parts) = match &targets {
        Some(_) => (Vec::new(), Vec::new()),
        None => {
            let mut classed = Vec::with_capacity(parts.len());
            for ((x, y), yk) in parts.into_iter().zip(keys.iter().skip(1).step_by(2)) {
                classed.push((x, y.into_classes(path, yk)?));
            }
            parts = classed;
            let (natural, mut label_parts) = class_indices(path, keys, &parts)?;
            let refs: Vec<&[usize]> = label_parts.iter().map(Vec::as_slice).collect();
            let seen = classes::seen(natural.len(), &refs);
            let (names, map) = classes::resolve(path, &natural, &seen, &options.classes)?;
            for labels in &mut label_parts {
                classes::remap(labels, &map);
            }
            if !matches!(options.classes, ClassChoice::Among(_)) {
                classes::require_two(path, &names, &label_parts[0])?;
            }
            (names, label_parts)
        }
    };
    let features: usize = shape.iter().product();
    let input = match shape.as_slice() {
        [n] => Input::Table {
            columns: (0..*n).map(|i| format!("x{i}")).collect(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            target: "y".into(),
            dates: Vec::new(),
        },
        [h, w] => Input::Picture {
            height: *h,
            width: *w,
            channels: 1,
        },
        [h, w, c] => Input::Picture {
            height: *h,
            width: *w,
            channels: *c,
        },
        _ => unreachable!("the rank was checked"),
    };
    let picture = matches!(input, Input::Picture { .. });
    // A table's bytes are numbers like a float table's: divided by 255 they would be inputs
    // that a CSV of the same rows (or an exported model) never gives the model.
    let numeric_inputs = !picture || !matches!(parts[0].0, Inputs::Bytes(_));

    let sha256 = hashing.wait()?;
    let options = &options.resolved(&sha256);
    let mut built = Vec::new(); // (x, labels, images) per part
    let mut split = None;
    let mut regression = None;
    // Per part: its inputs, and its class labels or (a regression's) target values.
    let take_parts: Vec<(Inputs, Vec<usize>, Vec<f64>)> = match targets {
        Some(values) => {
            let xs = parts.into_iter().map(|(x, _)| x);
            xs.zip(values).map(|(x, v)| (x, Vec::new(), v)).collect()
        }
        None => {
            let xs = parts.into_iter().map(|(x, _)| x);
            xs.zip(label_parts)
                .map(|(x, l)| (x, l, Vec::new()))
                .collect()
        }
    };
    // Read whole, a regression's own parts are one: its scale is fitted on both.
    let every_value: Vec<f64> = if options.whole() && split_layout {
        take_parts
            .iter()
            .flat_map(|(_, _, v)| v.iter().copied())
            .collect()
    } else {
        Vec::new()
    };
    for (part, (x, labels, values)) in take_parts.into_iter().enumerate() {
        let m = x.shape()[0];
        let pick = |idx: &[usize]| -> Targets {
            if values.is_empty() {
                (idx.iter().map(|&i| labels[i]).collect(), Vec::new())
            } else {
                (Vec::new(), idx.iter().map(|&i| values[i]).collect())
            }
        };
        let all: Vec<usize> = (0..m).collect();
        let sides: Vec<Vec<usize>> = match (split_layout, values.is_empty()) {
            (true, true) => vec![all],
            (true, false) => {
                if part == 0 {
                    refuse_classes(path, options, "y_train")?;
                    regression = Some(match options.target_scale {
                        Some(scale) => scale,
                        None if !every_value.is_empty() => {
                            let every: Vec<usize> = (0..every_value.len()).collect();
                            scale_of(path, &every_value, &every)?
                        }
                        None => scale_of(path, &values, &all)?,
                    });
                }
                vec![all]
            }
            (false, true) => {
                let (tr, te, spec) = split_or_keep(path, &labels, names.len(), options, None)?;
                split = spec;
                vec![tr, te]
            }
            (false, false) => {
                let ((tr, te, spec), scale) = split_values(path, &values, options, "y", None)?;
                split = spec;
                regression = Some(scale);
                vec![tr, te]
            }
        };
        let picks: Vec<(Vec<usize>, Targets)> = sides
            .into_iter()
            .map(|idx| {
                let p = pick(&idx);
                (idx, p)
            })
            .collect();
        let flat_err = |e: ndarray::ShapeError| bad(path, e.to_string());
        for (idx, part_labels) in picks {
            let (matrix, images) = match &x {
                Inputs::Bytes(a) => {
                    let a = a.as_standard_layout();
                    let rows: ArrayView2<'_, u8> = a
                        .view()
                        .into_shape_with_order((m, features))
                        .map_err(flat_err)?;
                    let images = if picture {
                        let (h, w, c) = match input {
                            Input::Picture {
                                height,
                                width,
                                channels,
                            } => (height, width, channels),
                            Input::Table { .. } => unreachable!(),
                        };
                        let all = a
                            .view()
                            .into_shape_with_order((m, h, w, c))
                            .map_err(flat_err)?;
                        Some(all.select(ndarray::Axis(0), &idx))
                    } else {
                        None
                    };
                    let rows = if picture {
                        Rows::Bytes(rows)
                    } else {
                        Rows::U8(rows)
                    };
                    (rows.columns(&idx).map_err(|p| bad(path, p))?, images)
                }
                Inputs::F32(a) => {
                    let a = a.as_standard_layout();
                    let rows = a
                        .view()
                        .into_shape_with_order((m, features))
                        .map_err(flat_err)?;
                    (
                        Rows::F32(rows).columns(&idx).map_err(|p| bad(path, p))?,
                        None,
                    )
                }
                Inputs::F64(a) => {
                    let a = a.as_standard_layout();
                    let rows = a
                        .view()
                        .into_shape_with_order((m, features))
                        .map_err(flat_err)?;
                    (
                        Rows::F64(rows).columns(&idx).map_err(|p| bad(path, p))?,
                        None,
                    )
                }
            };
            built.push((matrix, part_labels, images));
        }
    }
    let (test_x, (test_labels, test_values), test_images) = built.pop().expect("a test part");
    let (train_x, (train_labels, train_values), train_images) =
        built.pop().expect("a training part");
    Ok(Dataset {
        train_x,
        train_labels,
        train_values,
        test_x,
        test_labels,
        test_values,
        spec: DataSpec {
            ranges: None,
            classes: names,
            regression,
            input,
            standardization: None,
        },
        source: Source {
            format: Format::Npz,
            path: path.to_path_buf(),
            split,
            skipped_files: 0,
            unread: Vec::new(),
            unseen: Vec::new(),
            text_counts: Vec::new(),
            numeric_inputs,
            sha256: Some(sha256),
            whole: options.whole(),
            left_out_columns: Vec::new(),
            image_csv: None,
            table_warnings: Vec::new(),
            decimal_comma: false,
            parse_numbers: false,
            groups: None,
        },
        train_images,
        test_images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_read_from_numpys_headers() {
        // What numpy 2's np.save writes in format 1.0: the preamble, a length of 118 (`v\0`)
        // and the dictionary padded with spaces to a 64-byte boundary.
        let numpy = |dict: &str| {
            let mut out = b"\x93NUMPY\x01\x00v\x00".to_vec();
            out.extend(format!("{dict:<117}\n").as_bytes());
            out
        };
        let header = numpy("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 2), }");
        assert_eq!(header.len(), 128);
        assert_eq!(declared_shape(&header), Some(vec![4, 2]));
        let one = numpy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }");
        assert_eq!(declared_shape(&one), Some(vec![4]));
        let scalar = numpy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
        assert_eq!(declared_shape(&scalar), Some(vec![]));
        // Format 2.0: a 4-byte length.
        let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
        let text = "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 70000), }\n";
        v2.extend((text.len() as u32).to_le_bytes());
        v2.extend(text.as_bytes());
        assert_eq!(declared_shape(&v2), Some(vec![3, 70000]));
        assert_eq!(header_span(&v2), Some((12, text.len())));
        // Not a header, cut short, or a shape that is not numbers: left to ndarray-npy.
        assert_eq!(declared_shape(b"PK\x03\x04"), None);
        assert_eq!(declared_shape(&header[..40]), None);
        let odd = numpy("{'descr': '|u1', 'fortran_order': False, 'shape': (4, x), }");
        assert_eq!(declared_shape(&odd), None);
    }
}
