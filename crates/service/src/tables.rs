//! Reading the tables people bring (appeal budgets, KoboToolbox exports):
//! whatever encoding and separator the spreadsheet that saved them chose.

use crate::error::FileProblem;

/// `;` when the header has more of them than commas (a table saved by a
/// French-locale spreadsheet, or pasted), a tab for text copied from a
/// spreadsheet, `,` otherwise.
pub fn guess_delimiter(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (semi, comma, tab) = (count(';'), count(','), count('\t'));
    if tab > semi && tab > comma {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// Text from bytes: UTF-8 (with or without a byte-order mark), UTF-16 with a
/// byte-order mark (Excel's "Unicode text"), or else Latin-1 (older Windows
/// spreadsheets in French). Binary files are refused with what to do instead.
pub fn decode(file: &[u8]) -> Result<String, String> {
    if let Some(rest) = file.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
        return String::from_utf16(&units).map_err(|_| "the file says it is UTF-16 but is not".to_string());
    }
    if let Some(rest) = file.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|b| u16::from_be_bytes([b[0], b[1]])).collect();
        return String::from_utf16(&units).map_err(|_| "the file says it is UTF-16 but is not".to_string());
    }
    if file.contains(&0) {
        return Err("this is not a text file: save the table as CSV and import that".into());
    }
    let file = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    match std::str::from_utf8(file) {
        Ok(s) => Ok(s.to_string()),
        // Latin-1 text has no UTF-8 sequences in it; a file with both was
        // pasted together from two sources, and reading it either way would
        // garble one part without a word.
        Err(e) if has_utf8_sequence(file) => {
            let line = file[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(format!("the file mixes UTF-8 with another encoding (line {line} is not UTF-8): save it again as UTF-8 and import that"))
        }
        Err(_) => Ok(file.iter().map(|&b| b as char).collect()),
    }
}

/// Whether bytes hold an accented letter written in UTF-8 (a lead byte
/// 0xC2–0xDF then a continuation byte), as Latin-1 text almost never does.
fn has_utf8_sequence(file: &[u8]) -> bool {
    file.windows(2).any(|w| (0xC2..=0xDF).contains(&w[0]) && (0x80..=0xBF).contains(&w[1]))
}

/// The 1-based line a record starts on, from its byte offset. The csv
/// crate's own line number is one short after a CRLF ending (it places the
/// next record at the LF), so lines are counted here, incrementally: records
/// come in order, and counting from the start each time would cost the
/// square of the file's length.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCounter { bytes: text.as_bytes(), at: 0, line: 1 }
    }

    pub fn line_at(&mut self, byte: u64) -> usize {
        let mut to = (byte as usize).min(self.bytes.len());
        while to < self.bytes.len() && (self.bytes[to] == b'\n' || self.bytes[to] == b'\r') {
            to += 1;
        }
        if to < self.at {
            // Out of order (never from one reader): count from the start.
            self.at = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.at..to].iter().filter(|&&c| c == b'\n').count();
        self.at = to;
        self.line
    }
}

/// The text of a table file brought for an import: at most `max_bytes`,
/// and not a spreadsheet (`spreadsheet` says what to import instead).
pub fn csv_text(file: &[u8], max_bytes: usize, spreadsheet: &str) -> Result<String, String> {
    if file.len() > max_bytes {
        return Err(format!("the file has {} MB; at most {} MB are read", file.len() >> 20, max_bytes >> 20));
    }
    if file.starts_with(b"PK\x03\x04") {
        return Err(format!("this is a spreadsheet (XLSX) file: {spreadsheet}"));
    }
    decode(file)
}

/// Where each `known` column stands in a header row, names matched without
/// case, surrounding spaces or a byte-order mark. Every problem at once: a
/// name twice, a name not known (`unknown` says what the file should be), a
/// `required` column missing.
pub fn header_positions(
    header: &csv::StringRecord,
    known: &[&'static str],
    required: &[&'static str],
    unknown: &str,
) -> Result<std::collections::HashMap<&'static str, usize>, Vec<FileProblem>> {
    let fold = |s: &str| s.trim().trim_start_matches('\u{feff}').to_lowercase();
    let mut at = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        match known.iter().find(|c| fold(c) == fold(name)) {
            Some(c) if at.contains_key(c) => problems.push(FileProblem::new(1, Some(c), None, "this column is in the header twice")),
            Some(c) => {
                at.insert(*c, i);
            }
            None => problems.push(FileProblem::new(1, Some(name.trim()), None, unknown)),
        }
    }
    for c in required {
        if !at.contains_key(c) {
            problems.push(FileProblem::new(1, Some(c), None, "this column is missing from the header"));
        }
    }
    if problems.is_empty() {
        Ok(at)
    } else {
        Err(problems)
    }
}

/// An HXL hashtag row (an export's `--hxl` row under the header): every
/// cell that is not empty starts with `#`.
pub fn is_hashtag_row(rec: &csv::StringRecord) -> bool {
    rec.iter().filter(|f| !f.trim().is_empty()).all(|f| f.trim_start().starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_read_and_a_mix_is_refused() {
        assert_eq!(decode("\u{feff}Côte".as_bytes()).unwrap(), "Côte");
        assert_eq!(decode(b"C\xf4te").unwrap(), "Côte");
        let mixed = [&b"C\xc3\xb4te\nC"[..], b"\xf4te"].concat();
        assert!(decode(&mixed).unwrap_err().contains("line 2"));
        assert_eq!(guess_delimiter("a;b;c,d"), b';');
    }
}
