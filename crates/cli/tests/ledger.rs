//! End-to-end tests of the ledger commands, on SQLite and (when reachable) PostgreSQL:
//! bodies, users, CSV import/export, report generation from the ledger, recount, explain,
//! and a `kill -9` in the middle of a large import.

use gongkai_report::{Report, check};
use gongkai_store::{Store, StoreConfig};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Env {
    data: PathBuf,
    pg: Option<String>,
    _dir: tempfile::TempDir,
}

impl Env {
    fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        Env {
            data: dir.path().join("data"),
            pg: None,
            _dir: dir,
        }
    }

    fn postgres(url: &str) -> Env {
        let mut e = Env::sqlite();
        e.pg = Some(url.to_string());
        e
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gongkai"));
        c.args(args).env("GONGKAI_DATA", &self.data);
        match &self.pg {
            Some(url) => c.env("DATABASE_URL", url),
            None => c.env_remove("DATABASE_URL"),
        };
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "gongkai {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    fn file(&self, name: &str, text: &str) -> String {
        std::fs::create_dir_all(self._dir.path().join("in")).unwrap();
        let p = self._dir.path().join("in").join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    async fn store(&self) -> Store {
        let cfg = match &self.pg {
            Some(url) => StoreConfig::Postgres(url.clone()),
            None => StoreConfig::Sqlite(self.data.join("gongkai.db")),
        };
        Store::open(&cfg).await.unwrap()
    }
}

const APPLICATIONS: &str = "tracking_code,body_code,applicant_type,channel,received_on,request_text,applicant_name,phone,outcome,closed_on,reply_reference
GKT0000000001,HG,natural_person,online,2023-03-01,公开预算,张三,13800000001,granted,2023-03-15,黄依〔2023〕1号
GKT0000000002,HG,commercial,post,2023-12-20,公开规划,某公司,13800000002,partial,2024-01-10,黄依〔2024〕1号
GKT0000000003,HG,natural_person,in-person,2023-12-28,公开补偿,李四,13800000003,,,
GKT0000000004,HG,research,fax,2024-02-01,公开统计,某研究所,,unable_not_held,2024-02-20,
GKT0000000005,HG,legal_service,mail,2024-03-01,公开案卷,某律所,,other_no_correction,2024-04-01,
GKT0000000006,HG,social_welfare,online,2024-05-01,公开资金,某基金会,,other_fee_unpaid,2024-06-20,
GKT0000000007,HG,other_org,online,2024-06-01,公开名单,某协会,,other_other,2024-06-05,
GKT0000000008,HG,natural_person,online,2024-12-30,公开路灯,王五,13800000008,,,
";

fn flow(env: &Env) {
    env.ok(&[
        "body",
        "add",
        "--code",
        "44",
        "--name",
        "广东省人民政府",
        "--kind",
        "province",
    ]);
    env.ok(&[
        "body",
        "add",
        "--code",
        "4401",
        "--name",
        "广州市人民政府",
        "--kind",
        "city",
        "--parent",
        "44",
    ]);
    env.ok(&[
        "body",
        "add",
        "--code",
        "440115",
        "--name",
        "广州市南沙区人民政府",
        "--kind",
        "district",
        "--parent",
        "4401",
    ]);
    env.ok(&[
        "body",
        "add",
        "--code",
        "HG",
        "--name",
        "广州市南沙区黄阁镇人民政府",
        "--kind",
        "town",
        "--parent",
        "440115",
    ]);
    let bad_parent = env.run(&[
        "body", "add", "--code", "X", "--name", "某镇", "--kind", "town", "--parent", "44",
    ]);
    assert_eq!(bad_parent.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_parent.stderr).contains("不能隶属于"));
    assert!(
        env.ok(&["body", "list"])
            .contains("广州市南沙区黄阁镇人民政府")
    );

    let mut user = env.cmd(&["user", "add", "--login", "li", "--name", "李承办"]);
    let o = user
        .env("GONGKAI_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    env.ok(&[
        "user", "grant", "--login", "li", "--body", "HG", "--role", "clerk",
    ]);
    assert!(
        env.ok(&["user", "roles", "--login", "li"])
            .contains("承办人")
    );

    // A bad row: nothing of the file is imported, the line is named.
    let bad = env.file(
        "bad.csv",
        "body_code,applicant_type,channel,received_on,request_text,applicant_name\n\
         HG,natural_person,online,2024-01-05,公开A,赵一\n\
         HG,nobody,online,2024-01-05,公开A,赵一\n",
    );
    let o = env.run(&["import", "applications", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.csv 第3行") && err.contains("整个文件未导入"),
        "{err}"
    );

    let apps = env.file("applications.csv", APPLICATIONS);
    assert!(
        env.ok(&["import", "applications", &apps])
            .contains("已导入 8 行")
    );
    let cases = env.file(
        "cases.csv",
        "body_code,application_tracking_code,kind,outcome,filed_on,closed_on,reference,note\n\
         HG,GKT0000000001,review,pending,2023-05-01,,穗南府复〔2023〕1号,\n\
         HG,GKT0000000004,lit_direct,maintained,2024-03-01,2024-08-01,（2024）粤0115行初1号,\n",
    );
    env.ok(&["import", "cases", &cases]);
    let docs = env.file(
        "documents.csv",
        "body_code,kind,title,doc_number,issued_on,published_on,repealed_on\n\
         HG,normative_docs,关于……的通知,黄府规〔2022〕1号,2022-01-05,,2024-06-01\n\
         HG,normative_docs,关于……的意见,黄府规〔2024〕1号,2024-02-05,,\n",
    );
    env.ok(&["import", "documents", &docs]);
    let figures = env.file(
        "figures.csv",
        "body_code,year,cell,value\nHG,2024,t2_5.admin_license.decisions,41\nHG,2024,t2_8.admin_fees.fee_amount,0.35\n",
    );
    env.ok(&["import", "figures", &figures]);
    let s1 = env.file("s1.txt", "2024年，黄阁镇坚持以公开为常态、不公开为例外。");
    env.ok(&[
        "body",
        "narrative",
        "--body",
        "HG",
        "--year",
        "2024",
        "--section",
        "s1",
        &s1,
    ]);

    // Reports from the ledger pass every rule, also across the year boundary.
    let out = env._dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let r23 = out.join("r23.json").display().to_string();
    let r24 = out.join("r24.json").display().to_string();
    env.ok(&[
        "report", "generate", "--body", "HG", "--year", "2023", "-o", &r23,
    ]);
    env.ok(&[
        "report", "generate", "--body", "HG", "--year", "2024", "-o", &r24,
    ]);
    env.ok(&["report", "check", &r24, "--previous", &r23]);
    let report24 = Report::from_json_str(&std::fs::read_to_string(&r24).unwrap()).unwrap();
    let report23 = Report::from_json_str(&std::fs::read_to_string(&r23).unwrap()).unwrap();
    assert!(check(&report24, Some(&report23)).is_empty());
    assert_eq!(report23.count("t3", "carried_forward", "total"), 2);
    assert_eq!(report24.count("t3", "carried_over", "total"), 2);
    assert_eq!(report24.count("t3", "new_received", "total"), 5);
    assert_eq!(report24.count("t3", "partial", "commercial"), 1);
    assert_eq!(report24.count("t3", "carried_forward", "total"), 2);
    assert_eq!(report24.count("t4", "cases", "review_pending"), 1);
    assert_eq!(report24.count("t4", "cases", "lit_direct_maintained"), 1);
    assert_eq!(report24.count("t2_1", "normative_docs", "in_force"), 1);
    assert_eq!(report24.count("t2_5", "admin_license", "decisions"), 41);
    assert!(report24.sections["s1"].contains("黄阁镇"));

    // Recount proves the counters; explain lists the records behind a cell.
    let rc = env.ok(&["report", "recount", "--year", "2024"]);
    assert!(rc.contains("HG") && rc.contains("一致"), "{rc}");
    let x = env.ok(&[
        "report",
        "generate",
        "--body",
        "HG",
        "--year",
        "2024",
        "--explain",
        "t3.carried_over.total",
    ]);
    assert!(
        x.contains("GKT0000000002") && x.contains("GKT0000000003") && x.contains("与单元格一致"),
        "{x}"
    );
    let xj = env.ok(&[
        "report",
        "generate",
        "--body",
        "HG",
        "--year",
        "2024",
        "--explain",
        "t3.other_fee_unpaid.social_welfare",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&xj).unwrap();
    assert_eq!(v["records"], 1);
    assert_eq!(v["items"][0]["reference"], "GKT0000000006");
    let o = env.run(&[
        "report",
        "generate",
        "--body",
        "HG",
        "--year",
        "2024",
        "--explain",
        "t3.nope.total",
    ]);
    assert_eq!(o.status.code(), Some(2));

    // Export masks personal data unless asked.
    let masked = env.ok(&["export", "applications", "--body", "HG"]);
    assert_eq!(masked.lines().count(), 9);
    assert!(!masked.contains("张三") && !masked.contains("13800000001") && masked.contains("张**"));
    let full = env.ok(&[
        "export",
        "applications",
        "--body",
        "HG",
        "--include-personal",
    ]);
    assert!(full.contains("张三") && full.contains("13800000001"));
    assert!(
        env.ok(&["export", "cases", "--body", "HG"])
            .contains("GKT0000000004")
    );
    assert!(
        env.ok(&["export", "documents", "--body", "HG"])
            .contains("黄府规〔2024〕1号")
    );
    assert!(
        env.ok(&["export", "figures", "--body", "HG", "--year", "2024"])
            .contains("0.35")
    );

    // Round trip: the export imports into a fresh ledger and gives the same report.
    let fresh = Env::sqlite();
    for (code, name, kind, parent) in [
        ("44", "广东省人民政府", "province", None),
        ("4401", "广州市人民政府", "city", Some("44")),
        ("440115", "广州市南沙区人民政府", "district", Some("4401")),
        ("HG", "广州市南沙区黄阁镇人民政府", "town", Some("440115")),
    ] {
        let mut args = vec![
            "body", "add", "--code", code, "--name", name, "--kind", kind,
        ];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        fresh.ok(&args);
    }
    let exported = fresh.file("export.csv", &full);
    fresh.ok(&["import", "applications", &exported]);
    let r = fresh._dir.path().join("r.json").display().to_string();
    fresh.ok(&[
        "report", "generate", "--body", "HG", "--year", "2024", "-o", &r,
    ]);
    let again = Report::from_json_str(&std::fs::read_to_string(&r).unwrap()).unwrap();
    for (k, v) in again.cells().filter(|(k, _)| k.table == "t3") {
        assert_eq!(
            Some(v),
            report24.cells().find(|(k2, _)| k2 == &k).map(|(_, v)| v),
            "{k}"
        );
    }
}

#[test]
fn ledger_flow_on_sqlite() {
    flow(&Env::sqlite());
}

#[test]
fn ledger_flow_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(gongkai_store::testing::postgres("ledger_flow_on_postgres")) else {
        return;
    };
    flow(&Env::postgres(&db.url));
    rt.block_on(db.drop_db());
}

fn big_csv(path: &Path, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        f,
        "body_code,applicant_type,channel,received_on,request_text,applicant_name,outcome,closed_on"
    )
    .unwrap();
    for i in 0..rows {
        let day = 1 + i % 28;
        if i % 3 == 0 {
            writeln!(
                f,
                "HG,natural_person,online,2024-03-{day:02},请公开第{i}号文件,申请人{i},,"
            )
            .unwrap();
        } else {
            writeln!(f, "HG,commercial,post,2024-03-{day:02},请公开第{i}号文件,公司{i},granted,2024-04-{day:02}").unwrap();
        }
    }
}

/// Kill the CLI with SIGKILL while the import transaction is being written: nothing of the
/// file may be committed, and the ledger stays usable and consistent.
fn killed_import(env: &Env) {
    env.ok(&[
        "body",
        "add",
        "--code",
        "44",
        "--name",
        "广东省人民政府",
        "--kind",
        "province",
    ]);
    env.ok(&[
        "body",
        "add",
        "--code",
        "HG",
        "--name",
        "某市人民政府",
        "--kind",
        "city",
        "--parent",
        "44",
    ]);
    let csv = env._dir.path().join("big.csv");
    big_csv(&csv, 60_000);
    let csv = csv.display().to_string();
    let mut child = env
        .cmd(&["import", "applications", &csv])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut saw = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("写入中") {
            saw = Some(line);
            break;
        }
    }
    let saw = saw.expect("the import reports progress while its transaction is open");
    assert!(!saw.contains("60000/60000"), "killed too late: {saw}");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = env.store().await;
        assert_eq!(
            store.count_applications().await.unwrap(),
            0,
            "a killed import left rows behind"
        );
        let hg = store.get_body_by_code("HG").await.unwrap();
        assert!(
            store
                .year_counters(hg.id, 2024)
                .await
                .unwrap()
                .this_year
                .is_empty()
        );
        assert!(store.recount(hg.id, 2024).await.unwrap().ok());
        assert!(
            store
                .outbox_after(0, 1000)
                .await
                .unwrap()
                .iter()
                .all(|e| e.topic != "import"),
            "no import was recorded"
        );
        store.close().await;
    });
    // The ledger still works: a small import goes through.
    let small = env.file("small.csv", APPLICATIONS);
    env.ok(&["import", "applications", &small]);
    assert!(
        env.ok(&["report", "recount", "--year", "2024"])
            .contains("一致")
    );
}

#[test]
fn kill_during_import_commits_nothing_on_sqlite() {
    killed_import(&Env::sqlite());
}

#[test]
fn kill_during_import_commits_nothing_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(gongkai_store::testing::postgres(
        "kill_during_import_commits_nothing_on_postgres",
    )) else {
        return;
    };
    killed_import(&Env::postgres(&db.url));
    rt.block_on(db.drop_db());
}

/// `gongkai user revoke|disable|enable|passwd`: each changes what the store lets the user do
/// and is audited with the CLI actor.
#[test]
fn user_administration() {
    let env = Env::sqlite();
    env.ok(&[
        "body",
        "add",
        "--code",
        "44",
        "--name",
        "广东省人民政府",
        "--kind",
        "province",
    ]);
    env.cmd(&["user", "add", "--login", "zhang", "--name", "张承办"])
        .env("GONGKAI_PASSWORD", "first passphrase")
        .output()
        .unwrap();
    env.ok(&[
        "user", "grant", "--login", "zhang", "--body", "44", "--role", "clerk",
    ]);
    let out = env.ok(&[
        "user", "revoke", "--login", "zhang", "--body", "44", "--role", "clerk",
    ]);
    assert!(out.contains("已撤销"), "{out}");
    let out = env.ok(&[
        "user", "revoke", "--login", "zhang", "--body", "44", "--role", "clerk",
    ]);
    assert!(out.contains("无需撤销"), "{out}");
    assert!(
        env.ok(&["user", "roles", "--login", "zhang"])
            .trim()
            .is_empty()
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let login_ok = |pw: &str| {
        rt.block_on(async {
            let s = env.store().await;
            let ok = s.verify_login("zhang", pw).await.unwrap().is_some();
            s.close().await;
            ok
        })
    };
    assert!(login_ok("first passphrase"));
    env.ok(&["user", "disable", "--login", "zhang"]);
    assert!(!login_ok("first passphrase"), "a disabled user signs in");
    env.ok(&["user", "enable", "--login", "zhang"]);
    assert!(login_ok("first passphrase"));
    let o = env
        .cmd(&["user", "passwd", "--login", "zhang"])
        .env("GONGKAI_PASSWORD", "second passphrase")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!login_ok("first passphrase") && login_ok("second passphrase"));
    // An unknown login is a clear error, exit 2.
    let o = env.run(&["user", "disable", "--login", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nobody"));

    let actions: Vec<String> = rt.block_on(async {
        let s = env.store().await;
        let log = s.audit_log(&[], 100).await.unwrap();
        s.close().await;
        log.into_iter()
            .filter(|e| e.actor.starts_with("cli:"))
            .map(|e| e.action)
            .collect()
    });
    for a in ["user.revoke", "user.disable", "user.enable", "user.passwd"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
}

/// `gongkai calendar import` beside a database recomputes every open deadline that needed the
/// imported year, in one transaction, and says which changed.
#[test]
fn calendar_import_recomputes_open_deadlines() {
    let env = Env::sqlite();
    for (code, name, kind, parent) in [
        ("44", "广东省人民政府", "province", None),
        ("4401", "广州市人民政府", "city", Some("44")),
        ("440115", "广州市南沙区人民政府", "district", Some("4401")),
        ("HG", "广州市南沙区黄阁镇人民政府", "town", Some("440115")),
    ] {
        let mut args = vec![
            "body", "add", "--code", code, "--name", name, "--kind", kind,
        ];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        env.ok(&args);
    }
    let apps = env.file(
        "apps.csv",
        "tracking_code,body_code,applicant_type,channel,received_on,request_text,applicant_name,phone,outcome,closed_on,reply_reference
GKT0000000101,HG,natural_person,in-person,2026-12-01,公开年内期限的信息,张三,13800000001,,,
GKT0000000102,HG,natural_person,in-person,2026-12-20,公开跨年期限的信息,李四,13800000002,,,
",
    );
    env.ok(&["import", "applications", &apps]);
    let notice = env.file(
        "2027.json",
        r#"{"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": [],
            "ranges": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03", "days": 3}]}"#,
    );
    let out = env.ok(&["calendar", "import", &notice]);
    assert!(out.contains("1件变更"), "{out}");
    assert!(out.contains("GKT0000000102"), "{out}");
    assert!(
        out.contains("2027年节假日安排尚未导入，暂无法计算 → 2027-01-"),
        "{out}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = env.store().await;
        let app = store
            .get_application_by_code("GKT0000000102")
            .await
            .unwrap();
        assert!(app.due_on.is_some());
        let events = store.application_events(app.id).await.unwrap();
        assert!(events.last().unwrap().note.contains("答复期限重新计算"));
        store.close().await;
    });
}
