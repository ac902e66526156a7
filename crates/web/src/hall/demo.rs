//! The demo's service hall: 黄阁镇政务服务中心 with its services and windows (including the
//! 老人社保优待卡专责窗口), a simulated previous working day of tickets, calls, services and
//! ratings (so the statistics are not empty) and a few tickets this morning. Deterministic:
//! a fixed generator and times derived from the seeding day only.

use gongkai_ledger::queue::{OrderPolicy, PriorityClass, Rating, TicketChannel};
use gongkai_store::queue::{HallAction, HallConfig, HallService, HallWindow, TakeTicket};
use gongkai_store::{BEIJING, Store, StoreError};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, Time};

/// The body whose hall the demo seeds (黄阁镇).
pub const DEMO_HALL_BODY: &str = "440115101";

/// 黄阁镇政务服务中心.
pub fn huangge_hall() -> HallConfig {
    let svc = |code: &str, prefix, name: &str, item: &str, policy| HallService {
        code: code.into(),
        prefix,
        name: name.into(),
        item_code: item.into(),
        policy,
    };
    let win = |number, name: &str, services: &[&str], dedicated: &[PriorityClass]| HallWindow {
        number,
        name: name.into(),
        services: services.iter().map(|s| s.to_string()).collect(),
        dedicated_for: dedicated.to_vec(),
    };
    HallConfig {
        name: "黄阁镇政务服务中心".into(),
        services: vec![
            svc(
                "SB",
                'A',
                "社会保险（社保）",
                "",
                OrderPolicy::Interleave {
                    normal_per_priority: 2,
                },
            ),
            svc(
                "YB",
                'B',
                "医疗保障（医保）",
                "",
                OrderPolicy::StrictPriority,
            ),
            svc("MZ", 'C', "民政救助", "", OrderPolicy::StrictPriority),
            svc(
                "HJ",
                'D',
                "户籍协办",
                "",
                OrderPolicy::WeightedWait {
                    priority_bonus_minutes: 15,
                },
            ),
            svc(
                "JS",
                'E',
                "计划生育（卫生健康）",
                "",
                OrderPolicy::StrictPriority,
            ),
            svc(
                "BDC",
                'F',
                "不动产登记协办",
                "",
                OrderPolicy::StrictPriority,
            ),
            svc("TY", 'G', "退役军人服务", "", OrderPolicy::StrictPriority),
            svc("ZH", 'H', "综合受理", "", OrderPolicy::DedicatedWindowOnly),
        ],
        windows: vec![
            win(1, "社保医保综合窗口", &["SB", "YB"], &[]),
            win(2, "社保医保综合窗口", &["SB", "YB"], &[]),
            win(
                3,
                "老人社保优待卡专责窗口",
                &["SB", "YB", "MZ"],
                &[PriorityClass::Elderly],
            ),
            win(
                4,
                "民政救助、退役军人服务窗口",
                &["MZ", "TY"],
                &[PriorityClass::Military],
            ),
            win(5, "户籍协办窗口", &["HJ"], &[]),
            win(6, "计生卫健窗口", &["JS"], &[]),
            win(7, "不动产登记协办窗口", &["BDC"], &[]),
            win(8, "综合受理窗口", &["ZH", "HJ", "BDC"], &[]),
        ],
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn at(day: Date, minutes_after_8: i64) -> OffsetDateTime {
    day.with_time(Time::from_hms(8, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_offset(BEIJING)
        + Duration::minutes(minutes_after_8)
}

const REASONS: [&str; 3] = [
    "等候时间太长，窗口开得太少",
    "材料要求前后说法不一致，跑了两次",
    "工作人员解释不够耐心",
];

/// Seed the hall of 黄阁镇 (when the body exists and has no hall yet).
pub async fn seed(store: &Store, today: Date) -> Result<(), StoreError> {
    let body = store.get_body_by_code(DEMO_HALL_BODY).await?;
    if store.hall_of_body(body.id).await?.is_some() {
        return Ok(());
    }
    let hall = store
        .hall_configure(body.id, &huangge_hall(), "demo")
        .await?;
    let cal = store.calendar();
    let mut day = today - Duration::days(1);
    for _ in 0..30 {
        if cal.is_working_day(day).unwrap_or(true) {
            break;
        }
        day -= Duration::days(1);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let services: Vec<&str> = vec![
        "SB", "SB", "SB", "YB", "YB", "MZ", "HJ", "HJ", "JS", "BDC", "TY", "ZH",
    ];
    // Arrivals from 08:35 to 16:30, about one every six minutes.
    let mut arrivals = Vec::new();
    let mut m = 35i64;
    while m < 8 * 60 + 30 {
        arrivals.push(m);
        m += 2 + rng.below(8) as i64;
    }
    let mut next_arrival = 0usize;
    // window → (minute it frees, ticket id, no-show)
    let mut busy: BTreeMap<u32, (i64, bool)> = BTreeMap::new();
    let mut finished = Vec::new();
    for minute in 30..(9 * 60 + 45) {
        let now = at(day, minute);
        while next_arrival < arrivals.len() && arrivals[next_arrival] <= minute {
            let service = services[rng.below(services.len() as u64) as usize];
            let class = match rng.below(10) {
                0 | 1 => PriorityClass::Elderly,
                2 => PriorityClass::Disabled,
                3 if service == "TY" => PriorityClass::Military,
                _ => PriorityClass::Normal,
            };
            store
                .hall_take(
                    hall.id,
                    &TakeTicket {
                        service: service.into(),
                        class,
                        channel: TicketChannel::Kiosk,
                        id_number: None,
                        name: None,
                    },
                    now,
                    "kiosk",
                )
                .await?;
            next_arrival += 1;
        }
        // Lunch break 12:00–14:00: windows finish what they have and call nobody new.
        let lunch = (4 * 60..6 * 60).contains(&minute);
        for w in &hall.windows {
            if let Some((free_at, no_show)) = busy.get(&w.number).copied() {
                if free_at > minute {
                    continue;
                }
                let action = if no_show {
                    HallAction::NoShow
                } else {
                    HallAction::Finish
                };
                let r = store
                    .hall_action(hall.id, w.number, &action, None, now, "demo")
                    .await?;
                if let (false, Some(t)) = (no_show, r.ticket) {
                    finished.push(t);
                }
                busy.remove(&w.number);
            }
            if lunch || minute >= 9 * 60 + 30 {
                continue;
            }
            let r = store
                .hall_action(hall.id, w.number, &HallAction::CallNext, None, now, "demo")
                .await?;
            if r.ticket.is_some() {
                let no_show = rng.below(20) == 0;
                if !no_show {
                    store
                        .hall_action(
                            hall.id,
                            w.number,
                            &HallAction::Start,
                            None,
                            now + Duration::minutes(1),
                            "demo",
                        )
                        .await?;
                }
                let took = if no_show { 3 } else { 4 + rng.below(14) as i64 };
                busy.insert(w.number, (minute + took, no_show));
            }
        }
    }
    for t in &finished {
        if rng.below(10) >= 7 {
            continue;
        }
        let rating = match rng.below(20) {
            0..=11 => Rating::VerySatisfied,
            12..=16 => Rating::Satisfied,
            17 => Rating::FairlySatisfied,
            18 => Rating::Dissatisfied,
            _ => Rating::VeryDissatisfied,
        };
        let reason = rating
            .is_negative()
            .then(|| REASONS[rng.below(REASONS.len() as u64) as usize]);
        let when = t.ticket.ended_at.unwrap_or(at(day, 600)) + Duration::minutes(1);
        store
            .hall_rate(t.id, &t.token, rating, reason, when, "public")
            .await?;
    }
    // This morning: a few tickets waiting and one being called, so the displays show a queue.
    if cal.is_working_day(today).unwrap_or(true) {
        for (i, (service, class)) in [
            ("SB", PriorityClass::Normal),
            ("SB", PriorityClass::Elderly),
            ("YB", PriorityClass::Normal),
            ("MZ", PriorityClass::Normal),
            ("HJ", PriorityClass::Normal),
            ("SB", PriorityClass::Normal),
        ]
        .into_iter()
        .enumerate()
        {
            store
                .hall_take(
                    hall.id,
                    &TakeTicket {
                        service: service.into(),
                        class,
                        channel: TicketChannel::Kiosk,
                        id_number: None,
                        name: None,
                    },
                    at(today, 60 + 5 * i as i64),
                    "kiosk",
                )
                .await?;
        }
        store
            .hall_action(
                hall.id,
                3,
                &HallAction::CallNext,
                None,
                at(today, 95),
                "demo",
            )
            .await?;
    }
    Ok(())
}
