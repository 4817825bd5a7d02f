//! Serial numbers and dates printed as OpenSSL prints them in the certificate dict.

use crate::asn1::der::{Tlv, GENERALIZED_TIME};

/// The serial number as OpenSSL prints it: sign, then two hex digits per
/// octet of the magnitude. OpenSSL breaks the line after 35 octets and the
/// stdlib keeps only the first line, backslash and newline included.
pub(super) fn format_serial(body: &[u8]) -> String {
    const OCTETS_PER_LINE: usize = 35;
    let negative = body.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        negate(body)
    } else {
        body.to_vec()
    };
    let first_digit = magnitude.iter().position(|&b| b != 0);
    let digits = first_digit.and_then(|i| magnitude.get(i..)).unwrap_or(&[0]);
    let mut out = String::from(if negative { "-" } else { "" });
    for byte in digits.iter().take(OCTETS_PER_LINE) {
        out.push_str(&format!("{byte:02X}"));
    }
    if digits.len() > OCTETS_PER_LINE {
        out.push_str("\\\n");
    }
    out
}

/// The magnitude of a negative two's-complement number.
pub(super) fn negate(body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = body.iter().map(|b| !b).collect();
    for byte in out.iter_mut().rev() {
        let (sum, overflow) = byte.overflowing_add(1);
        *byte = sum;
        if !overflow {
            break;
        }
    }
    out
}

pub(super) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time.
#[derive(Debug, PartialEq)]
pub(super) struct DateTime {
    year: i64,
    month: u32, // 1..=12
    day: u32,
    seconds_of_day: i64,
}

/// A certificate date as OpenSSL prints it, or "Bad time value".
pub(super) fn format_time(tlv: &Tlv<'_>) -> String {
    let generalized = tlv.is(GENERALIZED_TIME);
    match parse_time(tlv.body, generalized) {
        Some((t, fraction)) => format!(
            "{} {:2} {:02}:{:02}:{:02}{} {} GMT",
            MONTHS
                .get((t.month as usize).wrapping_sub(1))
                .unwrap_or(&"???"),
            t.day,
            t.seconds_of_day / 3600,
            t.seconds_of_day / 60 % 60,
            t.seconds_of_day % 60,
            fraction,
            t.year
        ),
        None => "Bad time value".to_owned(),
    }
}

/// Reads a UTCTime (`YYMMDDhhmm[ss]`) or GeneralizedTime (`YYYYMMDDhhmm[ss][.f+]`)
/// ending in `Z` or a `+hhmm`/`-hhmm` offset, with OpenSSL's lenient rules.
/// Returns the time in UTC and the fraction text (with its dot) to print.
pub(super) fn parse_time(s: &[u8], generalized: bool) -> Option<(DateTime, &str)> {
    if s.len() < if generalized { 13 } else { 11 } {
        return None;
    }
    let mut pos = 0;
    // Two digits that must be followed by more input.
    let two_digits = |pos: &mut usize, min: u32, max: u32| -> Option<u32> {
        let hi = s.get(*pos).filter(|c| c.is_ascii_digit())?;
        let lo = s.get(*pos + 1).filter(|c| c.is_ascii_digit())?;
        *pos += 2;
        let n = u32::from(hi - b'0') * 10 + u32::from(lo - b'0');
        (n >= min && n <= max && *pos < s.len()).then_some(n)
    };
    let year = if generalized {
        let century = two_digits(&mut pos, 0, 99)?;
        i64::from(century * 100 + two_digits(&mut pos, 0, 99)?)
    } else {
        let yy = two_digits(&mut pos, 0, 99)?;
        i64::from(if yy < 50 { 2000 + yy } else { 1900 + yy })
    };
    let month = two_digits(&mut pos, 1, 12)?;
    let day = two_digits(&mut pos, 1, 31)?;
    if day > days_in_month(year, month) {
        return None;
    }
    let hour = two_digits(&mut pos, 0, 23)?;
    let minute = two_digits(&mut pos, 0, 59)?;
    let second = match s.get(pos) {
        Some(b'Z' | b'+' | b'-') => 0,
        _ => two_digits(&mut pos, 0, 59)?,
    };
    let mut fraction = "";
    if generalized && s.get(pos) == Some(&b'.') {
        let digits = s
            .get(pos + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = pos + 1 + digits;
        if digits == 0 || end >= s.len() {
            return None;
        }
        fraction = std::str::from_utf8(s.get(pos..end)?).ok()?;
        pos = end;
    }
    let mut seconds = i64::from(hour * 3600 + minute * 60 + second);
    match s.get(pos..)? {
        [b'Z'] => {}
        [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let [oh, om] = [
                (h1 - b'0') * 10 + (h2 - b'0'),
                (m1 - b'0') * 10 + (m2 - b'0'),
            ];
            if oh > 12 || om > 59 {
                return None;
            }
            let offset = i64::from(oh) * 3600 + i64::from(om) * 60;
            // "+hhmm" means local time is ahead of UTC.
            seconds += if *sign == b'+' { -offset } else { offset };
        }
        _ => return None,
    }
    let days = days_from_civil(year, month, day) + seconds.div_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // OpenSSL cannot represent an offset that moves the date out of 0..=9999.
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some((
        DateTime {
            year,
            month,
            day,
            seconds_of_day: seconds.rem_euclid(86_400),
        },
        fraction,
    ))
}

pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(super) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`.
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
