//! OpenSSL 3.0's cipher-list rule engine: elements, prefixes and `@` commands.

use super::openssl_suites::{self, OpensslSuite};
use super::pattern::{traits_of, Pattern, ALIASES, DISABLED_ALIASES};
use super::table::{CipherInfo, ALL};
use super::{CipherSelection, CipherStringError};

/// What a leading `DEFAULT` expands to in OpenSSL 3.0.
const OPENSSL_DEFAULT_RULES: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// Runs the rules of `s` over all of OpenSSL's suites.
pub(super) fn run_rules(s: &str) -> Result<Engine, CipherStringError> {
    let mut engine = Engine::new();
    if let Some(replacement) = suite_b_rules(s) {
        engine.run(replacement, 0)?;
    } else if let Some(rest) = s.strip_prefix("DEFAULT") {
        engine.run(OPENSSL_DEFAULT_RULES, 0)?;
        let (rest, skipped) = match rest.strip_prefix(':') {
            Some(r) => (r, 8),
            None => (rest, 7),
        };
        engine.run(rest, skipped)?;
    } else {
        engine.run(s, 0)?;
    }
    Ok(engine)
}

/// Shorthand for a syntax error.
pub(super) fn syntax(position: usize, reason: &'static str) -> CipherStringError {
    CipherStringError::Syntax { position, reason }
}

/// The whole rule string that a leading Suite B keyword stands for (the rest of the string is dropped, as OpenSSL does).
fn suite_b_rules(s: &str) -> Option<&'static str> {
    const ECDSA128: &str = "ECDHE-ECDSA-AES128-GCM-SHA256";
    const ECDSA256: &str = "ECDHE-ECDSA-AES256-GCM-SHA384";
    const BOTH: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    let table: [(&str, &'static str); 4] = [
        ("SUITEB128ONLY", ECDSA128),
        ("SUITEB128C2", ECDSA256),
        ("SUITEB128", BOTH),
        ("SUITEB192", ECDSA256),
    ];
    table
        .iter()
        .find(|(prefix, _)| s.starts_with(prefix))
        .map(|(_, rules)| *rules)
}

/// The selector a single name stands for: an OpenSSL suite name or an alias.
fn lookup(name: &str) -> Option<Pattern> {
    if DISABLED_ALIASES.contains(&name) {
        return None;
    }
    if let Some((_, p)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        return Some(*p);
    }
    ALL.iter()
        .filter(|c| !c.is_tls13() && c.name == name)
        .find_map(|c| traits_of(c.suite))
        .map(|t| t.pattern)
        .or_else(|| {
            openssl_suites::absent()
                .iter()
                .find(|a| a.name == name)
                .map(OpensslSuite::pattern)
        })
}

/// What an element's prefix asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// No prefix: append matching suites not yet selected.
    Add,
    /// `-`: unselect matching suites; a later rule may add them back.
    Remove,
    /// `!`: drop matching suites for good.
    Kill,
    /// `+`: move matching selected suites to the end.
    MoveToEnd,
}

/// One suite in the engine's ordered list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    /// The suite, when rustls has it; `None` for OpenSSL's other suites.
    info: Option<&'static CipherInfo>,
    strength_bits: u32,
    pattern: Pattern,
    pub(super) active: bool,
}

/// OpenSSL's ordered list of suites, each selected or not.
pub(super) struct Engine {
    pub(super) slots: Vec<Slot>,
    level: Option<u8>,
}

/// Whether a byte separates elements.
fn is_separator(b: u8) -> bool {
    matches!(b, b':' | b' ' | b';' | b',')
}

/// Whether a byte may appear in a cipher or alias name.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'=')
}

/// The end of the name starting at `start`.
fn name_end(b: &[u8], start: usize) -> usize {
    b[start..]
        .iter()
        .position(|&c| !is_name_byte(c))
        .map_or(b.len(), |n| start + n)
}

/// The index of the next separator at or after `i` (or the end).
fn next_separator(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| is_separator(c))
        .map_or(b.len(), |n| i + n)
}

impl Engine {
    /// All of OpenSSL's TLS 1.2-and-older suites, none selected: rustls' in
    /// OpenSSL's default order, then the others (where those stand does not
    /// change the order of rustls' suites, which is all that is kept).
    fn new() -> Self {
        let present = ALL.iter().filter_map(|info| {
            traits_of(info.suite).map(|t| Slot {
                info: Some(info),
                strength_bits: info.strength_bits,
                pattern: t.pattern,
                active: false,
            })
        });
        let absent = openssl_suites::absent().iter().map(|a| Slot {
            info: None,
            strength_bits: a.strength_bits,
            pattern: a.pattern(),
            active: false,
        });
        Engine {
            slots: present.chain(absent).collect(),
            level: None,
        }
    }

    /// The selection, or `NoCipherSelected` when OpenSSL would select no
    /// suite at all. When it selects only suites rustls lacks, the selection
    /// is empty: TLS 1.2 gets no suites, and TLS 1.3 (which cipher strings
    /// never touch) keeps its own.
    pub(super) fn finish(self) -> Result<CipherSelection, CipherStringError> {
        if !self.slots.iter().any(|s| s.active) {
            return Err(CipherStringError::NoCipherSelected);
        }
        let tls12 = self
            .slots
            .iter()
            .filter(|s| s.active)
            .filter_map(|s| s.info)
            .collect();
        Ok(CipherSelection {
            tls12,
            security_level: self.level,
        })
    }

    /// Runs every element of `s`; `base` is `s`'s offset in the caller's string, for errors.
    fn run(&mut self, s: &str, base: usize) -> Result<(), CipherStringError> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let op = match b[i] {
                c if is_separator(c) => {
                    i += 1;
                    continue;
                }
                b'@' => {
                    i = self.command(b, i + 1, base)?;
                    continue;
                }
                b'-' => Op::Remove,
                b'!' => Op::Kill,
                b'+' => Op::MoveToEnd,
                _ => Op::Add,
            };
            if op != Op::Add {
                i += 1;
            }
            i = self.element(op, b, i, base)?;
        }
        Ok(())
    }

    /// Reads the name at `i`, failing if there is none.
    fn name(b: &[u8], i: usize, base: usize) -> Result<(&[u8], usize), CipherStringError> {
        let end = name_end(b, i);
        if end == i {
            return Err(syntax(base + i, "expected a cipher or alias name"));
        }
        Ok((&b[i..end], end))
    }

    /// Handles a `+`-joined element at `i`; returns where parsing resumes.
    ///
    /// A recognised element may be followed directly by the next one; an
    /// unrecognised one is skipped up to the next separator, as OpenSSL does.
    fn element(
        &mut self,
        op: Op,
        b: &[u8],
        mut i: usize,
        base: usize,
    ) -> Result<usize, CipherStringError> {
        let mut pattern = Pattern::default();
        loop {
            let (name, end) = Self::name(b, i, base)?;
            i = end;
            let part = std::str::from_utf8(name).ok().and_then(lookup);
            match part.and_then(|p| pattern.and(p)) {
                Some(p) => pattern = p,
                None => return Ok(next_separator(b, i)),
            }
            if b.get(i) != Some(&b'+') {
                break;
            }
            i += 1;
        }
        self.apply(op, &pattern);
        Ok(i)
    }

    /// Handles the `@` command whose name starts at `i`; returns where parsing resumes.
    fn command(&mut self, b: &[u8], i: usize, base: usize) -> Result<usize, CipherStringError> {
        let (name, end) = Self::name(b, i, base)?;
        match name {
            b"STRENGTH" => self.sort_by_strength(),
            [b'S', b'E', b'C', b'L', b'E', b'V', b'E', b'L', b'=', d @ b'0'..=b'5'] => {
                self.level = Some(d - b'0');
            }
            _ => return Err(syntax(base + i, "unknown @ command")),
        }
        Ok(next_separator(b, end))
    }

    /// Applies one rule to the list.
    fn apply(&mut self, op: Op, p: &Pattern) {
        match op {
            Op::Add => self.relocate(|s| !s.active && p.matches(&s.pattern), false, true),
            Op::Remove => self.relocate(|s| s.active && p.matches(&s.pattern), true, false),
            Op::MoveToEnd => self.relocate(|s| s.active && p.matches(&s.pattern), false, true),
            Op::Kill => self.slots.retain(|s| !p.matches(&s.pattern)),
        }
    }

    /// Moves the selected slots (keeping their order) to the front or back, setting their state.
    fn relocate(&mut self, select: impl Fn(&Slot) -> bool, to_front: bool, active: bool) {
        let (mut chosen, rest): (Vec<Slot>, Vec<Slot>) = self.slots.iter().partition(|s| select(s));
        for s in &mut chosen {
            s.active = active;
        }
        self.slots = if to_front {
            chosen.into_iter().chain(rest).collect()
        } else {
            rest.into_iter().chain(chosen).collect()
        };
    }

    /// `@STRENGTH`: selected suites go last, strongest first, ties keeping their order.
    fn sort_by_strength(&mut self) {
        let (inactive, mut active): (Vec<Slot>, Vec<Slot>) =
            self.slots.iter().partition(|s| !s.active);
        active.sort_by_key(|s| std::cmp::Reverse(s.strength_bits));
        self.slots = inactive.into_iter().chain(active).collect();
    }
}
