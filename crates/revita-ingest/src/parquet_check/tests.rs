use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::*;
use crate::households::tests::{households, parquet_columns};

/// A households file written with `compression`, dictionary pages on or
/// off, row groups of `group_rows`.
fn households_file(dir: &Path, compression: Compression, dictionary: bool, group_rows: usize) -> PathBuf {
    let path = dir.join(format!("h-{compression}-{dictionary}.parquet"));
    let batch = RecordBatch::try_from_iter(parquet_columns(&households(500, 4))).unwrap();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_dictionary_enabled(dictionary)
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let mut writer = ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

fn metadata(path: &Path) -> ParquetMetaData {
    SerializedFileReader::new(File::open(path).unwrap()).unwrap().metadata().clone()
}

/// The metadata of the `size` chunk of the first row group of `path`.
fn size_chunk(path: &Path) -> ColumnChunkMetaData {
    let metadata = metadata(path);
    metadata.row_group(0).columns().iter().find(|c| c.column_path().string() == "size").unwrap().clone()
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(out: &mut Vec<u8>, v: i64) {
    varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// A page header in Thrift's compact protocol: type, sizes, and for a
/// data (field 5) or dictionary (field 7) page its values and encoding.
fn header(kind: i32, unpacked: i32, packed: i32, page: Option<(u8, i32)>) -> Vec<u8> {
    let mut out = Vec::new();
    for value in [kind, unpacked, packed] {
        out.push(0x15); // field id + 1, type i32
        zigzag(&mut out, i64::from(value));
    }
    if let Some((field, values)) = page {
        out.push(((field - 3) << 4) | STRUCT);
        out.push(0x15);
        zigzag(&mut out, i64::from(values));
        out.push(0x15); // the encoding
        zigzag(&mut out, 0);
        out.push(0);
    }
    out.push(0);
    out
}

#[test]
fn page_headers_are_read_and_what_follows_them_is_not() {
    let mut bytes = header(2, 4000, 1200, Some((7, 500)));
    let len = bytes.len();
    bytes.extend_from_slice(b"page data follows");
    let h = PageHeader::parse(&bytes).unwrap();
    assert_eq!(
        (h.kind, h.uncompressed, h.compressed, h.num_values, h.len),
        (PageType::Dictionary, 4000, 1200, Some(500), len)
    );
}

#[test]
fn fields_the_checks_do_not_need_are_skipped() {
    // A crc (field 4), then a data page header whose statistics (field 5
    // of it) hold binary min and max, a list, a map and a double.
    let mut bytes = Vec::new();
    for value in [0, 300, 200, 12345] {
        bytes.push(0x15);
        zigzag(&mut bytes, value);
    }
    bytes.push(0x10 | STRUCT); // field 5
    bytes.push(0x15);
    zigzag(&mut bytes, 40);
    bytes.push(0x40 | STRUCT); // field 5 of the data page header: statistics
    bytes.extend_from_slice(&[0x10 | BINARY, 3, b'a', b'b', b'c']);
    bytes.extend_from_slice(&[0x10 | LIST, 0x31, BOOL_TRUE, BOOL_FALSE, BOOL_TRUE]);
    bytes.extend_from_slice(&[0x10 | MAP, 1, (I32 << 4) | BINARY, 2, 1, b'x']);
    bytes.push(0x10 | DOUBLE);
    bytes.extend_from_slice(&1.5f64.to_le_bytes());
    bytes.extend_from_slice(&[0, 0, 0]);
    let h = PageHeader::parse(&bytes).unwrap();
    assert_eq!(
        (h.kind, h.uncompressed, h.compressed, h.num_values, h.len),
        (PageType::Data, 300, 200, Some(40), bytes.len())
    );
}

#[test]
fn broken_headers_are_refused_without_recursing_without_end() {
    let whole = header(0, 10, 10, Some((5, 3)));
    assert!(matches!(PageHeader::parse(&whole[..whole.len() - 1]), Err(Cut::Early)));
    assert!(matches!(PageHeader::parse(&[0x1F]), Err(Cut::Bad(_))), "type 15 is no type");
    let too_big = [0x25, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
    assert!(matches!(PageHeader::parse(&too_big), Err(Cut::Bad(r)) if r.contains("out of range")), "{too_big:?}");
    let nested = vec![0x10 | STRUCT; 100_000];
    assert!(matches!(PageHeader::parse(&nested), Err(Cut::Bad(r)) if r.contains("nest")));
    let list = [0x10 | LIST, 0xF0 | BOOL_TRUE, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
    assert!(matches!(PageHeader::parse(&list), Err(Cut::Early)), "a list longer than the bytes ends early");
}

#[test]
fn pages_that_claim_more_than_they_can_hold_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let snappy = size_chunk(&households_file(dir.path(), Compression::SNAPPY, true, 500));
    let plain = size_chunk(&households_file(dir.path(), Compression::UNCOMPRESSED, true, 500));
    let check = |h: Vec<u8>, chunk: &ColumnChunkMetaData| check_page(&PageHeader::parse(&h).unwrap(), chunk);
    assert!(check(header(0, 4000, 1000, Some((5, 500))), &snappy).is_ok());
    // The fuzzer's 7 KB file: a snappy page claiming 1.5 GB.
    let e = check(header(0, 1_500_000_000, 200, Some((5, 500))), &snappy).unwrap_err();
    assert!(e.contains("more than the 134217728 a page may"), "{e}");
    let e = check(header(0, 10 << 20, 1000, Some((5, 500))), &snappy).unwrap_err();
    assert!(e.contains("beyond what compression can do"), "{e}");
    // Uncompressed, a page is read as it is: its sizes agree or it is short.
    assert!(check(header(0, 10 << 20, 1000, Some((5, 500))), &plain).is_ok());
    // A dictionary of int32 values takes four bytes a value.
    assert!(check(header(2, 4000, 4000, Some((7, 1000))), &plain).is_ok());
    let e = check(header(2, 4000, 4000, Some((7, 1001))), &plain).unwrap_err();
    assert!(e.contains("a dictionary of 1001 values cannot fit in 4000 bytes"), "{e}");
    assert!(check(header(2, 4000, 4000, Some((7, -1))), &plain).is_err());
    assert!(check(header(0, -5, 4000, None), &plain).is_err());
    assert!(check(header(0, 40, 40, Some((5, -3))), &plain).is_err());
}

#[test]
fn every_page_of_real_files_passes() {
    let dir = tempfile::tempdir().unwrap();
    for (compression, dictionary, group_rows) in [
        (Compression::UNCOMPRESSED, true, 120),
        (Compression::UNCOMPRESSED, false, 500),
        (Compression::SNAPPY, true, 70),
    ] {
        let path = households_file(dir.path(), compression, dictionary, group_rows);
        let metadata = metadata(&path);
        let file = File::open(&path).unwrap();
        check_layout(&metadata, file.metadata().unwrap().len()).unwrap();
        for (group, row_group) in metadata.row_groups().iter().enumerate() {
            check_pages(&file, &metadata, group, 0..row_group.num_columns()).unwrap();
        }
    }
}

#[test]
fn a_page_running_past_its_chunk_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = households_file(dir.path(), Compression::UNCOMPRESSED, false, 500);
    let metadata = metadata(&path);
    let chunk = metadata.row_group(0).column(2);
    let (start, _, _) = chunk_range(chunk);
    // Claim a packed size past the chunk's end, the header keeping its
    // length: the size's varint is rewritten in place with the largest
    // value of the same length.
    let mut bytes = std::fs::read(&path).unwrap();
    let original = PageHeader::parse(&bytes[start as usize..]).unwrap();
    let mut fake = bytes[start as usize..start as usize + original.len].to_vec();
    // The header starts with three i32 fields, each a field byte and a
    // varint: type, unpacked size, packed size.
    let length = |v: i32| {
        let mut encoded = Vec::new();
        zigzag(&mut encoded, i64::from(v));
        encoded.len()
    };
    let kind = if original.kind == PageType::Data { 0 } else { 2 };
    let at = 1 + length(kind) + 1 + length(original.uncompressed) + 1;
    let width = length(original.compressed);
    let mut bigger = Vec::new();
    zigzag(&mut bigger, (1i64 << (7 * width - 1)) - 1);
    assert_eq!(bigger.len(), width);
    fake[at..at + width].copy_from_slice(&bigger);
    bytes[start as usize..start as usize + original.len].copy_from_slice(&fake);
    let bad = dir.path().join("past.parquet");
    std::fs::write(&bad, bytes).unwrap();
    let e = check_pages(&File::open(&bad).unwrap(), &metadata, 0, [2]).unwrap_err();
    assert!(e.contains("runs past the end of its chunk"), "{e}");
}
