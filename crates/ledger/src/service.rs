//! 办事指南 (service-item guides): the model, the publish checks, version diffs, the
//! full-text projection and the flat CSV form.
//!
//! Guides are disclosure content (条例第二十条第（五）项: 办理行政许可和其他对外管理服务事项的依据、
//! 条件、程序以及办理结果). [`check_guide`] returns every finding at once: a
//! [`FindingSeverity::Blocking`] finding refuses publication (the 重点要素 of 国办秘函〔2019〕19号
//! and the other elements the national checks count: 时限 per step, explicit 收费, phone
//! format, …), a [`FindingSeverity::Warning`] flags wording the spot checks complain about
//! (兜底 "其他材料", unnamed 告知单, stale guides, repealed bases).
//!
//! ```
//! use gongkai_ledger::service::{CheckContext, ServiceGuide, check_guide, blocking};
//! use time::macros::date;
//!
//! let g = ServiceGuide::default();
//! let findings = check_guide(&g, &CheckContext::new(date!(2025 - 03 - 01)));
//! assert!(!blocking(&findings).is_empty());
//! assert!(findings.iter().any(|f| f.message == "缺少受理条件"));
//! ```

use serde::{Deserialize, Serialize};
use time::{Date, Month};

macro_rules! zh_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[doc = $doc:literal])* $variant:ident => $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[doc = $doc])* #[serde(rename = $label)] $variant, )+
        }

        // The schema lists the serialized (Chinese) values; a derive would list the variant
        // names, as it does not see the renames through the macro.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($label),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            /// Every value, in the order used for display.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The Chinese term (also the serialized form).
            pub fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// Parse the Chinese term; surrounding whitespace is ignored and full-width
            /// parentheses are accepted for half-width ones.
            pub fn parse(s: &str) -> Option<$name> {
                let s = $crate::service::normalize_label(s);
                $name::ALL.iter().copied().find(|v| v.label_zh() == s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label_zh())
            }
        }
    };
}

/// Shared with [`crate::queue`]: an enum whose serialized form is its Chinese term.
pub(crate) use zh_enum;

/// Trim and map full-width parentheses to half-width ones (for [`zh_enum`] parsing).
pub(crate) fn normalize_label(s: &str) -> String {
    s.trim().replace('（', "(").replace('）', ")")
}

zh_enum! {
    /// 事项类型.
    ItemKind {
        /// 行政许可
        Licensing => "行政许可",
        /// 行政确认
        Confirmation => "行政确认",
        /// 行政给付
        Benefit => "行政给付",
        /// 行政裁决
        Adjudication => "行政裁决",
        /// 行政奖励
        Reward => "行政奖励",
        /// 行政备案
        Filing => "行政备案",
        /// 其他行政权力
        OtherPower => "其他行政权力",
        /// 公共服务
        PublicService => "公共服务",
    }
}

zh_enum! {
    /// 行使层级.
    ExerciseLevel {
        /// 国家级
        National => "国家级",
        /// 省级
        Provincial => "省级",
        /// 市级
        Municipal => "市级",
        /// 县级
        County => "县级",
        /// 乡(镇、街道)级
        Township => "乡(镇、街道)级",
        /// 村(社区)级 (公共服务 only)
        Village => "村(社区)级",
    }
}

zh_enum! {
    /// 服务对象.
    Audience {
        /// 个人
        Person => "个人",
        /// 法人
        LegalPerson => "法人",
        /// 个人及法人
        Both => "个人及法人",
    }
}

zh_enum! {
    /// Level of a 设定依据, highest first.
    BasisLevel {
        /// 法律
        Law => "法律",
        /// 行政法规
        AdministrativeRegulation => "行政法规",
        /// 地方性法规
        LocalRegulation => "地方性法规",
        /// 规章
        Rule => "规章",
        /// 规范性文件
        NormativeDocument => "规范性文件",
    }
}

impl BasisLevel {
    /// Rank, 0 = highest (法律).
    pub fn rank(self) -> usize {
        BasisLevel::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

zh_enum! {
    /// 材料形式.
    MaterialForm {
        /// 原件
        Original => "原件",
        /// 复印件
        Copy => "复印件",
        /// 原件及复印件
        OriginalAndCopy => "原件及复印件",
        /// 纸质
        Paper => "纸质",
        /// 电子
        Electronic => "电子",
    }
}

zh_enum! {
    /// 办件类型.
    HandlingType {
        /// 即办件 (当场办结)
        Immediate => "即办件",
        /// 承诺件
        Promised => "承诺件",
    }
}

/// One 设定依据.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    /// 依据层级.
    pub level: BasisLevel,
    /// 依据名称, e.g. 《中华人民共和国社会保险法》.
    pub title: String,
    /// 条款, e.g. 第十六条.
    pub article: String,
}

/// One 申请材料.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    /// 材料名称.
    pub name: String,
    /// 材料形式.
    pub form: MaterialForm,
    /// 份数.
    pub copies: u32,
    /// 来源渠道, e.g. 申请人自备, 政府部门核发.
    pub source: String,
    /// 是否必需.
    pub required: bool,
    /// 适用情形, when only some applicants need it.
    #[serde(default)]
    pub applies_when: Option<String>,
    /// 空白表格 (attachment file name).
    #[serde(default)]
    pub blank_form: Option<String>,
    /// 示例样表 (attachment file name).
    #[serde(default)]
    pub sample_form: Option<String>,
}

/// One 办理流程 step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// 环节名称.
    pub name: String,
    /// 所需时限, e.g. 1个工作日, 当场.
    pub time_limit: String,
}

/// One 特殊环节 (检验、检测、检疫、鉴定、专家评审、听证、公示 …): its time may or may not count in
/// the 法定办结时限.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialStep {
    /// 环节名称, e.g. 公示.
    pub name: String,
    /// 所需时限, e.g. 7个工作日.
    pub time_limit: String,
    /// 是否计算在法定办结时限内.
    pub counts_in_limit: bool,
}

/// 收费.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    /// 是否收费.
    pub charged: bool,
    /// 收费标准; "不收费" when not charged (never "无" or blank).
    pub standard: String,
    /// 收费依据.
    pub basis: String,
}

/// A 办事指南.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceGuide {
    /// 事项名称.
    pub name: String,
    /// 基本编码 (14 characters, e.g. `511A0138000000`).
    pub basic_code: String,
    /// 实施编码.
    pub impl_code: String,
    /// 事项类型.
    pub kind: ItemKind,
    /// 主项的实施编码, when this item is a 子项 of it (`None` for a 主项 or a single item).
    #[serde(default)]
    pub main_item: Option<String>,
    /// 行使层级.
    pub level: ExerciseLevel,
    /// 服务对象.
    pub audience: Audience,
    /// 主题分类, e.g. 社会保障.
    #[serde(default)]
    pub themes: Vec<String>,
    /// 设定依据, highest level first.
    #[serde(default)]
    pub bases: Vec<LegalBasis>,
    /// 主管部门 (the department in charge of the item's policy, e.g. 广州市南沙区民政局).
    #[serde(default)]
    pub competent_department: String,
    /// 实施主体.
    pub implementing_body: String,
    /// 办理机构, down to 科室/窗口.
    pub handling_unit: String,
    /// 受理条件 (numbered when shown).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// 申请材料.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// 办理流程.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// 特殊环节.
    #[serde(default)]
    pub special_steps: Vec<SpecialStep>,
    /// 办件类型.
    pub handling_type: HandlingType,
    /// 法定办结时限, 工作日 from 受理.
    #[serde(default)]
    pub legal_limit_days: Option<u32>,
    /// 承诺办结时限, 工作日 from 受理.
    #[serde(default)]
    pub promised_limit_days: Option<u32>,
    /// 到现场次数.
    pub visits: u32,
    /// 收费.
    pub fee: Fee,
    /// 办理地点.
    pub location: String,
    /// 办理时间.
    pub hours: String,
    /// 咨询电话, "区号-号码".
    pub phone: String,
    /// 监督投诉电话, "区号-号码".
    pub complaint_phone: String,
    /// 结果名称.
    pub result_name: String,
    /// 送达方式, e.g. 窗口领取, 邮寄.
    #[serde(default)]
    pub delivery: Vec<String>,
    /// 网上办理入口.
    #[serde(default)]
    pub online_url: Option<String>,
}

impl Default for ServiceGuide {
    /// An empty guide (公共服务, 乡(镇、街道)级, 个人, 即办件), as a start for editing.
    fn default() -> Self {
        ServiceGuide {
            name: String::new(),
            basic_code: String::new(),
            impl_code: String::new(),
            kind: ItemKind::PublicService,
            main_item: None,
            level: ExerciseLevel::Township,
            audience: Audience::Person,
            themes: Vec::new(),
            bases: Vec::new(),
            competent_department: String::new(),
            implementing_body: String::new(),
            handling_unit: String::new(),
            conditions: Vec::new(),
            materials: Vec::new(),
            steps: Vec::new(),
            special_steps: Vec::new(),
            handling_type: HandlingType::Immediate,
            legal_limit_days: None,
            promised_limit_days: None,
            visits: 1,
            fee: Fee::default(),
            location: String::new(),
            hours: String::new(),
            phone: String::new(),
            complaint_phone: String::new(),
            result_name: String::new(),
            delivery: Vec::new(),
            online_url: None,
        }
    }
}

impl ServiceGuide {
    /// The text to index for full-text search: name, themes, conditions, material names,
    /// step names, implementing body, handling unit, result name and the titles of the
    /// 设定依据, one per line. Telephone numbers and codes are left out.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![&self.name];
        parts.extend(self.themes.iter().map(String::as_str));
        parts.extend(self.conditions.iter().map(String::as_str));
        parts.extend(self.materials.iter().map(|m| m.name.as_str()));
        parts.extend(self.steps.iter().map(|s| s.name.as_str()));
        parts.push(&self.implementing_body);
        parts.push(&self.handling_unit);
        parts.push(&self.result_name);
        parts.extend(self.bases.iter().map(|b| b.title.as_str()));
        parts
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl ServiceGuide {
    /// The full-text projection: what the search index gets for this guide (the search
    /// crate wraps it in its own document type with the body and the URL).
    pub fn search_projection(&self) -> GuideSearchText {
        GuideSearchText {
            title: self.name.trim().to_string(),
            code: self.impl_code.trim().to_string(),
            kind: self.kind,
            audience: self.audience,
            domain: self
                .themes
                .iter()
                .map(|t| t.trim())
                .find(|t| !t.is_empty())
                .map(str::to_string),
            text: self.search_text(),
        }
    }

    /// 受理条件 as shown: "1. …", "2. …" (the stored items carry no numbers).
    pub fn numbered_conditions(&self) -> Vec<String> {
        self.conditions
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}. {}", i + 1, c.trim()))
            .collect()
    }

    /// 到现场次数 as published: "0次" (全程网办), otherwise "最多跑N次"; see [`visits_label`].
    pub fn visits_label(&self) -> String {
        visits_label(self.visits)
    }
}

/// 到现场次数 as published: `0` → "0次（全程网办）", `1` → "最多跑一次", `n` → "最多到现场n次".
pub fn visits_label(visits: u32) -> String {
    match visits {
        0 => "0次（全程网办）".to_string(),
        1 => "最多跑一次".to_string(),
        n => format!("最多到现场{n}次"),
    }
}

/// The full-text projection of a guide ([`ServiceGuide::search_projection`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuideSearchText {
    /// 事项名称 (the hit title).
    pub title: String,
    /// 实施编码.
    pub code: String,
    /// 事项类型.
    pub kind: ItemKind,
    /// 服务对象.
    pub audience: Audience,
    /// The first 主题分类, used as the search domain filter.
    pub domain: Option<String>,
    /// Body text ([`ServiceGuide::search_text`]).
    pub text: String,
}

// ---------------------------------------------------------------------------------------
// Checks

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    /// Refuses publication.
    Blocking,
    /// Flags; publication is allowed.
    Warning,
}

impl FindingSeverity {
    /// Label for the editor.
    pub fn label_zh(self) -> &'static str {
        match self {
            FindingSeverity::Blocking => "不得发布",
            FindingSeverity::Warning => "提示",
        }
    }
}

/// One result of [`check_guide`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuideFinding {
    /// Blocking or warning.
    pub severity: FindingSeverity,
    /// Field key: the English field name, with index and sub-field for list items
    /// (`materials[2].name`, `fee.standard`); see [`field_label_zh`].
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl GuideFinding {
    /// Whether this finding refuses publication.
    pub fn is_blocking(&self) -> bool {
        self.severity == FindingSeverity::Blocking
    }
}

/// The blocking findings; publication is allowed iff this is empty.
pub fn blocking(findings: &[GuideFinding]) -> Vec<&GuideFinding> {
    findings.iter().filter(|f| f.is_blocking()).collect()
}

/// What [`check_guide`] needs besides the guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckContext {
    /// Today (Beijing date, supplied by the caller).
    #[serde(with = "gongkai_calendar::serde_date")]
    pub today: Date,
    /// When the guide was last reviewed (审核), if ever.
    #[serde(default, with = "gongkai_calendar::serde_date::option")]
    pub last_reviewed: Option<Date>,
    /// Titles of repealed laws, regulations and documents (compared without 《》 and
    /// whitespace).
    #[serde(default)]
    pub repealed_titles: Vec<String>,
}

impl CheckContext {
    /// A context for `today` with no review date and no repealed titles.
    pub fn new(today: Date) -> CheckContext {
        CheckContext {
            today,
            last_reviewed: None,
            repealed_titles: Vec::new(),
        }
    }
}

/// Months after the last review after which a guide is reported stale.
pub const REVIEW_MONTHS: u8 = 12;

/// Catch-all (兜底) wording the spot checks count as "服务不实用".
pub const CATCH_ALL_PHRASES: &[&str] = &[
    "根据相关法律法规需要提交的",
    "法律法规规定的其他",
    "其他材料",
    "相关材料",
    "有关材料",
    "其他相关",
    "等材料",
    "其他必要",
    "其他需要",
];

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn catch_all(s: &str) -> Option<&'static str> {
    CATCH_ALL_PHRASES.iter().copied().find(|p| s.contains(p))
}

/// Whether `name` points to a form or notice without naming it: a 告知单 without a
/// 《title》, or a name that is only "表格"/"表" (with 相关/有关/所需 around it).
fn unnamed_form(name: &str) -> bool {
    let n = name.trim();
    // A 告知单 is only identifiable by its 《title》 ("按告知单要求提交" names nothing).
    if n.contains("告知单") && !n.contains('《') {
        return true;
    }
    matches!(strip_generic(n).as_str(), "表格" | "表" | "申请表格")
}

/// Whether a material is a form the applicant fills in (申请表, 登记表, 审批表, 承诺书 …),
/// which should come with a 空白表格 and a 示例样表.
fn is_form(name: &str) -> bool {
    let n: String = name
        .trim()
        .chars()
        .filter(|c| !matches!(c, '《' | '》'))
        .collect();
    n.ends_with('表') || n.ends_with("表格") || n.ends_with("承诺书") || n.ends_with("申请书")
}

fn strip_generic(s: &str) -> String {
    let mut out = s.to_string();
    for w in [
        "相关",
        "有关",
        "所需",
        "需要",
        "提交",
        "填写",
        "一次性",
        "的",
        "材料",
        "按",
    ] {
        out = out.replace(w, "");
    }
    out.trim().to_string()
}

/// Whether `s` is a valid hall telephone number: "区号-号码" (area code `0` + 2–3
/// digits, a hyphen, 7–8 digits, optionally `-` + an extension of 1–6 digits) or a
/// five-digit service number starting with 1 (e.g. 12345). Several numbers may be
/// separated by "、", "，", "；", "/" or spaces.
pub fn valid_phone(s: &str) -> bool {
    let parts: Vec<&str> = s
        .split(['、', '，', ',', '；', ';', '/', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| valid_single_phone(p))
}

fn valid_single_phone(p: &str) -> bool {
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if digits(p, 5, 5) {
        return p.starts_with('1');
    }
    let segs: Vec<&str> = p.split('-').collect();
    match segs.as_slice() {
        [area, number] | [area, number, _] if !area.is_empty() => {
            let ext_ok = segs.get(2).is_none_or(|e| digits(e, 1, 6));
            area.starts_with('0')
                && digits(area, 3, 4)
                && digits(number, 7, 8)
                && !number.starts_with('0')
                && ext_ok
        }
        _ => false,
    }
}

fn normalize_title(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》'))
        .collect()
}

/// The day `months` after `d` (clamped to the month's last day).
fn add_months(d: Date, months: u8) -> Date {
    let total = d.month() as i32 - 1 + i32::from(months);
    let year = d.year() + total / 12;
    let month = Month::try_from((total % 12 + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// Check a guide for publication. Returns every finding (blocking and warnings), in field
/// order; an empty list means the guide is clean.
pub fn check_guide(g: &ServiceGuide, ctx: &CheckContext) -> Vec<GuideFinding> {
    let mut out = Vec::new();
    let mut push = |severity, field: String, message: String| {
        out.push(GuideFinding {
            severity,
            field,
            message,
        })
    };
    use FindingSeverity::{Blocking, Warning};

    if blank(&g.name) {
        push(Blocking, "name".into(), "缺少事项名称".into());
    }
    if blank(&g.basic_code) {
        push(Blocking, "basic_code".into(), "缺少基本编码".into());
    } else {
        let c = g.basic_code.trim();
        if c.chars().count() != 14 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            push(
                Warning,
                "basic_code".into(),
                format!("基本编码“{c}”不是14位字母或数字（如511A0138000000）"),
            );
        }
    }
    if blank(&g.impl_code) {
        push(Blocking, "impl_code".into(), "缺少实施编码".into());
    }

    // 设定依据
    if g.bases.is_empty() {
        push(Blocking, "bases".into(), "缺少设定依据".into());
    }
    for (i, b) in g.bases.iter().enumerate() {
        if blank(&b.title) {
            push(
                Blocking,
                format!("bases[{i}].title"),
                format!("设定依据第{}项缺少依据名称", i + 1),
            );
        } else {
            let t = normalize_title(&b.title);
            if ctx
                .repealed_titles
                .iter()
                .any(|r| !blank(r) && normalize_title(r) == t)
            {
                push(
                    Warning,
                    format!("bases[{i}].title"),
                    format!("设定依据已废止：{}", b.title.trim()),
                );
            }
        }
        if blank(&b.article) {
            push(
                Warning,
                format!("bases[{i}].article"),
                format!("设定依据第{}项未写明条款", i + 1),
            );
        }
    }
    if g.bases
        .windows(2)
        .any(|w| w[0].level.rank() > w[1].level.rank())
    {
        push(
            Warning,
            "bases".into(),
            "设定依据应按法律、行政法规、地方性法规、规章、规范性文件的顺序由高到低排列".into(),
        );
    }

    if blank(&g.implementing_body) {
        push(Blocking, "implementing_body".into(), "缺少实施主体".into());
    }
    if blank(&g.handling_unit) {
        push(Blocking, "handling_unit".into(), "缺少办理机构".into());
    }

    // 受理条件
    if g.conditions.is_empty() {
        push(Blocking, "conditions".into(), "缺少受理条件".into());
    }
    for (i, c) in g.conditions.iter().enumerate() {
        let key = format!("conditions[{i}]");
        if blank(c) {
            push(Blocking, key, format!("受理条件第{}项为空", i + 1));
            continue;
        }
        if let Some(p) = catch_all(c) {
            push(
                Warning,
                key.clone(),
                format!("受理条件第{}项含兜底表述“{p}”，应逐项列明", i + 1),
            );
        }
        if unnamed_form(c) {
            push(
                Warning,
                key,
                format!("受理条件第{}项引用了未写明名称的告知单或表格", i + 1),
            );
        }
    }

    // 申请材料
    if g.materials.is_empty() {
        push(Blocking, "materials".into(), "缺少申请材料".into());
    }
    for (i, m) in g.materials.iter().enumerate() {
        let key = format!("materials[{i}].name");
        if blank(&m.name) {
            push(Blocking, key, format!("申请材料第{}项缺少材料名称", i + 1));
            continue;
        }
        if let Some(p) = catch_all(&m.name) {
            push(
                Warning,
                key.clone(),
                format!("申请材料“{}”含兜底表述“{p}”，应逐项列明", m.name.trim()),
            );
        }
        if unnamed_form(&m.name) {
            push(
                Warning,
                key,
                format!("申请材料“{}”未写明表格或告知单的名称", m.name.trim()),
            );
        }
        if m.copies == 0 && m.form != MaterialForm::Electronic {
            push(
                Warning,
                format!("materials[{i}].copies"),
                format!("申请材料“{}”的份数为0", m.name.trim()),
            );
        }
        if blank(&m.source) {
            push(
                Warning,
                format!("materials[{i}].source"),
                format!("申请材料“{}”未写明来源渠道", m.name.trim()),
            );
        }
        if !m.required && m.applies_when.as_deref().is_none_or(blank) {
            push(
                Warning,
                format!("materials[{i}].applies_when"),
                format!("非必需材料“{}”应写明适用情形", m.name.trim()),
            );
        }
        if is_form(&m.name) && !unnamed_form(&m.name) {
            if m.blank_form.as_deref().is_none_or(blank) {
                push(
                    Warning,
                    format!("materials[{i}].blank_form"),
                    format!("申请材料“{}”是表格，应提供空白表格下载", m.name.trim()),
                );
            }
            if m.sample_form.as_deref().is_none_or(blank) {
                push(
                    Warning,
                    format!("materials[{i}].sample_form"),
                    format!("申请材料“{}”是表格，应提供示例样表", m.name.trim()),
                );
            }
        }
    }

    // 办理流程
    if g.steps.is_empty() {
        push(Blocking, "steps".into(), "缺少办理流程".into());
    }
    for (i, s) in g.steps.iter().enumerate() {
        if blank(&s.name) {
            push(
                Blocking,
                format!("steps[{i}].name"),
                format!("办理流程第{}个环节缺少环节名称", i + 1),
            );
        }
        if blank(&s.time_limit) {
            let name = if blank(&s.name) {
                format!("第{}个环节", i + 1)
            } else {
                format!("环节“{}”", s.name.trim())
            };
            push(
                Blocking,
                format!("steps[{i}].time_limit"),
                format!("办理流程{name}未写明所需时限"),
            );
        }
    }

    for (i, s) in g.special_steps.iter().enumerate() {
        if blank(&s.name) {
            push(
                Blocking,
                format!("special_steps[{i}].name"),
                format!("特殊环节第{}项缺少环节名称", i + 1),
            );
        }
        if blank(&s.time_limit) {
            push(
                Blocking,
                format!("special_steps[{i}].time_limit"),
                format!("特殊环节第{}项未写明所需时限", i + 1),
            );
        }
    }

    // 办件类型与时限 (findings in field order: legal_limit_days, then promised_limit_days)
    if g.handling_type == HandlingType::Promised && g.legal_limit_days.is_none() {
        push(
            Warning,
            "legal_limit_days".into(),
            "承诺件未写明法定办结时限".into(),
        );
    }
    match (g.handling_type, g.promised_limit_days) {
        (HandlingType::Promised, None) => push(
            Blocking,
            "promised_limit_days".into(),
            "承诺件须写明承诺办结时限".into(),
        ),
        (HandlingType::Promised, Some(0)) => push(
            Warning,
            "promised_limit_days".into(),
            "承诺办结时限为0个工作日，应按即办件公布".into(),
        ),
        (HandlingType::Immediate, Some(p)) if p > 0 => push(
            Warning,
            "promised_limit_days".into(),
            format!("即办件不应有承诺办结时限（{p}个工作日）"),
        ),
        _ => {}
    }
    if let (Some(p), Some(l)) = (g.promised_limit_days, g.legal_limit_days)
        && p > l
    {
        push(
            Blocking,
            "promised_limit_days".into(),
            format!("承诺办结时限（{p}个工作日）超过法定办结时限（{l}个工作日）"),
        );
    }

    // 收费
    let standard = g.fee.standard.trim();
    if matches!(standard, "无" | "/" | "—" | "-" | "暂无") {
        push(
            Blocking,
            "fee.standard".into(),
            format!("收费标准不得写“{standard}”，不收费的应写明“不收费”"),
        );
    } else if g.fee.charged {
        if standard.is_empty() || standard == "不收费" {
            push(
                Blocking,
                "fee.standard".into(),
                "收费事项须写明收费标准".into(),
            );
        }
    } else if standard.is_empty() {
        push(
            Blocking,
            "fee.standard".into(),
            "不收费的事项应在收费标准中写明“不收费”".into(),
        );
    } else if !standard.contains("不收费") && !standard.contains("免费") {
        push(
            Warning,
            "fee.standard".into(),
            format!("事项标为不收费，但收费标准为“{standard}”"),
        );
    }
    if g.fee.charged && blank(&g.fee.basis) {
        push(
            Blocking,
            "fee.basis".into(),
            "收费事项须写明收费依据".into(),
        );
    }

    if blank(&g.location) {
        push(Blocking, "location".into(), "缺少办理地点".into());
    }
    if blank(&g.hours) {
        push(Blocking, "hours".into(), "缺少办理时间".into());
    }
    if blank(&g.phone) {
        push(Blocking, "phone".into(), "缺少咨询电话".into());
    } else if !valid_phone(&g.phone) {
        push(
            Blocking,
            "phone".into(),
            format!(
                "咨询电话“{}”应为“区号-号码”格式，如020-84938888（或12345等服务号码）",
                g.phone.trim()
            ),
        );
    }
    if blank(&g.complaint_phone) {
        push(
            Blocking,
            "complaint_phone".into(),
            "缺少监督投诉电话".into(),
        );
    } else if !valid_phone(&g.complaint_phone) {
        push(
            Blocking,
            "complaint_phone".into(),
            format!(
                "监督投诉电话“{}”应为“区号-号码”格式，如020-84938888（或12345等服务号码）",
                g.complaint_phone.trim()
            ),
        );
    }
    if blank(&g.result_name) {
        push(Blocking, "result_name".into(), "缺少结果名称".into());
    }
    if g.delivery.iter().all(|d| blank(d)) {
        push(Blocking, "delivery".into(), "缺少送达方式".into());
    }
    if let Some(u) = &g.online_url {
        let u = u.trim();
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            push(
                Warning,
                "online_url".into(),
                format!("网上办理入口“{u}”不是有效的网址"),
            );
        }
    }

    // 时效
    match ctx.last_reviewed {
        None => push(
            Warning,
            "last_reviewed".into(),
            "办事指南没有审核记录".into(),
        ),
        Some(r) if add_months(r, REVIEW_MONTHS) < ctx.today => push(
            Warning,
            "last_reviewed".into(),
            format!("办事指南自{r}起已超过{REVIEW_MONTHS}个月未审核"),
        ),
        Some(_) => {}
    }
    out
}

// ---------------------------------------------------------------------------------------
// Labels and diffs

const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "事项名称"),
    ("basic_code", "基本编码"),
    ("impl_code", "实施编码"),
    ("kind", "事项类型"),
    ("level", "行使层级"),
    ("audience", "服务对象"),
    ("themes", "主题分类"),
    ("bases", "设定依据"),
    ("implementing_body", "实施主体"),
    ("handling_unit", "办理机构"),
    ("conditions", "受理条件"),
    ("materials", "申请材料"),
    ("steps", "办理流程"),
    ("special_steps", "特殊环节"),
    ("main_item", "主项编码"),
    ("competent_department", "主管部门"),
    ("handling_type", "办件类型"),
    ("legal_limit_days", "法定办结时限"),
    ("promised_limit_days", "承诺办结时限"),
    ("visits", "到现场次数"),
    ("fee", "收费"),
    ("location", "办理地点"),
    ("hours", "办理时间"),
    ("phone", "咨询电话"),
    ("complaint_phone", "监督投诉电话"),
    ("result_name", "结果名称"),
    ("delivery", "送达方式"),
    ("online_url", "网上办理入口"),
    ("last_reviewed", "审核日期"),
    ("version", "版本"),
    ("reason", "修订原因"),
    ("editor", "修订人"),
];

const SUB_LABELS: &[(&str, &str, &str)] = &[
    ("bases", "level", "依据层级"),
    ("bases", "title", "依据名称"),
    ("bases", "article", "条款"),
    ("materials", "name", "材料名称"),
    ("materials", "form", "材料形式"),
    ("materials", "copies", "份数"),
    ("materials", "source", "来源渠道"),
    ("materials", "required", "是否必需"),
    ("materials", "applies_when", "适用情形"),
    ("materials", "blank_form", "空白表格"),
    ("materials", "sample_form", "示例样表"),
    ("steps", "name", "环节名称"),
    ("steps", "time_limit", "所需时限"),
    ("special_steps", "name", "环节名称"),
    ("special_steps", "time_limit", "所需时限"),
    ("special_steps", "counts_in_limit", "是否计算在办结时限内"),
    ("fee", "charged", "是否收费"),
    ("fee", "standard", "收费标准"),
    ("fee", "basis", "收费依据"),
];

/// The Chinese label of a field key: `name` → 事项名称, `fee.standard` → 收费标准,
/// `materials[2].name` → 申请材料第3项·材料名称, `conditions[0]` → 受理条件第1项. Unknown
/// keys are returned unchanged.
pub fn field_label_zh(key: &str) -> String {
    let (head, sub) = match key.split_once('.') {
        Some((h, s)) => (h, Some(s)),
        None => (key, None),
    };
    let (base, index) = match head.split_once('[') {
        Some((b, rest)) => match rest.strip_suffix(']').and_then(|n| n.parse::<usize>().ok()) {
            Some(i) => (b, Some(i)),
            None => return key.to_string(),
        },
        None => (head, None),
    };
    let Some(base_zh) = FIELD_LABELS
        .iter()
        .find(|(k, _)| *k == base)
        .map(|(_, v)| *v)
    else {
        return key.to_string();
    };
    let sub_zh = match sub {
        Some(s) => match SUB_LABELS
            .iter()
            .find(|(b, k, _)| *b == base && *k == s)
            .map(|(_, _, v)| *v)
        {
            Some(v) => Some(v),
            None => return key.to_string(),
        },
        None => None,
    };
    match (index, sub_zh) {
        (None, None) => base_zh.to_string(),
        // `fee.standard`: the sub-label is self-explanatory.
        (None, Some(s)) => s.to_string(),
        (Some(i), None) => format!("{base_zh}第{}项", i + 1),
        (Some(i), Some(s)) => format!("{base_zh}第{}项·{s}", i + 1),
    }
}

/// One changed field between two versions of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// Field key (as in [`GuideFinding::field`]).
    pub key: String,
    /// Its Chinese label ([`field_label_zh`]).
    pub label_zh: String,
    /// The old value as shown; `None` when absent (a list item added, an option unset).
    pub old: Option<String>,
    /// The new value as shown; `None` when absent (a list item removed, an option unset).
    pub new: Option<String>,
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

fn material_fields(m: &Material) -> SubFields {
    vec![
        ("name", Some(m.name.clone())),
        ("form", Some(m.form.label_zh().to_string())),
        ("copies", Some(m.copies.to_string())),
        ("source", Some(m.source.clone())),
        ("required", Some(yes_no(m.required))),
        ("applies_when", m.applies_when.clone()),
        ("blank_form", m.blank_form.clone()),
        ("sample_form", m.sample_form.clone()),
    ]
}

fn step_fields(s: &Step) -> SubFields {
    vec![
        ("name", Some(s.name.clone())),
        ("time_limit", Some(s.time_limit.clone())),
    ]
}

fn special_fields(s: &SpecialStep) -> SubFields {
    vec![
        ("name", Some(s.name.clone())),
        ("time_limit", Some(s.time_limit.clone())),
        ("counts_in_limit", Some(yes_no(s.counts_in_limit))),
    ]
}

fn basis_fields(b: &LegalBasis) -> SubFields {
    vec![
        ("level", Some(b.level.label_zh().to_string())),
        ("title", Some(b.title.clone())),
        ("article", Some(b.article.clone())),
    ]
}

/// Sub-field name and shown value of a list item, for [`diff_guides`].
type SubFields = Vec<(&'static str, Option<String>)>;

struct Differ(Vec<FieldChange>);

impl Differ {
    fn change(&mut self, key: String, old: Option<String>, new: Option<String>) {
        if old != new {
            self.0.push(FieldChange {
                label_zh: field_label_zh(&key),
                key,
                old,
                new,
            });
        }
    }

    fn text(&mut self, key: &str, old: &str, new: &str) {
        self.change(key.into(), Some(old.into()), Some(new.into()));
    }

    fn strings(&mut self, key: &str, old: &[String], new: &[String]) {
        for i in 0..old.len().max(new.len()) {
            self.change(
                format!("{key}[{i}]"),
                old.get(i).cloned(),
                new.get(i).cloned(),
            );
        }
    }

    /// Index-wise: both present → one change per differing sub-field; one present → one
    /// change for the whole item, shown in its CSV encoding.
    fn items<T>(
        &mut self,
        key: &str,
        old: &[T],
        new: &[T],
        fields: fn(&T) -> SubFields,
        encode: fn(&T) -> String,
    ) {
        for i in 0..old.len().max(new.len()) {
            match (old.get(i), new.get(i)) {
                (Some(a), Some(b)) => {
                    for ((k, va), (_, vb)) in fields(a).into_iter().zip(fields(b)) {
                        self.change(format!("{key}[{i}].{k}"), va, vb);
                    }
                }
                (a, b) => self.change(format!("{key}[{i}]"), a.map(encode), b.map(encode)),
            }
        }
    }
}

/// The fields that differ between two versions, in field order. List items are compared
/// by position (an inserted item shows as changes of the following items).
pub fn diff_guides(old: &ServiceGuide, new: &ServiceGuide) -> Vec<FieldChange> {
    let mut d = Differ(Vec::new());
    d.text("name", &old.name, &new.name);
    d.text("basic_code", &old.basic_code, &new.basic_code);
    d.text("impl_code", &old.impl_code, &new.impl_code);
    d.text("kind", old.kind.label_zh(), new.kind.label_zh());
    d.text("level", old.level.label_zh(), new.level.label_zh());
    d.text("audience", old.audience.label_zh(), new.audience.label_zh());
    d.strings("themes", &old.themes, &new.themes);
    d.items("bases", &old.bases, &new.bases, basis_fields, encode_basis);
    d.text(
        "implementing_body",
        &old.implementing_body,
        &new.implementing_body,
    );
    d.text("handling_unit", &old.handling_unit, &new.handling_unit);
    d.strings("conditions", &old.conditions, &new.conditions);
    d.items(
        "materials",
        &old.materials,
        &new.materials,
        material_fields,
        encode_material,
    );
    d.items("steps", &old.steps, &new.steps, step_fields, encode_step);
    d.items(
        "special_steps",
        &old.special_steps,
        &new.special_steps,
        special_fields,
        encode_special,
    );
    d.change(
        "main_item".into(),
        old.main_item.clone(),
        new.main_item.clone(),
    );
    d.text(
        "competent_department",
        &old.competent_department,
        &new.competent_department,
    );
    d.text(
        "handling_type",
        old.handling_type.label_zh(),
        new.handling_type.label_zh(),
    );
    let days = |v: Option<u32>| v.map(|n| format!("{n}个工作日"));
    d.change(
        "legal_limit_days".into(),
        days(old.legal_limit_days),
        days(new.legal_limit_days),
    );
    d.change(
        "promised_limit_days".into(),
        days(old.promised_limit_days),
        days(new.promised_limit_days),
    );
    d.text("visits", &old.visits.to_string(), &new.visits.to_string());
    d.text(
        "fee.charged",
        &yes_no(old.fee.charged),
        &yes_no(new.fee.charged),
    );
    d.text("fee.standard", &old.fee.standard, &new.fee.standard);
    d.text("fee.basis", &old.fee.basis, &new.fee.basis);
    d.text("location", &old.location, &new.location);
    d.text("hours", &old.hours, &new.hours);
    d.text("phone", &old.phone, &new.phone);
    d.text(
        "complaint_phone",
        &old.complaint_phone,
        &new.complaint_phone,
    );
    d.text("result_name", &old.result_name, &new.result_name);
    d.strings("delivery", &old.delivery, &new.delivery);
    d.change(
        "online_url".into(),
        old.online_url.clone(),
        new.online_url.clone(),
    );
    d.0
}

// ---------------------------------------------------------------------------------------
// Versions and workflow

zh_enum! {
    /// Where a guide version is in the 编制 → 审核 → 发布 → 停用 workflow.
    GuideStatus {
        /// 草稿 (being written or revised).
        Draft => "草稿",
        /// 待审核 (submitted for review).
        InReview => "待审核",
        /// 已发布 (the public page shows it).
        Published => "已发布",
        /// 已停用 (no longer offered; old versions stay readable).
        Withdrawn => "已停用",
    }
}

zh_enum! {
    /// A workflow step on a guide version.
    GuideAction {
        /// 提交审核.
        Submit => "提交审核",
        /// 退回修改.
        Reject => "退回修改",
        /// 审核发布.
        Publish => "审核发布",
        /// 停用.
        Withdraw => "停用",
    }
}

/// Working days within which a created or changed guide must be published (条例第二十六条:
/// 属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开).
pub const PUBLISH_WITHIN_WORKING_DAYS: u32 = 20;

/// The last day to publish a guide created or changed on `changed_on`
/// ([`PUBLISH_WITHIN_WORKING_DAYS`] working days of the official calendar).
pub fn publish_due(
    calendar: &gongkai_calendar::Calendar,
    changed_on: Date,
) -> Result<Date, gongkai_calendar::CalendarError> {
    calendar.add_working_days(changed_on, PUBLISH_WITHIN_WORKING_DAYS)
}

/// One version of a guide: every change is a new version with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuideRevision {
    /// 1, 2, … per guide.
    pub version: u32,
    /// The guide as of this version.
    pub guide: ServiceGuide,
    /// Login of the editor (修订人).
    pub editor: String,
    /// RFC 3339 time of the change (supplied by the caller).
    pub at: String,
    /// 修订原因 ("新编" allowed for version 1).
    pub reason: String,
    /// What changed against the previous version (empty for version 1).
    pub changes: Vec<FieldChange>,
}

/// A refused guide operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideError {
    /// A later version needs a reason.
    #[error("修订办事指南须填写修订原因 (a revision needs a reason)")]
    ReasonRequired,
    /// Every version names its editor.
    #[error("须记录修订人 (a revision needs an editor)")]
    EditorRequired,
    /// The new version equals the previous one.
    #[error("办事指南没有变化，不产生新版本 (nothing changed)")]
    Unchanged,
    /// Blocking findings refuse submission or publication.
    #[error("办事指南有{}项问题，不得发布 (blocked by {} findings)", .findings.len(), .findings.len())]
    Blocked {
        /// The blocking findings.
        findings: Vec<GuideFinding>,
    },
    /// The step does not apply to the version's status.
    #[error("“{}”状态的办事指南不能“{}” (cannot {action:?} a guide in status {from:?})", .from.label_zh(), .action.label_zh())]
    InvalidStep {
        /// Current status.
        from: GuideStatus,
        /// Attempted step.
        action: GuideAction,
    },
}

/// Make the next version of a guide. `prev` is the latest version (`None` for a new guide).
/// Refuses an unchanged guide, a missing editor, and (from version 2 on) a missing reason.
pub fn revise(
    prev: Option<&GuideRevision>,
    guide: ServiceGuide,
    editor: &str,
    at: &str,
    reason: &str,
) -> Result<GuideRevision, GuideError> {
    if blank(editor) {
        return Err(GuideError::EditorRequired);
    }
    let (version, changes) = match prev {
        None => (1, Vec::new()),
        Some(p) => {
            if blank(reason) {
                return Err(GuideError::ReasonRequired);
            }
            let changes = diff_guides(&p.guide, &guide);
            if changes.is_empty() {
                return Err(GuideError::Unchanged);
            }
            (p.version.saturating_add(1), changes)
        }
    };
    Ok(GuideRevision {
        version,
        guide,
        editor: editor.trim().to_string(),
        at: at.to_string(),
        reason: reason.trim().to_string(),
        changes,
    })
}

/// Apply a workflow step to a guide version in `from`, given the [`check_guide`] findings
/// of that version. 提交审核 and 审核发布 are refused while a finding is blocking; warnings do
/// not stop them.
///
/// | from | step | to |
/// |---|---|---|
/// | 草稿, 已停用 | 提交审核 | 待审核 |
/// | 待审核 | 退回修改 | 草稿 |
/// | 待审核 | 审核发布 | 已发布 |
/// | 已发布 | 停用 | 已停用 |
pub fn guide_step(
    from: GuideStatus,
    action: GuideAction,
    findings: &[GuideFinding],
) -> Result<GuideStatus, GuideError> {
    use GuideAction as A;
    use GuideStatus as S;
    let to = match (from, action) {
        (S::Draft | S::Withdrawn, A::Submit) => S::InReview,
        (S::InReview, A::Reject) => S::Draft,
        (S::InReview, A::Publish) => S::Published,
        (S::Published, A::Withdraw) => S::Withdrawn,
        _ => return Err(GuideError::InvalidStep { from, action }),
    };
    if matches!(action, A::Submit | A::Publish) {
        let b: Vec<GuideFinding> = blocking(findings).into_iter().cloned().collect();
        if !b.is_empty() {
            return Err(GuideError::Blocked { findings: b });
        }
    }
    Ok(to)
}

// ---------------------------------------------------------------------------------------
// CSV

/// Chinese column headers of the flat CSV form, in order. List cells join items with "；"
/// (";" is also accepted on import); 申请材料 items are `名称|形式|份数|来源|必需(是/否)`,
/// optionally followed by `|适用情形|空白表格|示例样表`; 办理流程 items are `名称|时限`;
/// 设定依据 items are `层级|标题|条款`. A literal "\", "；", ";" or "|" inside a value is
/// written with a preceding "\".
pub const CSV_HEADER: &[&str] = &[
    "事项名称",
    "基本编码",
    "实施编码",
    "事项类型",
    "行使层级",
    "服务对象",
    "主题分类",
    "设定依据",
    "实施主体",
    "办理机构",
    "受理条件",
    "申请材料",
    "办理流程",
    "办件类型",
    "法定办结时限",
    "承诺办结时限",
    "到现场次数",
    "是否收费",
    "收费标准",
    "收费依据",
    "办理地点",
    "办理时间",
    "咨询电话",
    "监督投诉电话",
    "结果名称",
    "送达方式",
    "网上办理入口",
    "主项编码",
    "主管部门",
    "特殊环节",
];

/// The columns of [`CSV_HEADER`] an import may leave out (they read as empty).
pub const CSV_OPTIONAL_COLUMNS: &[&str] = &["主项编码", "主管部门", "特殊环节"];

/// A CSV record that does not map to a guide; names the column (its Chinese header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideCsvError {
    /// A column of [`CSV_HEADER`] is missing from the header.
    #[error("缺少“{column}”列 (missing column `{column}`)")]
    MissingColumn {
        /// The header.
        column: String,
    },
    /// A column appears twice in the header.
    #[error("“{column}”列重复 (duplicate column `{column}`)")]
    DuplicateColumn {
        /// The header.
        column: String,
    },
    /// A cell (or an item of a list cell) cannot be read.
    #[error("“{column}”列{}的值“{value}”无效：应为{expected} (invalid value in column `{column}`)", .item.map(|i| format!("第{i}项")).unwrap_or_default())]
    BadValue {
        /// The header.
        column: String,
        /// 1-based item number in a list cell.
        item: Option<usize>,
        /// The value as given.
        value: String,
        /// What was expected, in Chinese.
        expected: String,
    },
}

impl GuideCsvError {
    /// The column (Chinese header) the error is about.
    pub fn column(&self) -> &str {
        match self {
            GuideCsvError::MissingColumn { column }
            | GuideCsvError::DuplicateColumn { column }
            | GuideCsvError::BadValue { column, .. } => column,
        }
    }
}

/// Escape one value inside a list cell of the flat CSV form (see [`CSV_HEADER`]): a
/// preceding "\\" for the item and field separators "；", ";" and "|" and for "\\" itself.
/// This is not HTML escaping (the ledger produces no HTML; templates escape on output); the
/// CSV writer quotes the cell itself.
fn esc_item(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '；' | ';' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Split on any of `seps` outside escapes; the pieces keep their escapes.
fn split_raw<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if seps.contains(&c) {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&s[start..]);
    out
}

fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            out.push(it.next().unwrap_or('\\'));
        } else {
            out.push(c);
        }
    }
    out
}

const LIST_SEPS: &[char] = &['；', ';'];

fn join_list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join("；")
}

fn split_list(cell: &str) -> Vec<&str> {
    split_raw(cell, LIST_SEPS)
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn encode_material(m: &Material) -> String {
    let mut f = vec![
        esc_item(&m.name),
        m.form.label_zh().to_string(),
        m.copies.to_string(),
        esc_item(&m.source),
        yes_no(m.required),
    ];
    if m.applies_when.is_some() || m.blank_form.is_some() || m.sample_form.is_some() {
        for o in [&m.applies_when, &m.blank_form, &m.sample_form] {
            f.push(o.as_deref().map(esc_item).unwrap_or_default());
        }
    }
    f.join("|")
}

fn encode_step(s: &Step) -> String {
    format!("{}|{}", esc_item(&s.name), esc_item(&s.time_limit))
}

fn encode_special(s: &SpecialStep) -> String {
    format!(
        "{}|{}|{}",
        esc_item(&s.name),
        esc_item(&s.time_limit),
        yes_no(s.counts_in_limit)
    )
}

fn encode_basis(b: &LegalBasis) -> String {
    format!(
        "{}|{}|{}",
        b.level.label_zh(),
        esc_item(&b.title),
        esc_item(&b.article)
    )
}

/// A guide as one CSV record in the order of [`CSV_HEADER`].
pub fn guide_to_csv_record(g: &ServiceGuide) -> Vec<String> {
    let list = |v: &[String]| join_list(v.iter().map(|s| esc_item(s)));
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    vec![
        g.name.clone(),
        g.basic_code.clone(),
        g.impl_code.clone(),
        g.kind.label_zh().into(),
        g.level.label_zh().into(),
        g.audience.label_zh().into(),
        list(&g.themes),
        join_list(g.bases.iter().map(encode_basis)),
        g.implementing_body.clone(),
        g.handling_unit.clone(),
        list(&g.conditions),
        join_list(g.materials.iter().map(encode_material)),
        join_list(g.steps.iter().map(encode_step)),
        g.handling_type.label_zh().into(),
        num(g.legal_limit_days),
        num(g.promised_limit_days),
        g.visits.to_string(),
        yes_no(g.fee.charged),
        g.fee.standard.clone(),
        g.fee.basis.clone(),
        g.location.clone(),
        g.hours.clone(),
        g.phone.clone(),
        g.complaint_phone.clone(),
        g.result_name.clone(),
        list(&g.delivery),
        g.online_url.clone().unwrap_or_default(),
        g.main_item.clone().unwrap_or_default(),
        g.competent_department.clone(),
        join_list(g.special_steps.iter().map(encode_special)),
    ]
}

struct Row<'a> {
    cells: Vec<&'a str>,
}

impl<'a> Row<'a> {
    fn get(&self, col: usize) -> &'a str {
        self.cells[col]
    }
}

fn bad(
    column: &str,
    item: Option<usize>,
    value: &str,
    expected: impl Into<String>,
) -> GuideCsvError {
    GuideCsvError::BadValue {
        column: column.to_string(),
        item,
        value: value.to_string(),
        expected: expected.into(),
    }
}

fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> String {
    all.iter().map(|v| label(*v)).collect::<Vec<_>>().join("、")
}

fn parse_enum<T: Copy>(
    column: &str,
    item: Option<usize>,
    s: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    label: fn(T) -> &'static str,
) -> Result<T, GuideCsvError> {
    parse(s).ok_or_else(|| bad(column, item, s, labels(all, label)))
}

fn parse_u32(
    column: &str,
    item: Option<usize>,
    s: &str,
    suffixes: &[&str],
) -> Result<u32, GuideCsvError> {
    let mut t = s.trim();
    for suf in suffixes {
        t = t.strip_suffix(suf).unwrap_or(t).trim();
    }
    t.parse().map_err(|_| bad(column, item, s, "非负整数"))
}

fn parse_bool(column: &str, item: Option<usize>, s: &str) -> Result<bool, GuideCsvError> {
    match s.trim() {
        "是" => Ok(true),
        "否" => Ok(false),
        _ => Err(bad(column, item, s, "“是”或“否”")),
    }
}

fn opt_text(s: &str) -> Option<String> {
    let t = unesc(s.trim());
    (!t.trim().is_empty()).then(|| t.trim().to_string())
}

/// Read a guide from a CSV record under `header` (columns in any order; extra columns are
/// ignored, every column of [`CSV_HEADER`] must be present; missing trailing cells are
/// empty). Cells and items are trimmed, empty list items dropped, empty optional values
/// read as absent. For guides whose texts are trimmed and whose list items and optional
/// values are non-empty, this inverts [`guide_to_csv_record`].
pub fn guide_from_csv_record(
    header: &[String],
    record: &[String],
) -> Result<ServiceGuide, GuideCsvError> {
    let mut index = vec![usize::MAX; CSV_HEADER.len()];
    for (i, h) in header.iter().enumerate() {
        let h = h.trim_start_matches('\u{feff}').trim();
        if let Some(c) = CSV_HEADER.iter().position(|c| *c == h) {
            if index[c] != usize::MAX {
                return Err(GuideCsvError::DuplicateColumn {
                    column: h.to_string(),
                });
            }
            index[c] = i;
        }
    }
    if let Some(c) = index
        .iter()
        .enumerate()
        .position(|(c, i)| *i == usize::MAX && !CSV_OPTIONAL_COLUMNS.contains(&CSV_HEADER[c]))
    {
        return Err(GuideCsvError::MissingColumn {
            column: CSV_HEADER[c].to_string(),
        });
    }
    let row = Row {
        cells: index
            .iter()
            .map(|&i| {
                if i == usize::MAX {
                    ""
                } else {
                    record.get(i).map(|s| s.trim()).unwrap_or("")
                }
            })
            .collect(),
    };
    let h = |c: usize| CSV_HEADER[c];
    let text = |c: usize| row.get(c).to_string();
    let list = |c: usize| -> Vec<String> {
        split_list(row.get(c))
            .into_iter()
            .map(|s| unesc(s).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let fields = |s: &str| -> Vec<String> {
        split_raw(s, &['|'])
            .into_iter()
            .map(|f| unesc(f.trim()).trim().to_string())
            .collect()
    };

    let mut bases = Vec::new();
    for (i, raw) in split_list(row.get(7)).into_iter().enumerate() {
        let f = fields(raw);
        let [level, title, article] = f.as_slice() else {
            return Err(bad(h(7), Some(i + 1), raw, "“层级|标题|条款”"));
        };
        bases.push(LegalBasis {
            level: parse_enum(
                h(7),
                Some(i + 1),
                level,
                BasisLevel::parse,
                BasisLevel::ALL,
                BasisLevel::label_zh,
            )?,
            title: title.clone(),
            article: article.clone(),
        });
    }

    let mut materials = Vec::new();
    for (i, raw) in split_list(row.get(11)).into_iter().enumerate() {
        let f = fields(raw);
        if !(f.len() == 5 || f.len() == 8) {
            return Err(bad(
                h(11),
                Some(i + 1),
                raw,
                "“名称|形式|份数|来源|必需(是/否)”，可再加“|适用情形|空白表格|示例样表”",
            ));
        }
        let opt = |k: usize| f.get(k).filter(|s| !s.is_empty()).cloned();
        materials.push(Material {
            name: f[0].clone(),
            form: parse_enum(
                h(11),
                Some(i + 1),
                &f[1],
                MaterialForm::parse,
                MaterialForm::ALL,
                MaterialForm::label_zh,
            )?,
            copies: parse_u32(h(11), Some(i + 1), &f[2], &["份"])?,
            source: f[3].clone(),
            required: parse_bool(h(11), Some(i + 1), &f[4])?,
            applies_when: opt(5),
            blank_form: opt(6),
            sample_form: opt(7),
        });
    }

    let mut steps = Vec::new();
    for (i, raw) in split_list(row.get(12)).into_iter().enumerate() {
        let f = fields(raw);
        let [name, time_limit] = f.as_slice() else {
            return Err(bad(h(12), Some(i + 1), raw, "“名称|时限”"));
        };
        steps.push(Step {
            name: name.clone(),
            time_limit: time_limit.clone(),
        });
    }

    let mut special_steps = Vec::new();
    for (i, raw) in split_list(row.get(29)).into_iter().enumerate() {
        let f = fields(raw);
        let [name, time_limit, counts] = f.as_slice() else {
            return Err(bad(
                h(29),
                Some(i + 1),
                raw,
                "“名称|时限|是否计算在办结时限内(是/否)”",
            ));
        };
        special_steps.push(SpecialStep {
            name: name.clone(),
            time_limit: time_limit.clone(),
            counts_in_limit: parse_bool(h(29), Some(i + 1), counts)?,
        });
    }

    let days = |c: usize| -> Result<Option<u32>, GuideCsvError> {
        let s = row.get(c);
        if s.is_empty() {
            Ok(None)
        } else {
            parse_u32(h(c), None, s, &["个工作日", "工作日", "天", "日"]).map(Some)
        }
    };

    Ok(ServiceGuide {
        name: text(0),
        basic_code: text(1),
        impl_code: text(2),
        kind: parse_enum(
            h(3),
            None,
            row.get(3),
            ItemKind::parse,
            ItemKind::ALL,
            ItemKind::label_zh,
        )?,
        main_item: opt_text(row.get(27)),
        level: parse_enum(
            h(4),
            None,
            row.get(4),
            ExerciseLevel::parse,
            ExerciseLevel::ALL,
            ExerciseLevel::label_zh,
        )?,
        audience: parse_enum(
            h(5),
            None,
            row.get(5),
            Audience::parse,
            Audience::ALL,
            Audience::label_zh,
        )?,
        themes: list(6),
        bases,
        competent_department: text(28),
        implementing_body: text(8),
        handling_unit: text(9),
        conditions: list(10),
        materials,
        steps,
        special_steps,
        handling_type: parse_enum(
            h(13),
            None,
            row.get(13),
            HandlingType::parse,
            HandlingType::ALL,
            HandlingType::label_zh,
        )?,
        legal_limit_days: days(14)?,
        promised_limit_days: days(15)?,
        visits: parse_u32(h(16), None, row.get(16), &["次"])?,
        fee: Fee {
            charged: parse_bool(h(17), None, row.get(17))?,
            standard: text(18),
            basis: text(19),
        },
        location: text(20),
        hours: text(21),
        phone: text(22),
        complaint_phone: text(23),
        result_name: text(24),
        delivery: list(25),
        online_url: opt_text(row.get(26)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A clean guide (a town's 老年人优待证 item).
    pub(crate) fn sample() -> ServiceGuide {
        ServiceGuide {
            name: "老年人优待证办理".into(),
            basic_code: "511A0138000000".into(),
            impl_code: "511A0138000000-440115000000-000-11440115007513000X-1-00".into(),
            kind: ItemKind::PublicService,
            main_item: None,
            level: ExerciseLevel::Township,
            audience: Audience::Person,
            themes: vec!["社会保障".into(), "养老服务".into()],
            competent_department: "广州市南沙区民政局".into(),
            bases: vec![
                LegalBasis {
                    level: BasisLevel::Law,
                    title: "《中华人民共和国老年人权益保障法》".into(),
                    article: "第五十七条".into(),
                },
                LegalBasis {
                    level: BasisLevel::LocalRegulation,
                    title: "《广东省老年人权益保障条例》".into(),
                    article: "第三十条".into(),
                },
            ],
            implementing_body: "广州市南沙区黄阁镇人民政府".into(),
            handling_unit: "黄阁镇政务服务中心 社会事务窗口".into(),
            conditions: vec!["年满60周岁".into(), "具有本市户籍或居住证".into()],
            materials: vec![
                Material {
                    name: "居民身份证".into(),
                    form: MaterialForm::Original,
                    copies: 1,
                    source: "政府部门核发".into(),
                    required: true,
                    applies_when: None,
                    blank_form: None,
                    sample_form: None,
                },
                Material {
                    name: "《老年人优待证申请表》".into(),
                    form: MaterialForm::Paper,
                    copies: 1,
                    source: "申请人自备".into(),
                    required: true,
                    applies_when: Some("非本市户籍".into()),
                    blank_form: Some("申请表.docx".into()),
                    sample_form: Some("申请表样表.pdf".into()),
                },
            ],
            steps: vec![
                Step {
                    name: "受理".into(),
                    time_limit: "当场".into(),
                },
                Step {
                    name: "审核发证".into(),
                    time_limit: "3个工作日".into(),
                },
            ],
            special_steps: vec![SpecialStep {
                name: "公示".into(),
                time_limit: "5个工作日".into(),
                counts_in_limit: false,
            }],
            handling_type: HandlingType::Promised,
            legal_limit_days: Some(20),
            promised_limit_days: Some(3),
            visits: 1,
            fee: Fee {
                charged: false,
                standard: "不收费".into(),
                basis: String::new(),
            },
            location: "广州市南沙区黄阁镇政务服务中心一楼".into(),
            hours: "周一至周五 上午9:00-12:00，下午14:00-17:30（法定节假日除外）".into(),
            phone: "020-84938888".into(),
            complaint_phone: "12345".into(),
            result_name: "老年人优待证".into(),
            delivery: vec!["窗口领取".into(), "邮寄".into()],
            online_url: Some("https://www.gdzwfw.gov.cn/".into()),
        }
    }

    fn ctx() -> CheckContext {
        CheckContext {
            today: date!(2025 - 03 - 01),
            last_reviewed: Some(date!(2024 - 06 - 01)),
            repealed_titles: vec![],
        }
    }

    fn fields(f: &[GuideFinding]) -> Vec<(&str, FindingSeverity)> {
        f.iter().map(|f| (f.field.as_str(), f.severity)).collect()
    }

    #[test]
    fn clean_guide_has_no_findings() {
        assert_eq!(check_guide(&sample(), &ctx()), vec![]);
    }

    #[test]
    fn json_shape_and_partial_import() {
        let g = sample();
        let v = serde_json::to_value(&g).unwrap();
        assert_eq!(v["kind"], "公共服务");
        assert_eq!(v["level"], "乡(镇、街道)级");
        assert_eq!(v["handling_type"], "承诺件");
        assert_eq!(v["materials"][0]["form"], "原件");
        assert_eq!(v["bases"][1]["level"], "地方性法规");
        assert_eq!(v["fee"]["standard"], "不收费");
        let back: ServiceGuide = serde_json::from_value(v).unwrap();
        assert_eq!(back, g);
        // Lists and options may be left out.
        let partial = serde_json::json!({
            "name": "x", "basic_code": "", "impl_code": "", "kind": "行政许可", "level": "县级",
            "audience": "个人及法人", "implementing_body": "", "handling_unit": "",
            "handling_type": "即办件", "visits": 0,
            "fee": {"charged": false, "standard": "不收费", "basis": ""},
            "location": "", "hours": "", "phone": "", "complaint_phone": "", "result_name": ""
        });
        let g: ServiceGuide = serde_json::from_value(partial).unwrap();
        assert!(g.materials.is_empty() && g.online_url.is_none());
        assert_eq!(g.audience, Audience::Both);
    }

    #[test]
    fn enum_labels_parse() {
        for k in ItemKind::ALL {
            assert_eq!(ItemKind::parse(k.label_zh()), Some(*k));
        }
        assert_eq!(
            ExerciseLevel::parse(" 乡（镇、街道）级 "),
            Some(ExerciseLevel::Township)
        );
        assert_eq!(
            ExerciseLevel::parse("村(社区)级"),
            Some(ExerciseLevel::Village)
        );
        assert_eq!(
            MaterialForm::parse("原件及复印件"),
            Some(MaterialForm::OriginalAndCopy)
        );
        assert_eq!(HandlingType::parse("办件"), None);
        assert_eq!(BasisLevel::Law.rank(), 0);
        assert_eq!(BasisLevel::NormativeDocument.rank(), 4);
    }

    #[test]
    fn empty_guide_blocks_on_every_key_element() {
        let f = check_guide(&ServiceGuide::default(), &ctx());
        let blocking_fields: Vec<&str> = blocking(&f).iter().map(|f| f.field.as_str()).collect();
        for k in [
            "name",
            "basic_code",
            "impl_code",
            "bases",
            "implementing_body",
            "handling_unit",
            "conditions",
            "materials",
            "steps",
            "fee.standard",
            "location",
            "hours",
            "phone",
        ] {
            assert!(blocking_fields.contains(&k), "{k} not blocking: {f:?}");
        }
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.contains(&"缺少受理条件"));
        assert!(msgs.contains(&"不收费的事项应在收费标准中写明“不收费”"));
    }

    #[test]
    fn fee_rules() {
        let mut g = sample();
        g.fee.standard = "无".into();
        let f = check_guide(&g, &ctx());
        assert_eq!(
            fields(&f),
            vec![("fee.standard", FindingSeverity::Blocking)]
        );
        assert!(f[0].message.contains("不收费"));

        g.fee = Fee {
            charged: true,
            standard: String::new(),
            basis: String::new(),
        };
        let f = check_guide(&g, &ctx());
        assert_eq!(
            fields(&f),
            vec![
                ("fee.standard", FindingSeverity::Blocking),
                ("fee.basis", FindingSeverity::Blocking)
            ]
        );
        g.fee = Fee {
            charged: true,
            standard: "每证10元".into(),
            basis: "粤价〔2010〕1号".into(),
        };
        assert!(check_guide(&g, &ctx()).is_empty());
        g.fee = Fee {
            charged: false,
            standard: "每证10元".into(),
            basis: String::new(),
        };
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![("fee.standard", FindingSeverity::Warning)]
        );
    }

    #[test]
    fn phones() {
        for ok in [
            "020-84938888",
            "0755-12345678",
            "12345",
            "020-84938888-123",
            "020-84938888、020-84938889",
        ] {
            assert!(valid_phone(ok), "{ok}");
        }
        for no in [
            "84938888",
            "20-84938888",
            "020 84938888",
            "13800138000",
            "020-8493",
            "02084938888",
            "020-",
            "",
            "95588",
            "（020）84938888",
        ] {
            assert!(!valid_phone(no), "{no}");
        }
        let mut g = sample();
        g.phone = "84938888".into();
        g.complaint_phone = String::new();
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![
                ("phone", FindingSeverity::Blocking),
                ("complaint_phone", FindingSeverity::Blocking)
            ]
        );
    }

    #[test]
    fn time_limits() {
        let mut g = sample();
        g.promised_limit_days = None;
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![("promised_limit_days", FindingSeverity::Blocking)]
        );
        g.promised_limit_days = Some(25);
        let f = check_guide(&g, &ctx());
        assert_eq!(
            fields(&f),
            vec![("promised_limit_days", FindingSeverity::Blocking)]
        );
        assert!(f[0].message.contains("超过法定办结时限"));
        g.handling_type = HandlingType::Immediate;
        g.promised_limit_days = Some(2);
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![("promised_limit_days", FindingSeverity::Warning)]
        );
        g.promised_limit_days = Some(0);
        assert!(check_guide(&g, &ctx()).is_empty());

        let mut g = sample();
        g.steps[1].time_limit = " ".into();
        let f = check_guide(&g, &ctx());
        assert_eq!(
            fields(&f),
            vec![("steps[1].time_limit", FindingSeverity::Blocking)]
        );
        assert_eq!(f[0].message, "办理流程环节“审核发证”未写明所需时限");
    }

    #[test]
    fn codes() {
        let mut g = sample();
        g.basic_code = "511A01380000".into();
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![("basic_code", FindingSeverity::Warning)]
        );
        g.basic_code = "511A0138-00000".into();
        assert_eq!(check_guide(&g, &ctx()).len(), 1);
        g.impl_code = String::new();
        assert!(
            fields(&check_guide(&g, &ctx())).contains(&("impl_code", FindingSeverity::Blocking))
        );
    }

    #[test]
    fn catch_all_and_unnamed_forms() {
        let mut g = sample();
        g.materials[1].name = "根据相关法律法规需要提交的其他材料".into();
        g.conditions.push("按告知单要求提交".into());
        g.materials.push(Material {
            name: "相关表格".into(),
            ..g.materials[0].clone()
        });
        g.materials.push(Material {
            name: "身份证等材料".into(),
            ..g.materials[0].clone()
        });
        let f = check_guide(&g, &ctx());
        assert_eq!(
            fields(&f),
            vec![
                ("conditions[2]", FindingSeverity::Warning),
                ("materials[1].name", FindingSeverity::Warning),
                ("materials[2].name", FindingSeverity::Warning),
                ("materials[3].name", FindingSeverity::Warning),
            ]
        );
        assert!(f[1].message.contains("兜底"));
        // Named forms are fine.
        assert!(!unnamed_form("《一次性告知单》"));
        assert!(!unnamed_form("《老年人优待证申请表》"));
        assert!(!unnamed_form("户口簿"));
        assert!(unnamed_form("告知单"));
        assert!(unnamed_form("告知单所列材料"));
        assert!(unnamed_form("表格"));
    }

    #[test]
    fn bases_order_repeal_and_staleness() {
        let mut g = sample();
        g.bases.swap(0, 1);
        let c = CheckContext {
            today: date!(2025 - 06 - 02),
            last_reviewed: Some(date!(2024 - 06 - 01)),
            repealed_titles: vec!["广东省老年人权益保障条例".into()],
        };
        let f = check_guide(&g, &c);
        assert_eq!(
            fields(&f),
            vec![
                ("bases[0].title", FindingSeverity::Warning),
                ("bases", FindingSeverity::Warning),
                ("last_reviewed", FindingSeverity::Warning),
            ]
        );
        assert_eq!(f[0].message, "设定依据已废止：《广东省老年人权益保障条例》");
        // Exactly 12 months is not yet stale.
        let c = CheckContext {
            today: date!(2025 - 06 - 01),
            ..c
        };
        assert!(
            !fields(&check_guide(&g, &c)).contains(&("last_reviewed", FindingSeverity::Warning))
        );
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 11 - 30), 3), date!(2025 - 02 - 28));
        let none = CheckContext::new(date!(2025 - 01 - 01));
        assert_eq!(
            fields(&check_guide(&sample(), &none)),
            vec![("last_reviewed", FindingSeverity::Warning)]
        );
    }

    #[test]
    fn labels() {
        assert_eq!(field_label_zh("name"), "事项名称");
        assert_eq!(
            field_label_zh("materials[2].name"),
            "申请材料第3项·材料名称"
        );
        assert_eq!(field_label_zh("conditions[0]"), "受理条件第1项");
        assert_eq!(field_label_zh("fee.standard"), "收费标准");
        assert_eq!(field_label_zh("nope"), "nope");
        assert_eq!(field_label_zh("materials[x].name"), "materials[x].name");
        assert_eq!(field_label_zh("materials[1].nope"), "materials[1].nope");
        // Every key a finding can carry has a label.
        let f = check_guide(&ServiceGuide::default(), &ctx());
        for f in f {
            assert_ne!(field_label_zh(&f.field), f.field);
        }
    }

    #[test]
    fn diff() {
        let old = sample();
        assert!(diff_guides(&old, &old).is_empty());
        let mut new = old.clone();
        new.hours = "周一至周六".into();
        new.materials[0].copies = 2;
        new.materials.pop();
        new.conditions.push("无犯罪记录".into());
        new.promised_limit_days = None;
        let d = diff_guides(&old, &new);
        let keys: Vec<&str> = d.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "conditions[2]",
                "materials[0].copies",
                "materials[1]",
                "promised_limit_days",
                "hours"
            ]
        );
        assert_eq!(d[0].label_zh, "受理条件第3项");
        assert_eq!(d[0].old, None);
        assert_eq!(d[1].label_zh, "申请材料第1项·份数");
        assert_eq!(
            (d[1].old.as_deref(), d[1].new.as_deref()),
            (Some("1"), Some("2"))
        );
        assert_eq!(
            d[2].old.as_deref(),
            Some(
                "《老年人优待证申请表》|纸质|1|申请人自备|是|非本市户籍|申请表.docx|申请表样表.pdf"
            )
        );
        assert_eq!(d[3].old.as_deref(), Some("3个工作日"));
        assert_eq!(d[4].label_zh, "办理时间");
    }

    #[test]
    fn search_text() {
        let t = sample().search_text();
        assert!(t.starts_with("老年人优待证办理\n社会保障\n养老服务\n年满60周岁"));
        assert!(t.contains("居民身份证") && t.contains("审核发证") && t.contains("社会事务窗口"));
        assert!(!t.contains("020-84938888"));
    }

    fn header() -> Vec<String> {
        CSV_HEADER.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn csv_round_trip_and_format() {
        let g = sample();
        let rec = guide_to_csv_record(&g);
        assert_eq!(rec.len(), CSV_HEADER.len());
        assert_eq!(rec[6], "社会保障；养老服务");
        assert_eq!(
            rec[7],
            "法律|《中华人民共和国老年人权益保障法》|第五十七条；地方性法规|《广东省老年人权益保障条例》|第三十条"
        );
        assert!(rec[11].starts_with("居民身份证|原件|1|政府部门核发|是；"));
        assert_eq!(rec[12], "受理|当场；审核发证|3个工作日");
        assert_eq!(guide_from_csv_record(&header(), &rec).unwrap(), g);

        // Columns in another order, an extra column, a BOM, ASCII separators, suffixes.
        let mut h = header();
        h.reverse();
        h[0] = format!("\u{feff}{}", h[0]);
        h.push("序号".into());
        let mut r = rec.clone();
        r.reverse();
        r.push("1".into());
        let mut back = guide_from_csv_record(&h, &r).unwrap();
        assert_eq!(back, g);
        let mut r2 = rec.clone();
        r2[6] = " 社会保障 ; 养老服务 ；".into();
        r2[14] = "20个工作日".into();
        r2[16] = "1次".into();
        back = guide_from_csv_record(&header(), &r2).unwrap();
        assert_eq!(back, g);
        // Escapes.
        let mut g2 = g.clone();
        g2.materials[0].name = "证明|说明；附件\\".into();
        g2.themes = vec!["a;b".into()];
        let rec2 = guide_to_csv_record(&g2);
        assert_eq!(guide_from_csv_record(&header(), &rec2).unwrap(), g2);
    }

    #[test]
    fn csv_errors_name_the_column() {
        let rec = guide_to_csv_record(&sample());
        let mut h = header();
        h.remove(3);
        let e = guide_from_csv_record(&h, &rec).unwrap_err();
        assert_eq!(e.column(), "事项类型");
        assert_eq!(
            e.to_string(),
            "缺少“事项类型”列 (missing column `事项类型`)"
        );

        let mut h = header();
        h.push("事项名称".into());
        assert!(matches!(
            guide_from_csv_record(&h, &rec),
            Err(GuideCsvError::DuplicateColumn { .. })
        ));

        let mut r = rec.clone();
        r[11] = "居民身份证|原件|一|政府部门核发|是".into();
        let e = guide_from_csv_record(&header(), &r).unwrap_err();
        assert_eq!(e.column(), "申请材料");
        assert!(
            e.to_string()
                .starts_with("“申请材料”列第1项的值“一”无效：应为非负整数"),
            "{e}"
        );

        let mut r = rec.clone();
        r[12] = "受理".into();
        assert_eq!(
            guide_from_csv_record(&header(), &r).unwrap_err().column(),
            "办理流程"
        );
        let mut r = rec.clone();
        r[4] = "镇级".into();
        let e = guide_from_csv_record(&header(), &r).unwrap_err();
        assert!(e.to_string().contains("国家级、省级"), "{e}");
        let mut r = rec.clone();
        r[17] = "不收费".into();
        assert_eq!(
            guide_from_csv_record(&header(), &r).unwrap_err().column(),
            "是否收费"
        );
        // Short records: missing trailing cells are empty.
        let mut r = rec.clone();
        r.truncate(26);
        assert_eq!(
            guide_from_csv_record(&header(), &r).unwrap().online_url,
            None
        );
    }

    #[test]
    fn result_delivery_and_complaint_phone_block() {
        let mut g = sample();
        g.result_name = " ".into();
        g.delivery.clear();
        g.complaint_phone.clear();
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![
                ("complaint_phone", FindingSeverity::Blocking),
                ("result_name", FindingSeverity::Blocking),
                ("delivery", FindingSeverity::Blocking),
            ]
        );
    }

    #[test]
    fn legal_limit_and_material_details() {
        let mut g = sample();
        g.legal_limit_days = None;
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![("legal_limit_days", FindingSeverity::Warning)]
        );
        let mut g = sample();
        g.materials[0].required = false;
        g.materials[1].blank_form = None;
        g.materials[1].sample_form = Some(" ".into());
        assert_eq!(
            fields(&check_guide(&g, &ctx())),
            vec![
                ("materials[0].applies_when", FindingSeverity::Warning),
                ("materials[1].blank_form", FindingSeverity::Warning),
                ("materials[1].sample_form", FindingSeverity::Warning),
            ]
        );
        assert!(is_form("《老年人优待证申请表》"));
        assert!(is_form("个人承诺书"));
        assert!(!is_form("户口簿"));
        // Every key these findings carry has a label.
        for f in check_guide(&g, &ctx()) {
            assert_ne!(field_label_zh(&f.field), f.field);
        }
    }

    #[test]
    fn projection_and_display_helpers() {
        let p = sample().search_projection();
        assert_eq!(p.title, "老年人优待证办理");
        assert_eq!(p.domain.as_deref(), Some("社会保障"));
        assert_eq!(p.kind, ItemKind::PublicService);
        assert!(p.text.contains("中华人民共和国老年人权益保障法"));
        assert_eq!(
            sample().numbered_conditions(),
            vec!["1. 年满60周岁", "2. 具有本市户籍或居住证"]
        );
        assert_eq!(visits_label(0), "0次（全程网办）");
        assert_eq!(sample().visits_label(), "最多跑一次");
        assert_eq!(visits_label(2), "最多到现场2次");
    }

    #[test]
    fn revisions() {
        let v1 = revise(None, sample(), "clerk", "2025-03-01T09:00:00+08:00", "").unwrap();
        assert_eq!((v1.version, v1.changes.len()), (1, 0));
        assert_eq!(
            revise(Some(&v1), sample(), "clerk", "t", "调整"),
            Err(GuideError::Unchanged)
        );
        let mut g = sample();
        g.hours = "周一至周六".into();
        assert_eq!(
            revise(Some(&v1), g.clone(), "clerk", "t", " "),
            Err(GuideError::ReasonRequired)
        );
        assert_eq!(
            revise(Some(&v1), g.clone(), "", "t", "调整"),
            Err(GuideError::EditorRequired)
        );
        let v2 = revise(Some(&v1), g, "clerk", "t", "延长办理时间").unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(v2.changes[0].key, "hours");
    }

    #[test]
    fn workflow_steps() {
        use GuideAction as A;
        use GuideStatus as S;
        let clean = check_guide(&sample(), &ctx());
        assert_eq!(guide_step(S::Draft, A::Submit, &clean), Ok(S::InReview));
        assert_eq!(guide_step(S::InReview, A::Reject, &clean), Ok(S::Draft));
        assert_eq!(
            guide_step(S::InReview, A::Publish, &clean),
            Ok(S::Published)
        );
        assert_eq!(
            guide_step(S::Published, A::Withdraw, &clean),
            Ok(S::Withdrawn)
        );
        assert_eq!(guide_step(S::Withdrawn, A::Submit, &clean), Ok(S::InReview));
        let e = guide_step(S::Draft, A::Publish, &clean).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("“草稿”状态的办事指南不能“审核发布”"),
            "{e}"
        );
        let bad = check_guide(&ServiceGuide::default(), &ctx());
        match guide_step(S::InReview, A::Publish, &bad) {
            Err(GuideError::Blocked { findings }) => {
                assert!(findings.iter().all(GuideFinding::is_blocking))
            }
            other => panic!("{other:?}"),
        }
        // Warnings do not stop publication.
        let mut g = sample();
        g.materials[1].blank_form = None;
        let warn = check_guide(&g, &ctx());
        assert!(!warn.is_empty());
        assert_eq!(guide_step(S::InReview, A::Publish, &warn), Ok(S::Published));
    }

    #[test]
    fn publish_deadline_uses_working_days() {
        let cal = gongkai_calendar::Calendar::builtin();
        let due = publish_due(&cal, date!(2025 - 03 - 03)).unwrap();
        assert_eq!(due, date!(2025 - 03 - 31));
        let empty = gongkai_calendar::Calendar::empty();
        assert!(publish_due(&empty, date!(2025 - 03 - 03)).is_err());
    }

    mod csv_props {
        use super::super::*;
        use proptest::prelude::*;

        /// Trimmed, non-empty text with the separators and the escape character in it.
        fn item() -> impl Strategy<Value = String> {
            "[a-c甲乙丙；;|\\\\ ]{1,8}"
                .prop_map(|s| s.trim().to_string())
                .prop_filter("non-empty", |s| !s.is_empty())
        }

        /// Trimmed text of a whole cell (may be empty).
        fn cell() -> impl Strategy<Value = String> {
            "[a-c甲乙丙；;|\\\\ ]{0,8}".prop_map(|s| s.trim().to_string())
        }

        /// An optional plain value (a URL, a code).
        fn plain() -> impl Strategy<Value = Option<String>> {
            proptest::option::of("[a-c甲乙0-9:/.-]{1,8}")
        }

        fn pick<T: Clone + std::fmt::Debug + 'static>(
            all: &'static [T],
        ) -> impl Strategy<Value = T> {
            proptest::sample::select(all.to_vec())
        }

        fn material() -> impl Strategy<Value = Material> {
            (
                item(),
                pick(MaterialForm::ALL),
                0u32..1000,
                item(),
                any::<bool>(),
                proptest::option::of(item()),
                proptest::option::of(item()),
                proptest::option::of(item()),
            )
                .prop_map(
                    |(
                        name,
                        form,
                        copies,
                        source,
                        required,
                        applies_when,
                        blank_form,
                        sample_form,
                    )| {
                        Material {
                            name,
                            form,
                            copies,
                            source,
                            required,
                            applies_when,
                            blank_form,
                            sample_form,
                        }
                    },
                )
        }

        fn guide() -> impl Strategy<Value = ServiceGuide> {
            let head = (
                cell(),
                cell(),
                cell(),
                pick(ItemKind::ALL),
                pick(ExerciseLevel::ALL),
                pick(Audience::ALL),
                proptest::collection::vec(item(), 0..3),
                proptest::collection::vec(
                    (pick(BasisLevel::ALL), item(), item()).prop_map(|(level, title, article)| {
                        LegalBasis {
                            level,
                            title,
                            article,
                        }
                    }),
                    0..3,
                ),
                plain(),
                cell(),
            );
            let body = (
                cell(),
                cell(),
                proptest::collection::vec(item(), 0..3),
                proptest::collection::vec(material(), 0..3),
                proptest::collection::vec(
                    (item(), item()).prop_map(|(name, time_limit)| Step { name, time_limit }),
                    0..3,
                ),
                proptest::collection::vec(
                    (item(), item(), any::<bool>()).prop_map(
                        |(name, time_limit, counts_in_limit)| SpecialStep {
                            name,
                            time_limit,
                            counts_in_limit,
                        },
                    ),
                    0..3,
                ),
                pick(HandlingType::ALL),
                proptest::option::of(0u32..400),
                proptest::option::of(0u32..400),
                0u32..10,
            );
            let tail = (
                (any::<bool>(), cell(), cell()),
                cell(),
                cell(),
                cell(),
                cell(),
                cell(),
                proptest::collection::vec(item(), 0..3),
                plain(),
            );
            (head, body, tail).prop_map(|(h, b, t)| ServiceGuide {
                name: h.0,
                basic_code: h.1,
                impl_code: h.2,
                kind: h.3,
                level: h.4,
                audience: h.5,
                themes: h.6,
                bases: h.7,
                main_item: h.8,
                competent_department: h.9,
                implementing_body: b.0,
                handling_unit: b.1,
                conditions: b.2,
                materials: b.3,
                steps: b.4,
                special_steps: b.5,
                handling_type: b.6,
                legal_limit_days: b.7,
                promised_limit_days: b.8,
                visits: b.9,
                fee: Fee {
                    charged: t.0.0,
                    standard: t.0.1,
                    basis: t.0.2,
                },
                location: t.1,
                hours: t.2,
                phone: t.3,
                complaint_phone: t.4,
                result_name: t.5,
                delivery: t.6,
                online_url: t.7,
            })
        }

        proptest! {
            /// The flat CSV form inverts: escapes, separators and optional columns survive.
            #[test]
            fn csv_record_round_trips(g in guide()) {
                let header: Vec<String> = CSV_HEADER.iter().map(|s| s.to_string()).collect();
                let rec = guide_to_csv_record(&g);
                prop_assert_eq!(rec.len(), CSV_HEADER.len());
                prop_assert_eq!(guide_from_csv_record(&header, &rec).unwrap(), g);
            }
        }
    }
}
