//! The CSV reader: the file is cut into byte ranges of [`CSV_CHUNK_BYTES`];
//! a range owns the lines that start inside it, reading past its end only to
//! finish its last line. Fields are parsed straight from the bytes.

use std::fs::File;

use revita_methods::screening::Household;

use super::{Field, HouseholdSink, Progress, read_at, run_pieces};
use crate::RowError;

/// Bytes per piece of a CSV file: large enough that claiming a piece costs
/// nothing, small enough that two workers stay evenly loaded to the end.
pub const CSV_CHUNK_BYTES: usize = 4 << 20;

/// The longest line accepted; a longer one means the file is not a
/// household table (or has lost its line ends).
const MAX_LINE_BYTES: usize = 1 << 20;

/// How the columns of one file map to the household's fields.
struct Layout {
    /// One entry per column in file order; `None` for a column not read.
    fields: Vec<Option<Field>>,
    /// Offset of the first data row.
    data_start: u64,
}

/// A bad line, before its row number is known.
struct LineError {
    /// Offset of the line's first byte in the file.
    offset: u64,
    column: Option<String>,
    reason: String,
}

pub(super) fn scan<S: HouseholdSink>(
    name: &str,
    file: &File,
    threads: usize,
    chunk: usize,
    progress: &Progress,
    new_sink: &(impl Fn() -> S + Sync),
) -> Result<Vec<S>, RowError> {
    let len = file.metadata().map_err(|e| RowError::row(name, 0, format!("cannot read: {e}")))?.len();
    let layout = read_header(name, file, len)?;
    progress.total.store(len, std::sync::atomic::Ordering::Relaxed);
    progress.done.fetch_add(layout.data_start, std::sync::atomic::Ordering::Relaxed);
    let body = len - layout.data_start;
    let pieces = body.div_ceil(chunk as u64) as usize;
    let workers = run_pieces(
        pieces,
        threads,
        || (new_sink(), Vec::with_capacity(chunk + (64 << 10))),
        |piece, (sink, buf)| {
            let start = layout.data_start + (piece * chunk) as u64;
            let end = (start + chunk as u64).min(len);
            read_piece(file, start, end, len, &layout, buf, sink)?;
            progress.done.fetch_add(end - start, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        },
    );
    match workers {
        Ok(workers) => Ok(workers.into_iter().map(|(sink, _)| sink).collect()),
        Err(e) => Err(locate(name, file, e)),
    }
}

/// Reads the header row and maps its columns; every column the screen needs
/// must be there, once.
fn read_header(name: &str, file: &File, len: u64) -> Result<Layout, RowError> {
    let mut buf = vec![0; (len as usize).min(64 << 10)];
    let n = read_at(file, &mut buf, 0).map_err(|e| RowError::row(name, 0, format!("cannot read: {e}")))?;
    buf.truncate(n);
    let Some(line_end) = buf.iter().position(|b| *b == b'\n').or((n as u64 == len && n > 0).then_some(n)) else {
        return Err(RowError::row(name, 1, "no header row (the file is empty or its first line is too long)"));
    };
    let mut header = &buf[..line_end];
    header = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(header);
    header = header.strip_suffix(b"\r").unwrap_or(header);
    let header = std::str::from_utf8(header).map_err(|_| RowError::row(name, 1, "the header is not UTF-8 text"))?;
    let mut fields = Vec::new();
    for column in header.split(',') {
        let field = Field::by_name(column.trim());
        if field.is_some() && fields.contains(&field) {
            return Err(RowError::cell(name, 1, column.trim(), "the column appears twice in the header"));
        }
        fields.push(field);
    }
    if let Some(missing) = Field::REQUIRED.iter().find(|f| !fields.contains(&Some(**f))) {
        return Err(RowError::cell(
            name,
            1,
            missing.name(),
            "the header has no such column (see SPEC B1 for the columns)",
        ));
    }
    Ok(Layout { fields, data_start: (line_end + 1).min(n) as u64 })
}

/// Reads the lines that start in `start..end` into `sink`.
fn read_piece(
    file: &File,
    start: u64,
    end: u64,
    len: u64,
    layout: &Layout,
    buf: &mut Vec<u8>,
    sink: &mut impl HouseholdSink,
) -> Result<(), LineError> {
    // Read from one byte early, to see whether `start` begins a line.
    let base = if start > layout.data_start { start - 1 } else { start };
    buf.resize((end - base) as usize, 0);
    let n = read_at(file, buf, base).map_err(|e| io_error(base, e))?;
    buf.truncate(n);
    let own_end = (end - base) as usize;
    let first = if base == start {
        0
    } else {
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => i + 1,
            None => return Ok(()),
        }
    };
    if first >= own_end {
        return Ok(());
    }
    finish_last_line(file, base, len, buf)?;
    let mut pos = first;
    while pos < own_end {
        let line = pos;
        match parse_line(buf, pos, &layout.fields) {
            Ok(Some((household, next))) => {
                household.check().map_err(|p| LineError {
                    offset: base + line as u64,
                    column: Some(p.column.to_string()),
                    reason: p.reason,
                })?;
                sink.add(&household);
                pos = next;
            }
            Ok(None) => pos = skip_blank(buf, pos),
            Err((column, reason)) => {
                return Err(LineError { offset: base + line as u64, column, reason });
            }
        }
    }
    Ok(())
}

/// Extends `buf` (which holds the file from `base`) up to the end of the line
/// it stops in, or the end of the file.
fn finish_last_line(file: &File, base: u64, len: u64, buf: &mut Vec<u8>) -> Result<(), LineError> {
    let initial = buf.len();
    let mut scanned = initial;
    while buf.last() != Some(&b'\n') && base + (buf.len() as u64) < len {
        let at = buf.len();
        let more = (64usize << 10).min((len - base) as usize - at);
        buf.resize(at + more, 0);
        let n = read_at(file, &mut buf[at..], base + at as u64).map_err(|e| io_error(base, e))?;
        buf.truncate(at + n);
        if let Some(i) = buf[scanned..].iter().position(|b| *b == b'\n') {
            buf.truncate(scanned + i + 1);
            return Ok(());
        }
        scanned = buf.len();
        if n == 0 || buf.len() - initial > MAX_LINE_BYTES {
            let line_start = buf.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            return Err(LineError {
                offset: base + line_start as u64,
                column: None,
                reason: "the line does not end (longer than 1 MiB)".into(),
            });
        }
    }
    Ok(())
}

fn io_error(offset: u64, e: std::io::Error) -> LineError {
    LineError { offset, column: None, reason: format!("cannot read: {e}") }
}

fn skip_blank(buf: &[u8], pos: usize) -> usize {
    match buf.get(pos) {
        Some(b'\r') => pos + 2,
        _ => pos + 1,
    }
}

type FieldError = (Option<String>, String);

/// Parses the line at `pos`: the household and the start of the next line,
/// or `None` for a blank line.
#[inline]
fn parse_line(buf: &[u8], mut pos: usize, fields: &[Option<Field>]) -> Result<Option<(Household, usize)>, FieldError> {
    if matches!(buf.get(pos), Some(b'\n') | Some(b'\r') | None) {
        return Ok(None);
    }
    let mut h = Household::default();
    let last = fields.len() - 1;
    for (i, field) in fields.iter().enumerate() {
        let end = match field {
            None => skip_field(buf, pos),
            Some(field) => parse_field(buf, pos, *field, &mut h).ok_or_else(|| bad_field(buf, pos, *field))?,
        };
        pos = match buf.get(end) {
            Some(b',') if i < last => end + 1,
            Some(b'\n') if i == last => end + 1,
            Some(b'\r') if i == last && buf.get(end + 1) == Some(&b'\n') => end + 2,
            None if i == last => end,
            Some(b',') => return Err((None, format!("the row has more fields than the header's {}", fields.len()))),
            Some(b'\n' | b'\r') | None => {
                return Err((None, format!("the row has {} fields; the header has {}", i + 1, fields.len())));
            }
            Some(_) => match field {
                Some(field) => return Err(bad_field(buf, pos, *field)),
                None => unreachable!("a skipped field ends at a comma, a line end or the end of the buffer"),
            },
        };
    }
    Ok(Some((h, pos)))
}

/// Parses one field into `h`, returning the offset just past its value, or
/// `None` if it is not a value of the field's type.
#[inline]
fn parse_field(buf: &[u8], pos: usize, field: Field, h: &mut Household) -> Option<usize> {
    match field {
        Field::VillageCode => parse_int(buf, pos).map(|(v, end)| {
            h.village_code = v;
            end
        }),
        Field::Size => parse_i32(buf, pos).map(|(v, end)| {
            h.size = v;
            end
        }),
        Field::Labor => parse_i32(buf, pos).map(|(v, end)| {
            h.labor = v;
            end
        }),
        Field::IncomePc => parse_f64(buf, pos, &mut h.income_pc),
        Field::IncomePcPrev => parse_f64(buf, pos, &mut h.income_pc_prev),
        Field::MedicalExp => parse_f64(buf, pos, &mut h.medical_exp),
        Field::EducationExp => parse_f64(buf, pos, &mut h.education_exp),
        Field::DisasterLoss => parse_f64(buf, pos, &mut h.disaster_loss),
        Field::Deprived(d) => match buf.get(pos) {
            Some(b @ (b'0' | b'1')) => {
                h.deprived |= u16::from(b - b'0') << (d as u16);
                Some(pos + 1)
            }
            _ => None,
        },
    }
}

fn bad_field(buf: &[u8], pos: usize, field: Field) -> FieldError {
    let end = skip_field(buf, pos);
    let text = String::from_utf8_lossy(&buf[pos..end]);
    let text = text.trim_end_matches('\r');
    let reason = if text.is_empty() {
        "the value is missing".to_string()
    } else {
        let expected = match field {
            Field::VillageCode | Field::Size | Field::Labor => "a whole number",
            Field::Deprived(_) => "0 or 1",
            _ => "a number",
        };
        format!("'{text}' is not {expected}")
    };
    (Some(field.name().to_string()), reason)
}

fn skip_field(buf: &[u8], pos: usize) -> usize {
    buf[pos..].iter().position(|b| matches!(b, b',' | b'\n')).map_or(buf.len(), |i| pos + i)
}

#[inline]
fn parse_int(buf: &[u8], mut pos: usize) -> Option<(i64, usize)> {
    let negative = buf.get(pos) == Some(&b'-');
    pos += usize::from(negative);
    let start = pos;
    let mut value: i64 = 0;
    while let Some(digit) = buf.get(pos).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10) {
        value = value.checked_mul(10)?.checked_add(i64::from(digit))?;
        pos += 1;
    }
    (pos > start).then_some((if negative { -value } else { value }, pos))
}

fn parse_i32(buf: &[u8], pos: usize) -> Option<(i32, usize)> {
    let (value, end) = parse_int(buf, pos)?;
    Some((i32::try_from(value).ok()?, end))
}

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Parses a decimal number, correctly rounded like `str::parse::<f64>`.
///
/// The fast path is Clinger's: a decimal `m / 10^e` whose digits `m` fit in
/// 53 bits and with `e ≤ 22` is one IEEE division of two exact doubles, and
/// IEEE division rounds correctly. Anything else (exponents, long digit
/// strings) goes through the standard library.
#[inline]
fn parse_f64(buf: &[u8], pos: usize, out: &mut f64) -> Option<usize> {
    let mut i = pos;
    let negative = buf.get(i) == Some(&b'-');
    i += usize::from(negative);
    let digits_start = i;
    let mut mantissa: u64 = 0;
    while let Some(digit) = buf.get(i).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        i += 1;
    }
    let mut digits = i - digits_start;
    let mut scale = 0;
    if buf.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(digit) = buf.get(i).map(|b| b.wrapping_sub(b'0')).filter(|d| *d < 10) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            i += 1;
        }
        scale = i - frac_start;
        digits += scale;
    }
    let ends = matches!(buf.get(i), Some(b',' | b'\n' | b'\r') | None);
    if ends && digits > 0 && digits <= 19 && scale < POW10.len() && mantissa <= 1 << 53 {
        let value = mantissa as f64 / POW10[scale];
        *out = if negative { -value } else { value };
        return Some(i);
    }
    parse_f64_slow(buf, pos, out)
}

#[cold]
fn parse_f64_slow(buf: &[u8], pos: usize, out: &mut f64) -> Option<usize> {
    let end = buf[pos..].iter().position(|b| matches!(b, b',' | b'\n' | b'\r')).map_or(buf.len(), |i| pos + i);
    *out = std::str::from_utf8(&buf[pos..end]).ok()?.parse().ok()?;
    Some(end)
}

/// Turns a line's byte offset into the row number a spreadsheet shows (the
/// header is row 1), by counting line ends before it. Only failures pay this.
fn locate(name: &str, file: &File, e: LineError) -> RowError {
    let mut newlines = 0u64;
    let mut buf = vec![0; 1 << 20];
    let mut offset = 0u64;
    while offset < e.offset {
        let want = ((e.offset - offset) as usize).min(buf.len());
        let Ok(n) = read_at(file, &mut buf[..want], offset) else { break };
        if n == 0 {
            break;
        }
        newlines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        offset += n as u64;
    }
    RowError { file: name.to_string(), row: newlines + 1, column: e.column, reason: e.reason }
}

/// The number parser, for the tests.
#[cfg(test)]
pub(super) fn tests_parse_f64(buf: &[u8], out: &mut f64) -> Option<usize> {
    parse_f64(buf, 0, out)
}
