//! Turning entries and reports into text for a terminal: colour, cards, tables.

mod card;
pub mod check;
mod report;
mod table;

pub use card::entry_card;
pub use report::report_card;
pub use table::{entry_table, TableRow};

use crate::cli::ColorChoice;
use std::io::IsTerminal;

/// The width of the terminal stdout is, when it is one; text for pipes and files is not wrapped.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// Whether to emit ANSI colour, decided once from `--color`, `NO_COLOR` and whether stdout is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// `auto` colours a terminal unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn detect(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Style { color }
    }

    /// Whether colour is on.
    pub fn enabled(self) -> bool {
        self.color
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text, for labels and secondary facts.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Red, bold: the `error` prefix on stderr.
    pub fn error(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Green: a passing check.
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Red: a failing check.
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// A category in its colour: client yellow, auth magenta, server red.
    pub fn category(self, category: apiprobe_catalog::Category) -> String {
        let code = match category {
            apiprobe_catalog::Category::Client => "33",
            apiprobe_catalog::Category::Auth => "35",
            apiprobe_catalog::Category::Server => "31",
        };
        self.paint(code, category.as_str())
    }
}
