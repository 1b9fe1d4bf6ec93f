//! Small, panic-free readers shared by the format parsers: JSON member access, XML/HTML element text,
//! and message clipping. Nothing here recurses, so hostile nesting cannot exhaust the stack.

use crate::json::{Map, Value};

/// Longest message kept, in characters: a whole HTML page or stack trace is not a message.
const MAX_MESSAGE: usize = 500;

/// A string member of an object.
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// An object member of an object.
pub(crate) fn obj_of<'a, 'j>(v: &'a Value<'j>, key: &str) -> Option<&'a Map<'j>> {
    v.get(key).and_then(Value::as_object)
}

/// An array member of an object.
pub(crate) fn arr_of<'a, 'j>(v: &'a Value<'j>, key: &str) -> Option<&'a Vec<Value<'j>>> {
    v.get(key).and_then(Value::as_array)
}

/// A member rendered as text when it is a string or a number (codes come as either).
pub(crate) fn code_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Trims and shortens a message to at most [`MAX_MESSAGE`] characters, on a character boundary.
pub(crate) fn clip(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// `Some(clip(s))` unless `s` is blank.
pub(crate) fn message(s: &str) -> Option<String> {
    let c = clip(s);
    (!c.is_empty()).then_some(c)
}

/// The text between the first `open` and the next `close` after it.
pub(crate) fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = find(text, open)? + open.len();
    let rest = &text[start..];
    let end = find(rest, close)?;
    Some(&rest[..end])
}

/// Where `needle` first occurs in `text`. Parsers search short messages and bodies for short constants,
/// where setting up a general searcher costs more than the search: below [`SHORT_TEXT`] bytes a scan for
/// the first byte with a compare at each hit; above it, memchr's searcher, whose time stays linear.
pub(crate) fn find(text: &str, needle: &str) -> Option<usize> {
    let (hay, pat) = (text.as_bytes(), needle.as_bytes());
    if hay.len() > SHORT_TEXT {
        return memchr::memmem::find(hay, pat);
    }
    let (&first, rest) = match pat.split_first() {
        Some(split) => split,
        None => return Some(0),
    };
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &hay[from..]) {
        let at = from + i;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Longest text searched with the simple scan in [`find`].
const SHORT_TEXT: usize = 2048;

/// Whether `needle` occurs in `text`.
pub(crate) fn has(text: &str, needle: &str) -> bool {
    find(text, needle).is_some()
}

/// Whether `local` appears right after `<` or after a namespace prefix's `:`: a necessary condition for an
/// element whose local name is `local`, checked before tokenising a document that may not have one.
pub(crate) fn has_start_tag(text: &str, local: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    // `find`, not a fresh memmem searcher per call: error documents are short.
    while let Some(i) = text.get(from..).and_then(|rest| find(rest, local)) {
        let at = from + i;
        if at > 0 && matches!(bytes[at - 1], b'<' | b':') {
            return true;
        }
        // The name is ASCII, so the byte after its first one starts a character.
        from = at + 1;
    }
    false
}

/// The content of the first element whose local name is `local`, whatever its namespace prefix
/// (`<env:Value>`, `<Value>`, `<soap:Value xmlns:...>`). Nested elements of the same name are not counted:
/// the content runs to the first matching close tag, which is what every fault format here needs.
pub(crate) fn xml_element<'a>(text: &'a str, local: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(rel) = text[from..].find('<') {
        let lt = from + rel;
        let after = &text[lt + 1..];
        let name_len = after
            .find(|c: char| c == '>' || c == '/' || c.is_whitespace())
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let local_name = name.rsplit(':').next().unwrap_or(name);
        if local_name == local
            && !name.starts_with('/')
            && !name.starts_with('?')
            && !name.starts_with('!')
        {
            let gt = after.find('>')?;
            if after[..gt].ends_with('/') {
                return Some("");
            }
            let body_start = lt + 1 + gt + 1;
            let close = format!("</{name}>");
            let end = text[body_start..].find(&close)?;
            return Some(&text[body_start..body_start + end]);
        }
        from = lt + 1;
    }
    None
}

/// Removes tags and decodes the few entities error pages use, collapsing whitespace.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(4096));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        let long = "é".repeat(MAX_MESSAGE + 10);
        let c = clip(&long);
        assert!(c.ends_with("..."));
        assert_eq!(c.chars().count(), MAX_MESSAGE + 3);
    }

    #[test]
    fn xml_element_ignores_prefixes_and_attributes() {
        let x = r#"<s:Fault><s:Code><s:Value xmlns:a="b">s:Sender</s:Value></s:Code></s:Fault>"#;
        assert_eq!(xml_element(x, "Value"), Some("s:Sender"));
        assert_eq!(xml_element(x, "Missing"), None);
        assert_eq!(xml_element("<a><Value/></a>", "Value"), Some(""));
        assert_eq!(xml_element("<Value>unclosed", "Value"), None);
    }

    #[test]
    fn has_start_tag_sees_prefixed_and_bare_tags_only() {
        assert!(has_start_tag("<soap:Envelope>", "Envelope"));
        assert!(has_start_tag("x <Envelope a='b'>", "Envelope"));
        assert!(!has_start_tag("<title>Envelope</title>", "Envelope"));
        assert!(!has_start_tag("Envelope", "Envelope"));
    }

    proptest::proptest! {
        /// The guard never turns down a document in which the element reader finds the element.
        #[test]
        fn has_start_tag_holds_wherever_xml_element_finds_one(
            text in "(<[/a-z:!?]{0,4}(Value|Fault)?( a=\"b\")?/?>|[^<]{0,6}|Value){0,20}"
        ) {
            for local in ["Value", "Fault"] {
                if xml_element(&text, local).is_some() {
                    proptest::prop_assert!(has_start_tag(&text, local));
                }
            }
        }

        /// `between` finds what the standard library's search finds.
        #[test]
        fn between_agrees_with_str_find(text in "[ab<>/ ]{0,30}", open in "[ab<]{1,3}", close in "[ab>/]{1,2}") {
            // Short texts take the simple scan, long ones memchr's searcher.
            for text in [text.clone(), format!("{}{text}", "x".repeat(SHORT_TEXT))] {
                let expected = text.find(open.as_str()).and_then(|i| {
                    let rest = &text[i + open.len()..];
                    rest.find(close.as_str()).map(|j| &rest[..j])
                });
                proptest::prop_assert_eq!(between(&text, &open, &close), expected);
            }
        }
    }

    #[test]
    fn plain_text_strips_tags_and_entities() {
        assert_eq!(
            plain_text("<pre>Cannot GET /x&amp;y</pre>\n"),
            "Cannot GET /x&y"
        );
    }
}
