//! The generic webhook: the [`Alert`] as JSON, every field always present.

use super::Alert;

/// The request body.
pub fn body(alert: &Alert) -> serde_json::Value {
    serde_json::to_value(alert).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_webhook_body_is_the_alert() {
        let a = super::super::tests::sample(true);
        let v = super::body(&a);
        assert_eq!(v["status"], "firing");
        assert_eq!(v["code"], "PRB-1002");
        assert_eq!(v["topic"], "down");
        assert!(v["fixes"].as_array().is_some_and(|f| !f.is_empty()));
    }
}
