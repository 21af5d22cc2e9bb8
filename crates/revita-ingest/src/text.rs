//! Text encodings. Chinese statistical offices and Excel on Chinese Windows
//! still save CSV in GBK (GB 18030's two-byte subset). A file is sniffed: if
//! its first 64 KiB are valid UTF-8 it is read as UTF-8 (a byte-order mark is
//! dropped); if not, and they decode cleanly as GB 18030, the file is
//! transcoded to UTF-8 on the fly; otherwise it is rejected with a message
//! saying so.

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs::{CoderResult, Decoder, GB18030};

/// How many bytes are sniffed to decide the encoding.
const SNIFF_LEN: usize = 64 * 1024;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK / GB 18030, transcoded to UTF-8 while reading.
    Gbk,
}

impl Encoding {
    /// A name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK (GB 18030)",
        }
    }
}

/// Sniffs `input` and returns a UTF-8 reader over it, or why it cannot be
/// read as text.
pub fn utf8_reader<R: Read + Send + 'static>(input: R) -> io::Result<(Box<dyn Read + Send>, Encoding)> {
    let mut input = BufReader::with_capacity(SNIFF_LEN.max(256 * 1024), input);
    let head = input.fill_buf()?.to_vec();
    let head = head.get(..SNIFF_LEN.min(head.len())).unwrap_or(&head);
    let head = head.strip_prefix(b"\xEF\xBB\xBF").map_or(head, |rest| rest);
    match std::str::from_utf8(head) {
        Ok(_) => Ok((Box::new(skip_bom(input)?), Encoding::Utf8)),
        // A multi-byte character cut by the sniff window is still UTF-8.
        Err(e) if e.error_len().is_none() => Ok((Box::new(skip_bom(input)?), Encoding::Utf8)),
        Err(_) if decodes_cleanly_as_gbk(head) => Ok((Box::new(GbkReader::new(input)), Encoding::Gbk)),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is neither UTF-8 nor GBK text (invalid byte at offset {}); save it as UTF-8 CSV",
                e.valid_up_to()
            ),
        )),
    }
}

fn skip_bom<R: BufRead>(mut input: R) -> io::Result<R> {
    if input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    Ok(input)
}

fn decodes_cleanly_as_gbk(head: &[u8]) -> bool {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(head.len() * 2);
    // `last = false`: a two-byte character cut by the window is not an error.
    let (result, _, had_errors) = decoder.decode_to_string(head, &mut out, false);
    result == CoderResult::InputEmpty && !had_errors
}

/// Streams GB 18030 bytes out as UTF-8. Malformed sequences become U+FFFD,
/// which the importers then reject as bad values rather than guessing.
struct GbkReader<R> {
    inner: BufReader<R>,
    decoder: Decoder,
    out: Vec<u8>,
    pos: usize,
    /// Set once the decoder has been given the end of the input: encoding_rs
    /// panics if a finished decoder is used again, and readers may well ask
    /// for more after the end.
    finished: bool,
}

impl<R: Read> GbkReader<R> {
    fn new(inner: BufReader<R>) -> GbkReader<R> {
        GbkReader { inner, decoder: GB18030.new_decoder(), out: Vec::new(), pos: 0, finished: false }
    }
}

impl<R: Read> Read for GbkReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.finished {
                return Ok(0);
            }
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let max = self.decoder.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
            let mut decoded = String::with_capacity(max);
            let (_, consumed, _) = self.decoder.decode_to_string(input, &mut decoded, last);
            self.inner.consume(consumed);
            self.out = decoded.into_bytes();
            self.pos = 0;
            self.finished = last;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: Vec<u8>) -> (String, Encoding) {
        let (mut reader, encoding) = utf8_reader(io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (text, encoding)
    }

    #[test]
    fn utf8_passes_through_and_loses_its_bom() {
        let (text, enc) = read_all("\u{feff}code,name\n520102,南明区\n".as_bytes().to_vec());
        assert_eq!((text.as_str(), enc), ("code,name\n520102,南明区\n", Encoding::Utf8));
    }

    #[test]
    fn gbk_is_transcoded() {
        let (gbk, _, _) = GB18030.encode("code,name\n520102,南明区\n");
        let (text, enc) = read_all(gbk.into_owned());
        assert_eq!((text.as_str(), enc), ("code,name\n520102,南明区\n", Encoding::Gbk));
    }

    #[test]
    fn gbk_without_a_final_newline_reads_to_the_end_through_a_table() {
        // The decoder is finished by the last read; reading again used to
        // decode once more and panic inside encoding_rs.
        let (gbk, _, _) = GB18030.encode("code,name\n520102,南明区\n520103,云岩区");
        let mut table = crate::Table::from_csv_reader("gbk.csv", io::Cursor::new(gbk.into_owned())).unwrap();
        assert_eq!(table.encoding, Encoding::Gbk);
        let mut record = csv::StringRecord::new();
        let mut names = Vec::new();
        while let Some(row) = table.next_record(&mut record).unwrap() {
            names.push((row, record[1].to_string()));
        }
        assert_eq!(names, [(2, "南明区".to_string()), (3, "云岩区".to_string())]);
        // Reading past the end stays at the end.
        assert_eq!(table.next_record(&mut record).unwrap(), None);
    }

    #[test]
    fn a_finished_gbk_reader_keeps_returning_the_end() {
        let (gbk, _, _) = GB18030.encode("名称\n南明区");
        let (mut reader, _) = utf8_reader(io::Cursor::new(gbk.into_owned())).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "名称\n南明区");
        let mut buf = [0u8; 16];
        assert_eq!((reader.read(&mut buf).unwrap(), reader.read(&mut buf).unwrap()), (0, 0));
    }

    #[test]
    fn binary_junk_is_rejected_with_a_hint() {
        let junk = vec![0xFFu8, 0xFE, 0x00, 0x81, 0x20, 0xFF];
        let err = utf8_reader(io::Cursor::new(junk)).err().unwrap();
        assert!(err.to_string().contains("neither UTF-8 nor GBK"), "{err}");
    }
}
