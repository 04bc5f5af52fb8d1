//! Reading the files dmsctl is given — specs, `--baseline` specs, `--prices` catalogs, saved
//! plans — with bounds, so that no file can make it run out of memory or time.
//!
//! Every such file is read through [`read_text`]: at most [`MAX_FILE_BYTES`], and UTF-8, with the
//! line and column of the first byte that is not. YAML has two more bounds, enforced while it is
//! parsed (`spec::yaml`): [`MAX_DEPTH`] levels of nesting and [`MAX_ALIAS_NODES`] nodes brought
//! in by aliases, which is what stops an alias bomb (a few hundred bytes whose anchors nest, each
//! level a list of aliases of the one before, expanding to billions of nodes). JSON has no
//! aliases and serde_json refuses nesting deeper than 128 levels on its own.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest file dmsctl reads. A spec of a thousand replications is a few hundred KB.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The deepest nesting of YAML lists and mappings accepted (a spec needs about ten).
pub const MAX_DEPTH: usize = 64;

/// How many nodes aliases may bring into a YAML document in all. A real spec that shares a few
/// blocks by anchor uses some hundreds.
pub const MAX_ALIAS_NODES: usize = 10_000;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge { size: u64 },
    /// The file is not UTF-8; `line` and `col` (1-based, the column in characters) name the
    /// first bad byte, `lossy` is the text with bad bytes replaced, for showing the line.
    NotUtf8 {
        line: usize,
        col: usize,
        byte: u8,
        lossy: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge { size } => write!(
                f,
                "the file is {size} bytes; dmsctl reads files of at most {MAX_FILE_BYTES} bytes \
                 (8 MiB)"
            ),
            ReadError::NotUtf8 {
                line, col, byte, ..
            } => write!(
                f,
                "{line}:{col}: the file is not valid UTF-8 (byte 0x{byte:02x} here)"
            ),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl ReadError {
    /// The error as one line that names the file, with the line and column where there is one
    /// (`plan.json:3:7: the file is not valid UTF-8 …`).
    pub fn located(&self, origin: &str) -> String {
        match self {
            ReadError::NotUtf8 { .. } => format!("{origin}:{self}"),
            _ => format!("{origin}: {self}"),
        }
    }
}

/// Reads the file at `path` as UTF-8 text, refusing one larger than [`MAX_FILE_BYTES`] before
/// reading it (and, should it grow while being read, after reading one byte more than allowed).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if let Ok(meta) = file.metadata() {
        if meta.is_file() && meta.len() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge { size: meta.len() });
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    text_from_bytes(bytes)
}

/// `bytes` as a `String`, or where the first byte that is not UTF-8 sits.
pub fn text_from_bytes(bytes: Vec<u8>) -> Result<String, ReadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let bytes = e.into_bytes();
            let good = std::str::from_utf8(&bytes[..first_bad(&bytes)])
                .expect("the prefix before the first invalid byte is UTF-8");
            let line_start = good.rfind('\n').map_or(0, |i| i + 1);
            Err(ReadError::NotUtf8 {
                line: good.matches('\n').count() + 1,
                col: good[line_start..].chars().count() + 1,
                byte: bytes[good.len()],
                lossy: String::from_utf8_lossy(&bytes).into_owned(),
            })
        }
    }
}

fn first_bad(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located_by_line_and_character_column() {
        let err = text_from_bytes(b"a: 1\nb: \xc3\xa9\xff x\n".to_vec()).expect_err("invalid");
        match err {
            ReadError::NotUtf8 {
                line,
                col,
                byte,
                lossy,
            } => {
                assert_eq!((line, col, byte), (2, 5, 0xff));
                assert!(lossy.starts_with("a: 1\nb: é\u{fffd} x"), "{lossy}");
            }
            other => panic!("expected NotUtf8, got {other:?}"),
        }
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.yaml");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_FILE_BYTES + 1).expect("grow");
        match read_text(&path) {
            Err(ReadError::TooLarge { size }) => assert_eq!(size, MAX_FILE_BYTES + 1),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn utf8_text_reads_unchanged() {
        assert_eq!(
            text_from_bytes("ü: 1\n".as_bytes().to_vec()).expect("valid"),
            "ü: 1\n"
        );
    }
}
