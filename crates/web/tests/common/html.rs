//! Page snapshots: HTML normalised to one line per block element and with random values
//! (CSRF and form tokens, tracking codes and secrets, timings, timestamps of "now")
//! redacted, so that snapshots compare what users see.

/// Remove template line breaks, then start each block element on its own line.
pub fn normalise(html: &str) -> String {
    let mut flat = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' || c == '\r' {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            flat.push(c);
        }
    }
    const BLOCKS: [&str; 29] = [
        "<tr",
        "<form",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<li",
        "<label",
        "<option",
        "<p>",
        "<p ",
        "<div",
        "<table",
        "<thead",
        "<tbody",
        "<dt",
        "<ul",
        "<ol",
        "<nav",
        "<header",
        "<main",
        "<footer",
        "<select",
        "<textarea",
        "<style",
        "<section",
        "<article",
        "<figure",
        "<dl",
    ];
    let mut out = String::with_capacity(flat.len() + flat.len() / 20);
    let mut rest = flat.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if BLOCKS.iter().any(|b| rest.starts_with(b)) && !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('<');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Replace what follows each `prefix` up to (not including) the first `end` char.
fn redact_after(s: &str, prefix: &str, end: &[char], with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(prefix) {
        out.push_str(&rest[..i + prefix.len()]);
        rest = &rest[i + prefix.len()..];
        let j = rest.find(|c| end.contains(&c)).unwrap_or(rest.len());
        out.push_str(with);
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// `GK` + 12 Crockford base-32 characters.
fn redact_tracking_codes(s: &str) -> String {
    let b32 = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c));
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("GK") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tail: Vec<char> = rest[2..].chars().take(13).collect();
        if tail.len() >= 12
            && tail[..12].iter().all(|c| b32(*c))
            && !tail.get(12).is_some_and(|c| b32(*c))
        {
            out.push_str("[code]");
            rest = &rest[14..];
        } else {
            out.push_str("GK");
            rest = &rest[2..];
        }
    }
    out.push_str(rest);
    out
}

/// RFC 3339 timestamps (`2026-06-10T08:00:00Z`, `…+00:00`, with fractions).
fn redact_timestamps(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    let pat = |b: &[u8]| {
        b.len() >= 19
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b' ')
            && b[13] == b':'
            && b[16] == b':'
            && b[11..13].iter().all(u8::is_ascii_digit)
    };
    while i < bytes.len() {
        if pat(&bytes[i..]) {
            out.push_str(&s[copied..i]);
            let mut j = i + 19;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || b".:+-Z".contains(&bytes[j])) {
                j += 1;
            }
            out.push_str("[time]");
            i = j;
            copied = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}

pub fn redact(html: &str) -> String {
    let s = redact_after(html, "name=\"csrf\" value=\"", &['"'], "[csrf]");
    let s = redact_after(&s, "?csrf=", &['"', '&'], "[csrf]");
    let s = redact_after(&s, "name=\"form_token\" value=\"", &['"'], "[form-token]");
    let s = redact_after(&s, "/apply/receipt/", &['"', '<'], "[form-token]");
    let s = redact_after(&s, "id=\"tracking-secret\">", &['<'], "[secret]");
    let s = redact_after(&s, "查询密码</dt><dd><code>", &['<'], "[secret]");
    // The search's timing, and the day a report version was published (the wall clock's).
    let s = redact_after(&s, "（用时 ", &[' '], "[ms]");
    let s = redact_after(&s, "版</td><td>", &['<'], "[date]");
    let s = redact_tracking_codes(&s);
    redact_timestamps(&s)
}

/// Fails on text escaped twice (`&amp;lt;` and the like).
pub fn assert_escaped_once(name: &str, html: &str) {
    assert!(!html.contains("&amp;amp;"), "{name}: double escaping");
    assert!(!html.contains("&amp;lt;"), "{name}: double escaping");
    assert!(!html.contains("&#38;#"), "{name}: double escaping");
    assert!(!html.contains("&#38;amp;"), "{name}: double escaping");
    assert!(!html.contains("&amp;#"), "{name}: double escaping");
    assert!(!html.contains("&#38;lt;"), "{name}: double escaping");
}
