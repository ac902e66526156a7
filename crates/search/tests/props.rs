//! Properties: any user text is a valid query with safe HTML, and any text
//! that occurs in a document finds that document.

use gongkai_search::{DocKind, Query, SearchDoc, SearchIndex};
use proptest::prelude::*;

fn doc(id: &str, text: String) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        kind: DocKind::Document,
        body_code: "b".into(),
        body_name: "某区民政局".into(),
        domain: None,
        year: None,
        date: None,
        title: "通知".into(),
        text,
        doc_number: None,
        index_number: None,
        url: String::new(),
    }
}

/// Removes `<mark>` and `</mark>`; what is left must contain no markup.
fn strip_marks(html: &str) -> String {
    html.replace("<mark>", "").replace("</mark>", "")
}

const HAN: &str = "政府信息公开申请养老服务补贴社会救助行政复议南沙区黄阁镇财政预决算就业保险市容执法涉农安全生产";

fn han_string(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let chars: Vec<char> = HAN.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), len)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_a_valid_query_with_safe_html(q in any::<String>(), limit in 0usize..200, offset in 0usize..20) {
        static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
        let index = INDEX.get_or_init(|| {
            let index = SearchIndex::open_in_ram().unwrap();
            for (i, d) in gongkai_search::synth::corpus(3, 300).enumerate() {
                let mut d = d;
                if i % 7 == 0 {
                    d.text.push_str("<b>\"引号\" & 'x'</b>");
                }
                index.upsert(&d).unwrap();
            }
            index.commit().unwrap();
            index
        });
        let r = index.search(&Query { text: q, limit, offset, ..Query::default() }).unwrap();
        prop_assert!(r.hits.len() <= gongkai_search::MAX_LIMIT);
        prop_assert!(r.hits.len() <= r.total.saturating_sub(offset));
        for h in &r.hits {
            for html in [&h.title_html, &h.snippet_html] {
                let plain = strip_marks(html);
                prop_assert!(!plain.contains('<') && !plain.contains('>') && !plain.contains('"'), "{}", html);
                prop_assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count());
            }
        }
    }

    #[test]
    fn any_occurring_text_finds_its_document(
        needle in han_string(1..7),
        before in han_string(0..30),
        after in han_string(0..30),
        others in proptest::collection::vec(han_string(5..40), 1..6),
    ) {
        let index = SearchIndex::open_in_ram().unwrap();
        for (i, t) in others.iter().enumerate() {
            index.upsert(&doc(&format!("other{i}"), t.clone())).unwrap();
        }
        index.upsert(&doc("target", format!("{before}，{needle}。{after}"))).unwrap();
        index.commit().unwrap();
        let r = index.search(&Query { text: needle.clone(), limit: 100, ..Query::default() }).unwrap();
        prop_assert!(r.hits.iter().any(|h| h.id == "target"), "{} not found", needle);
    }
}
