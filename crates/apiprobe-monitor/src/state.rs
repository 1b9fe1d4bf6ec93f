//! Check states: up, degraded, down, from consecutive runs and the suite's thresholds.
//!
//! - A failing run counts toward down; `failure_threshold` failures in a row make the check down.
//! - A passing run slower than `degraded_latency` counts toward degraded, with the same threshold.
//! - `success_threshold` fast passes in a row bring a down or degraded check back up.
//! - While down, a change of failure code is a state change of its own (down to down), so the
//!   history shows when a 503 became a connection refused.
//! - Runs in a maintenance window change nothing.
//!
//! A fresh check is `unknown` until its first run: a pass makes it up at once, failures need the
//! threshold like anywhere else.

use serde::{Deserialize, Serialize};

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// No run yet.
    #[default]
    Unknown,
    /// Passing.
    Up,
    /// Passing, but slower than `degraded_latency`.
    Degraded,
    /// Failing.
    Down,
}

impl Health {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Degraded => "degraded",
            Health::Down => "down",
        }
    }

    /// Reads a stored value; anything else is unknown.
    pub fn parse(s: &str) -> Health {
        match s {
            "up" => Health::Up,
            "degraded" => Health::Degraded,
            "down" => Health::Down,
            _ => Health::Unknown,
        }
    }
}

/// How one run came out, for the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Passed in time.
    Pass,
    /// Passed, slower than `degraded_latency`.
    Slow,
    /// Failed with this code.
    Fail(Option<&'a str>),
}

/// The state of one check, as kept between runs (and stored, so a restart does not re-alert).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckState {
    /// The current state.
    pub health: Health,
    /// When it took this state (unix ms).
    pub since_ms: i64,
    /// The failure code while down.
    pub code: Option<String>,
    /// Consecutive failures.
    pub fail_streak: u32,
    /// Consecutive slow passes.
    pub slow_streak: u32,
    /// Consecutive fast passes.
    pub ok_streak: u32,
}

/// A state change to record (and maybe alert on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Before.
    pub from: Health,
    /// After.
    pub to: Health,
    /// The failure code after the change (down only).
    pub code: Option<String>,
}

impl Transition {
    /// Whether an alert goes out: into or out of down or degraded (not the first up, not a code
    /// change while down).
    pub fn alerts(&self) -> bool {
        self.from != self.to && !(self.from == Health::Unknown && self.to == Health::Up)
    }
}

impl CheckState {
    /// Applies one run; returns the state change it caused, if any.
    pub fn apply(
        &mut self,
        outcome: Outcome,
        now_ms: i64,
        failure_threshold: u32,
        success_threshold: u32,
    ) -> Option<Transition> {
        match outcome {
            Outcome::Fail(_) => {
                self.fail_streak = self.fail_streak.saturating_add(1);
                self.ok_streak = 0;
                self.slow_streak = 0;
            }
            Outcome::Slow => {
                self.slow_streak = self.slow_streak.saturating_add(1);
                self.fail_streak = 0;
                self.ok_streak = 0;
            }
            Outcome::Pass => {
                self.ok_streak = self.ok_streak.saturating_add(1);
                self.fail_streak = 0;
                self.slow_streak = 0;
            }
        }
        let from = self.health;
        let to = match (from, outcome) {
            (_, Outcome::Fail(_)) if self.fail_streak >= failure_threshold => Health::Down,
            (Health::Unknown, Outcome::Pass) => Health::Up,
            (Health::Unknown | Health::Up, Outcome::Slow)
                if self.slow_streak >= failure_threshold =>
            {
                Health::Degraded
            }
            (Health::Unknown, Outcome::Slow) => Health::Up,
            (Health::Down, Outcome::Slow) if self.slow_streak >= success_threshold => {
                Health::Degraded
            }
            (Health::Down | Health::Degraded, Outcome::Pass)
                if self.ok_streak >= success_threshold =>
            {
                Health::Up
            }
            (h, _) => h,
        };
        let code = match outcome {
            Outcome::Fail(c) if to == Health::Down => c.map(str::to_string),
            _ if to == Health::Down => self.code.clone(),
            _ => None,
        };
        let code_changed = from == Health::Down && to == Health::Down && code != self.code;
        if to == from && !code_changed {
            return None;
        }
        self.health = to;
        self.code = code.clone();
        if to != from {
            self.since_ms = now_ms;
        }
        Some(Transition { from, to, code })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &mut CheckState, o: Outcome) -> Option<Transition> {
        s.apply(o, 1, 3, 2)
    }

    #[test]
    fn down_after_threshold_and_up_after_successes() {
        let mut s = CheckState::default();
        assert_eq!(run(&mut s, Outcome::Pass).map(|t| t.to), Some(Health::Up));
        assert!(run(&mut s, Outcome::Fail(Some("503"))).is_none());
        assert!(run(&mut s, Outcome::Fail(Some("503"))).is_none());
        let t = run(&mut s, Outcome::Fail(Some("503"))).expect("down");
        assert_eq!(
            (t.from, t.to, t.code.as_deref()),
            (Health::Up, Health::Down, Some("503"))
        );
        assert!(t.alerts());
        assert!(run(&mut s, Outcome::Fail(Some("503"))).is_none());
        // The code changing while down is recorded, without a new alert.
        let t = run(&mut s, Outcome::Fail(Some("PRB-1002"))).expect("code change");
        assert_eq!(
            (t.from, t.to, t.code.as_deref()),
            (Health::Down, Health::Down, Some("PRB-1002"))
        );
        assert!(!t.alerts());
        assert!(run(&mut s, Outcome::Pass).is_none());
        // One failure in between restarts the count.
        assert!(run(&mut s, Outcome::Fail(Some("PRB-1002"))).is_none());
        assert!(run(&mut s, Outcome::Pass).is_none());
        let t = run(&mut s, Outcome::Pass).expect("up");
        assert_eq!(
            (t.from, t.to, t.code.as_deref()),
            (Health::Down, Health::Up, None)
        );
        assert!(t.alerts());
    }

    #[test]
    fn slow_passes_degrade_and_fast_ones_recover() {
        let mut s = CheckState::default();
        assert_eq!(run(&mut s, Outcome::Slow).map(|t| t.to), Some(Health::Up));
        assert!(run(&mut s, Outcome::Slow).is_none());
        assert_eq!(
            run(&mut s, Outcome::Slow).map(|t| t.to),
            Some(Health::Degraded)
        );
        assert!(run(&mut s, Outcome::Pass).is_none());
        assert_eq!(run(&mut s, Outcome::Pass).map(|t| t.to), Some(Health::Up));
    }

    #[test]
    fn first_run_failures_need_the_threshold_and_the_first_up_does_not_alert() {
        let mut s = CheckState::default();
        assert!(run(&mut s, Outcome::Fail(None)).is_none());
        assert!(run(&mut s, Outcome::Fail(None)).is_none());
        assert_eq!(
            run(&mut s, Outcome::Fail(None)).map(|t| t.to),
            Some(Health::Down)
        );
        let mut s = CheckState::default();
        assert!(!run(&mut s, Outcome::Pass).expect("up").alerts());
        assert_eq!(Health::parse("down"), Health::Down);
        assert_eq!(Health::parse("nonsense"), Health::Unknown);
    }
}
