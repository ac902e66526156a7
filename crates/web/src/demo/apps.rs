//! Applications of the demo: from 1 January two years ago to today received
//! through every channel from every applicant type, handled through every transition, closed
//! with every statutory outcome, some carried over a year end and some still open today —
//! one of them at risk, one overdue.
//!
//! Every plan is a receipt plus steps a number of working days apart; steps dated after
//! "today" are not applied (the application is still open at that step). Offsets keep every
//! reply within the statutory time limit and every correction request within 7 working days.

use super::content::fill;
use super::{Ctx, Rng};
use gongkai_ledger::{
    ApplicantType, Channel, Consultee, EventKind, NewApplication, Outcome, PersonalData,
    ReplyDocument,
};
use gongkai_store::StoreError;
use std::collections::BTreeMap;
use time::{Date, Duration, Month};

/// What the seeding of one body's applications produced, for cases, reports and tests.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// Every application: (id, outcome, closed on).
    pub apps: Vec<(i64, Option<Outcome>, Option<Date>)>,
    /// Per year: fee notices paid (count, fen).
    pub fees_paid: BTreeMap<i32, (u32, i64)>,
}

/// One step of a plan.
#[derive(Debug, Clone, Copy)]
enum Step {
    Note(&'static str),
    /// Deadline: this many working days after the request.
    CorrectionRequested(u32),
    Corrected,
    CorrectionLapsed,
    ConsultationStarted(Consultee),
    ConsultationEnded,
    Extension(u32),
    FeeNoticed(i64),
    FeePaid,
    FeeLapsed,
    Decide,
    Withdraw,
}

/// An application to register and handle.
struct Plan {
    received: Date,
    channel: Channel,
    applicant: ApplicantType,
    /// The outcome when the plan runs to its end (`None` for a withdrawal or a lapse).
    outcome: Option<Outcome>,
    /// (working days after the previous step, step).
    steps: Vec<(u32, Step)>,
}

/// An application open today: (working days since receipt, applicant, channel, outcome, steps).
type OpenPlan = (
    u32,
    ApplicantType,
    Channel,
    Option<Outcome>,
    Vec<(u32, Step)>,
);

/// Correction deadline given to the applicant, in working days.
const CORRECTION_DAYS: u32 = 15;
/// Working days after the fee notice by which the applicant must pay.
const FEE_DAYS: u32 = 20;

/// Requests (templates) by outcome and the gist of the reply.
fn texts(o: Outcome) -> (&'static [&'static str], &'static str) {
    use Outcome::*;
    match o {
        Granted => (
            &[
                "申请公开{镇}{年}年度高龄老人津贴发放汇总情况。",
                "申请公开{路}道路提升改造工程的施工许可、工期安排及竣工验收材料。",
                "申请公开{村}{年}年度耕地地力保护补贴发放名册（本户部分）。",
                "申请公开{镇}{年}年度部门预算中公共安全支出的明细。",
                "申请公开{村}旧村改造项目的批复文件及补偿安置方案。",
                "申请公开{镇}关于{村}垃圾中转站选址的会议决定及环境影响说明。",
                "申请公开本人户口迁入{镇}时提交的审批登记表。",
                "申请公开{镇}{年}年“春风行动”招聘会参会企业名单及岗位信息。",
            ],
            "予以公开：所申请信息属于公开范围，已按申请人要求的形式提供。",
        ),
        Partial => (
            &[
                "申请公开{村}集体土地征收项目的补偿款发放明细表。",
                "申请公开{镇}对{村}某厂房违法建设的调查处理材料。",
                "申请公开{镇}{年}年度渔业发展补助资金发放名单及金额。",
            ],
            "部分公开：涉及第三方个人信息的部分不予公开，其余部分已提供。",
        ),
        DeniedStateSecret => (
            &["申请公开{镇}{年}年度人民武装工作会议的全部会议材料。"],
            "不予公开：所申请信息经依法定密属于国家秘密。",
        ),
        DeniedLawForbidden => (
            &["申请公开{村}某户籍人员的收养登记档案。"],
            "不予公开：法律、行政法规禁止公开。",
        ),
        DeniedThreeSecurityOneStability => (
            &["申请公开{镇}危险化学品企业重大危险源分布图及应急处置预案原件。"],
            "不予公开：公开后可能危及公共安全和社会稳定。",
        ),
        DeniedThirdPartyRights => (
            &["申请公开{村}某企业提交的经营状况及财务报表。"],
            "不予公开：经征求第三方意见，该信息涉及商业秘密，第三方不同意公开。",
        ),
        DeniedInternalAffairs => (
            &["申请公开{镇}机关内部考勤管理规定及干部值班安排表。"],
            "不予公开：属于人事管理、后勤管理、内部工作流程等内部事务信息。",
        ),
        DeniedProcessInfo => (
            &["申请公开{镇}党政联席会议研究{村}土地整备项目时的讨论记录。"],
            "不予公开：属于讨论记录、过程稿、请示报告等过程性信息。",
        ),
        DeniedEnforcementCaseFile => (
            &["申请公开{镇}综合行政执法办公室对{路}某商铺行政处罚案件的全部案卷。"],
            "不予公开：属于行政执法案卷信息。",
        ),
        DeniedAdminInquiry => (
            &["申请公开{镇}对{村}某信访事项的调查核实报告。"],
            "不予公开：属于行政查询事项，已告知申请人按有关规定办理查询。",
        ),
        UnableNotHeld => (
            &[
                "申请公开{村}1992年宅基地审批的全部原始档案。",
                "申请公开{路}地下综合管廊的设计图纸。",
                "申请公开{镇}全部企业的用电量统计。",
                "申请公开广州市轨道交通线路在{镇}的规划站点坐标。",
            ],
            "无法提供：经检索，本机关未制作或者获取该信息；已告知申请人可向有关机关咨询。",
        ),
        UnableNeedNewCreation => (
            &["申请公开{镇}近十年所有村级工程项目按金额排序的汇总统计表。"],
            "无法提供：需要本机关对现有政府信息进行加工、分析，依法不予提供。",
        ),
        UnableUnclearAfterCorrection => (
            &["申请公开与本人有关的全部文件。"],
            "无法提供：经补正后申请内容仍不明确，无法确定所需信息。",
        ),
        NpPetitionComplaint => (
            &[
                "要求{镇}对{村}某厂房噪音扰民问题进行查处并公开处理结果。",
                "反映{路}施工占道问题，要求政府说明为何至今未整改。",
            ],
            "不予处理：属于信访、投诉、举报等诉求，已告知申请人通过相应渠道提出。",
        ),
        NpDuplicate => (
            &["再次申请公开{村}旧村改造项目的批复文件（与此前申请内容相同）。"],
            "不予处理：申请人重复申请公开相同政府信息，本机关已作出答复。",
        ),
        NpPublication => (
            &["申请提供{镇}{年}年度统计年鉴。"],
            "不予处理：所申请信息为公开出版物，已告知获取途径。",
        ),
        NpMassiveRepeated => (
            &["在一个月内分三十余次申请公开{镇}各村历年全部会议记录。"],
            "不予处理：申请数量明显超过合理范围且无正当理由。",
        ),
        NpConfirmOrReissue => (
            &["要求{镇}确认其此前出具的{村}土地权属证明材料是否真实有效。"],
            "不予处理：要求行政机关确认或者重新出具已获取的信息，不属于政府信息公开申请。",
        ),
        OtherNoCorrection | OtherFeeUnpaid | OtherOther => (
            &[
                "申请公开有关{村}的政府信息。",
                "申请公开{镇}{年}年度全部行政处罚决定书。",
                "申请公开{镇}各村（社区）{年}年度全部财务收支凭证。",
            ],
            "",
        ),
    }
}

fn applicant_name(t: ApplicantType, rng: &mut Rng) -> String {
    const SURNAMES: [&str; 12] = [
        "张", "李", "王", "陈", "黄", "林", "梁", "何", "罗", "郭", "冯", "麦",
    ];
    match t {
        ApplicantType::NaturalPerson => {
            format!(
                "{}{}",
                rng.pick(&SURNAMES),
                if rng.chance(60) { "某某" } else { "某" }
            )
        }
        ApplicantType::Commercial => rng
            .pick(&[
                "广州某某物流有限公司",
                "广州南沙某某建材有限公司",
                "广东某某置业有限公司",
                "广州某某汽车零部件有限公司",
            ])
            .to_string(),
        ApplicantType::Research => rng
            .pick(&["某某大学公共管理学院课题组", "某某社会科学研究所"])
            .to_string(),
        ApplicantType::SocialWelfare => rng
            .pick(&["广州市南沙区某某社会工作服务中心", "某某公益基金会"])
            .to_string(),
        ApplicantType::LegalService => rng
            .pick(&["广东某某律师事务所", "广州某某律师事务所", "某某法律服务所"])
            .to_string(),
        ApplicantType::OtherOrg => rng
            .pick(&["某某村股份经济合作社", "某某小区业主委员会"])
            .to_string(),
    }
}

fn random_channel(rng: &mut Rng) -> Channel {
    match rng.range(0, 99) {
        0..=44 => Channel::Online,
        45..=69 => Channel::InPerson,
        70..=84 => Channel::Post,
        85..=92 => Channel::Mail,
        _ => Channel::Fax,
    }
}

fn random_applicant(rng: &mut Rng) -> ApplicantType {
    match rng.range(0, 99) {
        0..=64 => ApplicantType::NaturalPerson,
        65..=76 => ApplicantType::Commercial,
        77..=81 => ApplicantType::Research,
        82..=86 => ApplicantType::SocialWelfare,
        87..=94 => ApplicantType::LegalService,
        _ => ApplicantType::OtherOrg,
    }
}

/// A simple reply `pace` working days after receipt.
fn simple(pace: u32) -> Vec<(u32, Step)> {
    vec![(pace, Step::Decide)]
}

/// The steps of a flow typical for `outcome`, with random offsets within the time limits.
fn steps_for(outcome: Option<Outcome>, rng: &mut Rng) -> Vec<(u32, Step)> {
    use Outcome::*;
    match outcome {
        Some(UnableUnclearAfterCorrection) => vec![
            (rng.range(1, 5), Step::CorrectionRequested(CORRECTION_DAYS)),
            (rng.range(2, 8), Step::Corrected),
            (rng.range(3, 15), Step::Decide),
        ],
        Some(OtherNoCorrection) => vec![
            (rng.range(1, 5), Step::CorrectionRequested(CORRECTION_DAYS)),
            (CORRECTION_DAYS + 1, Step::CorrectionLapsed),
        ],
        Some(OtherFeeUnpaid) => vec![
            (rng.range(3, 8), Step::FeeNoticed(fee(rng))),
            (FEE_DAYS + 1, Step::FeeLapsed),
        ],
        Some(OtherOther) | None => vec![(rng.range(1, 10), Step::Withdraw)],
        Some(DeniedThirdPartyRights | Partial) => vec![
            (
                rng.range(2, 6),
                Step::ConsultationStarted(Consultee::ThirdParty),
            ),
            (rng.range(5, 15), Step::ConsultationEnded),
            (rng.range(3, 8), Step::Decide),
        ],
        Some(_) => simple(rng.range(2, 18)),
    }
}

fn fee(rng: &mut Rng) -> i64 {
    // 按件计收 100 元/件, or 按量计收.
    *rng.pick(&[10_000, 10_000, 20_000, 3_000])
}

/// A random filler plan received on `received`.
fn filler(received: Date, rng: &mut Rng) -> Plan {
    use Outcome::*;
    let channel = random_channel(rng);
    let applicant = random_applicant(rng);
    let roll = rng.range(0, 99);
    let simple_outcomes: [(Outcome, u32); 15] = [
        (Granted, 40),
        (UnableNotHeld, 20),
        (NpPublication, 6),
        (NpDuplicate, 5),
        (NpPetitionComplaint, 6),
        (NpConfirmOrReissue, 3),
        (DeniedProcessInfo, 4),
        (DeniedInternalAffairs, 3),
        (UnableNeedNewCreation, 4),
        (DeniedLawForbidden, 2),
        (DeniedAdminInquiry, 2),
        (DeniedEnforcementCaseFile, 2),
        (NpMassiveRepeated, 1),
        (DeniedStateSecret, 1),
        (DeniedThreeSecurityOneStability, 1),
    ];
    let (outcome, steps) = match roll {
        0..=69 => {
            let total: u32 = simple_outcomes.iter().map(|x| x.1).sum();
            let mut r = rng.range(0, total - 1);
            let mut o = Granted;
            for (cand, w) in simple_outcomes {
                if r < w {
                    o = cand;
                    break;
                }
                r -= w;
            }
            let mut steps = simple(rng.range(2, 18));
            if rng.chance(20) && steps[0].0 > 3 {
                let first = rng.range(1, 2);
                steps[0].0 -= first;
                steps.insert(
                    0,
                    (
                        first,
                        Step::Note("已电话联系申请人，确认所需信息的范围和获取方式"),
                    ),
                );
            }
            (Some(o), steps)
        }
        70..=77 => {
            let o = *rng.pick(&[
                Granted,
                UnableNotHeld,
                Granted,
                UnableUnclearAfterCorrection,
            ]);
            (
                Some(o),
                vec![
                    (rng.range(1, 5), Step::CorrectionRequested(CORRECTION_DAYS)),
                    (rng.range(2, 8), Step::Corrected),
                    (rng.range(3, 15), Step::Decide),
                ],
            )
        }
        78..=81 => (
            Some(OtherNoCorrection),
            steps_for(Some(OtherNoCorrection), rng),
        ),
        82..=87 => {
            let o = *rng.pick(&[Granted, Partial, Partial, DeniedThirdPartyRights]);
            let consultee = if rng.chance(70) {
                Consultee::ThirdParty
            } else {
                Consultee::OtherAgency
            };
            (
                Some(o),
                vec![
                    (rng.range(2, 6), Step::ConsultationStarted(consultee)),
                    (rng.range(5, 15), Step::ConsultationEnded),
                    (rng.range(3, 8), Step::Decide),
                ],
            )
        }
        88..=91 => (
            Some(*rng.pick(&[Granted, Partial])),
            vec![
                (rng.range(16, 19), Step::Extension(*rng.pick(&[10, 15, 20]))),
                (rng.range(3, 8), Step::Decide),
            ],
        ),
        92..=93 => (
            Some(Granted),
            vec![
                (rng.range(3, 8), Step::FeeNoticed(fee(rng))),
                (rng.range(2, 6), Step::FeePaid),
                (rng.range(2, 5), Step::Decide),
            ],
        ),
        94 => (Some(OtherFeeUnpaid), steps_for(Some(OtherFeeUnpaid), rng)),
        _ => (None, steps_for(None, rng)),
    };
    Plan {
        received,
        channel,
        applicant,
        outcome,
        steps,
    }
}

fn date(year: i32, month: u8, day: u8) -> Result<Date, StoreError> {
    let m = Month::try_from(month).map_err(super::bug)?;
    Date::from_calendar_date(year, m, day).map_err(super::bug)
}

/// Every plan of the body, in no particular order.
fn plans(ctx: &Ctx<'_>) -> Result<Vec<Plan>, StoreError> {
    let today = ctx.today;
    let y = today.year();
    let days = ctx.days;
    let mut rng = ctx.rng("applications");
    let mut plans = Vec::new();
    let huangge = ctx.profile.code == super::HUANGGE;

    // Fillers: from 1 January two years ago to today, at the body's yearly rate.
    let start = date(y - 2, 1, 1)?;
    let span = (today - start).whole_days().max(1);
    let n = (i64::from(ctx.profile.yearly_applications) * span / 365).max(1);
    for _ in 0..n {
        let d = start + Duration::days(i64::from(rng.range(0, span as u32)));
        let d = days.on_or_before(d).max(days.on_or_after(start));
        if d <= today {
            plans.push(filler(d, &mut rng));
        }
    }

    // Every outcome, closed within last year (黄阁镇), or a few typical flows (siblings).
    let outcomes: Vec<Outcome> = if huangge {
        Outcome::ALL.to_vec()
    } else {
        vec![
            Outcome::Granted,
            Outcome::Partial,
            Outcome::UnableUnclearAfterCorrection,
            Outcome::OtherNoCorrection,
            Outcome::OtherOther,
            Outcome::UnableNotHeld,
        ]
    };
    for (i, o) in outcomes.iter().enumerate() {
        let month = 1 + (i % 10) as u8;
        let received = days.on_or_after(date(y - 1, month, rng.range(3, 20) as u8)?);
        let mut steps = steps_for(Some(*o), &mut rng);
        // A granted application with an extension, another with a paid fee.
        if *o == Outcome::Granted {
            steps = vec![(18, Step::Extension(20)), (9, Step::Decide)];
        }
        plans.push(Plan {
            received,
            channel: Channel::ALL[i % Channel::ALL.len()],
            applicant: ApplicantType::ALL[i % ApplicantType::ALL.len()],
            outcome: Some(*o),
            steps,
        });
    }
    plans.push(Plan {
        received: days.on_or_after(date(y - 1, 6, 10)?),
        channel: Channel::Online,
        applicant: ApplicantType::Commercial,
        outcome: Some(Outcome::Granted),
        steps: vec![
            (5, Step::FeeNoticed(10_000)),
            (4, Step::FeePaid),
            (3, Step::Decide),
        ],
    });
    plans.push(Plan {
        received: days.on_or_after(date(y - 1, 9, 8)?),
        channel: Channel::Post,
        applicant: ApplicantType::LegalService,
        outcome: Some(Outcome::OtherFeeUnpaid),
        steps: vec![
            (6, Step::FeeNoticed(20_000)),
            (FEE_DAYS + 1, Step::FeeLapsed),
        ],
    });

    // Carried over each year end: received in late December, replied in January.
    for year in [y - 2, y - 1] {
        let received = days.on_or_before(date(year, 12, 22)?);
        plans.push(Plan {
            received,
            channel: Channel::InPerson,
            applicant: ApplicantType::NaturalPerson,
            outcome: Some(Outcome::Granted),
            steps: vec![
                (1, Step::Note("已转承办科室检索，春节前可完成答复")),
                (13, Step::Decide),
            ],
        });
    }

    // Open today.
    let last = days.on_or_before(today);
    let open: Vec<OpenPlan> = vec![
        // fresh
        (
            1,
            ApplicantType::NaturalPerson,
            Channel::Online,
            Some(Outcome::Granted),
            simple(12),
        ),
        // at risk: 2 working days left
        (
            18,
            ApplicantType::Commercial,
            Channel::Mail,
            Some(Outcome::UnableNotHeld),
            vec![
                (3, Step::Note("涉及多个村的历史档案，已分别发函调取")),
                (16, Step::Decide),
            ],
        ),
        // overdue by 4 working days
        (
            24,
            ApplicantType::NaturalPerson,
            Channel::Post,
            Some(Outcome::Granted),
            vec![
                (
                    15,
                    Step::Note("承办科室尚未反馈检索结果，已督办（答复期限即将届满）"),
                ),
                (16, Step::Decide),
            ],
        ),
        // awaiting correction
        (
            6,
            ApplicantType::SocialWelfare,
            Channel::Fax,
            Some(Outcome::Granted),
            vec![
                (2, Step::CorrectionRequested(CORRECTION_DAYS)),
                (10, Step::Corrected),
                (5, Step::Decide),
            ],
        ),
        // consulting a third party
        (
            9,
            ApplicantType::Research,
            Channel::Online,
            Some(Outcome::Partial),
            vec![
                (3, Step::ConsultationStarted(Consultee::ThirdParty)),
                (15, Step::ConsultationEnded),
                (3, Step::Decide),
            ],
        ),
        // awaiting payment
        (
            12,
            ApplicantType::OtherOrg,
            Channel::InPerson,
            Some(Outcome::Granted),
            vec![
                (9, Step::FeeNoticed(10_000)),
                (6, Step::FeePaid),
                (2, Step::Decide),
            ],
        ),
        // extended
        (
            21,
            ApplicantType::LegalService,
            Channel::Online,
            Some(Outcome::Partial),
            vec![(18, Step::Extension(20)), (12, Step::Decide)],
        ),
    ];
    let keep = if huangge { open.len() } else { 3 };
    for (back, applicant, channel, outcome, steps) in open.into_iter().take(keep) {
        plans.push(Plan {
            received: days.sub(last, back),
            channel,
            applicant,
            outcome,
            steps,
        });
    }
    Ok(plans)
}

/// Register and handle the applications of one body.
pub(crate) async fn seed_applications(ctx: &Ctx<'_>) -> Result<Ledger, StoreError> {
    let mut plans = plans(ctx)?;
    plans.sort_by_key(|p| p.received);
    let mut rng = ctx.rng("application-texts");
    let mut ledger = Ledger::default();
    let mut reply_serial: BTreeMap<i32, u32> = BTreeMap::new();
    let clerk = ctx.profile.clerk;
    for (n, plan) in plans.iter().enumerate() {
        let mut vars = BTreeMap::new();
        vars.insert("镇", ctx.profile.short.to_string());
        vars.insert("年", (plan.received.year() - 1).to_string());
        vars.insert("村", rng.pick(ctx.profile.villages).to_string());
        vars.insert("路", rng.pick(ctx.profile.roads).to_string());
        let (requests, reply) = texts(plan.outcome.unwrap_or(Outcome::OtherOther));
        let template: &str = rng.pick::<&str>(requests);
        let request = fill(template, &vars);
        let form = rng.pick(&["电子版", "纸质复印件", "电子邮件发送", "邮寄纸质件"]);
        let personal = PersonalData {
            name: applicant_name(plan.applicant, &mut rng),
            id_number: None,
            phone: None,
            email: (plan.channel == Channel::Online)
                .then(|| format!("applicant{:03}@example.com", n + 1)),
            address: matches!(plan.channel, Channel::Post | Channel::Mail)
                .then(|| format!("广州市南沙区{}某某路某号（演示地址）", ctx.profile.short)),
        };
        let actor = if plan.channel == Channel::Online {
            "applicant"
        } else {
            clerk
        };
        let (app, _credentials) = ctx
            .store
            .receive_application(
                &NewApplication {
                    body_id: ctx.body_id,
                    applicant_type: plan.applicant,
                    channel: plan.channel,
                    received_on: plan.received,
                    request_text: format!("{request}获取方式：{form}。"),
                    personal,
                },
                actor,
                plan.channel.label_zh(),
            )
            .await?;
        let mut on = plan.received;
        let mut status = app.status;
        for (offset, step) in &plan.steps {
            on = ctx.days.add(on, *offset);
            if on > ctx.today {
                break;
            }
            let (event, note) = match *step {
                Step::Note(text) => (EventKind::Note, text.to_string()),
                Step::CorrectionRequested(d) => (
                    EventKind::CorrectionRequested {
                        deadline: ctx.days.add(on, d),
                    },
                    "申请内容不明确，已一次性告知需补正的事项和合理的补正期限".to_string(),
                ),
                Step::Corrected => (EventKind::Corrected, "申请人已按要求补正".to_string()),
                Step::CorrectionLapsed => (
                    EventKind::CorrectionLapsed,
                    "申请人无正当理由逾期不补正，视为放弃申请".to_string(),
                ),
                Step::ConsultationStarted(c) => (
                    EventKind::ConsultationStarted { consultee: c },
                    match c {
                        Consultee::ThirdParty => "所申请信息涉及第三方权益，已书面征求第三方意见",
                        Consultee::OtherAgency => {
                            "所申请信息由多个机关共同制作，已征求有关机关意见"
                        }
                    }
                    .to_string(),
                ),
                Step::ConsultationEnded => {
                    (EventKind::ConsultationEnded, "已收到书面意见".to_string())
                }
                Step::Extension(d) => (
                    EventKind::ExtensionApproved { days: d },
                    format!(
                        "需调取的档案较多，经政府信息公开工作机构负责人同意延长答复期限{d}个工作日，已告知申请人"
                    ),
                ),
                Step::FeeNoticed(fen) => (
                    EventKind::FeeNoticed { amount_fen: fen },
                    format!(
                        "申请数量明显超过合理范围，已发出收费通知（{}元）",
                        fen / 100
                    ),
                ),
                Step::FeePaid => (EventKind::FeePaid, "申请人已缴纳信息处理费".to_string()),
                Step::FeeLapsed => (
                    EventKind::FeeLapsed,
                    "申请人逾期未按收费通知要求缴纳费用，视为放弃申请".to_string(),
                ),
                Step::Withdraw => (EventKind::Withdrawn, "申请人书面撤回申请".to_string()),
                Step::Decide => {
                    let outcome = plan
                        .outcome
                        .ok_or_else(|| super::bug("decision without outcome"))?;
                    let serial = reply_serial.entry(on.year()).or_insert(0);
                    *serial += 1;
                    (
                        EventKind::Decided {
                            outcome,
                            reply: ReplyDocument {
                                reference: format!(
                                    "{}〔{}〕{}号",
                                    ctx.profile.reply_prefix,
                                    on.year(),
                                    serial
                                ),
                                summary: reply.to_string(),
                            },
                        },
                        "已出具政府信息公开申请答复书并送达申请人".to_string(),
                    )
                }
            };
            if matches!(step, Step::FeePaid)
                && let Some(f) = status.fee
            {
                let e = ledger.fees_paid.entry(on.year()).or_insert((0, 0));
                e.0 += 1;
                e.1 += f.amount_fen;
            }
            let a = ctx
                .store
                .apply_event(app.id, &event, on, clerk, &note)
                .await?;
            status = a.status;
        }
        ledger.apps.push((app.id, status.outcome, status.closed_on));
    }
    Ok(ledger)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_texts() {
        for o in Outcome::ALL {
            let (requests, reply) = texts(o);
            assert!(!requests.is_empty());
            let reserved = matches!(
                o,
                Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid | Outcome::OtherOther
            );
            assert_eq!(reply.is_empty(), reserved, "{o:?}");
        }
    }

    #[test]
    fn flows_keep_the_time_limits() {
        let mut rng = Rng::from_key("t");
        for _ in 0..2000 {
            let p = filler(time::macros::date!(2025 - 03 - 03), &mut rng);
            let mut counted = 0;
            let mut excluded = false;
            for (off, step) in &p.steps {
                match step {
                    Step::CorrectionRequested(_) => {
                        assert!(*off <= 7, "correction requested after {off} days");
                    }
                    Step::Corrected => {
                        counted = 0;
                        continue;
                    }
                    Step::ConsultationStarted(_) | Step::FeeNoticed(_) => {
                        counted += off;
                        excluded = true;
                        continue;
                    }
                    Step::ConsultationEnded | Step::FeePaid => {
                        excluded = false;
                        continue;
                    }
                    _ => {}
                }
                if !excluded {
                    counted += off;
                }
                if matches!(step, Step::Decide) {
                    let limit = p
                        .steps
                        .iter()
                        .find_map(|(_, s)| match s {
                            Step::Extension(d) => Some(20 + d),
                            _ => None,
                        })
                        .unwrap_or(20);
                    assert!(counted <= limit, "{counted} > {limit}: {:?}", p.steps);
                }
            }
        }
    }
}
