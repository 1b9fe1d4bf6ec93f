//! Slack incoming webhooks: one message with the summary, the first cause and fix, and the link.

use super::Alert;

/// Slack's mrkdwn wants `&`, `<` and `>` escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The request body.
pub fn body(alert: &Alert) -> serde_json::Value {
    let icon = if alert.status == "resolved" {
        ":large_green_circle:"
    } else if alert.state == "down" {
        ":red_circle:"
    } else {
        ":large_yellow_circle:"
    };
    let mut text = format!("{icon} *{}*", esc(&alert.summary()));
    if alert.status == "firing" {
        if let Some(c) = alert.causes.first() {
            text.push_str(&format!("\n*Likely cause:* {}", esc(c)));
        }
        if let Some(f) = alert.fixes.first() {
            text.push_str(&format!("\n*Fix:* {}", esc(f)));
        }
    }
    if let (Some(link), Some(code)) = (&alert.link, &alert.code) {
        text.push_str(&format!("\n<{}|{}>", esc(link), esc(code)));
    }
    text.push_str(&format!(
        "\n_{} · {} · {}_",
        esc(&alert.suite),
        esc(&alert.location),
        esc(&alert.url)
    ));
    serde_json::json!({ "text": text })
}

#[cfg(test)]
mod tests {
    #[test]
    fn slack_text_escapes_and_links_the_code() {
        let mut a = super::super::tests::sample(true);
        a.message = Some("<script> & co".into());
        let v = super::body(&a);
        let t = v["text"].as_str().unwrap_or_default();
        assert!(t.starts_with(":red_circle: *api is down: PRB-1002"), "{t}");
        assert!(t.contains("&lt;script&gt; &amp; co"), "{t}");
        assert!(
            t.contains("<http://127.0.0.1:9464/codes/PRB-1002|PRB-1002>"),
            "{t}"
        );
        assert!(t.contains("*Fix:*"), "{t}");
    }
}
