//! A minimal flag parser, so that xtask needs no argument-parsing dependency.

use std::collections::VecDeque;
use std::path::PathBuf;

/// The arguments after `cargo xtask`.
pub struct Args {
    rest: VecDeque<String>,
}

impl Args {
    /// The process arguments, without the program name.
    pub fn from_env() -> Args {
        Args {
            rest: std::env::args().skip(1).collect(),
        }
    }

    /// Takes the verb (the first argument).
    pub fn verb(&mut self) -> Option<String> {
        self.rest.pop_front()
    }

    /// Takes a boolean flag.
    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|a| a != name);
        self.rest.len() != before
    }

    /// Takes every `name VALUE` pair.
    pub fn values(&mut self, name: &str) -> Result<Vec<String>, String> {
        let mut values = Vec::new();
        while let Some(i) = self.rest.iter().position(|a| a == name) {
            self.rest.remove(i);
            values.push(
                self.rest
                    .remove(i)
                    .ok_or_else(|| format!("{name} needs a value"))?,
            );
        }
        Ok(values)
    }

    /// Takes at most one `name VALUE` pair.
    pub fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut values = self.values(name)?;
        if values.len() > 1 {
            return Err(format!("{name} is given more than once"));
        }
        Ok(values.pop())
    }

    /// Takes at most one `name PATH` pair.
    pub fn path(&mut self, name: &str) -> Result<Option<PathBuf>, String> {
        Ok(self.value(name)?.map(PathBuf::from))
    }

    /// Takes at most one `name R` pair, a rate from 0 to 1.
    pub fn rate(&mut self, name: &str) -> Result<Option<f64>, String> {
        let Some(text) = self.value(name)? else {
            return Ok(None);
        };
        match text.parse::<f64>() {
            Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(Some(rate)),
            _ => Err(format!("{name} takes a number from 0 to 1, not `{text}`")),
        }
    }

    /// Fails if any argument was not taken.
    pub fn finish(self) -> Result<(), String> {
        match self.rest.front() {
            Some(unknown) => Err(format!(
                "unexpected argument `{unknown}` (see `cargo xtask help`)"
            )),
            None => Ok(()),
        }
    }
}
