//! Checks of an untrusted Parquet file before the `parquet` crate decodes
//! any of it: the row groups and column chunks its footer describes, and
//! the header of every page in the chunks to be read.
//!
//! The `parquet` crate trusts what a file says about itself. A negative
//! offset trips an assertion; a page header claiming 2 GiB of snappy data
//! makes it allocate and zero 2 GiB before finding the page short (a 7 KB
//! file found by the fuzzer took 1.5 GB); a dictionary page claiming a
//! billion values makes it allocate them. Page headers are Thrift
//! structures, read here with a small reader of Thrift's compact protocol
//! (the crate's own is private), skipping all but the sizes and counts.

use std::fs::File;
use std::os::unix::fs::FileExt;

use parquet::basic::{Compression, Type as PhysicalType};
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};

use crate::limits::{MAX_PARQUET_PAGE_BYTES, MAX_PARQUET_PAGE_RATIO};

/// Checks the row groups and column chunks a footer describes against the
/// file's length: non-negative counts and offsets, chunks that lie inside
/// the file.
pub(crate) fn check_layout(metadata: &ParquetMetaData, file_len: u64) -> Result<(), String> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!("row group {g} claims {} rows", group.num_rows()));
        }
        for column in group.columns() {
            let name = column.column_path().string();
            let (start, length, data) = chunk_range(column);
            let inside = start >= 0
                && length >= 0
                && start <= data
                && start.checked_add(length).is_some_and(|end| end as u64 <= file_len && data < end);
            if !inside {
                return Err(format!(
                    "row group {g}, column {name}: the chunk (bytes {start}, {length} long, data from {data}) \
                     does not lie inside the file of {file_len} bytes"
                ));
            }
            if column.num_values() < 0 {
                return Err(format!("row group {g}, column {name} claims {} values", column.num_values()));
            }
        }
    }
    Ok(())
}

/// A chunk's first byte, length and first data page, as the footer says.
fn chunk_range(column: &ColumnChunkMetaData) -> (i64, i64, i64) {
    let data = column.data_page_offset();
    (column.dictionary_page_offset().unwrap_or(data), column.compressed_size(), data)
}

/// Checks the header of every page of the chunks `columns` (leaf indexes)
/// of row group `group`, whose layout [`check_layout`] has checked: each
/// page inside its chunk, its unpacked size within
/// [`MAX_PARQUET_PAGE_BYTES`] and, when compressed, within
/// [`MAX_PARQUET_PAGE_RATIO`] of its packed size, and a dictionary page's
/// values within what its bytes can hold.
pub(crate) fn check_pages(
    file: &File,
    metadata: &ParquetMetaData,
    group: usize,
    columns: impl IntoIterator<Item = usize>,
) -> Result<(), String> {
    let Some(row_group) = metadata.row_groups().get(group) else {
        return Err(format!("the file has no row group {group}"));
    };
    let mut buf = Vec::new();
    for leaf in columns {
        let Some(column) = row_group.columns().get(leaf) else { continue };
        let name = column.column_path().string();
        let (start, length, _) = chunk_range(column);
        let (mut at, end) = (start as u64, (start + length) as u64);
        let mut page = 0;
        while at < end {
            let at_page = |reason: String| format!("row group {group}, column {name}, page {page}: {reason}");
            // A header is small unless it carries statistics of long
            // strings: read 4 KiB, and more only if it does not fit.
            let mut want = 4 << 10;
            let header = loop {
                buf.resize(((end - at) as usize).min(want), 0);
                let n = read_at(file, &mut buf, at).map_err(|e| at_page(format!("cannot read: {e}")))?;
                match PageHeader::parse(&buf[..n]) {
                    Ok(header) => break header,
                    Err(Cut::Early) if n == want && want < MAX_HEADER_BYTES => want *= 4,
                    Err(cut) => return Err(at_page(format!("a bad page header: {cut}"))),
                }
            };
            check_page(&header, column).map_err(at_page)?;
            at += header.len as u64 + header.compressed as u64;
            if at > end {
                return Err(at_page("the page runs past the end of its chunk".to_string()));
            }
            page += 1;
        }
    }
    Ok(())
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn check_page(header: &PageHeader, column: &ColumnChunkMetaData) -> Result<(), String> {
    let (packed, unpacked) = (header.compressed, header.uncompressed);
    if packed < 0 || unpacked < 0 {
        return Err(format!("it claims {packed} bytes packed, {unpacked} unpacked"));
    }
    let unpacked = unpacked as u64;
    if unpacked > MAX_PARQUET_PAGE_BYTES {
        return Err(format!("it unpacks to {unpacked} bytes, more than the {MAX_PARQUET_PAGE_BYTES} a page may"));
    }
    if column.compression() != Compression::UNCOMPRESSED
        && unpacked > (packed as u64).saturating_mul(MAX_PARQUET_PAGE_RATIO) + 1024
    {
        return Err(format!("it claims to unpack {packed} bytes to {unpacked}, beyond what compression can do"));
    }
    if let (PageType::Dictionary, Some(values)) = (header.kind, header.num_values) {
        // A dictionary's values are plain-encoded: each takes at least
        // this many bytes of the page.
        let width = match column.column_descr().physical_type() {
            PhysicalType::BOOLEAN => 1,
            PhysicalType::INT64 | PhysicalType::DOUBLE => 8,
            PhysicalType::INT96 => 12,
            PhysicalType::FIXED_LEN_BYTE_ARRAY => column.column_descr().type_length().max(1) as u64,
            _ => 4,
        };
        if values < 0 || values as u64 > unpacked / width {
            return Err(format!("a dictionary of {values} values cannot fit in {unpacked} bytes"));
        }
    }
    if header.num_values.is_some_and(|v| v < 0) {
        return Err("it claims a negative number of values".to_string());
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageType {
    Data,
    Dictionary,
    Other,
}

/// What a page header says, as far as the checks need.
#[derive(Debug)]
struct PageHeader {
    kind: PageType,
    uncompressed: i32,
    compressed: i32,
    /// The values of a data or dictionary page.
    num_values: Option<i32>,
    /// The header's own length in bytes.
    len: usize,
}

impl PageHeader {
    /// Reads a `PageHeader` (parquet.thrift) from the start of `bytes`.
    fn parse(bytes: &[u8]) -> Result<PageHeader, Cut> {
        let mut input = Compact { bytes, at: 0 };
        let (mut kind, mut uncompressed, mut compressed, mut num_values) = (None, None, None, None);
        input.fields(0, |input, id, ty| {
            match (id, ty) {
                (1, I32) => {
                    kind = Some(match input.int()? {
                        0 | 3 => PageType::Data,
                        2 => PageType::Dictionary,
                        _ => PageType::Other,
                    })
                }
                (2, I32) => uncompressed = Some(input.i32()?),
                (3, I32) => compressed = Some(input.i32()?),
                // The data page (v1, v2) and dictionary page headers all
                // start with their number of values.
                (5 | 7 | 8, STRUCT) => input.fields(1, |input, id, ty| match (id, ty) {
                    (1, I32) => {
                        num_values = Some(input.i32()?);
                        Ok(())
                    }
                    _ => input.skip(ty, 2),
                })?,
                _ => input.skip(ty, 1)?,
            }
            Ok(())
        })?;
        match (kind, uncompressed, compressed) {
            (Some(kind), Some(uncompressed), Some(compressed)) => {
                Ok(PageHeader { kind, uncompressed, compressed, num_values, len: input.at })
            }
            _ => Err(Cut::Bad("a required field is missing".to_string())),
        }
    }
}

/// Why a page header could not be read.
#[derive(Debug)]
enum Cut {
    /// The bytes end inside it: more may be needed.
    Early,
    /// It is not a page header.
    Bad(String),
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cut::Early => write!(f, "it ends early"),
            Cut::Bad(reason) => write!(f, "{reason}"),
        }
    }
}

fn bad(reason: &str) -> Cut {
    Cut::Bad(reason.to_string())
}

/// The longest page header read: statistics of long strings make a header
/// long, but not this long.
const MAX_HEADER_BYTES: usize = 16 << 20;

// Thrift compact protocol types.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;
const UUID: u8 = 13;

/// How deep structures may nest: parquet.thrift's page headers nest three
/// deep; a bound keeps a hostile file from exhausting the stack.
const MAX_DEPTH: usize = 16;

/// A reader of Thrift's compact protocol over bytes.
struct Compact<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8, Cut> {
        let b = *self.bytes.get(self.at).ok_or(Cut::Early)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Cut> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(bad("a number overflows"));
            }
            value |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(bad("a number overflows"))
    }

    /// A zigzag-encoded integer.
    fn int(&mut self) -> Result<i64, Cut> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32, Cut> {
        i32::try_from(self.int()?).map_err(|_| bad("a 32-bit number is out of range"))
    }

    /// Reads a structure's fields up to its stop, handing each field's id
    /// and type to `field`, which reads or skips its value.
    fn fields(
        &mut self,
        depth: usize,
        mut field: impl FnMut(&mut Self, i16, u8) -> Result<(), Cut>,
    ) -> Result<(), Cut> {
        if depth > MAX_DEPTH {
            return Err(bad("structures nest too deep"));
        }
        let mut id = 0i16;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            let (delta, ty) = (header >> 4, header & 0x0F);
            id = if delta == 0 {
                i16::try_from(self.int()?).map_err(|_| bad("a field id is out of range"))?
            } else {
                id.checked_add(i16::from(delta)).ok_or_else(|| bad("a field id is out of range"))?
            };
            field(self, id, ty)?;
        }
    }

    /// Skips a value of type `ty` (a field's: booleans are in the type).
    fn skip(&mut self, ty: u8, depth: usize) -> Result<(), Cut> {
        if depth > MAX_DEPTH {
            return Err(bad("structures nest too deep"));
        }
        match ty {
            BOOL_TRUE | BOOL_FALSE => {}
            BYTE => self.advance(1)?,
            I16 | I32 | I64 => {
                self.varint()?;
            }
            DOUBLE => self.advance(8)?,
            UUID => self.advance(16)?,
            BINARY => {
                let len = self.varint()?;
                self.advance(len)?;
            }
            LIST | SET => {
                let header = self.byte()?;
                let (size, element) = (header >> 4, header & 0x0F);
                let size = if size == 15 { self.varint()? } else { u64::from(size) };
                for _ in 0..size {
                    self.skip_element(element, depth + 1)?;
                }
            }
            MAP => {
                let size = self.varint()?;
                if size > 0 {
                    let types = self.byte()?;
                    for _ in 0..size {
                        self.skip_element(types >> 4, depth + 1)?;
                        self.skip_element(types & 0x0F, depth + 1)?;
                    }
                }
            }
            STRUCT => self.fields(depth + 1, |input, _, ty| input.skip(ty, depth + 1))?,
            other => return Err(Cut::Bad(format!("unknown type {other}"))),
        }
        Ok(())
    }

    /// Skips a list, set or map element: a boolean there takes a byte.
    fn skip_element(&mut self, ty: u8, depth: usize) -> Result<(), Cut> {
        match ty {
            BOOL_TRUE | BOOL_FALSE => self.advance(1),
            ty => self.skip(ty, depth),
        }
    }

    fn advance(&mut self, n: u64) -> Result<(), Cut> {
        let n = usize::try_from(n).map_err(|_| bad("a length is out of range"))?;
        if n > self.bytes.len() - self.at {
            return Err(Cut::Early);
        }
        self.at += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
