//! The OpenAPI document is stable (insta snapshot), generated from the handlers and their
//! types, and lists exactly the API's routes.

use serde_json::Value;

#[test]
fn openapi_document_snapshot() {
    let doc = gongkai_web::api::openapi_document();
    insta::assert_json_snapshot!("openapi", doc, { ".info.version" => "[version]" });
}

/// Every `$ref` in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn openapi_paths_match_the_router() {
    let doc = gongkai_web::api::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
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
}

#[test]
fn openapi_operations_are_documented() {
    let doc = gongkai_web::api::openapi_document();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "gk_session");
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at} summary"
            );
            let params: Vec<(&str, &str)> = op["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                assert!(params.contains(&(name, "path")), "{at} documents `{name}`");
            }
            // Every response has a JSON schema; errors are the shared error body.
            let responses = op["responses"].as_object().expect("responses");
            let mut errors = 0;
            for (status, r) in responses {
                let schema = &r["content"]["application/json"]["schema"];
                assert!(
                    schema.as_object().is_some_and(|s| !s.is_empty()),
                    "{at} {status} schema"
                );
                if !status.starts_with('2') {
                    errors += 1;
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/ErrorBody",
                        "{at} {status}"
                    );
                }
            }
            if path != "/api/v1/openapi.json" {
                assert!(errors > 0, "{at} documents its errors");
            }
            if path.starts_with("/api/v1/staff/") {
                assert_eq!(op["security"][0]["session"], serde_json::json!([]), "{at}");
                assert!(responses.contains_key("401"), "{at} 401");
            }
            if method == "post" {
                assert!(params.contains(&("X-CSRF-Token", "header")), "{at} CSRF");
                let body = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
                assert!(body.is_string(), "{at} request body");
                assert!(responses.contains_key("403"), "{at} 403");
            }
        }
    }
    // Every reference resolves to a component schema that is not empty.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").expect(r);
        let schema = &doc["components"]["schemas"][name];
        assert!(schema.as_object().is_some_and(|s| !s.is_empty()), "{r}");
    }
}

#[test]
fn the_event_input_is_a_tagged_union_of_every_kind() {
    let doc = gongkai_web::api::openapi_document();
    let variants = doc["components"]["schemas"]["EventInput"]["oneOf"]
        .as_array()
        .expect("oneOf");
    let kinds: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["kind"]["enum"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "decided",
            "correction_requested",
            "corrected",
            "correction_lapsed",
            "consultation_started",
            "consultation_ended",
            "extension_approved",
            "fee_noticed",
            "fee_paid",
            "fee_lapsed",
            "withdrawn"
        ]
    );
    for v in variants {
        let required = v["required"].as_array().unwrap();
        assert!(required.contains(&"kind".into()) && required.contains(&"on".into()));
    }
}
