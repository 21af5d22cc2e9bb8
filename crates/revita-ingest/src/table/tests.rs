use super::*;

fn table(text: &str) -> Result<Table, FileError> {
    Table::from_csv_reader("t.csv", std::io::Cursor::new(text.as_bytes().to_vec()))
}

#[test]
fn records_carry_spreadsheet_row_numbers_and_skip_empty_rows() {
    let mut t = table("a,b\n1,2\n,\n\"3\n\",4\n").unwrap();
    let mut rec = StringRecord::new();
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(4));
    assert_eq!(&rec[0], "3\n");
    assert_eq!(&rec[1], "4");
    assert_eq!(t.next_record(&mut rec).unwrap(), None);
}

/// Every record's row number and first cell.
fn rows(text: &str) -> Vec<(u64, String)> {
    let mut t = table(text).unwrap();
    let mut rec = StringRecord::new();
    let mut rows = Vec::new();
    while let Some(row) = t.next_record(&mut rec).unwrap() {
        rows.push((row, rec[0].to_string()));
    }
    rows
}

#[test]
fn row_numbers_are_the_same_whatever_ends_the_lines() {
    // A quoted field across two lines is one row (as a spreadsheet shows
    // it); a wholly blank line is a row too (a spreadsheet shows an empty
    // one), as is a row of empty cells, though neither is returned.
    for eol in ["\n", "\r\n", "\r"] {
        let lines = ["a,b", "1,2", "\"x{eol}y\",3", "", "4,5", ",", "6,7"];
        let text = lines.join("{eol}").replace("{eol}", eol);
        let want = [(2, "1".to_string()), (3, format!("x{eol}y")), (5, "4".into()), (7, "6".into())];
        assert_eq!(rows(&text), want, "{eol:?} without a final line end");
        assert_eq!(rows(&format!("{text}{eol}")), want, "{eol:?} with a final line end");
    }
}

#[test]
fn blank_lines_before_the_header_count_as_rows() {
    assert_eq!(rows("\r\n\r\na,b\r\n1,2\r\n"), [(4, "1".to_string())]);
}

#[test]
fn an_error_in_a_crlf_file_names_the_row_a_spreadsheet_shows() {
    let mut t = table("a,b\r\n1,2\r\n\"3\r\n\",4\r\n5,6,7\r\n").unwrap();
    let mut rec = StringRecord::new();
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(3));
    assert_eq!(t.next_record(&mut rec).unwrap_err().row, 4);
    assert_eq!(t.next_record(&mut rec).unwrap(), None);
}

#[test]
fn bad_utf8_past_the_sniffed_head_is_an_error_in_its_row_and_column() {
    // The encoding is decided on the first 64 KiB; a bad byte later is
    // the problem of its row only.
    let mut bytes = b"a,b\n".to_vec();
    for i in 0..5_000 {
        bytes.extend_from_slice(format!("{i},valid text\n").as_bytes());
    }
    bytes.extend_from_slice(b"x,caf\xE9\nlast,ok\n");
    let mut t = Table::from_csv_reader("t.csv", std::io::Cursor::new(bytes)).unwrap();
    let mut rec = StringRecord::new();
    for row in 2..5_002 {
        assert_eq!(t.next_record(&mut rec).unwrap(), Some(row));
    }
    let e = t.next_record(&mut rec).unwrap_err();
    assert_eq!((e.row, e.column.as_deref()), (5_002, Some("b")), "{e}");
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(5_003));
    assert_eq!(&rec[0], "last");
}

#[test]
fn a_row_longer_than_the_header_is_an_error() {
    let mut t = table("a,b\n1,2\n12,5,3\n4\n").unwrap();
    let mut rec = StringRecord::new();
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(2));
    let err = t.next_record(&mut rec).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.csv, row 3: the row has 3 fields but the header has 2 (is there an unquoted comma, e.g. a thousands separator?)"
    );
    // A short row is read with its missing cells empty.
    assert_eq!(t.next_record(&mut rec).unwrap(), Some(4));
}

#[test]
fn bad_headers_are_rejected_before_any_row() {
    assert_eq!(table("").err().unwrap().reason, "the file is empty (no header row)");
    assert_eq!(table("a,,b\n").err().unwrap().reason, "column 2 has an empty header");
    assert_eq!(table("a,b,a\n").err().unwrap().reason, "column 'a' appears twice in the header");
}

#[test]
fn excel_serials_become_iso_dates() {
    assert_eq!(excel_serial_date(1.0), "1900-01-01");
    assert_eq!(excel_serial_date(44_435.0), "2021-08-27");
    assert_eq!(excel_serial_date(43_830.75), "2019-12-31");
}

#[test]
fn numeric_cells_print_like_the_user_typed_them() {
    assert_eq!(cell_text(&DataRef::Float(520102.0)), "520102");
    assert_eq!(cell_text(&DataRef::Float(12.5)), "12.5");
    assert_eq!(cell_text(&DataRef::Empty), "");
}

#[test]
fn unknown_file_types_are_refused() {
    let err = Table::open(Path::new("data.json"), None).err().unwrap();
    assert!(err.reason.starts_with("unsupported file type '.json'"), "{err}");
}

/// Limits small enough to try on small files.
fn small_limits() -> Limits {
    Limits { field_bytes: 8, row_bytes: 40, columns: 6, sheet_rows: 100, xlsx_cells: 60, ..Limits::DEFAULT }
}

/// A record's row and cells joined with `|`, or an error's row, column and
/// reason.
type Read = Result<(u64, String), (u64, Option<String>, String)>;

/// Every record and error of a CSV text read with `limits`.
fn read_with(text: &str, limits: Limits) -> Vec<Read> {
    let input = std::io::Cursor::new(text.as_bytes().to_vec());
    let mut t = Table::from_csv_reader_with_limits("t.csv", input, limits).unwrap();
    read_through(&mut t)
}

/// Every record and error of a table.
fn read_through(t: &mut Table) -> Vec<Read> {
    let mut rec = StringRecord::new();
    let mut out = Vec::new();
    loop {
        match t.next_record(&mut rec) {
            Ok(Some(row)) => out.push(Ok((row, rec.iter().collect::<Vec<_>>().join("|")))),
            Ok(None) => return out,
            Err(e) => out.push(Err((e.row, e.column, e.reason))),
        }
    }
}

#[test]
fn a_csv_field_over_the_limit_is_an_error_in_its_row_and_column() {
    let got = read_with("a,b\n1,short\n2,\"far too\nlong\"\n3,ok\n", small_limits());
    assert_eq!(got[0], Ok((2, "1|short".into())));
    let Err((row, column, reason)) = &got[1] else { panic!("{got:?}") };
    assert_eq!((*row, column.as_deref()), (3, Some("b")));
    assert!(reason.contains("longer than 8 bytes"), "{reason}");
    // The skipped record spans two lines but is one row.
    assert_eq!(got[2], Ok((4, "3|ok".into())));
    assert_eq!(got.len(), 3);
}

#[test]
fn a_quote_left_open_is_one_error_not_the_whole_file_in_memory() {
    let mut text = "a,b\n1,\"open\n".to_string();
    for i in 0..20_000 {
        text.push_str(&format!("{i},row {i}\n"));
    }
    let got = read_with(&text, Limits::DEFAULT);
    assert_eq!(got.len(), 1, "{:?}", &got[..2.min(got.len())]);
    let Err((row, column, reason)) = &got[0] else { panic!("{got:?}") };
    // The row is the one the quote opens in, where the user should look.
    assert_eq!((*row, column.as_deref()), (2, Some("b")));
    assert!(reason.contains("is a quote left open?"), "{reason}");
}

#[test]
fn csv_rows_too_wide_or_too_long_are_errors() {
    let got = read_with("a,b\n1,2,,,,,,,\nx,y\n12345678,12345678\n", small_limits());
    assert!(matches!(&got[0], Err((2, None, r)) if r.contains("more than 6 fields")), "{got:?}");
    assert_eq!(got[1], Ok((3, "x|y".into())));
    let long = format!("a,b,c,d,e,f\n{}\n", ["12345678"; 6].join(","));
    let got = read_with(&long, small_limits());
    assert!(matches!(&got[0], Err((2, None, r)) if r.contains("longer than 40 bytes")), "{got:?}");
    let header =
        Table::from_csv_reader_with_limits("t.csv", std::io::Cursor::new(b"a,bbbbbbbbbbbb\n".to_vec()), small_limits());
    assert!(header.err().unwrap().reason.starts_with("the header: the value is longer"));
}

/// Writes a workbook with `build` and opens it with `limits`.
fn xlsx(
    dir: &tempfile::TempDir,
    build: impl FnOnce(&mut rust_xlsxwriter::Workbook),
    sheet: Option<&str>,
    limits: Limits,
) -> Result<Table, FileError> {
    let path = dir.path().join("w.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    build(&mut book);
    book.save(&path).unwrap();
    Table::open_with_limits(&path, sheet, limits)
}

#[test]
fn xlsx_cells_keep_their_text_dates_and_numbers_and_sheets_are_chosen_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let build = |book: &mut rust_xlsxwriter::Workbook| {
        let first = book.add_worksheet().set_name("notes").unwrap();
        first.write_string(0, 0, "not this one").unwrap();
        let sheet = book.add_worksheet().set_name("data").unwrap();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        // The table starts at B2; row 4 is empty, row 5 has data again.
        for (c, h) in ["code", "value", "day"].iter().enumerate() {
            sheet.write_string(1, c as u16 + 1, *h).unwrap();
        }
        sheet.write_number(2, 1, 520102.0).unwrap();
        sheet.write_number(2, 2, 12.5).unwrap();
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 8, 27).unwrap();
        sheet.write_datetime_with_format(2, 3, &day, &date).unwrap();
        sheet.write_string(4, 1, "520103").unwrap();
        sheet.write_number(4, 3, 3e6).unwrap();
        sheet.set_cell_format(4, 3, &date).unwrap();
    };
    let mut t = xlsx(&dir, build, Some("data"), Limits::DEFAULT).unwrap();
    assert_eq!(t.header, ["code", "value", "day"]);
    assert_eq!(read_through(&mut t), [Ok((3, "520102|12.5|2021-08-27".into())), Ok((5, "520103||3000000".into()))]);
    let e = xlsx(&dir, build, Some("nope"), Limits::DEFAULT).err().unwrap();
    assert_eq!(e.reason, "no sheet 'nope' (sheets: notes, data)");
    let first = xlsx(&dir, build, None, Limits::DEFAULT).unwrap();
    assert_eq!(first.header, ["not this one"]);
}

#[test]
fn xlsx_values_outside_the_header_or_over_a_limit_are_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let build = |book: &mut rust_xlsxwriter::Workbook| {
        let sheet = book.add_worksheet();
        sheet.write_string(0, 1, "a").unwrap();
        sheet.write_string(0, 2, "b").unwrap();
        sheet.write_string(1, 0, "left").unwrap();
        sheet.write_string(1, 1, "x").unwrap();
        sheet.write_string(2, 3, "right").unwrap();
        sheet.write_string(3, 2, "too long a value").unwrap();
        sheet.write_string(4, 1, "ok").unwrap();
    };
    let mut t = xlsx(&dir, build, None, small_limits()).unwrap();
    let got = read_through(&mut t);
    assert!(matches!(&got[0], Err((2, None, r)) if r.contains("column A, outside the header's columns B to C")));
    assert!(matches!(&got[1], Err((3, None, r)) if r.contains("column D")), "{got:?}");
    assert!(matches!(&got[2], Err((4, Some(c), r)) if c == "b" && r.contains("more than the 8 bytes")), "{got:?}");
    assert_eq!(got[3], Ok((5, "ok|".into())));
    assert_eq!(got.len(), 4);
}

#[test]
fn a_sheet_reaching_xfd1048576_is_refused_without_building_its_grid() {
    // Two cells make calamine's dense range 17 billion cells: the process
    // aborted on allocating it.
    let dir = tempfile::tempdir().unwrap();
    let build = |book: &mut rust_xlsxwriter::Workbook| {
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "code").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    };
    let e = xlsx(&dir, build, None, Limits::DEFAULT).err().unwrap();
    assert!(e.reason.contains("A1:XFD1048576 spans more than 20000000 cells"), "{e}");
}

#[test]
fn a_sheet_with_more_cells_than_the_limit_is_refused_or_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let build = |book: &mut rust_xlsxwriter::Workbook| {
        let sheet = book.add_worksheet();
        for r in 0..40u32 {
            for c in 0..2u16 {
                sheet.write_number(r, c, f64::from(r)).unwrap();
            }
        }
    };
    // The declared dimension (A1:B40, 80 cells) is refused first.
    let e = xlsx(&dir, build, None, small_limits()).err().unwrap();
    assert!(e.reason.contains("A1:B40 spans more than 60 cells"), "{e}");
    // Without one, the cells are counted as they come.
    let path = dir.path().join("hand.xlsx");
    let rows: String = (1..=40).map(|r| format!("<row><c><v>{r}</v></c><c><v>{}</v></c></row>", r + 100)).collect();
    handmade_xlsx(&path, &sheet_xml(&rows));
    let mut t = Table::open_with_limits(&path, None, small_limits()).unwrap();
    let got = read_through(&mut t);
    assert_eq!(got.len(), 30, "29 rows, then the stop");
    assert!(matches!(&got[29], Err((31, None, r)) if r.contains("more than 60 cells")), "{:?}", got[29]);
}

#[test]
fn cells_out_of_row_order_stop_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.xlsx");
    handmade_xlsx(
        &path,
        &sheet_xml(
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="A3"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>"#,
        ),
    );
    let mut t = Table::open(&path, None).unwrap();
    let got = read_through(&mut t);
    assert_eq!(got[0], Ok((3, "3".into())));
    assert!(matches!(&got[1], Err((3, None, r)) if r.contains("row 2 come after row 3")), "{got:?}");
}

/// Rewrites the zip at `path` so that the entry `name` declares `size`
/// unpacked bytes, in its local header and in the central directory.
fn declare_size(path: &Path, name: &str, size: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(46) {
        let (signature, name_at, size_at) = match &bytes[i..i + 4] {
            b"PK\x03\x04" => ("local", 30, 22),
            b"PK\x01\x02" => ("central", 46, 24),
            _ => continue,
        };
        let name_len_at = if signature == "local" { 26 } else { 28 };
        let name_len = u16::from_le_bytes([bytes[i + name_len_at], bytes[i + name_len_at + 1]]) as usize;
        if bytes.get(i + name_at..i + name_at + name_len) == Some(name.as_bytes()) {
            bytes[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{name} patched in both headers");
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_part_larger_than_it_declares_is_an_error_not_a_blowup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lies.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for r in 0..200 {
        sheet.write_string(r, 0, format!("row {r}")).unwrap();
    }
    book.save(&path).unwrap();
    // The sheet says it unpacks to 100 bytes: the zip crate stops there.
    declare_size(&path, "xl/worksheets/sheet1.xml", 100);
    let outcome = Table::open(&path, None).map(|mut t| read_through(&mut t));
    let reason = match outcome {
        Err(e) => e.reason,
        Ok(rows) => match rows.last() {
            Some(Err((_, _, reason))) => reason.clone(),
            other => panic!("read {} rows, last {other:?}", rows.len()),
        },
    };
    assert!(reason.contains("larger than its declared uncompressed size"), "{reason}");
}

/// An XLSX file whose one sheet is `xml`, packed with `zip` by hand.
fn handmade_xlsx(path: &Path, sheet_xml: &[u8]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, bytes) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(sheet_xml).unwrap();
    zip.finish().unwrap();
}

fn sheet_xml(rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

#[test]
fn handmade_sheets_are_read_and_their_cells_checked_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.xlsx");
    // No dimension: the cells themselves are checked.
    handmade_xlsx(
        &path,
        &sheet_xml(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>
               <row r="2"><c r="A2"><v>7</v></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>
               <row r="3"><c r="A3"><v>8</v></c></row>
               <row r="2000000"><c r="A2000000"><v>9</v></c></row>"#,
        ),
    );
    let mut t = Table::open(&path, None).unwrap();
    let got = read_through(&mut t);
    assert!(matches!(&got[0], Err((2, None, r)) if r.contains("column XFD")), "{got:?}");
    assert_eq!(got[1], Ok((3, "8".into())));
    assert!(matches!(&got[2], Err((2_000_000, None, r)) if r.contains("beyond row 1048576")), "{got:?}");
    assert_eq!(got.len(), 3);
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    // 24 MiB of one empty row repeated packs over 200 to one even at the
    // default compression level.
    let rows = "<row/>".repeat(4 << 20);
    handmade_xlsx(&path, &sheet_xml(&rows));
    assert!(std::fs::metadata(&path).unwrap().len() < 200_000);
    let e = Table::open(&path, None).err().unwrap();
    assert!(e.reason.contains("xl/worksheets/sheet1.xml") && e.reason.contains("100:1"), "{e}");
    // And a workbook unpacking past the size limit is refused on its
    // declared sizes alone.
    let limits = Limits { xlsx_unpacked_bytes: 1 << 20, xlsx_compression_ratio: u64::MAX, ..Limits::DEFAULT };
    let e = Table::open_with_limits(&path, None, limits).err().unwrap();
    assert!(e.reason.contains("unpacks to more than 1048576 bytes"), "{e}");
}

#[test]
fn legacy_xls_files_are_refused_with_a_hint() {
    let e = Table::open(Path::new("old.xls"), None).err().unwrap();
    assert!(e.reason.contains("save the file as .xlsx"), "{e}");
}

#[test]
fn excel_serials_outside_excels_dates_stay_numbers() {
    // A date format on a huge number used to overflow the day arithmetic.
    assert_eq!(excel_serial_date(3_000_000.5), "3000000.5");
    assert_eq!(excel_serial_date(-3.0), "-3");
    assert_eq!(excel_serial_date(2_958_465.0), "9999-12-31");
}

/// A Parquet file of `columns` in a temporary directory.
fn parquet_file(
    dir: &tempfile::TempDir,
    name: &str,
    columns: Vec<(&str, arrow_array::ArrayRef)>,
) -> std::path::PathBuf {
    let batch = arrow_array::RecordBatch::try_from_iter(columns).unwrap();
    let path = dir.path().join(name);
    let mut writer = parquet::arrow::ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

/// Every record of a table as text cells, with its row number.
fn all_records(t: &mut Table) -> Vec<(u64, Vec<String>)> {
    let mut rec = StringRecord::new();
    let mut out = Vec::new();
    while let Some(row) = t.next_record(&mut rec).unwrap() {
        out.push((row, rec.iter().map(str::to_string).collect()));
    }
    out
}

/// Issue 16: a Parquet table reads like its CSV: numbers as typed, dates
/// as ISO dates, nulls as empty cells, rows numbered after a header row.
#[test]
fn parquet_reads_as_a_table_of_text_cells() {
    use std::sync::Arc;

    use arrow_array::{Date32Array, Float64Array, Int64Array, StringArray};
    let dir = tempfile::tempdir().unwrap();
    let path = parquet_file(
        &dir,
        "o.parquet",
        vec![
            ("region_code", Arc::new(StringArray::from(vec!["520102", "520103"])) as arrow_array::ArrayRef),
            ("period", Arc::new(Int64Array::from(vec![2020, 2021]))),
            ("value", Arc::new(Float64Array::from(vec![Some(100.0), None]))),
            ("on", Arc::new(Date32Array::from(vec![18_262, 0]))),
        ],
    );
    let mut t = Table::open(&path, None).unwrap();
    assert_eq!(t.header, ["region_code", "period", "value", "on"]);
    assert_eq!(
        all_records(&mut t),
        [
            (2, vec!["520102".into(), "2020".into(), "100".into(), "2020-01-01".into()]),
            (3, vec!["520103".into(), "2021".into(), String::new(), "1970-01-01".into()]),
        ]
    );
}

#[test]
fn parquet_files_that_cannot_be_tables_are_refused_with_the_reason() {
    use std::sync::Arc;

    use arrow_array::{ListArray, StringArray, types::Int32Type};
    let dir = tempfile::tempdir().unwrap();
    let nested = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)])]);
    let path = parquet_file(
        &dir,
        "nested.parquet",
        vec![
            ("region_code", Arc::new(StringArray::from(vec!["520102"])) as arrow_array::ArrayRef),
            ("values", Arc::new(nested)),
        ],
    );
    let err = Table::open(&path, None).err().unwrap();
    assert!(err.reason.contains("column 'values' holds List"), "{err}");
    let garbage = dir.path().join("garbage.parquet");
    std::fs::write(&garbage, b"PAR1 this is not a parquet file PAR1").unwrap();
    let err = Table::open(&garbage, None).err().unwrap();
    assert!(err.reason.starts_with("not a readable Parquet file"), "{err}");
    // A cell past the field limit is refused like a CSV field.
    let long = parquet_file(
        &dir,
        "long.parquet",
        vec![("note", Arc::new(StringArray::from(vec!["x".repeat(100)])) as arrow_array::ArrayRef)],
    );
    let mut t = Table::open_with_limits(&long, None, Limits { field_bytes: 10, ..Limits::DEFAULT }).unwrap();
    let err = t.next_record(&mut StringRecord::new()).unwrap_err();
    assert_eq!((err.row, err.column.as_deref()), (2, Some("note")));
}
