//! Normalisation of labels and cell values: full-width to half-width, whitespace, numbering,
//! punctuation variants, numbers with signs, thousands separators and units.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Map one character to its half-width form (full-width ASCII block, ideographic space,
/// common dash and quote variants). Other characters are returned unchanged.
pub fn half_width(c: char) -> char {
    match c {
        '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200B}' | '\u{FEFF}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2212}' | '\u{2013}' | '\u{FE63}' => '-',
        _ => c,
    }
}

/// Half-width form of a whole string.
pub fn to_half_width(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    out.extend(s.chars().map(half_width));
    out
}

fn is_cjk_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Strip a leading numbering such as `一、`, `（三）`, `(3)`, `1.`, `1、`, `1．`, `3 `.
pub fn strip_numbering(s: &str) -> &str {
    let t = s.trim_start();
    // (一) / （一） / (1)
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(rest) = t.strip_prefix(open)
            && let Some(end) = rest.find(close)
        {
            let inner = &rest[..end];
            if !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| is_cjk_numeral(c) || c.is_ascii_digit() || c == ' ')
            {
                return rest[end + close.len_utf8()..].trim_start();
            }
        }
    }
    let n = t
        .char_indices()
        .take_while(|(_, c)| is_cjk_numeral(*c) || c.is_ascii_digit() || ('０'..='９').contains(c))
        .last()
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    if n > 0 {
        let rest = &t[n..];
        for sep in ['、', '.', '．', ',', '，', ' ', '\t'] {
            if let Some(r) = rest.strip_prefix(sep) {
                // `1.5` is a number, not numbering.
                if sep == '.' && r.starts_with(|c: char| c.is_ascii_digit()) {
                    return t;
                }
                return r.trim_start();
            }
        }
        let prefix = &t[..n];
        if prefix.bytes().all(|b| b.is_ascii_digit())
            && rest.starts_with(|c: char| !c.is_ascii() && c.is_alphabetic())
        {
            return rest;
        }
    }
    t
}

/// Letters, digits and CJK ideographs (fast path for the common ranges).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return true;
    }
    if matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{2000}'..='\u{206F}')
    {
        return false;
    }
    c.is_alphanumeric()
}

/// The comparable core of a label: half-width, numbering stripped, only letters, digits and
/// CJK characters kept (whitespace, line breaks, brackets, quotes and punctuation dropped).
pub fn core(label: &str) -> String {
    // One buffer: half-width without whitespace, then the numbering (a prefix: `strip_numbering`
    // returns a suffix of its input) and the non-word characters taken out in place.
    let mut s = String::with_capacity(label.len());
    s.extend(label.chars().map(half_width).filter(|c| !c.is_whitespace()));
    let numbering = s.len() - strip_numbering(&s).len();
    s.drain(..numbering);
    s.retain(is_word_char);
    s
}

/// Core without removing numbering (used for headings whose numeral matters).
pub fn compact(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    out.extend(label.chars().map(half_width).filter(|c| is_word_char(*c)));
    out
}

/// The unit written with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    /// 万元
    Wan,
    /// 元
    Yuan,
}

/// A cell's content interpreted as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An empty cell.
    Empty,
    /// An explicit blank (`—`, `-`, `/`, `无`).
    Blank,
    /// A number (with its unit, if written).
    Number {
        value: Decimal,
        unit: Unit,
        /// Written with an explicit `+`/`-`.
        signed: bool,
        /// Digits only, no separator, sign or point (for split-number repair).
        single_digit: bool,
    },
    /// Anything else (a label or an unreadable value).
    Text,
}

impl Token {
    pub fn is_value(&self) -> bool {
        !matches!(self, Token::Text)
    }
}

/// Interpret one cell's text.
pub fn parse_token(raw: &str) -> Token {
    let t = raw.trim();
    if t.is_empty() {
        return Token::Empty;
    }
    // Fast paths: plain digits, and labels (CJK text other than units and blank words).
    if t.len() <= 18
        && t.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = t.parse::<i64>()
    {
        return Token::Number {
            value: Decimal::from(n),
            unit: Unit::None,
            signed: false,
            single_digit: t.len() == 1,
        };
    }
    if t.chars().any(|c| {
        ('\u{4E00}'..='\u{9FFF}').contains(&c)
            && !matches!(c, '元' | '万' | '件' | '项' | '个' | '条' | '无' | '一')
    }) {
        return Token::Text;
    }
    let hw = to_half_width(raw);
    let s: String = hw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Token::Empty;
    }
    if s.chars()
        .all(|c| matches!(c, '-' | '—' | '─' | '/' | '_' | '一'))
        && !s.chars().all(|c| c == '一')
    {
        return Token::Blank;
    }
    if s == "无" || s == "/" || s == "——" {
        return Token::Blank;
    }
    let (body, unit) = if let Some(b) = s.strip_suffix("万元") {
        (b, Unit::Wan)
    } else if let Some(b) = s.strip_suffix('元') {
        (b, Unit::Yuan)
    } else if let Some(b) = s
        .strip_suffix('件')
        .or_else(|| s.strip_suffix('项'))
        .or_else(|| s.strip_suffix('个'))
        .or_else(|| s.strip_suffix('条'))
    {
        (b, Unit::None)
    } else {
        (s.as_str(), Unit::None)
    };
    let (negative, signed, digits) = if let Some(d) = body.strip_prefix('+') {
        (false, true, d)
    } else if let Some(d) = body.strip_prefix('-') {
        (true, true, d)
    } else {
        (false, false, body)
    };
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return Token::Text;
    }
    // Thousands separators: `1,234,567` (groups of exactly three digits after the first).
    let mut plain = String::with_capacity(digits.len());
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Token::Text;
        }
        for g in groups {
            plain.push_str(g);
        }
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Token::Text;
        }
        plain.push_str(int_part);
    }
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Token::Text;
        }
        plain.push('.');
        plain.push_str(f);
    }
    if plain.len() > 24 {
        return Token::Text;
    }
    let Ok(mut value) = Decimal::from_str(&plain) else {
        return Token::Text;
    };
    if negative {
        value = -value;
    }
    Token::Number {
        value,
        unit,
        signed,
        single_digit: !signed && unit == Unit::None && digits.len() == 1,
    }
}

/// Replace the wording variants that published reports use for the same statutory label.
pub fn canonical_core(core: String) -> String {
    if core.contains("需要另行制作") {
        core.replace("需要另行制作", "需另行制作")
    } else {
        core
    }
}

/// Is this a page-number line (`3`, `- 3 -`, `第3页`, `3/12`, `第 3 页 共 12 页`)?
pub fn is_page_number(text: &str) -> bool {
    if text.len() > 48 {
        return false;
    }
    let s: String = to_half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() || s.chars().count() > 16 {
        return false;
    }
    let stripped: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '—' | '第' | '页' | '共' | '/' | '·'))
        .collect();
    if stripped.is_empty() || !stripped.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // At most two groups of at most four digits (`3`, `3/12`, `第3页共12页`); a row of
    // numbers separated by spaces is not a page number.
    let hw = to_half_width(text);
    let groups: Vec<&str> = hw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() <= 2 && groups.iter().all(|g| g.len() <= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Decimal {
        match parse_token(s) {
            Token::Number { value, .. } => value,
            t => panic!("{s}: {t:?}"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(num("0"), Decimal::ZERO);
        assert_eq!(num("+6"), Decimal::from(6));
        assert_eq!(num("-2"), Decimal::from(-2));
        assert_eq!(num("１２３"), Decimal::from(123));
        assert_eq!(num("1,234"), Decimal::from(1234));
        assert_eq!(num("１，２３４"), Decimal::from(1234));
        assert_eq!(
            num("9335.1778万元"),
            Decimal::from_str("9335.1778").unwrap()
        );
        assert_eq!(num(" 12 件"), Decimal::from(12));
        assert!(matches!(
            parse_token("251000元"),
            Token::Number {
                unit: Unit::Yuan,
                ..
            }
        ));
        assert_eq!(parse_token("1,23"), Token::Text);
        assert_eq!(parse_token("约5"), Token::Text);
        assert_eq!(parse_token("5O"), Token::Text);
    }

    #[test]
    fn blanks() {
        for s in ["—", "-", "/", "无", "---", "——", "－", "", "  "] {
            assert!(
                matches!(parse_token(s), Token::Blank | Token::Empty),
                "{s:?}"
            );
        }
        assert_eq!(parse_token(""), Token::Empty);
        assert_eq!(parse_token("一"), Token::Text);
    }

    #[test]
    fn cores() {
        assert_eq!(
            core("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            "部分公开区分处理的只计这一情形不计其他情形"
        );
        assert_eq!(
            core("(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)"),
            "部分公开区分处理的只计这一情形不计其他情形"
        );
        assert_eq!(core("1.属于国家秘密"), "属于国家秘密");
        assert_eq!(core("1、属于国家秘密"), "属于国家秘密");
        assert_eq!(core("３．危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(
            core("一、本年新收政府信息公开申请数量"),
            "本年新收政府信息公开申请数量"
        );
        assert_eq!(core("商业\n企业"), "商业企业");
        assert_eq!(core("第二十条第（一）项"), "第二十条第一项");
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("- 3 -"));
        assert!(is_page_number("3"));
        assert!(is_page_number("第 3 页"));
        assert!(is_page_number("3/12"));
        assert!(!is_page_number("2020年"));
        assert!(!is_page_number(""));
        assert!(!is_page_number(" 2 1 0 1 4 1 0 0 1 2 1 0 0 0 1"));
    }
}
