//! CSV import and export of applications, cases and registers (`gongkai ledger import|export`).
//! The store takes typed rows; this module reads and writes the files.
//!
//! Files are UTF-8 (a BOM is accepted) with a header row naming the columns below, in any
//! order; unknown or missing columns are refused. Dates are `YYYY-MM-DD`; empty means none.
//! Each file is imported in **one transaction**: a bad row is reported with its line number
//! and nothing of that file is written.
//!
//! **applications.csv** — one row per application:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `tracking_code` | no | keep this code (another system's); generated when empty |
//! | `body_code` | yes | the body the application is addressed to |
//! | `applicant_type` | yes | `natural_person`, `commercial`, `research`, `social_welfare`, `legal_service`, `other_org` |
//! | `channel` | yes | `in-person`, `post`, `mail`, `online`, `fax` |
//! | `received_on` | yes | statutory receipt date |
//! | `request_text` | yes | what is requested |
//! | `applicant_name` | yes | personal data (never public) |
//! | `id_number`, `phone`, `email`, `address` | no | personal data |
//! | `outcome` | no | statutory outcome code (`granted` … `other_other`) when closed |
//! | `closed_on` | with `outcome` | closing date |
//! | `reply_reference` | no | reply letter number, kept in the history note |
//!
//! An imported application's history is `received` plus, when closed, one `imported` event
//! with its outcome (the detailed history of another system is not invented). Exported
//! personal data is masked unless asked otherwise.
//!
//! **cases.csv**: `body_code, application_tracking_code (optional), kind (review |
//! lit_direct | lit_after_review), outcome (maintained | corrected | other | pending),
//! filed_on, closed_on, reference, note`.
//!
//! **documents.csv**: `body_code, kind (regulations | normative_docs), title, doc_number,
//! issued_on, published_on, repealed_on` — upserted by (body, doc_number).
//!
//! **figures.csv**: `body_code, year, cell, value` — cells of table 二（五）（六）（八）（九）
//! in the year's format, e.g. `t2_5.admin_license.decisions`, `t2_8.admin_fees.fee_amount`
//! (万元).

use gongkai_calendar::{Channel, parse_date};
use gongkai_ledger::{
    ApplicantType, CaseKind, CaseOutcome, CaseRecord, DocumentKind, DocumentRecord, EventKind,
    NewApplication, Outcome, PersonalData, YearlyFigure,
};
use gongkai_store::{
    BulkApplication, ImportReport, MAX_IMPORT_ROWS, Progress, Result, Store, StoreError,
};
use std::collections::HashMap;
use std::io::{Read, Write};
use time::Date;

/// Header of applications.csv.
pub const APPLICATION_COLUMNS: [&str; 14] = [
    "tracking_code",
    "body_code",
    "applicant_type",
    "channel",
    "received_on",
    "request_text",
    "applicant_name",
    "id_number",
    "phone",
    "email",
    "address",
    "outcome",
    "closed_on",
    "reply_reference",
];
/// Header of cases.csv.
pub const CASE_COLUMNS: [&str; 8] = [
    "body_code",
    "application_tracking_code",
    "kind",
    "outcome",
    "filed_on",
    "closed_on",
    "reference",
    "note",
];
/// Header of documents.csv.
pub const DOCUMENT_COLUMNS: [&str; 7] = [
    "body_code",
    "kind",
    "title",
    "doc_number",
    "issued_on",
    "published_on",
    "repealed_on",
];
/// Header of figures.csv.
pub const FIGURE_COLUMNS: [&str; 4] = ["body_code", "year", "cell", "value"];

/// A parsed CSV table: header index and records with their line numbers.
struct Table {
    index: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn get<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.index
            .get(col)
            .and_then(|i| rec.get(*i))
            .map(str::trim)
            .unwrap_or("")
    }
}

fn csv_err(source: &str, line: u64, message: impl Into<String>) -> StoreError {
    StoreError::Csv {
        file: source.to_string(),
        line,
        message: message.into(),
    }
}

fn read_table(
    reader: impl Read,
    source: &str,
    required: &[&str],
    optional: &[&str],
) -> Result<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| {
            csv_err(
                source,
                1,
                format!("无法读取表头 (cannot read the header): {e}"),
            )
        })?
        .clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim_start_matches('\u{feff}').trim();
        if !required.contains(&h) && !optional.contains(&h) {
            return Err(csv_err(
                source,
                1,
                format!(
                    "未知的列「{h}」，应为：{} (unknown column)",
                    required
                        .iter()
                        .chain(optional)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ));
        }
        if index.insert(h.to_string(), i).is_some() {
            return Err(csv_err(
                source,
                1,
                format!("列「{h}」重复 (duplicate column)"),
            ));
        }
    }
    for r in required {
        if !index.contains_key(*r) {
            return Err(csv_err(source, 1, format!("缺少列「{r}」(missing column)")));
        }
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_err(source, line, format!("CSV 格式错误 (malformed CSV): {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(csv_err(
                source,
                line,
                format!("超过{MAX_IMPORT_ROWS}行的上限 (more than {MAX_IMPORT_ROWS} rows)"),
            ));
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push((line, rec));
    }
    Ok(Table { index, rows })
}

fn date(source: &str, line: u64, col: &str, s: &str) -> Result<Date> {
    parse_date(s).map_err(|_| {
        csv_err(
            source,
            line,
            format!("列「{col}」的日期 {s:?} 无效，应为 YYYY-MM-DD (invalid date)"),
        )
    })
}

fn opt_date(source: &str, line: u64, col: &str, s: &str) -> Result<Option<Date>> {
    if s.is_empty() {
        Ok(None)
    } else {
        date(source, line, col, s).map(Some)
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

async fn body_ids(store: &Store) -> Result<HashMap<String, i64>> {
    Ok(store
        .list_bodies()
        .await?
        .into_iter()
        .map(|b| (b.code, b.id))
        .collect())
}

fn body_of(bodies: &HashMap<String, i64>, source: &str, line: u64, code: &str) -> Result<i64> {
    bodies.get(code).copied().ok_or_else(|| {
        csv_err(
            source,
            line,
            format!("机关代码「{code}」不存在，请先创建该机关 (unknown body code)"),
        )
    })
}

/// Parse applications.csv into bulk items with their line numbers.
pub fn parse_applications(
    reader: impl Read,
    source: &str,
    bodies: &HashMap<String, i64>,
) -> Result<Vec<(u64, BulkApplication)>> {
    let t = read_table(
        reader,
        source,
        &[
            "body_code",
            "applicant_type",
            "channel",
            "received_on",
            "request_text",
            "applicant_name",
        ],
        &[
            "tracking_code",
            "id_number",
            "phone",
            "email",
            "address",
            "outcome",
            "closed_on",
            "reply_reference",
        ],
    )?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let g = |c: &str| t.get(rec, c);
        let body_id = body_of(bodies, source, line, g("body_code"))?;
        let applicant_type = ApplicantType::from_column_key(g("applicant_type")).ok_or_else(|| {
            csv_err(
                source,
                line,
                format!(
                    "申请人类型「{}」无效，应为 natural_person、commercial、research、social_welfare、legal_service、other_org (invalid applicant_type)",
                    g("applicant_type")
                ),
            )
        })?;
        let channel: Channel =
            g("channel")
                .parse()
                .map_err(|e: gongkai_calendar::ChannelParseError| {
                    csv_err(source, line, e.to_string())
                })?;
        let received_on = date(source, line, "received_on", g("received_on"))?;
        let outcome = match g("outcome") {
            "" => None,
            code => Some(Outcome::from_code(code).ok_or_else(|| {
                csv_err(
                    source,
                    line,
                    format!("办理结果代码「{code}」无效 (invalid outcome code)"),
                )
            })?),
        };
        let closed_on = opt_date(source, line, "closed_on", g("closed_on"))?;
        let events = match (outcome, closed_on) {
            (None, None) => Vec::new(),
            (Some(o), Some(d)) => vec![(
                EventKind::Imported { outcome: Some(o) },
                d,
                match g("reply_reference") {
                    "" => format!("导入自 {source}"),
                    r => format!("导入自 {source}；答复文号 {r}"),
                },
            )],
            (Some(_), None) => {
                return Err(csv_err(
                    source,
                    line,
                    "有 outcome 时必须填写 closed_on (closed_on is required with an outcome)",
                ));
            }
            (None, Some(_)) => {
                return Err(csv_err(
                    source,
                    line,
                    "有 closed_on 时必须填写 outcome (outcome is required with closed_on)",
                ));
            }
        };
        let new = NewApplication {
            body_id,
            applicant_type,
            channel,
            received_on,
            request_text: g("request_text").to_string(),
            personal: PersonalData {
                name: g("applicant_name").to_string(),
                id_number: opt(g("id_number")),
                phone: opt(g("phone")),
                email: opt(g("email")),
                address: opt(g("address")),
            },
        };
        new.validate()
            .map_err(|e| csv_err(source, line, e.to_string()))?;
        out.push((
            line,
            BulkApplication {
                new,
                tracking_code: opt(g("tracking_code")),
                events,
            },
        ));
    }
    Ok(out)
}

/// Import applications.csv in one transaction.
pub async fn import_applications(
    store: &Store,
    reader: impl Read,
    source: &str,
    actor: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportReport> {
    let bodies = body_ids(store).await?;
    let rows = parse_applications(reader, source, &bodies)?;
    let lines: Vec<u64> = rows.iter().map(|(l, _)| *l).collect();
    let items = rows.into_iter().map(|(_, b)| b).collect();
    store
        .ingest_applications(items, &format!("import:{source}:{actor}"), progress)
        .await
        .map_err(|e| match e {
            StoreError::Item { index, message } => StoreError::Csv {
                file: source.to_string(),
                line: lines.get(index).copied().unwrap_or(0),
                message,
            },
            other => other,
        })
}

/// Import cases.csv in one transaction.
pub async fn import_cases(
    store: &Store,
    reader: impl Read,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let bodies = body_ids(store).await?;
    let t = read_table(
        reader,
        source,
        &["body_code", "kind", "outcome", "filed_on"],
        &[
            "application_tracking_code",
            "closed_on",
            "reference",
            "note",
        ],
    )?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let g = |c: &str| t.get(rec, c);
        let body_id = body_of(&bodies, source, line, g("body_code"))?;
        let application_id = match g("application_tracking_code") {
            "" => None,
            code => Some(
                store
                    .get_application_by_code(code)
                    .await
                    .map_err(|e| csv_err(source, line, e.to_string()))?
                    .id,
            ),
        };
        let record = CaseRecord {
            body_id,
            application_id,
            kind: CaseKind::parse(g("kind")).ok_or_else(|| {
                csv_err(source, line, format!("案件类型「{}」无效，应为 review、lit_direct、lit_after_review (invalid kind)", g("kind")))
            })?,
            outcome: CaseOutcome::parse(g("outcome")).ok_or_else(|| {
                csv_err(source, line, format!("案件结果「{}」无效，应为 maintained、corrected、other、pending (invalid outcome)", g("outcome")))
            })?,
            filed_on: date(source, line, "filed_on", g("filed_on"))?,
            closed_on: opt_date(source, line, "closed_on", g("closed_on"))?,
            reference: g("reference").to_string(),
            note: g("note").to_string(),
        };
        record
            .validate()
            .map_err(|e| csv_err(source, line, e.to_string()))?;
        out.push((line, record));
    }
    store.import_cases(out, source, actor).await
}

/// Import documents.csv in one transaction.
pub async fn import_documents(
    store: &Store,
    reader: impl Read,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let bodies = body_ids(store).await?;
    let t = read_table(
        reader,
        source,
        &["body_code", "kind", "title", "doc_number", "issued_on"],
        &["published_on", "repealed_on"],
    )?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let g = |c: &str| t.get(rec, c);
        let record = DocumentRecord {
            body_id: body_of(&bodies, source, line, g("body_code"))?,
            kind: DocumentKind::parse(g("kind")).ok_or_else(|| {
                csv_err(
                    source,
                    line,
                    format!(
                        "文件类型「{}」无效，应为 regulations、normative_docs (invalid kind)",
                        g("kind")
                    ),
                )
            })?,
            title: g("title").to_string(),
            doc_number: g("doc_number").to_string(),
            issued_on: date(source, line, "issued_on", g("issued_on"))?,
            published_on: opt_date(source, line, "published_on", g("published_on"))?,
            repealed_on: opt_date(source, line, "repealed_on", g("repealed_on"))?,
        };
        record
            .validate()
            .map_err(|e| csv_err(source, line, e.to_string()))?;
        out.push((line, record));
    }
    store.import_documents(out, source, actor).await
}

/// Import figures.csv in one transaction.
pub async fn import_figures(
    store: &Store,
    reader: impl Read,
    source: &str,
    actor: &str,
) -> Result<ImportReport> {
    let bodies = body_ids(store).await?;
    let t = read_table(reader, source, &FIGURE_COLUMNS, &[])?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let g = |c: &str| t.get(rec, c);
        let body = body_of(&bodies, source, line, g("body_code"))?;
        let year: i32 = g("year")
            .parse()
            .ok()
            .filter(|y| (2008..=2100).contains(y))
            .ok_or_else(|| {
                csv_err(
                    source,
                    line,
                    format!("年度「{}」无效 (invalid year)", g("year")),
                )
            })?;
        let f = YearlyFigure::parse(year, g("cell"), g("value"))
            .map_err(|e| csv_err(source, line, e.to_string()))?;
        out.push((line, body, f));
    }
    store.import_figures(out, source, actor).await
}

fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().from_writer(w)
}

fn csv_io(e: csv::Error) -> StoreError {
    StoreError::Io(std::io::Error::other(e.to_string()))
}

/// Export applications (of one body and/or receipt year) as applications.csv. Personal data
/// is masked unless `include_personal`. Returns the row count.
pub async fn export_applications(
    store: &Store,
    out: impl Write,
    body_id: Option<i64>,
    year: Option<i32>,
    include_personal: bool,
) -> Result<usize> {
    let rows = store.export_application_rows(body_id, year).await?;
    let mut w = writer(out);
    for mut r in rows.iter().cloned() {
        if !include_personal {
            let m = PersonalData {
                name: r.applicant_name.clone(),
                id_number: opt(&r.id_number),
                phone: opt(&r.phone),
                email: opt(&r.email),
                address: opt(&r.address),
            }
            .masked();
            r.applicant_name = m.name;
            r.id_number = m.id_number.unwrap_or_default();
            r.phone = m.phone.unwrap_or_default();
            r.email = m.email.unwrap_or_default();
            r.address = m.address.unwrap_or_default();
        }
        w.serialize(&r).map_err(csv_io)?;
    }
    if rows.is_empty() {
        w.write_record(APPLICATION_COLUMNS).map_err(csv_io)?;
    }
    w.flush()?;
    Ok(rows.len())
}

/// Export the cases of a body as cases.csv.
pub async fn export_cases(store: &Store, out: impl Write, body_id: i64) -> Result<usize> {
    let body = store.get_body(body_id).await?;
    let cases = store.list_cases(body_id, None).await?;
    let mut w = writer(out);
    w.write_record(CASE_COLUMNS).map_err(csv_io)?;
    for c in &cases {
        let app = match c.record.application_id {
            Some(id) => store.get_application(id).await?.tracking_code,
            None => String::new(),
        };
        w.write_record([
            body.code.as_str(),
            &app,
            c.record.kind.key(),
            c.record.outcome.key(),
            &gongkai_calendar::format_date(c.record.filed_on),
            &c.record
                .closed_on
                .map(gongkai_calendar::format_date)
                .unwrap_or_default(),
            &c.record.reference,
            &c.record.note,
        ])
        .map_err(csv_io)?;
    }
    w.flush()?;
    Ok(cases.len())
}

/// Export the document register of a body as documents.csv.
pub async fn export_documents(store: &Store, out: impl Write, body_id: i64) -> Result<usize> {
    let body = store.get_body(body_id).await?;
    let docs = store.list_documents(body_id).await?;
    let mut w = writer(out);
    w.write_record(DOCUMENT_COLUMNS).map_err(csv_io)?;
    let fd = |d: Option<Date>| d.map(gongkai_calendar::format_date).unwrap_or_default();
    for d in &docs {
        let r = &d.record;
        w.write_record([
            body.code.as_str(),
            r.kind.key(),
            &r.title,
            &r.doc_number,
            &gongkai_calendar::format_date(r.issued_on),
            &fd(r.published_on),
            &fd(r.repealed_on),
        ])
        .map_err(csv_io)?;
    }
    w.flush()?;
    Ok(docs.len())
}

/// Export the figures of a body for some years as figures.csv.
pub async fn export_figures(
    store: &Store,
    out: impl Write,
    body_id: i64,
    years: &[i32],
) -> Result<usize> {
    let body = store.get_body(body_id).await?;
    let mut w = writer(out);
    w.write_record(FIGURE_COLUMNS).map_err(csv_io)?;
    let mut n = 0;
    for y in years {
        for f in store.figures(body_id, *y).await? {
            w.write_record([body.code.as_str(), &f.year.to_string(), &f.cell, &f.value])
                .map_err(csv_io)?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_ledger::{BodyKind, NewBody};

    async fn town() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("gongkai.db"))
            .await
            .unwrap();
        let b = store
            .create_body(
                &NewBody {
                    code: "440115-HG".into(),
                    name: "广东省人民政府".into(),
                    kind: BodyKind::Province,
                    parent_code: None,
                },
                "test",
            )
            .await
            .unwrap();
        (dir, store, b.id)
    }

    const HEAD: &str = "body_code,applicant_type,channel,received_on,request_text,applicant_name,outcome,closed_on\n";

    #[tokio::test]
    async fn a_bad_row_names_its_line_and_nothing_is_imported() {
        let (_d, store, _) = town().await;
        let bad = format!(
            "{HEAD}440115-HG,natural_person,online,2024-01-05,公开A,赵一,granted,2024-01-20\n\
             440115-HG,commercial,post,2024-02-05,公开B,某公司,,\n\
             440115-HG,research,fax,2024-13-05,公开C,某研究所,,\n"
        );
        let e = import_applications(&store, bad.as_bytes(), "bad.csv", "clerk", &mut |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Csv { line: 4, file, .. } if file == "bad.csv"),
            "{e}"
        );
        assert!(e.to_string().contains("第4行"), "{e}");
        assert_eq!(store.count_applications().await.unwrap(), 0);
        // A history the state machine refuses (closed before received) names its line too.
        let bad2 = format!(
            "{HEAD}440115-HG,natural_person,online,2024-01-05,公开A,赵一,granted,2024-01-20\n\
             440115-HG,natural_person,online,2024-03-05,公开A,赵一,granted,2024-01-20\n"
        );
        let e = import_applications(&store, bad2.as_bytes(), "bad2.csv", "clerk", &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Csv { line: 3, .. }), "{e}");
        assert_eq!(store.count_applications().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn columns_are_checked_before_any_row() {
        let (_d, store, _) = town().await;
        for (csv, what) in [
            ("body_code,year,cell,value,extra\n", "未知的列「extra」"),
            ("body_code,year,cell\n", "缺少列「value」"),
            ("body_code,year,cell,value,year\n", "列「year」重复"),
        ] {
            let e = import_figures(&store, csv.as_bytes(), "f.csv", "clerk")
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Csv { line: 1, .. }), "{e}");
            assert!(e.to_string().contains(what), "{e}");
        }
        let unknown_body =
            "body_code,year,cell,value\n440115-XX,2024,t2_6.admin_penalty.decisions,1\n";
        let e = import_figures(&store, unknown_body.as_bytes(), "f.csv", "clerk")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("机关代码「440115-XX」不存在"), "{e}");
    }

    #[tokio::test]
    async fn import_then_export_round_trips_with_personal_data_masked() {
        let (_d, store, b) = town().await;
        let good = "\u{feff}tracking_code,body_code,applicant_type,channel,received_on,request_text,applicant_name,phone,outcome,closed_on,reply_reference\n\
                    GKIMPORT000001,440115-HG,natural_person,online,2024-01-05,公开A,赵一,13900000000,granted,2024-01-20,黄府依申〔2024〕9号\n\
                    ,440115-HG,commercial,post,2024-02-05,\"公开B, 含逗号\",某公司,,,,\n\
                    ,,,,,,,,,,\n";
        let mut seen = Vec::new();
        let rep = import_applications(&store, good.as_bytes(), "good.csv", "clerk", &mut |p| {
            seen.push(p)
        })
        .await
        .unwrap();
        assert_eq!((rep.rows, rep.events), (2, 3));
        assert_eq!(seen.last().unwrap().done, 2);
        let dup = import_applications(&store, good.as_bytes(), "good.csv", "clerk", &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Csv { line: 2, .. }), "{dup}");

        let mut out = Vec::new();
        let n = export_applications(&store, &mut out, Some(b), Some(2024), false)
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(n, 2);
        assert_eq!(n, text.lines().count() - 1);
        assert!(text.starts_with("tracking_code,body_code,applicant_type"));
        assert!(text.contains("\"公开B, 含逗号\""), "{text}");
        assert!(
            !text.contains("13900000000") && !text.contains("赵一"),
            "{text}"
        );
        assert!(text.contains("赵**"));
        let mut out = Vec::new();
        export_applications(&store, &mut out, Some(b), Some(2024), true)
            .await
            .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("13900000000"));

        let cases = "body_code,application_tracking_code,kind,outcome,filed_on,closed_on,reference,note\n\
                     440115-HG,GKIMPORT000001,lit_after_review,pending,2024-10-01,,（2024）粤0115行初30号,\n";
        import_cases(&store, cases.as_bytes(), "cases.csv", "clerk")
            .await
            .unwrap();
        let bad_cases = "body_code,kind,outcome,filed_on\n440115-HG,review,maintained,2024-10-01\n";
        let e = import_cases(&store, bad_cases.as_bytes(), "c.csv", "clerk")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Csv { line: 2, .. }), "{e}");
        let docs = "body_code,kind,title,doc_number,issued_on,published_on,repealed_on\n\
                    440115-HG,normative_docs,关于……的通知,黄府规〔2023〕1号,2023-05-01,,2024-12-01\n";
        import_documents(&store, docs.as_bytes(), "docs.csv", "clerk")
            .await
            .unwrap();
        let figs = "body_code,year,cell,value\n440115-HG,2024,t2_6.admin_penalty.decisions,12\n";
        import_figures(&store, figs.as_bytes(), "fig.csv", "clerk")
            .await
            .unwrap();
        let bad_fig = "body_code,year,cell,value\n440115-HG,2024,t2_6.admin_penalty.decisions,-1\n";
        assert!(matches!(
            import_figures(&store, bad_fig.as_bytes(), "f.csv", "clerk")
                .await
                .unwrap_err(),
            StoreError::Csv { line: 2, .. }
        ));

        let mut out = Vec::new();
        assert_eq!(export_cases(&store, &mut out, b).await.unwrap(), 1);
        assert!(String::from_utf8(out).unwrap().contains("GKIMPORT000001"));
        let mut out = Vec::new();
        assert_eq!(export_documents(&store, &mut out, b).await.unwrap(), 1);
        let mut out = Vec::new();
        assert_eq!(
            export_figures(&store, &mut out, b, &[2024]).await.unwrap(),
            1
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "body_code,year,cell,value\n440115-HG,2024,t2_6.admin_penalty.decisions,12\n"
        );
    }
}
