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

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use ::image::error::ImageError;
use ::image::imageops::FilterType;
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
/// As [`load_picture`].
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
/// As [`load_picture`].
pub fn read_picture(path: impl AsRef<Path>, size: u32, limits: &ImageLimits) -> Result<Array3<u8>> {
    read_picture_rgb(path, size, size, limits)
}

/// Decodes a picture and resizes it to exactly `width` x `height` RGB pixels, shape
/// `(height, width, 3)`. A picture already of that size is kept pixel for pixel.
///
/// # Errors
/// As [`load_picture`].
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
/// As [`load_picture`], and [`DataError::ImageDecode`] for another number of channels.
pub fn read_picture_as(
    path: impl AsRef<Path>,
    width: u32,
    height: u32,
    channels: usize,
    limits: &ImageLimits,
) -> Result<Array3<u8>> {
    let path = path.as_ref();
    let img = decode_limited(path, limits)?;
    resized(img, width, height, channels, path)
}

/// `img` resized to exactly `width` x `height` (triangle filter) with `channels` channels:
/// 1 (grey), 3 (RGB) or 4 (RGBA). Shape `(height, width, channels)`.
fn resized(
    img: DynamicImage,
    width: u32,
    height: u32,
    channels: usize,
    path: &Path,
) -> Result<Array3<u8>> {
    let resized = img.resize_exact(width, height, FilterType::Triangle);
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

fn decode_limited(path: &Path, limits: &ImageLimits) -> Result<DynamicImage> {
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
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    decode_checked(BufReader::new(file), format, path, limits)
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
    if bytes.is_empty() {
        return Err(DataError::EmptyImage {
            path: path.to_path_buf(),
        });
    }
    let format = picture_format(path, bytes.len() as u64, &bytes[..bytes.len().min(8)])?;
    let img = decode_checked(std::io::Cursor::new(bytes), format, path, limits)?;
    resized(img, width, height, channels, path)
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

/// Decodes `source` in `format`, checking the size from the header against `limits`
/// before any pixel is decoded.
fn decode_checked<R: std::io::BufRead + std::io::Seek>(
    source: R,
    format: ImageFormat,
    path: &Path,
    limits: &ImageLimits,
) -> Result<DynamicImage> {
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
            message: other.to_string(),
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
    DynamicImage::from_decoder(decoder).map_err(|e| match e {
        ImageError::Limits(_) => too_large(Some(decoded_bytes)),
        other => decode_err(other),
    })
}
