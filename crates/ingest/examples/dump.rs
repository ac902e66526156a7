//! Debugging aid: print the normalised lines of a file, then what the recogniser made of it.
//! `cargo run -p gongkai-ingest --example dump -- FILE`

use gongkai_ingest::{Limits, detect, document, read_bytes};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let limits = Limits::default();
    match detect(&path, &bytes).and_then(|k| document(k, &bytes, &limits)) {
        Ok(d) => {
            for l in &d.lines {
                let cells: Vec<String> = l
                    .cells
                    .iter()
                    .map(|c| {
                        let x = c.x.map(|(a, b)| format!("@{a}-{b}")).unwrap_or_default();
                        format!("{}{}{}", if c.spanned { "~" } else { "" }, c.text, x)
                    })
                    .collect();
                println!("{:?} {:?} | {}", l.loc.page, l.loc.line, cells.join(" | "));
            }
        }
        Err(e) => println!("error: {e}"),
    }
    match read_bytes(&path, &bytes, &limits) {
        Ok(ing) => {
            println!("{}", ing.report.to_json_string());
            for f in ing.findings(None) {
                println!("{} {:?} {}", f.rule, f.cells, f.message);
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
