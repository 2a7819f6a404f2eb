//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): the
//! second factor of administrators and protection officers. Parameters are
//! the ones every authenticator app understands without being told: SHA-1,
//! 6 digits, 30-second steps. A code is accepted one step either side of
//! now (phones' clocks drift), and a step once used is never accepted
//! again (RFC 6238 §5.2), so an observed code cannot be replayed.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// 160 bits, RFC 4226's recommended key length.
pub const SECRET_BYTES: usize = 20;

/// The HOTP value of `secret` at `counter`, with `digits` digits (RFC 4226 §5.3).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    bin % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_at(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The code an authenticator shows at `unix`, as typed (leading zeros kept).
pub fn code_at(secret: &[u8], unix: i64) -> String {
    format!("{:0width$}", hotp(secret, step_at(unix) as u64, DIGITS), width = DIGITS as usize)
}

/// The step a typed code matches, within one step of `unix` and later than
/// `last_used` (the step of the last accepted code), or `None`. Spaces a
/// user types to group the digits are ignored.
pub fn verify(secret: &[u8], typed: &str, unix: i64, last_used: Option<i64>) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix);
    let mut found = None;
    // Compare every candidate, not stopping at a match, so timing does not
    // tell which step matched.
    for step in [now - 1, now, now + 1] {
        let code = format!("{:0width$}", hotp(secret, step as u64, DIGITS), width = DIGITS as usize);
        if constant_time_eq(code.as_bytes(), typed.as_bytes()) && last_used.is_none_or(|l| step > l) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u64, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Base32 back to bytes; case, spaces and padding are forgiven.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buf, mut bits) = (0u64, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|&b| b as char == c.to_ascii_uppercase())? as u64;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads from a QR code
/// (Google Authenticator's key-URI format, which every app follows).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits, the RFC's ASCII key).
    #[test]
    fn rfc6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(key, step_at(t) as u64, 8), want, "t = {t}");
        }
    }

    /// RFC 4226 appendix D.
    #[test]
    fn rfc4226_test_vectors() {
        let want = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", i as u64, 6), *w);
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_one_step_either_side() {
        let key = b"12345678901234567890";
        let now = 1_700_000_000;
        let code = code_at(key, now);
        assert_eq!(verify(key, &code, now, None), Some(step_at(now)));
        assert_eq!(verify(key, &code, now + STEP_SECS, None), Some(step_at(now)), "a slow typist");
        assert_eq!(verify(key, &code, now + 2 * STEP_SECS, None), None, "too late");
        assert_eq!(verify(key, &code, now, Some(step_at(now))), None, "replayed");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(key, &spaced, now, None), Some(step_at(now)));
        assert_eq!(verify(key, "12345", now, None), None);
        assert_eq!(verify(key, "abcdef", now, None), None);
        assert_eq!(verify(b"another key of twenty", &code, now, None), None);
    }

    #[test]
    fn base32_round_trips_rfc4648_vectors() {
        for (raw, enc) in
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        {
            assert_eq!(base32_encode(raw.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZ1"), None);
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let u = otpauth_uri("Passage Agadez", "amina.k", b"12345678901234567890");
        assert!(
            u.starts_with("otpauth://totp/Passage%20Agadez:amina.k?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Passage%20Agadez"),
            "{u}"
        );
    }
}
