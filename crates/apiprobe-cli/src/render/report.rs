//! The readable card for one [`Report`]: what the error is, what the API said, what to do.

use super::Style;
use apiprobe_catalog::Report;
use std::fmt::Write;

/// Headline (code, name, title), category and status, the API's own words, retry advice, evidence,
/// conflict and next steps; empty sections are left out. With `width` (a terminal's), long values and
/// list items wrap under themselves; without it every item stays on one line, for grep.
pub fn report_card(r: &Report, style: Style, width: Option<usize>) -> String {
    let mut out = String::new();
    if r.ok {
        let status = r
            .status
            .map(|s| format!("status {s}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}",
            style.good(&format!("{status}no error in this response"))
        );
        return out;
    }
    let head = match (&r.code, &r.name, &r.title) {
        (Some(code), Some(name), Some(title)) => format!("{code} {name} — {title}"),
        (Some(code), None, Some(title)) => format!("{code} {title}"),
        (Some(code), _, None) => code.clone(),
        _ => "not recognised".to_string(),
    };
    let _ = writeln!(out, "{}", style.bold(&head));
    let mut facts = Vec::new();
    if let Some(c) = r.category {
        facts.push(format!("category: {}", style.category(c)));
    }
    if let Some(s) = r.status {
        facts.push(format!("status: {s}"));
    }
    if let Some(f) = &r.format {
        facts.push(format!("format: {f}"));
    }
    facts.push(format!("confidence: {:.2}", r.confidence));
    let _ = writeln!(out, "{}", facts.join("  "));
    let mut said = Vec::new();
    if let Some(v) = &r.vendor_code {
        let who = r
            .vendor
            .as_deref()
            .map(|v| format!("{v} "))
            .unwrap_or_default();
        said.push((format!("{who}code"), v.clone()));
    }
    for (label, value) in [
        ("message", &r.message),
        ("field", &r.field),
        ("permission", &r.permission),
        ("resource", &r.resource),
    ] {
        if let Some(v) = value {
            said.push((label.to_string(), v.clone()));
        }
    }
    let retry = match (r.retryable, r.retry_after_s) {
        (_, Some(s)) if s <= 0.0 => Some("yes, now".to_string()),
        (_, Some(s)) => Some(format!("yes, after {s} s")),
        (Some(true), None) => Some("yes".to_string()),
        (Some(false), None) => Some("no: sent again unchanged, it fails the same way".to_string()),
        (None, None) => None,
    };
    if let Some(rt) = retry {
        said.push(("retry".to_string(), rt));
    }
    if !said.is_empty() {
        let _ = writeln!(out);
        let label_width = said.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (label, value) in said {
            let value = wrap(&value, width, label_width + 1);
            let _ = writeln!(
                out,
                "{} {value}",
                style.dim(&format!("{label:<label_width$}"))
            );
        }
    }
    if let Some(c) = &r.conflict {
        let _ = writeln!(out);
        let _ = writeln!(out, "{} {}", style.bad("conflict:"), wrap(c, width, 10));
    }
    list(&mut out, style, width, "Evidence", &r.evidence);
    list(&mut out, style, width, "Next steps", &r.next_steps);
    if !r.details.is_empty() {
        let items: Vec<String> = r.details.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        list(&mut out, style, width, "Details", &items);
    }
    out
}

/// `text` wrapped to `width` columns when there is one, every line after the first indented by
/// `indent` (the text starts at that column on the first line).
fn wrap(text: &str, width: Option<usize>, indent: usize) -> String {
    let Some(width) = width.filter(|&w| w > indent + 20) else {
        return text.to_string();
    };
    let pad = " ".repeat(indent);
    let opts = textwrap::Options::new(width - indent).break_words(false);
    textwrap::wrap(text, opts).join(&format!("\n{pad}"))
}

fn list(out: &mut String, style: Style, width: Option<usize>, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", style.bold(title));
    for i in items {
        let _ = writeln!(out, "  - {}", wrap(i, width, 4));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apiprobe_catalog::Category;

    #[test]
    fn card_shows_the_condition_the_api_words_and_the_steps() {
        let r = Report {
            status: Some(429),
            code: Some("PRB-1601".into()),
            name: Some("RATE_LIMITED".into()),
            title: Some("Rate limited".into()),
            category: Some(Category::Client),
            vendor: Some("aws".into()),
            vendor_code: Some("ThrottlingException".into()),
            retry_after_s: Some(30.0),
            next_steps: vec!["Wait 30 s before retrying.".into()],
            evidence: vec!["status 429".into()],
            ..Report::default()
        };
        let card = report_card(&r, Style::detect(crate::cli::ColorChoice::Never), None);
        assert!(
            card.starts_with("PRB-1601 RATE_LIMITED — Rate limited\n"),
            "{card}"
        );
        assert!(card.contains("aws code ThrottlingException"));
        assert!(card.contains("yes, after 30 s"));
        assert!(card.contains("Next steps\n  - Wait 30 s before retrying."));
    }

    #[test]
    fn long_values_wrap_under_themselves_on_a_terminal_only() {
        let long = "Permission storage.objects.get denied on resource (or it may not exist), \
                    for the caller that made this request";
        let r = Report {
            code: Some("PRB-2102".into()),
            message: Some(long.into()),
            next_steps: vec![long.into()],
            retryable: Some(false),
            ..Report::default()
        };
        let style = Style::detect(crate::cli::ColorChoice::Never);
        let flat = report_card(&r, style, None);
        assert!(flat.contains(&format!("message {long}\n")), "{flat}");
        let card = report_card(&r, style, Some(60));
        assert!(card.lines().all(|l| l.chars().count() <= 60), "{card}");
        // The message goes on under its first word (after "message "), list items under their text.
        assert!(card.contains("\nmessage Permission"), "{card}");
        let under = |indent: usize| {
            card.lines().any(|l| {
                l.len() > indent
                    && l.bytes().take(indent).all(|b| b == b' ')
                    && !matches!(l.as_bytes()[indent], b' ' | b'-')
            })
        };
        assert!(under(8), "message continues at column 8: {card}");
        assert!(card.contains("  - Permission"), "{card}");
        assert!(under(4), "list items continue at column 4: {card}");
        assert!(card.contains("no: sent again unchanged, it fails the same way"));
    }
}
