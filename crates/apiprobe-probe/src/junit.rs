//! JUnit XML for CI systems: one `<testcase>` per check; a failing check carries its code and message.
//!
//! Test cases are written as results arrive, into a buffer; the enclosing `<testsuite>` needs the totals,
//! so it is written at the end around them.

use apiprobe_catalog::Report;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::Write;

/// Collects test cases and writes the report.
#[derive(Default)]
pub struct JunitReport {
    cases: Vec<u8>,
    tests: usize,
    failures: usize,
    seconds: f64,
}

impl JunitReport {
    /// An empty report.
    pub fn new() -> JunitReport {
        JunitReport::default()
    }

    /// Adds one check's result.
    pub fn add(&mut self, name: &str, report: &Report) -> std::io::Result<()> {
        let secs = report.timings_ms.as_ref().map_or(0.0, |t| t.total / 1000.0);
        self.tests += 1;
        self.seconds += secs;
        let mut w = Writer::new_with_indent(&mut self.cases, b' ', 2);
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("name", name));
        case.push_attribute(("classname", "apiprobe"));
        case.push_attribute(("time", format!("{secs:.3}").as_str()));
        if report.ok {
            w.write_event(Event::Empty(case))?;
        } else {
            self.failures += 1;
            w.write_event(Event::Start(case))?;
            let code = report.code.clone().unwrap_or_default();
            let label = report
                .name
                .clone()
                .or(report.title.clone())
                .unwrap_or_default();
            let message = report.message.clone().unwrap_or_default();
            let mut f = BytesStart::new("failure");
            f.push_attribute(("type", format!("{code} {label}").trim()));
            f.push_attribute(("message", message.as_str()));
            w.write_event(Event::Start(f))?;
            let mut text = format!("{code} {label}: {message}");
            if let Some(url) = &report.url {
                text.push_str(&format!("\nurl: {url}"));
            }
            if let Some(status) = report.status {
                text.push_str(&format!("\nstatus: {status}"));
            }
            if let Some(phase) = report.phase {
                text.push_str(&format!("\nphase: {phase}"));
            }
            for a in report.assertions.iter().filter(|a| !a.passed) {
                text.push_str(&format!(
                    "\nassertion {}: expected {}, got {}",
                    a.kind,
                    a.expected,
                    a.actual.as_deref().unwrap_or("nothing")
                ));
            }
            w.write_event(Event::Text(BytesText::new(&text)))?;
            w.write_event(Event::End(BytesEnd::new("failure")))?;
            w.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        self.cases.push(b'\n');
        Ok(())
    }

    /// Writes the whole document.
    pub fn write_to(&self, suite_name: &str, out: &mut impl Write) -> std::io::Result<()> {
        let mut w = Writer::new(&mut *out);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        out.write_all(b"\n")?;
        let mut w = Writer::new(&mut *out);
        let mut suites = BytesStart::new("testsuites");
        suites.push_attribute(("tests", self.tests.to_string().as_str()));
        suites.push_attribute(("failures", self.failures.to_string().as_str()));
        w.write_event(Event::Start(suites))?;
        out.write_all(b"\n")?;
        let mut w = Writer::new(&mut *out);
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", suite_name));
        suite.push_attribute(("tests", self.tests.to_string().as_str()));
        suite.push_attribute(("failures", self.failures.to_string().as_str()));
        suite.push_attribute(("errors", "0"));
        suite.push_attribute(("time", format!("{:.3}", self.seconds).as_str()));
        w.write_event(Event::Start(suite))?;
        out.write_all(b"\n")?;
        out.write_all(&self.cases)?;
        out.write_all(b"</testsuite>\n</testsuites>\n")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apiprobe_catalog::Timings;

    #[test]
    fn failures_carry_code_and_escaped_message() {
        let mut j = JunitReport::new();
        let ok = Report {
            ok: true,
            timings_ms: Some(Timings {
                total: 12.0,
                ..Timings::default()
            }),
            ..Report::default()
        };
        j.add("health", &ok).expect("add");
        let bad = Report {
            ok: false,
            code: Some("PRB-3001".into()),
            name: Some("CONNECTION_REFUSED".into()),
            message: Some("connection to <127.0.0.1:1> refused & \"gone\"".into()),
            ..Report::default()
        };
        j.add("a<b>", &bad).expect("add");
        let mut out = Vec::new();
        j.write_to("suite.toml", &mut out).expect("write");
        let xml = String::from_utf8(out).expect("utf8");
        assert!(
            xml.contains(r#"<testsuite name="suite.toml" tests="2" failures="1""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testcase name="health" classname="apiprobe" time="0.012"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"name="a&lt;b&gt;""#), "{xml}");
        assert!(
            xml.contains(r#"type="PRB-3001 CONNECTION_REFUSED""#),
            "{xml}"
        );
        assert!(xml.contains("&lt;127.0.0.1:1&gt; refused &amp; "), "{xml}");
        assert!(xml.ends_with("</testsuite>\n</testsuites>\n"));
    }
}
