//! The user's own pictures (JPEG or PNG), turned into the model's input column.
//!
//! The exercise does `scipy.misc.imresize(imread(fname), (64, 64)).reshape((64*64*3, 1)) / 255`.
//! [`load_picture`] does the same: decode, resize to exactly 64x64 (bilinear/triangle
//! filter, which is what `imresize` used by default), drop any alpha channel, expand
//! grey to RGB, flatten in `(row * 64 + col) * 3 + channel` order and divide by 255,
//! giving shape `(12288, 1)`.
//!
//! # Memory limits
//! Decoding needs the whole decoded picture in memory before it is shrunk, so the
//! size is checked from the file header *before* any pixel is decoded, against
//! [`ImageLimits`]: by default at most 16384 pixels wide and high, and at most
//! 512 MiB of decoded pixel data (width x height x bytes per pixel). An
//! 8000x8000 RGB photo (192 MB decoded) loads; a 16000x16000 one (768 MB) is
//! refused with [`DataError::ImageTooLarge`] without allocating it. The same
//! budget is handed to the decoder (`image::Limits::max_alloc`) as a second guard.
//! The decoded picture is resized in its own colour type (8-bit grey stays 1 byte
//! per pixel) and only the 64x64 result is converted to RGB, so the peak is about
//! one decoded picture plus a small resampling buffer.
//!
//! # Orientation
//! Phones store a portrait photo as landscape pixels with an EXIF orientation tag that says
//! how to turn it for display; every viewer does, so that is the picture the user sees and
//! means. The orientation (JPEG EXIF, or a PNG's `eXIf` chunk) is applied here, the one place
//! every picture is decoded (image folders, `dnn predict`, uploads): the picture is resized
//! to the requested size *as displayed* (to `height` x `width` first when the orientation
//! turns it a quarter) and the small result is turned, so turning costs no second copy of
//! the full picture.
//!
//! # Truncated JPEGs
//! The JPEG decoder fills whatever a truncated file lacks with grey and reports no error, so
//! a JPEG whose data ends before its end-of-image marker is refused here
//! ([`DataError::ImageDecode`]), as a truncated PNG is by its decoder.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use ::image::error::ImageError;
use ::image::imageops::FilterType;
use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use dnn_core::Float;
use ndarray::{Array2, Array3, ArrayView3, Axis};

use crate::cat::flatten_images;
use crate::error::{io_error, DataError, Result};

/// Side of the square pictures the cat models take: 64 pixels.
pub const PICTURE_SIZE: u32 = 64;

/// Limits applied before decoding a picture; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageLimits {
    /// Largest accepted width in pixels (default 16384).
    pub max_width: u32,
    /// Largest accepted height in pixels (default 16384).
    pub max_height: u32,
    /// Largest accepted decoded size in bytes, width x height x bytes per pixel
    /// (default 512 MiB).
    pub max_alloc: u64,
}

impl ImageLimits {
    /// The default limits: 16384 x 16384 pixels, 512 MiB decoded.
    pub const DEFAULT: ImageLimits = ImageLimits {
        max_width: 16384,
        max_height: 16384,
        max_alloc: 512 * 1024 * 1024,
    };
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Loads a JPEG or PNG picture as the cat models' input: shape `(12288, 1)`, values in `[0, 1]`.
///
/// Same as [`load_picture_with`] with [`PICTURE_SIZE`] and the default [`ImageLimits`].
///
/// # Errors
/// [`DataError::FileNotFound`], [`DataError::Io`], [`DataError::EmptyImage`],
/// [`DataError::NotAnImage`], [`DataError::ImageTooLarge`],
/// [`DataError::ZeroSizedImage`], [`DataError::ImageDecode`].
pub fn load_picture<A: Float>(path: impl AsRef<Path>) -> Result<Array2<A>> {
    load_picture_with(path, PICTURE_SIZE, &ImageLimits::DEFAULT)
}

/// Loads a picture resized to `size` x `size`, as a `(size*size*3, 1)` column scaled to `[0, 1]`.
///
/// # Errors
/// As [`load_picture`], and [`DataError::BadSource`] for a `size` of 0.
pub fn load_picture_with<A: Float>(
    path: impl AsRef<Path>,
    size: u32,
    limits: &ImageLimits,
) -> Result<Array2<A>> {
    let pixels = read_picture(path, size, limits)?;
    Ok(picture_to_column(pixels.view()))
}

/// Flattens one `(h, w, 3)` picture into an `(h*w*3, 1)` column divided by 255, in the
/// same order as the data set's columns.
pub fn picture_to_column<A: Float>(pixels: ArrayView3<'_, u8>) -> Array2<A> {
    flatten_images(pixels.insert_axis(Axis(0)))
}

/// Decodes a picture and resizes it to exactly `size` x `size` RGB pixels, shape
/// `(size, size, 3)`: kept as bytes for display.
///
/// # Errors
/// As [`load_picture_with`].
pub fn read_picture(path: impl AsRef<Path>, size: u32, limits: &ImageLimits) -> Result<Array3<u8>> {
    read_picture_rgb(path, size, size, limits)
}

/// Decodes a picture and resizes it to exactly `width` x `height` RGB pixels, shape
/// `(height, width, 3)`. A picture already of that size is kept pixel for pixel.
///
/// # Errors
/// As [`load_picture_with`].
pub fn read_picture_rgb(
    path: impl AsRef<Path>,
    width: u32,
    height: u32,
    limits: &ImageLimits,
) -> Result<Array3<u8>> {
    read_picture_as(path, width, height, 3, limits)
}

/// Decodes a picture, resizes it to exactly `width` x `height` and converts it to
/// `channels` channels: 1 (grey), 3 (RGB) or 4 (RGBA). Shape `(height, width, channels)`.
///
/// # Errors
/// As [`load_picture_with`], and [`DataError::ImageDecode`] for another number of channels.
pub fn read_picture_as(
    path: impl AsRef<Path>,
    width: u32,
    height: u32,
    channels: usize,
    limits: &ImageLimits,
) -> Result<Array3<u8>> {
    let path = path.as_ref();
    check_size(path, width, height)?;
    let (img, orientation) = decode_limited(path, limits)?;
    resized(img, orientation, width, height, channels, path)
}

/// Refuses to resize to a picture without pixels, which would make inputs of no features.
pub(crate) fn check_size(path: &Path, width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(DataError::BadSource {
            path: path.to_path_buf(),
            problem: format!(
                "cannot resize pictures to {width}x{height} pixels: each side needs at least 1"
            ),
        });
    }
    Ok(())
}

/// `img` turned by `orientation` and resized to exactly `width` x `height` (triangle filter)
/// with `channels` channels: 1 (grey), 3 (RGB) or 4 (RGBA). Shape `(height, width, channels)`.
fn resized(
    img: DynamicImage,
    orientation: Orientation,
    width: u32,
    height: u32,
    channels: usize,
    path: &Path,
) -> Result<Array3<u8>> {
    // Resize first, then turn the small result: turning only moves pixels, so this is the
    // picture that turning the full one first gives (up to the rounding of the filter's two
    // passes, taken in the other order), without a second full-size copy.
    let quarter_turn = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (w, h) = if quarter_turn {
        (height, width)
    } else {
        (width, height)
    };
    let mut resized = img.resize_exact(w, h, FilterType::Triangle);
    resized.apply_orientation(orientation);
    let raw = match channels {
        1 => resized.into_luma8().into_raw(),
        3 => resized.into_rgb8().into_raw(),
        4 => resized.into_rgba8().into_raw(),
        other => {
            return Err(DataError::ImageDecode {
                path: path.to_path_buf(),
                format: "picture".to_owned(),
                message: format!(
                    "the model takes pictures with {other} channels; a picture file gives 1 (grey), 3 (RGB) or 4 (RGBA)"
                ),
            })
        }
    };
    Array3::from_shape_vec((height as usize, width as usize, channels), raw).map_err(|e| {
        DataError::ImageDecode {
            path: path.to_path_buf(),
            format: "resized".to_owned(),
            message: e.to_string(),
        }
    })
}

/// Decodes the picture file `path` (checks as [`decode_checked`]), with its orientation.
fn decode_limited(path: &Path, limits: &ImageLimits) -> Result<(DynamicImage, Orientation)> {
    let meta = crate::error::regular_file(path)?;
    if meta.len() == 0 {
        return Err(DataError::EmptyImage {
            path: path.to_path_buf(),
        });
    }
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut magic = Vec::with_capacity(8);
    (&mut file)
        .take(8)
        .read_to_end(&mut magic)
        .map_err(|e| io_error(path, e))?;
    let format = picture_format(path, meta.len(), &magic)?;
    if format == ImageFormat::Jpeg {
        // The JPEG decoder reads the whole file into memory anyway; reading it here instead
        // lets the same bytes be checked for truncation ([`check_jpeg_complete`]).
        let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
        return decode_bytes(&bytes, format, path, limits);
    }
    // A PNG is streamed: its header is checked against the limits before the rest is read.
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    decode_checked(BufReader::new(file), format, path, limits)
}

/// Decodes `bytes`, a whole picture file in `format` (checks as [`decode_checked`]); a JPEG
/// must also reach its end-of-image marker ([`check_jpeg_complete`]).
fn decode_bytes(
    bytes: &[u8],
    format: ImageFormat,
    path: &Path,
    limits: &ImageLimits,
) -> Result<(DynamicImage, Orientation)> {
    let decoded = decode_checked(std::io::Cursor::new(bytes), format, path, limits)?;
    // After decoding, so that a damaged header or a too large picture is reported as such.
    if format == ImageFormat::Jpeg {
        check_jpeg_complete(bytes, path)?;
    }
    Ok(decoded)
}

/// Fails with [`DataError::ImageDecode`] unless the JPEG stream `bytes` reaches its
/// end-of-image marker (EOI, `FF D9`). The decoder in use (zune-jpeg, in the lenient mode the
/// `image` crate sets) fills the missing part of a truncated file with grey and says nothing.
///
/// Segments are skipped by their length (an EXIF thumbnail holds an EOI of its own); in the
/// entropy-coded data that follows a scan header, `FF` is only ever followed by `00` (a
/// stuffed byte), a restart marker `D0`-`D7` or a real marker, so scanning for `FF` finds the
/// next marker. Anything after the EOI (some cameras append data) is ignored.
fn check_jpeg_complete(bytes: &[u8], path: &Path) -> Result<()> {
    let n = bytes.len();
    let mut i = 2; // after SOI, which the format check has seen
    while i + 1 < n {
        if bytes[i] != 0xFF {
            match bytes[i..].iter().position(|&b| b == 0xFF) {
                Some(skip) => i += skip,
                None => break,
            }
            continue;
        }
        match bytes[i + 1] {
            0xD9 => return Ok(()),
            // A fill byte before a marker.
            0xFF => i += 1,
            // A stuffed zero, a restart marker, TEM or SOI: no length follows.
            0x00 | 0x01 | 0xD0..=0xD8 => i += 2,
            _ => {
                if i + 3 >= n {
                    break;
                }
                let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
                i += 2 + len;
            }
        }
    }
    Err(DataError::ImageDecode {
        path: path.to_path_buf(),
        format: "JPEG".to_owned(),
        message: "the file ends before the JPEG end-of-image marker, so it is truncated (an \
                  interrupted copy or download?); copy it again or remove it"
            .to_owned(),
    })
}

/// Decodes a JPEG or PNG picture held in memory (an upload, say), resizes it to exactly
/// `width` x `height` and converts it to `channels` channels, as [`read_picture_as`] does
/// for a file, with the same checks and limits. `name` stands for the file in error
/// messages.
///
/// ```
/// use dnn_data::image::{read_picture_bytes, ImageLimits};
/// let err = read_picture_bytes(b"name,age\n", "upload", 64, 64, 3, &ImageLimits::DEFAULT)
///     .unwrap_err();
/// assert!(err.to_string().starts_with("upload: not a JPEG or PNG image"));
/// ```
///
/// # Errors
/// As [`read_picture_as`], but never [`DataError::FileNotFound`].
pub fn read_picture_bytes(
    bytes: &[u8],
    name: &str,
    width: u32,
    height: u32,
    channels: usize,
    limits: &ImageLimits,
) -> Result<Array3<u8>> {
    let path = Path::new(name);
    check_size(path, width, height)?;
    if bytes.is_empty() {
        return Err(DataError::EmptyImage {
            path: path.to_path_buf(),
        });
    }
    let format = picture_format(path, bytes.len() as u64, &bytes[..bytes.len().min(8)])?;
    let (img, orientation) = decode_bytes(bytes, format, path, limits)?;
    resized(img, orientation, width, height, channels, path)
}

/// The format named by a picture's first bytes: JPEG or PNG, else [`DataError::NotAnImage`].
fn picture_format(path: &Path, len: u64, magic: &[u8]) -> Result<ImageFormat> {
    match ::image::guess_format(magic) {
        Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg)) => Ok(f),
        _ => Err(DataError::NotAnImage {
            path: path.to_path_buf(),
            len,
            magic: magic.to_vec(),
        }),
    }
}

/// The decoder's message, on one line and cut at 100 characters (a PNG chunk error prints
/// a whole struct).
fn decoder_words(e: &ImageError) -> String {
    let text = e.to_string();
    let text = text.trim_end().replace(['\n', '\r'], " ");
    match text.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Decodes `source` in `format`, checking the size from the header against `limits`
/// before any pixel is decoded; with the orientation its metadata gives (EXIF), which the
/// caller applies ([`resized`]).
fn decode_checked<R: std::io::BufRead + std::io::Seek>(
    source: R,
    format: ImageFormat,
    path: &Path,
    limits: &ImageLimits,
) -> Result<(DynamicImage, Orientation)> {
    let mut reader = ImageReader::with_format(source, format);
    // Our own checks below give better messages; the decoder gets the limits after.
    reader.no_limits();
    let format_name = format!("{format:?}").to_uppercase();
    let decode_err = |e: ImageError| match e {
        ImageError::IoError(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => {
            io_error(path, io)
        }
        other => DataError::ImageDecode {
            path: path.to_path_buf(),
            format: format_name.clone(),
            // The decoder's own words are for a developer (`Format error decoding Png:
            // ChunkType { type: ageg, critical: false, ... }`): say what it means first.
            // zune-jpeg ends some messages with a newline; the error is one line.
            message: format!(
                "the file is damaged (the decoder says: {}); copy or export it again, or \
                 remove it",
                decoder_words(&other)
            ),
        },
    };
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    let (width, height) = decoder.dimensions();
    let decoded_bytes = decoder.total_bytes();
    let too_large = |decoded_bytes| DataError::ImageTooLarge {
        path: path.to_path_buf(),
        width,
        height,
        decoded_bytes,
        max_width: limits.max_width,
        max_height: limits.max_height,
        max_alloc: limits.max_alloc,
    };
    if width > limits.max_width || height > limits.max_height || decoded_bytes > limits.max_alloc {
        return Err(too_large(Some(decoded_bytes)));
    }
    if width == 0 || height == 0 {
        return Err(DataError::ZeroSizedImage {
            path: path.to_path_buf(),
            width,
            height,
        });
    }
    let mut lim = ::image::Limits::default();
    lim.max_image_width = Some(limits.max_width);
    lim.max_image_height = Some(limits.max_height);
    lim.max_alloc = Some(limits.max_alloc);
    decoder.set_limits(lim).map_err(|e| match e {
        ImageError::Limits(_) => too_large(Some(decoded_bytes)),
        other => decode_err(other),
    })?;
    // Unreadable metadata leaves the picture as stored rather than refusing pixels that
    // decode: viewers do the same.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        ImageError::Limits(_) => too_large(Some(decoded_bytes)),
        other => decode_err(other),
    })?;
    Ok((img, orientation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eoi_inside_a_segment_does_not_make_a_truncated_jpeg_complete() {
        let mut whole = Vec::new();
        ::image::RgbImage::from_fn(40, 24, |x, y| ::image::Rgb([x as u8 * 6, y as u8 * 9, 50]))
            .write_to(&mut std::io::Cursor::new(&mut whole), ImageFormat::Jpeg)
            .unwrap();
        // An APP1 segment right after SOI whose payload holds `FF D9`, as the EXIF thumbnail
        // of a phone photo does (a whole JPEG of its own).
        let payload = b"Exif\0\0thumb\xff\xd8....\xff\xd9";
        let mut jpeg = whole[..2].to_vec();
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        jpeg.extend_from_slice(payload);
        jpeg.extend_from_slice(&whole[2..]);
        let path = Path::new("photo.jpg");
        assert!(check_jpeg_complete(&jpeg, path).is_ok());
        for cut in [2, 5, 20, jpeg.len() / 2, jpeg.len() - 1] {
            assert!(
                check_jpeg_complete(&jpeg[..cut], path).is_err(),
                "cut {cut}"
            );
        }
    }
}
