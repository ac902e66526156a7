//! Character-set detection and decoding: BOMs, the HTML `charset` declaration, otherwise UTF-8
//! with a GB18030 fallback (GB18030 is a superset of GBK and GB2312).

use encoding_rs::{Encoding, GB18030, UTF_8};

/// Find `charset=…` in the first bytes of an HTML document (`<meta charset>` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=…">`).
pub fn html_declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let needle = b"charset";
    let mut i = 0;
    while i + needle.len() < lower.len() {
        if &lower[i..i + needle.len()] == needle {
            let mut j = i + needle.len();
            while j < lower.len() && matches!(lower[j], b' ' | b'=' | b'"' | b'\'') {
                j += 1;
            }
            let start = j;
            while j < lower.len()
                && (lower[j].is_ascii_alphanumeric() || matches!(lower[j], b'-' | b'_'))
            {
                j += 1;
            }
            if j > start
                && let Some(enc) = Encoding::for_label(&lower[start..j])
            {
                // Declared GBK/GB2312 pages in the wild contain GB18030 characters.
                if enc == encoding_rs::GBK {
                    return Some(GB18030);
                }
                return Some(enc);
            }
        }
        i += 1;
    }
    None
}

/// Decode bytes to text. `declared` is an encoding the container states (HTML meta).
/// Returns the text and the encoding's name.
pub fn decode(bytes: &[u8], declared: Option<&'static Encoding>) -> (String, &'static str) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    if let Some(enc) = declared
        && enc != UTF_8
    {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), enc.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), UTF_8.name()),
        Err(_) if declared == Some(UTF_8) => {
            let (text, _) = UTF_8.decode_without_bom_handling(bytes);
            (text.into_owned(), UTF_8.name())
        }
        Err(_) => {
            let (text, _) = GB18030.decode_without_bom_handling(bytes);
            (text.into_owned(), GB18030.name())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_fallback_and_meta() {
        let (gbk, _, _) = GB18030.encode("第二十条第（一）项");
        assert_eq!(decode(&gbk, None).0, "第二十条第（一）项");
        let html =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">";
        assert_eq!(html_declared_charset(html), Some(GB18030));
        assert_eq!(
            html_declared_charset(b"<meta charset='utf-8'>"),
            Some(UTF_8)
        );
        assert_eq!(html_declared_charset(b"<p>no</p>"), None);
        assert_eq!(decode("é".as_bytes(), None).0, "é");
    }
}
