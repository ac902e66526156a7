//! The OpenAPI document is stable (insta snapshot) and lists exactly the API's routes.

#[test]
fn openapi_document_snapshot() {
    let doc = gongkai_web::api::openapi_document();
    insta::assert_json_snapshot!("openapi", doc, { ".info.version" => "[version]" });
}

#[test]
fn openapi_paths_match_the_router() {
    let doc = gongkai_web::api::openapi_document();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    let mut routed: Vec<(String, String)> = gongkai_web::api::api_paths()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(routed, documented);
    // Every operation documents its error shape and path parameters.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["summary"].is_string(), "{method} {path} summary");
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                assert!(params.contains(&name), "{method} {path} documents `{name}`");
            }
        }
    }
}
