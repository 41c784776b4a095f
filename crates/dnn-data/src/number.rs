//! How dnn writes a number that a person reads back exactly: in messages that echo a value,
//! and in files of values (`dnn predict`'s CSV).

/// Magnitudes from this on are written with an exponent (`1e16`, `2.5e300`): more digits
/// than f64 holds, all but the first 17 of them noise.
pub const EXPONENT_FROM: f64 = 1e16;
/// Magnitudes below this (but not 0) are written with an exponent (`1.5e-5`), not as
/// `0.0000…` with the digits that matter far to the right.
pub const EXPONENT_BELOW: f64 = 1e-4;

/// Whether `v` is written with an exponent: a magnitude of [`EXPONENT_FROM`] or more, or
/// below [`EXPONENT_BELOW`] and not 0.
///
/// ```
/// use dnn_data::number::needs_exponent;
/// assert!(needs_exponent(1e300) && needs_exponent(-2e-5));
/// assert!(!needs_exponent(0.0) && !needs_exponent(12345.5) && !needs_exponent(f64::NAN));
/// ```
pub fn needs_exponent(v: f64) -> bool {
    let a = v.abs();
    a.is_finite() && a != 0.0 && !(EXPONENT_BELOW..EXPONENT_FROM).contains(&a)
}

/// `v` in full: the shortest decimal that reads back as the same `f64` (Rust's and
/// Python's `repr`), with an exponent where the magnitude is huge or tiny.
///
/// ```
/// use dnn_data::number::exact;
/// assert_eq!(exact(0.25), "0.25");
/// assert_eq!(exact(2491028713240843.0), "2491028713240843");
/// assert_eq!(exact(2.491028713240843e300), "2.491028713240843e300");
/// assert_eq!(exact(1.5e-200), "1.5e-200");
/// assert_eq!(exact(-0.0001), "-0.0001");
/// ```
pub fn exact(v: f64) -> String {
    if needs_exponent(v) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}
