//! Portal content of the demo: disclosure guides, the standard catalog (标准目录) over every
//! domain of [`STANDARD_DOMAINS`], and documents published under it over about two years,
//! with a few unpublished drafts.

use super::{Ctx, Rng, bug};
use gongkai_calendar::format_date;
use gongkai_ledger::content::{CatalogItemRecord, Guide, PublicDocumentRecord, STANDARD_DOMAINS};
use gongkai_store::{Store, StoreError};
use std::collections::BTreeMap;
use time::{Date, Duration, Month};

/// Fixed facts of a demo body with full data.
pub(crate) struct Profile {
    /// Body code.
    pub code: &'static str,
    /// Short name used in titles (黄阁镇).
    pub short: &'static str,
    /// 文号 prefix of its documents (黄府).
    pub doc_prefix: &'static str,
    /// 文号 prefix of its replies to applications.
    pub reply_prefix: &'static str,
    /// 文号 prefix of its normative documents.
    pub norm_prefix: &'static str,
    /// The office handling disclosure.
    pub office: &'static str,
    pub address: &'static str,
    pub postcode: &'static str,
    pub phone: &'static str,
    pub fax: &'static str,
    pub email: &'static str,
    /// Villages and communities.
    pub villages: &'static [&'static str],
    /// Roads.
    pub roads: &'static [&'static str],
    /// Applications received in a full year (before the fixed scenarios).
    pub yearly_applications: u32,
    /// Login recorded as the actor of the clerk's work.
    pub clerk: &'static str,
    /// Login recorded as the approver of its reports.
    pub reviewer: &'static str,
    /// Wording of a township (镇) text that differs for a subdistrict (街道).
    pub wording: &'static [(&'static str, &'static str)],
}

/// How the texts of a subdistrict (街道办事处) differ from a township's.
const SUBDISTRICT: &[(&str, &str)] = &[
    ("我镇", "本街道"),
    ("镇属各部门", "街道各部门"),
    ("镇政务服务中心", "街道政务服务中心"),
    ("镇文化广场", "街道文化广场"),
    ("镇图书馆", "街道图书馆"),
    ("镇复核", "街道复核"),
    ("各村（居）委会", "各社区居委会、村委会"),
];

impl Profile {
    /// `text` in the body's own wording (街道 instead of 镇 where it differs).
    pub fn localise(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in self.wording {
            out = out.replace(from, to);
        }
        out
    }
}

pub(crate) const PROFILES: [Profile; 3] = [
    Profile {
        code: "440115101",
        short: "黄阁镇",
        doc_prefix: "黄府",
        reply_prefix: "黄府依申复",
        norm_prefix: "黄府规",
        office: "黄阁镇党政综合办公室（政务公开办）",
        address: "广州市南沙区黄阁镇市南公路黄阁段政务服务中心一楼政府信息公开受理窗口",
        postcode: "511455",
        phone: "020-3468 0101（演示号码）",
        fax: "020-3468 0102（演示号码）",
        email: "gongkai@huangge.example.cn",
        villages: &[
            "黄阁村",
            "东里村",
            "大塘村",
            "莲溪村",
            "乌洲村",
            "麒麟村",
            "小虎村",
            "沙仔村",
        ],
        roads: &[
            "市南公路黄阁段",
            "黄阁北路",
            "麒麟二路",
            "凤凰大道",
            "蕉门河东路",
        ],
        yearly_applications: 32,
        clerk: "clerk",
        reviewer: "reviewer",
        wording: &[],
    },
    Profile {
        code: "440115102",
        short: "横沥镇",
        doc_prefix: "横府",
        reply_prefix: "横府依申复",
        norm_prefix: "横府规",
        office: "横沥镇党政综合办公室",
        address: "广州市南沙区横沥镇横沥大道政务服务中心二楼政府信息公开窗口",
        postcode: "511466",
        phone: "020-3468 0201（演示号码）",
        fax: "020-3468 0202（演示号码）",
        email: "gongkai@hengli.example.cn",
        villages: &["新兴村", "冯马村", "义沙村", "二涌村", "三沙村", "大元村"],
        roads: &["横沥大道", "明珠湾大道", "灵新大道", "凤凰三路"],
        yearly_applications: 18,
        clerk: "hengli-clerk",
        reviewer: "hengli-reviewer",
        wording: &[],
    },
    Profile {
        code: "440115001",
        short: "南沙街道",
        doc_prefix: "南街办",
        reply_prefix: "南街依申复",
        norm_prefix: "南街规",
        office: "南沙街道党政综合办公室",
        address: "广州市南沙区南沙街道进港大道街道办事处一楼政府信息公开受理点",
        postcode: "511458",
        phone: "020-3468 0301（演示号码）",
        fax: "020-3468 0302（演示号码）",
        email: "gongkai@nanshajd.example.cn",
        villages: &[
            "塘坑村",
            "金洲社区",
            "南北台村",
            "板头村",
            "东涌社区",
            "幸福社区",
        ],
        roads: &["进港大道", "金隆路", "港前大道", "环市大道南"],
        yearly_applications: 22,
        clerk: "nanshajd-clerk",
        reviewer: "nanshajd-reviewer",
        wording: SUBDISTRICT,
    },
];

/// Replace the placeholders of a template: {机关} {镇} {年} {上年} {村} {路} {电话}
/// {办} {数} {数2} and the amounts of [`base_vars`].
pub(crate) fn fill(template: &str, vars: &BTreeMap<&'static str, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

fn base_vars(ctx: &Ctx<'_>, year: i32, rng: &mut Rng) -> BTreeMap<&'static str, String> {
    base_vars_for(ctx.body_name, ctx.profile, year, rng)
}

fn base_vars_for(
    body_name: &str,
    p: &Profile,
    year: i32,
    rng: &mut Rng,
) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("机关", body_name.to_string());
    v.insert("镇", p.short.to_string());
    v.insert("年", year.to_string());
    v.insert("上年", (year - 1).to_string());
    v.insert("村", rng.pick(p.villages).to_string());
    v.insert("路", rng.pick(p.roads).to_string());
    v.insert("电话", p.phone.to_string());
    v.insert("办", p.office.to_string());
    v.insert("数", rng.range(12, 96).to_string());
    v.insert("数2", rng.range(3, 11).to_string());
    // Quantities that belong together (counts and the amounts they imply, in 万元).
    let wan = |yuan: u32| format!("{:.2}", f64::from(yuan) / 10_000.0);
    let elders = rng.range(380, 1200);
    v.insert("人数", elders.to_string());
    // 3 months, 100–300 元 a month depending on age.
    v.insert("津贴", wan(elders * 3 * rng.range(130, 170)));
    let relief = rng.range(6, 30);
    v.insert("人次", relief.to_string());
    v.insert("急难", rng.range(1, relief / 3).to_string());
    v.insert("救助金", wan(relief * rng.range(1_500, 4_000)));
    v.insert(
        "预算",
        format!("{}.{:02}", rng.range(9_000, 16_000), rng.range(0, 99)),
    );
    v.insert("三公", format!("{}.{}", rng.range(6, 18), rng.range(0, 9)));
    v.insert("岗位", (rng.range(8, 30) * 100).to_string());
    let mu = rng.range(1_500, 6_000);
    v.insert("亩", mu.to_string());
    // About 70 元 per 亩.
    v.insert("地力补贴", wan(mu * rng.range(65, 75)));
    v.insert("渔业补助", wan(rng.range(80_000, 450_000)));
    v
}

/// The disclosure guide of a body.
fn guide(ctx: &Ctx<'_>) -> Guide {
    let p = ctx.profile;
    let text = format!(
        "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的规定，\
编制本指南。申请人在提出政府信息公开申请前，请仔细阅读本指南。本指南每年更新，最近一次更新于{year}年1月。\n\
一、主动公开\n\
（一）公开内容。{name}依照《条例》第十九条、第二十条、第二十一条和《{short}基层政务公开标准目录》，主动公开户籍管理、\
社会救助、养老服务、财政预决算、就业、社会保险、市政服务、城市综合执法、涉农补贴、安全生产、义务教育、公共文化服务等领域\
的政府信息，公开事项、公开依据、公开时限和公开渠道详见本平台“标准目录”栏目。\n\
（二）公开方式。主动公开的政府信息通过本平台、广州市南沙区人民政府门户网站“{short}”专栏、“{short}发布”政务新媒体、\
镇政务服务中心政府信息查阅点和各村（社区）公开栏等途径公开。\n\
（三）公开时限。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开；法律、法规对公开期限另有\
规定的，从其规定。\n\
二、依申请公开\n\
（一）受理机构。{office}负责受理向{name}提出的政府信息公开申请。\n\
（二）申请方式。申请人可以通过本平台“申请公开”在线提交，也可以当面提交、邮寄或者传真《政府信息公开申请表》。\
采用信函方式提交的，请在信封左下角注明“政府信息公开申请”字样。申请人应当提供身份证明，申请内容应当包括：申请人的姓名或者名称、\
身份证明、联系方式；申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述；申请公开的政府信息的形式要求，\
包括获取信息的方式、途径。\n\
（三）申请的处理。申请内容不明确的，将自收到申请之日起7个工作日内一次性告知申请人作出补正；能够当场答复的当场予以答复，\
不能当场答复的自收到申请之日起20个工作日内予以答复；需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，\
延长的期限最长不超过20个工作日。征求第三方和其他机关意见所需时间不计算在答复期限内。\n\
（四）收费。提供政府信息不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，按照《政府信息公开信息处理费\
管理办法》收取信息处理费，并在收费前向申请人发出收费通知。\n\
三、监督和救济\n\
公民、法人或者其他组织认为{name}在政府信息公开工作中侵犯其合法权益的，可以向广州市南沙区政务公开工作主管部门投诉、举报，\
也可以依法申请行政复议或者提起行政诉讼。\n\
四、联系方式\n\
受理机构：{office}\n\
办公地址：{address}\n\
邮政编码：{postcode}\n\
咨询电话：{phone}\n\
传真号码：{fax}\n\
电子邮箱：{email}",
        year = ctx.today.year(),
        name = ctx.body_name,
        short = p.short,
        office = p.office,
        address = p.address,
        postcode = p.postcode,
        phone = p.phone,
        fax = p.fax,
        email = p.email,
    );
    Guide {
        text: p.localise(&text),
        address: p.address.to_string(),
        office_hours: "工作日上午9:00—12:00，下午14:00—17:30（法定节假日除外）".into(),
        phone: p.phone.to_string(),
    }
}

/// One catalog item: (domain, 公开事项, 公开依据, 公开时限, 公开对象).
type CatalogRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const TWENTY_DAYS: &str = "信息形成或者变更之日起20个工作日内";

const CATALOG: &[CatalogRow] = &[
    (
        "户籍管理",
        "户口迁移、登记政策及办事指南",
        "《中华人民共和国户口登记条例》；《广州市户籍迁入管理规定》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "户籍管理",
        "流动人口居住登记和居住证办理",
        "《居住证暂行条例》；《广东省流动人口服务管理条例》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "社会救助",
        "最低生活保障对象审核确认结果",
        "《社会救助暂行办法》；《广东省最低生活保障制度实施办法》",
        "审核确认后即时公示，公示期7天；每季度更新",
        "全社会",
    ),
    (
        "社会救助",
        "临时救助政策及救助情况",
        "《社会救助暂行办法》；《广州市临时救助办法》",
        "每季度结束后20个工作日内",
        "全社会",
    ),
    (
        "社会救助",
        "特困人员供养审核确认结果",
        "《社会救助暂行办法》；《国务院关于进一步健全特困人员救助供养制度的意见》",
        "审核确认后即时公示，公示期7天",
        "全社会",
    ),
    (
        "养老服务",
        "高龄老人津贴发放情况",
        "《广州市居家养老服务条例》；《广州市高龄老人津贴发放管理办法》",
        "每季度结束后20个工作日内",
        "全社会",
    ),
    (
        "养老服务",
        "长者饭堂及居家养老服务信息",
        "《广州市居家养老服务条例》；《国务院办公厅关于推进养老服务发展的意见》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "财政预决算",
        "部门预算",
        "《中华人民共和国预算法》第十四条；《地方预决算公开操作规程》",
        "预算批复后20日内",
        "全社会",
    ),
    (
        "财政预决算",
        "部门决算",
        "《中华人民共和国预算法》第十四条；《地方预决算公开操作规程》",
        "决算批复后20日内",
        "全社会",
    ),
    (
        "财政预决算",
        "“三公”经费预决算",
        "《中华人民共和国预算法》；《地方预决算公开操作规程》",
        "随部门预决算同步公开",
        "全社会",
    ),
    (
        "就业",
        "招聘会及岗位信息",
        "《中华人民共和国就业促进法》；《人力资源市场暂行条例》",
        "招聘会举办前5个工作日",
        "全社会",
    ),
    (
        "就业",
        "就业创业补贴申领",
        "《中华人民共和国就业促进法》；《广州市就业创业补贴申请办理指导手册》",
        TWENTY_DAYS,
        "特定群体",
    ),
    (
        "社会保险",
        "城乡居民基本养老保险和医疗保险参保缴费",
        "《中华人民共和国社会保险法》；《广州市城乡居民社会养老保险试行办法》",
        "参保缴费期开始前20个工作日内",
        "全社会",
    ),
    (
        "社会保险",
        "社会保险待遇领取资格认证",
        "《中华人民共和国社会保险法》；《人力资源社会保障部关于全面取消领取社会保险待遇资格集中认证的通知》",
        TWENTY_DAYS,
        "特定群体",
    ),
    (
        "市政服务",
        "道路、供排水等市政设施建设维护",
        "《城市道路管理条例》；《城镇排水与污水处理条例》",
        "施工前5个工作日",
        "全社会",
    ),
    (
        "市政服务",
        "停水停电及交通管制公告",
        "《城市供水条例》；《中华人民共和国道路交通安全法》",
        "实施前3日",
        "全社会",
    ),
    (
        "城市综合执法",
        "执法依据、程序及专项整治行动",
        "《中华人民共和国行政处罚法》；《广东省镇街综合行政执法工作指引》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "城市综合执法",
        "行政处罚结果",
        "《中华人民共和国行政处罚法》第四十八条；《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
        "作出决定之日起7个工作日内",
        "全社会",
    ),
    (
        "涉农补贴",
        "耕地地力保护补贴发放",
        "《财政部 农业农村部关于全面推开农业“三项补贴”改革工作的通知》",
        "发放前公示不少于7天",
        "全社会",
    ),
    (
        "涉农补贴",
        "农机购置补贴及渔业补贴",
        "《农业机械购置补贴实施指导意见》；《广东省渔业发展补助资金管理办法》",
        "发放前公示不少于7天",
        "全社会",
    ),
    (
        "安全生产",
        "安全生产工作部署及检查情况",
        "《中华人民共和国安全生产法》；《广东省安全生产条例》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "安全生产",
        "三防（防汛防旱防风）及应急预案",
        "《中华人民共和国突发事件应对法》；《广东省防汛防旱防风条例》",
        TWENTY_DAYS,
        "全社会",
    ),
    (
        "义务教育",
        "义务教育阶段招生入学政策",
        "《中华人民共和国义务教育法》；《广州市义务教育阶段学校招生工作意见》",
        "招生工作开始前20个工作日",
        "全社会",
    ),
    (
        "义务教育",
        "学生资助政策及结果",
        "《中华人民共和国义务教育法》；《学生资助资金管理办法》",
        "资助名单确定后公示5个工作日",
        "特定群体",
    ),
    (
        "公共文化服务",
        "公共文化设施开放和文化活动",
        "《中华人民共和国公共文化服务保障法》；《公共文化体育设施条例》",
        "活动举办前5个工作日",
        "全社会",
    ),
    (
        "公共文化服务",
        "全民健身和群众体育活动",
        "《全民健身条例》；《中华人民共和国公共文化服务保障法》",
        "活动举办前5个工作日",
        "全社会",
    ),
];

/// The topic (主题分类) of documents in a domain.
fn topic_of(domain: &str) -> &'static str {
    match domain {
        "户籍管理" | "城市综合执法" | "安全生产" => "公安、安全、司法",
        "社会救助" | "养老服务" => "民政、扶贫、救灾",
        "财政预决算" => "财政、金融、审计",
        "就业" | "社会保险" => "劳动、人事、监察",
        "市政服务" => "城乡建设、环境保护",
        "涉农补贴" => "农业、林业、水利",
        "义务教育" => "科技、教育",
        "公共文化服务" => "卫生、体育",
        _ => "综合政务",
    }
}

/// A document template: catalog item (index into [`CATALOG`]), month written, whether it
/// carries a 文号, title and paragraphs with placeholders (see [`fill`]).
struct DocTemplate {
    item: usize,
    month: u8,
    numbered: bool,
    title: &'static str,
    paragraphs: &'static [&'static str],
}

const DOCS: &[DocTemplate] = &[
    DocTemplate {
        item: 0,
        month: 3,
        numbered: true,
        title: "{镇}关于做好{年}年度户籍业务便民服务工作的通知",
        paragraphs: &[
            "各村（居）委会、镇属各部门：",
            "为进一步方便群众办理户籍业务，根据广州市公安局南沙区分局工作部署，结合我镇实际，现就{年}年度户籍业务便民服务工作通知如下。",
            "一、镇政务服务中心户籍窗口实行工作日“午间不断档”服务，出生登记、户口迁移、户籍证明等{数2}类业务可“一窗通办”。",
            "二、各村（居）委会要主动摸排辖区内行动不便群众的办证需求，由户籍民警定期提供上门服务。",
            "三、户籍业务咨询电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 1,
        month: 6,
        numbered: false,
        title: "{镇}流动人口居住登记和居住证办理指南（{年}年版）",
        paragraphs: &[
            "一、办理对象：离开常住户口所在地，到{镇}居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的公民。",
            "二、办理地点：{镇}出租屋管理服务中心及各村（社区）来穗人员服务站。",
            "三、所需材料：居民身份证、近期免冠照片、居住地址证明；以就业、就读条件申领的，另需提供相应证明材料。",
            "四、办理时限：材料齐全的，自受理之日起10个工作日内办结。",
        ],
    },
    DocTemplate {
        item: 2,
        month: 4,
        numbered: false,
        title: "{镇}{年}年第一季度最低生活保障对象审核确认结果公示",
        paragraphs: &[
            "根据《社会救助暂行办法》和《广东省最低生活保障制度实施办法》，经入户调查、民主评议和审核确认，{年}年第一季度{镇}新增最低生活保障对象{数2}户，停发{数2}户，现将结果予以公示。",
            "公示期为7天。如对公示结果有异议，请在公示期内向{镇}社会事务办公室反映，联系电话：{电话}。",
            "（公示名单略去身份证号码等个人信息，详见镇政务服务中心公开栏。）",
        ],
    },
    DocTemplate {
        item: 3,
        month: 10,
        numbered: false,
        title: "{镇}{年}年第三季度临时救助情况公开",
        paragraphs: &[
            "{年}年第三季度，{镇}共实施临时救助{人次}人次，发放救助金{救助金}万元，其中急难型救助{急难}人次。",
            "临时救助申请可向户籍所在地或者居住地村（居）委会、镇政务服务中心社会救助窗口提出，对急难型救助实行“先行救助、事后补证”。",
        ],
    },
    DocTemplate {
        item: 5,
        month: 7,
        numbered: false,
        title: "{镇}{年}年第二季度高龄老人津贴发放情况公示",
        paragraphs: &[
            "根据《广州市高龄老人津贴发放管理办法》，{年}年第二季度{镇}共为{人数}名80周岁以上户籍老人发放高龄老人津贴，合计{津贴}万元。",
            "津贴已按月直接发放至老人本人社会保障卡账户。对发放情况有疑问的，请与{镇}社会事务办公室联系，电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 6,
        month: 9,
        numbered: true,
        title: "{镇}关于印发{年}年居家养老服务工作方案的通知",
        paragraphs: &[
            "各村（居）委会、镇属各部门：",
            "现将《{镇}{年}年居家养老服务工作方案》印发给你们，请认真贯彻执行。",
            "方案明确，{年}年我镇将新增长者饭堂助餐配餐点{数2}个，完善“3+X”助餐服务网络，为辖区内{数}名特殊困难老人提供居家上门服务，并于{村}试点建设社区嵌入式养老服务综合体。",
            "执行中遇到的问题，请及时向{镇}社会事务办公室反映。",
        ],
    },
    DocTemplate {
        item: 7,
        month: 2,
        numbered: false,
        title: "{机关}{年}年部门预算",
        paragraphs: &[
            "第一部分  部门概况：{机关}主要职责、机构设置及预算单位构成情况。",
            "第二部分  {年}年部门预算表：收支总体情况表、一般公共预算支出表、政府性基金预算支出表、“三公”经费预算表等。",
            "第三部分  {年}年部门预算情况说明：{年}年收支预算总计{预算}万元，比上年略有下降，主要是压减一般性支出。",
            "第四部分  名词解释。",
        ],
    },
    DocTemplate {
        item: 8,
        month: 9,
        numbered: false,
        title: "{机关}{上年}年部门决算",
        paragraphs: &[
            "第一部分  部门概况。",
            "第二部分  {上年}年度部门决算表。",
            "第三部分  {上年}年度部门决算情况说明：{上年}年度收入总计{预算}万元，支出总计与收入总计持平；“三公”经费支出均控制在预算以内。",
            "第四部分  名词解释。",
        ],
    },
    DocTemplate {
        item: 9,
        month: 2,
        numbered: false,
        title: "{机关}{年}年“三公”经费预算情况说明",
        paragraphs: &[
            "{年}年“三公”经费预算{三公}万元，其中因公出国（境）费0万元，公务用车购置及运行维护费占主要部分，公务接待费比上年减少。",
            "我镇将严格执行中央八项规定精神，从严控制“三公”经费支出。",
        ],
    },
    DocTemplate {
        item: 10,
        month: 2,
        numbered: false,
        title: "{镇}{年}年“春风行动”专场招聘会公告",
        paragraphs: &[
            "为促进辖区企业复工复产和劳动者就业，{镇}定于{年}年2月下旬在镇文化广场举办“春风行动”专场招聘会。",
            "本次招聘会预计有{数}家企业参加，提供普工、技工、物流、电商等岗位{岗位}余个。",
            "求职者请携带居民身份证及个人简历参加，现场提供就业政策咨询和失业登记服务。",
        ],
    },
    DocTemplate {
        item: 11,
        month: 5,
        numbered: true,
        title: "{镇}关于开展{年}年就业创业补贴申领工作的通知",
        paragraphs: &[
            "各村（居）委会、辖区各用人单位：",
            "根据广州市就业创业补贴有关规定，现将{年}年就业创业补贴申领工作通知如下：",
            "一、补贴项目包括一次性创业资助、创业带动就业补贴、社会保险补贴和岗位补贴等。",
            "二、申领人可通过广东政务服务网或到镇政务服务中心人社窗口提出申请，申领材料详见办事指南。",
        ],
    },
    DocTemplate {
        item: 12,
        month: 9,
        numbered: false,
        title: "关于做好{镇}{年}年度城乡居民基本医疗保险参保缴费工作的通告",
        paragraphs: &[
            "{年}年度城乡居民基本医疗保险集中参保缴费期为9月1日至12月31日。",
            "参保人可通过“粤税通”小程序、银行网点或镇政务服务中心社保窗口缴费；最低生活保障对象、特困人员等个人缴费部分由政府全额资助。",
            "咨询电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 13,
        month: 3,
        numbered: false,
        title: "{镇}关于{年}年社会保险待遇领取资格认证的温馨提示",
        paragraphs: &[
            "领取养老保险待遇的人员每年需进行一次待遇领取资格认证，可通过手机“刷脸”自助认证，也可到各村（社区）服务站由工作人员协助办理。",
            "行动不便的老人可预约上门认证服务，预约电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 14,
        month: 4,
        numbered: true,
        title: "{镇}关于{路}道路提升改造工程施工的公告",
        paragraphs: &[
            "为改善群众出行条件，我镇将对{路}（{村}段）实施道路提升改造，工程内容包括路面修复、雨污分流管网改造和人行道铺装。",
            "计划工期约{数2}0天。施工期间实行半幅通行，请过往车辆和行人注意安全，按指示标志绕行。",
            "因施工给您带来的不便，敬请谅解。",
        ],
    },
    DocTemplate {
        item: 15,
        month: 11,
        numbered: false,
        title: "{镇}{村}片区计划停水通知",
        paragraphs: &[
            "因市政供水管网接驳施工，{村}片区将于本月中旬暂停供水约{数2}小时。",
            "请受影响区域的居民和单位提前做好储水准备。如有疑问，请致电{电话}。",
        ],
    },
    DocTemplate {
        item: 16,
        month: 5,
        numbered: true,
        title: "{镇}关于开展违法建设和“两违”专项整治行动的通告",
        paragraphs: &[
            "为巩固违法建设治理成果，维护城乡规划秩序，{镇}决定于{年}年5月至12月在全镇范围内开展违法建设和“两违”专项整治行动。",
            "一、整治范围：新增违法建设、未经批准擅自改变用途的建筑物及非法占用土地行为。",
            "二、当事人应当自本通告发布之日起自行整改；逾期不整改的，依法予以查处。",
            "三、欢迎群众举报违法建设行为，举报电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 17,
        month: 8,
        numbered: false,
        title: "{镇}综合行政执法办公室{年}年上半年行政处罚结果公开",
        paragraphs: &[
            "{年}年上半年，{镇}综合行政执法办公室共作出行政处罚决定{数}宗，主要涉及违法建设、占道经营和违规排放污水等。",
            "行政处罚决定书按照规定在作出决定之日起7个工作日内公开（已去除个人隐私信息）。",
        ],
    },
    DocTemplate {
        item: 18,
        month: 6,
        numbered: false,
        title: "{镇}{年}年耕地地力保护补贴发放公示",
        paragraphs: &[
            "根据农业“三项补贴”改革有关规定，{年}年{镇}耕地地力保护补贴面积{亩}亩，补贴资金{地力补贴}万元。",
            "公示期为7天。对公示内容有异议的，请向{镇}农业农村办公室反映，电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 19,
        month: 11,
        numbered: false,
        title: "{镇}{年}年渔业发展补助资金发放公示",
        paragraphs: &[
            "{年}年{镇}渔业发展补助资金涉及渔船{数2}艘、养殖户{数}户，补助资金合计{渔业补助}万元。",
            "现予公示，公示期7天。",
        ],
    },
    DocTemplate {
        item: 20,
        month: 4,
        numbered: true,
        title: "{镇}关于印发{年}年安全生产工作要点的通知",
        paragraphs: &[
            "各村（居）委会、镇属各部门、辖区各生产经营单位：",
            "现将《{镇}{年}年安全生产工作要点》印发给你们，请结合实际认真贯彻落实。",
            "{年}年要重点抓好危险化学品、消防、道路交通、建筑施工和燃气等领域的风险排查整治，全年开展安全生产检查不少于{数}次。",
        ],
    },
    DocTemplate {
        item: 21,
        month: 5,
        numbered: true,
        title: "{镇}关于做好{年}年“三防”工作的通知",
        paragraphs: &[
            "各村（居）委会、镇属各部门：",
            "{年}年汛期即将到来，为切实做好防汛防旱防风工作，保障人民群众生命财产安全，现就有关事项通知如下：",
            "一、落实责任。各村（居）要落实“三防”责任人，做好低洼易涝点、危房和在建工地的巡查。",
            "二、做好转移准备。提前制定人员转移方案，确保台风、暴雨来临时危险区域人员及时转移。",
            "三、严格值班值守。汛期实行24小时值班和领导带班制度，值班电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 22,
        month: 4,
        numbered: false,
        title: "{镇}{年}年义务教育阶段学校招生工作方案",
        paragraphs: &[
            "{年}年{镇}公办小学和初中继续实行划片招生、免试就近入学。",
            "来穗人员随迁子女可按照积分入学办法申请公办学校学位，网上报名时间以区教育局公告为准。",
            "招生咨询电话：{电话}。",
        ],
    },
    DocTemplate {
        item: 23,
        month: 10,
        numbered: false,
        title: "{镇}{年}年秋季学期学生资助名单公示",
        paragraphs: &[
            "经学校审核、镇复核，{年}年秋季学期{镇}共有{数}名家庭经济困难学生拟获得资助。",
            "公示期为5个工作日（名单已隐去身份证号码等个人信息）。",
        ],
    },
    DocTemplate {
        item: 24,
        month: 1,
        numbered: false,
        title: "{镇}{年}年春节期间群众文化活动安排",
        paragraphs: &[
            "为丰富群众节日文化生活，{镇}将于春节期间在镇文化广场、{村}文化室举办迎春花市、粤剧私伙局展演和非遗展示等活动共{数2}场。",
            "镇图书馆、文化站春节期间正常开放（除夕、初一闭馆）。",
        ],
    },
    DocTemplate {
        item: 25,
        month: 8,
        numbered: false,
        title: "{镇}{年}年全民健身日系列活动通知",
        paragraphs: &[
            "为迎接8月8日“全民健身日”，{镇}将组织开展篮球联赛、广场舞展演和健步走等系列活动。",
            "各村（居）可组队报名，报名截止时间为活动开始前5个工作日。",
        ],
    },
];

/// Write the guide, the catalog and the documents of one body.
pub(crate) async fn seed_portal(ctx: &Ctx<'_>) -> Result<(), StoreError> {
    let store = ctx.store;
    store.set_guide(ctx.body_id, &guide(ctx), "demo").await?;
    let channel = format!(
        "{short}政府信息公开平台“标准目录”栏目；广州市南沙区人民政府门户网站“{short}”专栏；“{short}发布”政务新媒体；\
镇政务服务中心政府信息查阅点；村（社区）公开栏",
        short = ctx.profile.short
    );
    let channel = ctx.profile.localise(&channel);
    for d in STANDARD_DOMAINS {
        if !CATALOG.iter().any(|c| c.0 == d) {
            return Err(bug(format!("no catalog item for the domain {d}")));
        }
    }
    let mut items = Vec::with_capacity(CATALOG.len());
    for (domain, name, basis, time_limit, audience) in CATALOG {
        let item = store
            .create_catalog_item(
                &CatalogItemRecord {
                    body_id: ctx.body_id,
                    domain: (*domain).into(),
                    name: (*name).into(),
                    basis: (*basis).into(),
                    time_limit: (*time_limit).into(),
                    channel: channel.clone(),
                    subject: ctx.body_name.into(),
                    audience: (*audience).into(),
                    manner: "主动公开".into(),
                },
                "demo",
            )
            .await?;
        items.push(item.id);
    }

    // Documents written within the last two years (oldest first, so that index numbers and
    // 文号 follow the order of writing), each template once a year.
    let mut rng = ctx.rng("documents");
    let today = ctx.today;
    let earliest = today - Duration::days(730);
    let mut planned: Vec<(Date, usize, i32)> = Vec::new();
    for (t, tpl) in DOCS.iter().enumerate() {
        // Siblings publish a little less than 黄阁镇.
        let skip_percent = if ctx.profile.code == super::HUANGGE {
            0
        } else {
            20
        };
        for year in (today.year() - 2)..=today.year() {
            let month = Month::try_from(tpl.month).map_err(bug)?;
            let day = rng.range(2, 25) as u8;
            let written = Date::from_calendar_date(year, month, day).map_err(bug)?;
            let written = ctx.days.on_or_after(written);
            if rng.chance(skip_percent) || written <= earliest || written >= today {
                continue;
            }
            planned.push((written, t, year));
        }
    }
    planned.sort();
    let mut serial: BTreeMap<i32, u32> = BTreeMap::new();
    for (written, t, year) in planned {
        let tpl = &DOCS[t];
        let published = ctx.days.add(written, rng.range(0, 3)).min(today);
        let doc_number = if tpl.numbered {
            let n = serial.entry(written.year()).or_insert(0);
            *n += rng.range(1, 4);
            format!("{}〔{}〕{}号", ctx.profile.doc_prefix, written.year(), n)
        } else {
            String::new()
        };
        let rec = document(ctx, tpl, &items, year, written, doc_number, &mut rng);
        let doc = store.create_public_document(&rec, "demo").await?;
        store
            .set_document_published(doc.id, true, published, "demo")
            .await?;
    }

    // Drafts: next year's versions of a few annual documents, being written now.
    let next = today.year() + 1;
    for t in [7usize, 20, 12] {
        let tpl = &DOCS[t];
        let written = ctx.days.on_or_before(today);
        let mut rec = document(ctx, tpl, &items, next, written, String::new(), &mut rng);
        rec.title = format!("{}（征求意见稿）", rec.title);
        store.create_public_document(&rec, "demo").await?;
    }
    Ok(())
}

fn document(
    ctx: &Ctx<'_>,
    tpl: &DocTemplate,
    items: &[i64],
    year: i32,
    written: Date,
    doc_number: String,
    rng: &mut Rng,
) -> PublicDocumentRecord {
    let vars = base_vars(ctx, year, rng);
    let domain = CATALOG[tpl.item].0;
    let mut text: Vec<String> = tpl.paragraphs.iter().map(|p| fill(p, &vars)).collect();
    text.push(String::new());
    text.push(ctx.body_name.to_string());
    text.push(chinese_date(written));
    PublicDocumentRecord {
        body_id: ctx.body_id,
        catalog_item_id: items.get(tpl.item).copied(),
        publisher: ctx.body_name.to_string(),
        written_on: written,
        doc_number,
        topic: topic_of(domain).into(),
        title: ctx.profile.localise(&fill(tpl.title, &vars)),
        text: ctx.profile.localise(&text.join("\n")),
    }
}

/// `2025年3月4日`.
pub(crate) fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// A short guide for 南沙区 too, so the district page is not empty.
pub(crate) async fn seed_district_guide(store: &Store) -> Result<(), StoreError> {
    let district = store.get_body_by_code("440115").await?;
    let address = "广州市南沙区凤凰大道1号区政务服务中心政府信息公开受理窗口";
    let phone = "020-3468 0001（演示号码）";
    let text = format!(
        "本指南依据《中华人民共和国政府信息公开条例》编制。\n\
一、主动公开：广州市南沙区人民政府主动公开的政府信息通过南沙区人民政府门户网站、本平台和区政务服务中心查阅点公开。\n\
二、依申请公开：区政府办公室（区政务服务数据管理局）负责受理向区人民政府提出的政府信息公开申请，申请人可在线提交或者当面、\
邮寄、传真提交申请表，应当提供身份证明。不能当场答复的，自收到申请之日起20个工作日内答复。\n\
三、监督和救济：认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向广州市政务公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。\n\
四、联系方式：{address}；咨询电话{phone}；更新日期{}。",
        format_date(Date::from_calendar_date(2025, Month::January, 6).map_err(bug)?)
    );
    store
        .set_guide(
            district.id,
            &Guide {
                text,
                address: address.into(),
                office_hours: "工作日上午9:00—12:00，下午14:00—18:00（法定节假日除外）".into(),
                phone: phone.into(),
            },
            "demo",
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_covers_every_standard_domain_and_templates_are_valid() {
        for d in STANDARD_DOMAINS {
            assert!(CATALOG.iter().any(|c| c.0 == d), "{d}");
            // every domain has documents
            assert!(DOCS.iter().any(|t| CATALOG[t.item].0 == d), "{d}");
        }
        for t in DOCS {
            assert!(t.item < CATALOG.len());
            assert!((1..=12).contains(&t.month));
            for p in t.paragraphs.iter().chain([&t.title]) {
                let mut rng = Rng::from_key("t");
                let vars = base_vars_for("某某镇人民政府", &PROFILES[0], 2025, &mut rng);
                let filled = fill(p, &vars);
                assert!(!filled.contains('{'), "unfilled placeholder in {p}");
            }
        }
        for p in &PROFILES {
            assert!(!p.villages.is_empty() && !p.roads.is_empty());
        }
    }
}
