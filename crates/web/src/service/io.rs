//! The 办事指南 file formats of import and export (the staff upload and `gongkai service
//! import/export`): CSV with the Chinese header `gongkai_ledger::service::CSV_HEADER`
//! (UTF-8, an optional BOM, columns in any order) and JSON (an array of guides). Reading a
//! file gives typed rows with their line numbers; the store writes them in one transaction.

use gongkai_ledger::service::{
    CSV_HEADER, ServiceGuide, guide_from_csv_record, guide_to_csv_record,
};

/// Most rows one import file may hold.
pub const MAX_IMPORT_GUIDES: usize = 20_000;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with the Chinese header.
    Csv,
    /// A JSON array of guides.
    Json,
}

impl Format {
    /// `csv` or `json` (case-insensitive).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// By the file name's extension (`.json` → JSON, else CSV).
    pub fn of_file_name(name: &str) -> Format {
        if name.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Csv
        }
    }

    /// MIME type of an export.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// A file that cannot be imported; names the line (CSV) or item (JSON) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportFileError {
    /// A bad CSV line.
    #[error("第{line}行：{message}（整个文件未导入）")]
    Line {
        /// 1-based line number (the header is line 1).
        line: u64,
        /// What is wrong, naming the column.
        message: String,
    },
    /// A bad item of a JSON array.
    #[error("第{item}项：{message}（整个文件未导入）")]
    Item {
        /// 1-based position in the array.
        item: u64,
        /// What is wrong.
        message: String,
    },
    /// The file as a whole.
    #[error("{0}（整个文件未导入）")]
    File(String),
}

/// Read a file of `format` into guides with their line (CSV) or item (JSON) numbers.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Vec<(u64, ServiceGuide)>, ImportFileError> {
    match format {
        Format::Csv => parse_csv(bytes),
        Format::Json => parse_json(bytes),
    }
}

/// Read CSV: the first line is the header; every data line one guide.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(u64, ServiceGuide)>, ImportFileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| ImportFileError::File(format!("无法读取表头：{e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ImportFileError::Line {
            line: e.position().map_or(0, |p| p.line()),
            message: format!("不是有效的CSV：{e}"),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        let g = guide_from_csv_record(&header, &cells).map_err(|e| ImportFileError::Line {
            line,
            message: e.to_string(),
        })?;
        out.push((line, g));
        if out.len() > MAX_IMPORT_GUIDES {
            return Err(ImportFileError::File(format!("超过{MAX_IMPORT_GUIDES}行")));
        }
    }
    if out.is_empty() {
        return Err(ImportFileError::File("文件中没有事项".into()));
    }
    Ok(out)
}

/// Read a JSON array of guides.
pub fn parse_json(bytes: &[u8]) -> Result<Vec<(u64, ServiceGuide)>, ImportFileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let items: Vec<serde_json::Value> = serde_json::from_slice(bytes)
        .map_err(|e| ImportFileError::File(format!("不是办事指南的JSON数组：{e}")))?;
    if items.len() > MAX_IMPORT_GUIDES {
        return Err(ImportFileError::File(format!("超过{MAX_IMPORT_GUIDES}项")));
    }
    if items.is_empty() {
        return Err(ImportFileError::File("文件中没有事项".into()));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let item = i as u64 + 1;
            serde_path_to_error::deserialize::<_, ServiceGuide>(v)
                .map(|g| (item, g))
                .map_err(|e| ImportFileError::Item {
                    item,
                    message: format!("字段「{}」无效：{}", e.path(), e.inner()),
                })
        })
        .collect()
}

/// Write guides in `format` (CSV with a BOM so that spreadsheet programs read UTF-8).
pub fn write(format: Format, guides: &[ServiceGuide]) -> Vec<u8> {
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
            // Writing to memory does not fail.
            let _ = w.write_record(CSV_HEADER);
            for g in guides {
                let _ = w.write_record(guide_to_csv_record(g));
            }
            w.into_inner().unwrap_or_default()
        }
        Format::Json => serde_json::to_vec_pretty(guides).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_round_trip_and_errors_name_the_line() {
        let mut g = ServiceGuide {
            name: "老年人优待证办理".into(),
            impl_code: "C-1".into(),
            ..ServiceGuide::default()
        };
        g.themes = vec!["社会保障".into()];
        let csv = write(Format::Csv, std::slice::from_ref(&g));
        let back = parse(Format::Csv, &csv).unwrap();
        assert_eq!(back, vec![(2, g.clone())]);
        let json = write(Format::Json, std::slice::from_ref(&g));
        assert_eq!(parse(Format::Json, &json).unwrap(), vec![(1, g.clone())]);

        let text = String::from_utf8(csv).unwrap();
        let bad = text.replace("公共服务", "公共服务事项");
        let bad = format!("{}{}", bad, bad.lines().nth(1).unwrap());
        let e = parse(Format::Csv, bad.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("第2行：“事项类型”列"), "{e}");
        let e = parse(Format::Json, br#"[{"name": 1}]"#).unwrap_err();
        assert!(e.to_string().starts_with("第1项：字段「name」"), "{e}");
    }
}
