//! The statutory format data (`spec/report-format.json`, vendored from `shared/spec`) as typed,
//! process-wide static descriptions of both format versions.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

/// The vendored format description, byte for byte.
pub const FORMAT_JSON: &str = include_str!("../spec/report-format.json");

/// Which official format a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormatVersion {
    /// 国办公开办函〔2019〕60号 (trial format): report years 2019–2020.
    V2019,
    /// 国办公开办函〔2021〕30号: report years from 2021.
    V2021,
}

impl FormatVersion {
    pub const ALL: [FormatVersion; 2] = [FormatVersion::V2019, FormatVersion::V2021];

    /// The format that applies to a report year (2019 format for 2019–2020, 2021 format after).
    pub fn for_year(year: i32) -> FormatVersion {
        if year <= 2020 {
            FormatVersion::V2019
        } else {
            FormatVersion::V2021
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FormatVersion::V2019 => "2019",
            FormatVersion::V2021 => "2021",
        }
    }

    pub fn parse(s: &str) -> Option<FormatVersion> {
        match s.trim() {
            "2019" => Some(FormatVersion::V2019),
            "2021" => Some(FormatVersion::V2021),
            _ => None,
        }
    }

    /// The typed description of this format version.
    pub fn spec(self) -> &'static FormatSpec {
        match self {
            FormatVersion::V2019 => &SPEC.v2019,
            FormatVersion::V2021 => &SPEC.v2021,
        }
    }
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One format version: its sections and tables in official order.
#[derive(Debug)]
pub struct FormatSpec {
    pub version: FormatVersion,
    pub document: String,
    pub sections: Vec<SectionSpec>,
    pub tables: Vec<TableSpec>,
}

#[derive(Debug)]
pub struct SectionSpec {
    /// `s1` … `s6`.
    pub key: String,
    /// Official heading, e.g. `一、总体情况`.
    pub label: String,
    /// Keys of the tables printed in this section.
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Non-negative count.
    Count,
    /// Signed count (本年增/减).
    SignedCount,
    /// Decimal amount in 万元.
    Amount,
}

#[derive(Debug)]
pub struct ColumnSpec {
    pub key: String,
    pub label: String,
    pub kind: ColumnType,
    /// Group headers above the label, outermost first (tables 三 and 四).
    pub header_path: Vec<String>,
}

#[derive(Debug)]
pub struct RowSpec {
    pub key: String,
    pub label: String,
    pub parent: Option<String>,
    pub has_cells: bool,
}

#[derive(Debug)]
pub struct RuleSpec {
    pub id: String,
    pub basis: String,
    pub expr: String,
    pub for_each: Vec<(String, Vec<String>)>,
    pub severity_warning: bool,
}

#[derive(Debug)]
pub struct TableSpec {
    /// `t2_1`, `t2_5`, `t2_6`, `t2_8`, `t2_9` (2019 only), `t3`, `t4`.
    pub key: String,
    /// Caption printed above the table, e.g. `第二十条第（一）项`.
    pub caption: String,
    /// Header of the label column (`信息内容`) for the 第二十条 tables.
    pub label_col: Option<String>,
    /// Corner note of table 三.
    pub corner_note: Option<String>,
    pub columns: Vec<ColumnSpec>,
    pub rows: Vec<RowSpec>,
    pub rules: Vec<RuleSpec>,
}

impl FormatSpec {
    pub fn table(&self, key: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.key == key)
    }

    pub fn table_index(&self, key: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.key == key)
    }

    pub fn section(&self, key: &str) -> Option<&SectionSpec> {
        self.sections.iter().find(|s| s.key == key)
    }

    /// Every rule of every table, in table order.
    pub fn rules(&self) -> impl Iterator<Item = (&TableSpec, &RuleSpec)> {
        self.tables
            .iter()
            .flat_map(|t| t.rules.iter().map(move |r| (t, r)))
    }

    /// Every cell key (`table.row.col`) of rows that carry cells, in official order.
    pub fn cell_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.tables.iter().flat_map(|t| {
            t.rows.iter().filter(|r| r.has_cells).flat_map(move |r| {
                t.columns
                    .iter()
                    .map(move |c| format!("{}.{}.{}", t.key, r.key, c.key))
            })
        })
    }
}

impl TableSpec {
    pub fn row(&self, key: &str) -> Option<&RowSpec> {
        self.rows.iter().find(|r| r.key == key)
    }
    pub fn row_index(&self, key: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.key == key)
    }
    pub fn column(&self, key: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.key == key)
    }
    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
    /// Rows that carry cells.
    pub fn data_rows(&self) -> impl Iterator<Item = &RowSpec> {
        self.rows.iter().filter(|r| r.has_cells)
    }
    /// The section numeral this table belongs to (`二`, `三`, `四`).
    pub fn is_article20(&self) -> bool {
        self.key.starts_with("t2_")
    }
}

struct Spec {
    v2019: FormatSpec,
    v2021: FormatSpec,
}

static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    let raw: RawSpec =
        serde_json::from_str(FORMAT_JSON).expect("vendored report-format.json is valid");
    let mut versions = raw.versions;
    let mut take = |v: FormatVersion| {
        let rv = versions
            .remove(v.as_str())
            .expect("vendored report-format.json has both versions");
        convert(v, rv)
    };
    Spec {
        v2019: take(FormatVersion::V2019),
        v2021: take(FormatVersion::V2021),
    }
});

fn convert(version: FormatVersion, rv: RawVersion) -> FormatSpec {
    FormatSpec {
        version,
        document: rv.document,
        sections: rv
            .sections
            .into_iter()
            .map(|s| SectionSpec {
                key: s.key,
                label: s.label,
                tables: s.tables.unwrap_or_default(),
            })
            .collect(),
        tables: rv
            .tables
            .into_iter()
            .map(|t| TableSpec {
                key: t.key,
                caption: t.caption,
                label_col: t.label_col,
                corner_note: t.corner_note,
                columns: t
                    .columns
                    .into_iter()
                    .map(|c| ColumnSpec {
                        kind: match (c.r#type.as_deref(), c.signed) {
                            (Some("decimal"), _) => ColumnType::Amount,
                            (_, Some(true)) => ColumnType::SignedCount,
                            _ => ColumnType::Count,
                        },
                        key: c.key,
                        label: c.label,
                        header_path: c.header_path.unwrap_or_default(),
                    })
                    .collect(),
                rows: t
                    .rows
                    .into_iter()
                    .map(|r| RowSpec {
                        key: r.key,
                        label: r.label,
                        parent: r.parent,
                        has_cells: r.has_cells,
                    })
                    .collect(),
                rules: t
                    .rules
                    .into_iter()
                    .map(|r| RuleSpec {
                        severity_warning: r
                            .severity
                            .as_deref()
                            .is_some_and(|s| s.starts_with("warning")),
                        id: r.id,
                        basis: r.basis,
                        expr: r.expr,
                        for_each: r.for_each.unwrap_or_default().into_iter().collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Deserialize)]
struct RawSpec {
    versions: BTreeMap<String, RawVersion>,
}

#[derive(Deserialize)]
struct RawVersion {
    document: String,
    sections: Vec<RawSection>,
    tables: Vec<RawTable>,
}

#[derive(Deserialize)]
struct RawSection {
    key: String,
    label: String,
    tables: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawTable {
    key: String,
    caption: String,
    label_col: Option<String>,
    corner_note: Option<String>,
    columns: Vec<RawColumn>,
    rows: Vec<RawRow>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
struct RawColumn {
    key: String,
    label: String,
    r#type: Option<String>,
    signed: Option<bool>,
    header_path: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawRow {
    key: String,
    label: String,
    parent: Option<String>,
    has_cells: bool,
}

#[derive(Deserialize)]
struct RawRule {
    id: String,
    basis: String,
    expr: String,
    for_each: Option<BTreeMap<String, Vec<String>>>,
    severity: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_load() {
        let v19 = FormatVersion::V2019.spec();
        let v21 = FormatVersion::V2021.spec();
        assert_eq!(v19.tables.len(), 7);
        assert_eq!(v21.tables.len(), 6);
        assert_eq!(v19.sections.len(), 6);
        assert_eq!(v19.table("t3").unwrap().data_rows().count(), 23);
        assert_eq!(v21.table("t3").unwrap().data_rows().count(), 25);
        assert_eq!(v21.table("t4").unwrap().columns.len(), 15);
    }

    #[test]
    fn column_types() {
        let v19 = FormatVersion::V2019.spec();
        let t25 = v19.table("t2_5").unwrap();
        assert_eq!(t25.column("change").unwrap().kind, ColumnType::SignedCount);
        assert_eq!(
            v19.table("t2_9")
                .unwrap()
                .column("procurement_amount")
                .unwrap()
                .kind,
            ColumnType::Amount
        );
    }

    #[test]
    fn vendored_copy_matches_shared_original() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/spec/report-format.json");
        match std::fs::read_to_string(&shared) {
            Ok(original) => assert_eq!(
                original, FORMAT_JSON,
                "crates/report/spec/report-format.json differs from shared/spec"
            ),
            Err(_) => eprintln!("skipped: {} not present", shared.display()),
        }
    }

    #[test]
    fn format_for_year() {
        assert_eq!(FormatVersion::for_year(2019), FormatVersion::V2019);
        assert_eq!(FormatVersion::for_year(2020), FormatVersion::V2019);
        assert_eq!(FormatVersion::for_year(2021), FormatVersion::V2021);
    }
}
