//! A synthetic corpus of realistic disclosure documents, for benchmarks and
//! load tests. Deterministic (seeded), no external data: text is assembled
//! from word lists of disclosure vocabulary.

use crate::doc::{DocKind, SearchDoc};

/// Small deterministic PRNG (SplitMix64), the workspace's one generator of synthetic data
/// (search corpus, the demo, `gongkai bench`): runs must not depend on a random source.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeded by the FNV-1a hash of `key`.
    pub fn from_key(key: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }

    /// True with `percent`% probability.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.range(0, 99) < percent
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One of the words, uniformly.
    pub fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Districts of the synthetic province, with their 文号 prefix and code.
pub const DISTRICTS: [(&str, &str, &str); 8] = [
    ("南沙区", "南", "440115"),
    ("番禺区", "番", "440113"),
    ("黄埔区", "埔", "440112"),
    ("天河区", "天", "440106"),
    ("海珠区", "海", "440105"),
    ("白云区", "云", "440111"),
    ("花都区", "花", "440114"),
    ("增城区", "增", "440118"),
];

/// Departments: name, code suffix, 文号 abbreviation.
pub const DEPARTMENTS: [(&str, &str, &str); 12] = [
    ("人民政府办公室", "zfb", "府办"),
    ("民政局", "mzj", "民"),
    ("财政局", "czj", "财"),
    ("人力资源和社会保障局", "rsj", "人社"),
    ("农业农村局", "nyj", "农"),
    ("应急管理局", "yjj", "应急"),
    ("城市管理和综合执法局", "cgj", "城管"),
    ("住房和城乡建设局", "zjj", "建"),
    ("卫生健康局", "wjj", "卫健"),
    ("教育局", "jyj", "教"),
    ("公安分局", "gaj", "公"),
    ("政务服务数据管理局", "zsj", "政数"),
];

/// Towns and streets (镇街), attached to every district.
pub const TOWNS: [&str; 8] = [
    "黄阁镇",
    "南沙街道",
    "横沥镇",
    "万顷沙镇",
    "大岗镇",
    "榄核镇",
    "东涌镇",
    "珠江街道",
];

/// Catalog domains with their own vocabulary.
pub const DOMAINS: [(&str, &[&str]); 10] = [
    (
        "户籍管理",
        &[
            "户口迁移",
            "居民身份证",
            "户籍登记",
            "积分入户",
            "集体户口",
            "出生登记",
        ],
    ),
    (
        "社会救助",
        &[
            "最低生活保障",
            "特困人员",
            "临时救助",
            "低收入家庭",
            "救助标准",
            "医疗救助",
        ],
    ),
    (
        "养老服务",
        &[
            "养老服务补贴",
            "高龄津贴",
            "居家养老",
            "养老机构",
            "长者饭堂",
            "护理补贴",
        ],
    ),
    (
        "财政预决算",
        &[
            "部门预算",
            "部门决算",
            "三公经费",
            "一般公共预算",
            "政府性基金",
            "专项资金",
        ],
    ),
    (
        "就业",
        &[
            "就业补贴",
            "创业担保贷款",
            "职业技能培训",
            "公益性岗位",
            "失业登记",
            "稳岗返还",
        ],
    ),
    (
        "社会保险",
        &[
            "城乡居民养老保险",
            "医疗保险",
            "工伤保险",
            "失业保险",
            "参保登记",
            "缴费基数",
        ],
    ),
    (
        "市政服务",
        &["供水", "燃气", "路灯", "道路养护", "排水管网", "公园绿地"],
    ),
    (
        "城市综合执法",
        &[
            "违法建设",
            "占道经营",
            "行政处罚",
            "执法检查",
            "责令整改",
            "户外广告",
        ],
    ),
    (
        "涉农补贴",
        &[
            "耕地地力保护补贴",
            "农机购置补贴",
            "种粮补贴",
            "惠农资金",
            "高标准农田",
            "农业保险",
        ],
    ),
    (
        "安全生产",
        &[
            "隐患排查",
            "危险化学品",
            "应急预案",
            "安全检查",
            "事故调查",
            "消防安全",
        ],
    ),
];

const ACTIONS: [&str; 8] = [
    "关于做好",
    "关于印发",
    "关于开展",
    "关于公布",
    "关于调整",
    "关于进一步加强",
    "关于规范",
    "关于落实",
];
const ENDINGS: [&str; 8] = [
    "工作的通知",
    "实施方案的通知",
    "情况的公示",
    "的公告",
    "管理办法",
    "的实施意见",
    "工作方案",
    "的通知",
];
const GENERAL: [&str; 24] = [
    "各镇人民政府、各街道办事处",
    "根据《中华人民共和国政府信息公开条例》的规定",
    "为进一步做好政务公开工作",
    "按照上级部门的统一部署",
    "现将有关事项通知如下",
    "请各单位高度重视，认真组织实施",
    "切实保障人民群众的合法权益",
    "依申请公开的办理时限为二十个工作日",
    "如对本决定不服，可依法申请行政复议或者提起行政诉讼",
    "本通知自印发之日起施行",
    "相关信息已在政府网站主动公开",
    "申请材料齐全、符合法定形式的，予以受理",
    "资金由区财政统筹安排",
    "严格落实首问负责制和限时办结制",
    "加强对标准目录的动态调整",
    "推进基层政务公开标准化规范化",
    "对符合条件的对象按月发放",
    "经审核公示无异议后予以确认",
    "进一步优化营商环境",
    "各部门要加强协调配合，形成工作合力",
    "具体以相关部门公布为准",
    "政府信息公开工作年度报告已按时发布",
    "做好政策解读和舆情回应",
    "确保各项措施落到实处",
];
const SURNAMES: [&str; 16] = [
    "陈", "李", "黄", "张", "梁", "刘", "林", "何", "冼", "欧阳", "麦", "谭", "罗", "郭", "邓",
    "区",
];
const GIVEN: [&str; 16] = [
    "志强", "锦豪", "美玲", "晓东", "嘉欣", "伟明", "丽珍", "国华", "少芬", "永康", "敏仪", "家俊",
    "颖", "振华", "海燕", "子轩",
];

/// Builds document `n` of a corpus seeded with `seed`.
pub fn document(seed: u64, n: usize) -> SearchDoc {
    let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let (district, d_abbr, d_code) = *rng.pick(&DISTRICTS);
    let town = rng.below(4) == 0;
    let (body_name, body_code, abbr) = if town {
        let t = *rng.pick(&TOWNS);
        (
            format!("广州市{district}{t}"),
            format!(
                "{d_code}-town-{}",
                TOWNS.iter().position(|x| *x == t).unwrap_or(0)
            ),
            format!("{}镇", t.chars().next().unwrap_or('镇')),
        )
    } else {
        let (dept, code, a) = *rng.pick(&DEPARTMENTS);
        (
            format!("广州市{district}{dept}"),
            format!("{d_code}-{code}"),
            format!("{d_abbr}{a}"),
        )
    };
    let (domain, vocab) = *rng.pick(&DOMAINS);
    let year = 2019 + rng.below(7) as i32;
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let kind = match rng.below(20) {
        0 => DocKind::Report,
        1..=3 => DocKind::CatalogItem,
        _ => DocKind::Document,
    };
    let term = *rng.pick(vocab);
    let title = match kind {
        DocKind::Report => format!("{body_name}{year}年政府信息公开工作年度报告"),
        DocKind::CatalogItem => format!("{domain}：{term}"),
        DocKind::ServiceItem => format!("{term}办理"),
        DocKind::Document => format!("{}{year}年{term}{}", rng.pick(&ACTIONS), rng.pick(&ENDINGS)),
    };
    let number = 1 + rng.below(300);
    let doc_number = (kind == DocKind::Document).then(|| format!("{abbr}〔{year}〕{number}号"));
    let index_number = format!(
        "{d_code}{:06}/{year}-{:05}",
        rng.below(1_000_000),
        n % 100_000
    );

    let sentences = 6 + rng.below(30);
    let mut text = String::with_capacity(sentences * 40);
    for i in 0..sentences {
        match rng.below(7) {
            0 | 1 => text.push_str(rng.word(&GENERAL)),
            2 => {
                text.push_str(rng.word(vocab));
                text.push_str("的申请条件、办理流程和");
                text.push_str(rng.word(vocab));
                text.push_str("标准按有关规定执行");
            }
            3 => {
                text.push_str(&format!(
                    "{year}年{domain}专项资金{}.{}万元已下达{}",
                    1 + rng.below(900),
                    rng.below(100),
                    rng.pick(&TOWNS)
                ));
            }
            4 => {
                text.push_str("联系人：");
                text.push_str(rng.word(&SURNAMES));
                text.push_str(rng.word(&GIVEN));
                text.push_str(&format!(
                    "，联系电话：020-{}",
                    30_000_000 + rng.below(9_999_999)
                ));
            }
            5 => {
                text.push_str(&format!("办理{term}事项共{}件", rng.below(5000)));
            }
            _ => {
                text.push_str(&format!("{district}{}", rng.pick(&GENERAL)));
            }
        }
        text.push(if i % 5 == 4 { '\n' } else { '。' });
    }

    SearchDoc {
        id: format!("doc:{n}"),
        kind,
        body_code,
        body_name,
        domain: Some(domain.to_string()),
        year: Some(year),
        date: Some(format!("{year}-{month:02}-{day:02}")),
        title,
        text,
        doc_number,
        index_number: Some(index_number),
        url: format!("/xxgk/{n}"),
    }
}

/// A corpus of `count` documents.
pub fn corpus(seed: u64, count: usize) -> impl Iterator<Item = SearchDoc> {
    (0..count).map(move |n| document(seed, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_valid_and_deterministic() {
        for n in 0..500 {
            let d = document(7, n);
            d.prepare().expect("synthetic document is valid");
            assert_eq!(d, document(7, n));
        }
        assert_ne!(document(7, 1), document(8, 1));
    }
}
