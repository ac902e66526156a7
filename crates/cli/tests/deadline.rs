//! End-to-end tests of `gongkai deadline` and `gongkai calendar` on the built binary.
//! Expected dates are hand counts over the official notices (see crates/calendar/tests).

use std::path::Path;
use std::process::{Command, Output};

fn gongkai(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("GONGKAI_DATA")
        .output()
        .expect("run gongkai")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "stderr: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

#[test]
fn text_output() {
    let dir = tempfile::tempdir().unwrap();
    let o = gongkai(
        dir.path(),
        &["deadline", "--received", "2024-09-30", "--on", "2024-10-21"],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "答复期限届满日：2024-11-01（星期五）",
        "已用11个工作日，剩余9个工作日",
        "状态：计时中",
        "2024-09-30 收到申请（当面提交",
        "2024-10-01至2024-10-07为国庆节假期，不计入",
        "2024-10-12（星期六）为调休上班日，计为工作日",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn json_output() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2020-01-20",
            "--on",
            "2020-03-02",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["due"], "2020-02-25");
    assert_eq!(v["working_days"], 20);
    assert_eq!(v["used"], 20);
    assert_eq!(v["remaining"], 0);
    assert_eq!(v["state"], "overdue");
    let steps = v["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s == "2020-01-24至2020-02-02为春节（含延长至2月2日）假期，不计入"),
        "{steps:#?}"
    );
}

#[test]
fn pause_and_extension() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["deadline", "--received", "2024-09-30", "--on", "2024-10-12"];
    let pause = ["--pause", "2024-10-10:2024-10-15", "--format", "json"];
    let v = json(&gongkai(dir.path(), &[&base[..], &pause[..]].concat()));
    assert_eq!(v["due"], "2024-11-08");
    assert_eq!(v["state"], "paused");
    assert_eq!(v["used"], 2);
    let v = json(&gongkai(
        dir.path(),
        &[&base[..], &["--extended", "--format", "json"][..]].concat(),
    ));
    assert_eq!(v["due"], "2024-11-29");
    assert_eq!(v["working_days"], 40);
    let v = json(&gongkai(
        dir.path(),
        &[&base[..], &pause[..], &["--extended"][..]].concat(),
    ));
    assert_eq!(v["due"], "2024-12-06");
    // Two pauses, one over a make-up Sunday.
    let v = json(&gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2025-04-25",
            "--extended",
            "--pause",
            "2025-04-27:2025-04-27",
            "--pause",
            "2025-05-06:2025-05-09",
            "--on",
            "2025-04-25",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["due"], "2025-07-02");
}

#[test]
fn correction_and_channel_flags() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2024-03-01",
            "--correction-requested",
            "2024-03-08",
            "--corrected",
            "2024-03-20",
            "--decided",
            "2024-04-18",
            "--on",
            "2024-05-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["due"], "2024-04-18");
    assert_eq!(v["state"], "decided");
    assert_eq!(v["decided_on_time"], true);
    let v = json(&gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2024-09-27",
            "--channel",
            "mail",
            "--confirmed",
            "2024-09-29",
            "--on",
            "2024-09-29",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["received"], "2024-09-29");
    assert_eq!(v["due"], "2024-10-31");
}

#[test]
fn december_deadlines_inside_the_known_year_are_computed() {
    let dir = tempfile::tempdir().unwrap();
    let o = gongkai(
        dir.path(),
        &["deadline", "--received", "2026-12-01", "--on", "2026-12-01"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("答复期限届满日：2026-12-29"), "{out}");
    // Extended: the 40th working day needs 2027; the base deadline is still shown.
    let o = gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2026-12-01",
            "--extended",
            "--on",
            "2026-12-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains("2027年节假日安排尚未导入，延期后期限暂无法计算"),
        "{out}"
    );
    assert!(
        out.contains("原答复期限届满日（延长前）：2026-12-29"),
        "{out}"
    );
    assert!(out.contains("gongkai calendar import"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(
        &gongkai(
            dir.path(),
            &[
                "deadline",
                "--received",
                "2026-12-01",
                "--extended",
                "--on",
                "2026-12-01",
                "--format",
                "json",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(v["due"], serde_json::Value::Null);
    assert_eq!(v["original_due"], "2026-12-29");
    assert_eq!(v["not_computable"][0]["what"], "due");
    assert_eq!(v["not_computable"][0]["year"], 2027);
}

#[test]
fn missing_year_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // The deadline needs 2027: computed as far as it can be, the year named.
    let o = gongkai(
        dir.path(),
        &["deadline", "--received", "2026-12-10", "--on", "2026-12-10"],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains("2027年节假日安排尚未导入，答复期限暂无法计算"),
        "{out}"
    );
    assert!(out.contains("gongkai calendar import"), "{out}");
    // A receipt date in a year without a notice cannot be computed at all.
    let o = gongkai(
        dir.path(),
        &[
            "deadline",
            "--received",
            "2018-12-28",
            "--on",
            "2019-01-02",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2018"));
    let o = gongkai(dir.path(), &["calendar", "check", "2027-01-04"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2027"));
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["deadline", "--received", "2024-02-30"][..],
        &[
            "deadline",
            "--received",
            "2024-09-30",
            "--pause",
            "2024-10-15:2024-10-10",
        ][..],
        &["deadline", "--received", "2024-09-30", "--channel", "email"][..],
        &[
            "deadline",
            "--received",
            "2024-09-30",
            "--extension-days",
            "21",
        ][..],
    ] {
        let o = gongkai(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn import_then_cross_into_the_new_year() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice-2027.json");
    // Synthetic 2027 notice (test data, not the real one).
    std::fs::write(
        &file,
        r#"{"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
            "workdays": ["2027-01-10"],
            "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}]}"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let file_s = file.to_str().unwrap();
    let o = gongkai(&data, &["calendar", "import", file_s]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(data.join("calendar/2027.json").is_file());
    // Dec 18, 21–25, 28–31 = 10; Jan 4–8 = 15; Jan 10 (make-up Sunday) = 16; Jan 11–14 = 20.
    let v = json(&gongkai(
        &data,
        &[
            "deadline",
            "--received",
            "2026-12-17",
            "--on",
            "2027-01-04",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["due"], "2027-01-14");
    assert_eq!(v["used"], 11);
    let o = gongkai(&data, &["calendar", "check", "2027-01-10"]);
    assert!(stdout(&o).contains("调休上班日"), "{}", stdout(&o));
    let o = gongkai(&data, &["calendar", "show", "2027"]);
    assert!(stdout(&o).contains("元旦"), "{}", stdout(&o));
    // Importing the same year again is an overlap.
    let o = gongkai(&data, &["calendar", "import", file_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2027"), "{}", stderr(&o));
    // A malformed notice names the file, the year and the value.
    let bad = dir.path().join("bad-2028.json");
    std::fs::write(
        &bad,
        r#"{"year": 2028, "holidays": ["2028-01-01", "2028-02-30"], "workdays": []}"#,
    )
    .unwrap();
    let o = gongkai(&data, &["calendar", "import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad-2028.json") && err.contains("2028") && err.contains("2028-02-30"),
        "{err}"
    );
    assert!(!data.join("calendar/2028.json").exists());
}

#[test]
fn calendar_show_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let o = gongkai(dir.path(), &["calendar", "show", "2020"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("春节（含延长至2月2日）") && out.contains("2020-01-19 星期日"),
        "{out}"
    );
    let o = gongkai(dir.path(), &["calendar", "check", "2020-02-01"]);
    assert!(stdout(&o).contains("非工作日"));
    let o = gongkai(
        dir.path(),
        &["calendar", "check", "2024-10-12", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(v["working_day"], true);
    assert_eq!(v["kind"], "adjusted-workday");
}
