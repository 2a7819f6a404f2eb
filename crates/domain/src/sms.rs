//! How a text message is carried: in the GSM 7-bit default alphabet (3GPP
//! TS 23.038) when every character is in it, else in UCS-2; and in how many
//! segments, which is what a broadcast costs. A single message holds 160
//! septets or 70 UCS-2 units; a longer one is split into parts of 153 or 67,
//! the rest of each part carrying the concatenation header. Characters of the
//! GSM extension table (`€`, `[`, `{`, …) take two septets. UCS-2 counts
//! UTF-16 units, so a character outside the Basic Multilingual Plane (most
//! emoji) takes two. The sender sees this before sending (issue 21).

/// The GSM 03.38 default alphabet, one septet each.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: an escape septet, then the character's.
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// The alphabet a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// A message's length as the network counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding, length and number of segments of `text`.
pub fn sms_length(text: &str) -> SmsLength {
    let septets: Option<usize> = text.chars().map(gsm7_septets).sum();
    let (encoding, units, single, part) = match septets {
        Some(n) => (SmsEncoding::Gsm7, n, 160, 153),
        None => (SmsEncoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    // An empty message still goes as one.
    let segments = if units <= single { 1 } else { units.div_ceil(part) };
    SmsLength { encoding, units, segments }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_fits_160_then_parts_of_153() {
        assert_eq!(sms_length(&"a".repeat(160)), SmsLength { encoding: SmsEncoding::Gsm7, units: 160, segments: 1 });
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        assert_eq!(sms_length("").segments, 1);
    }

    #[test]
    fn french_stays_in_gsm7_but_the_euro_takes_two() {
        let fr = "Le convoi pour Conakry part mardi à 8h de la gare d'Agadez. Présentez-vous avec votre carte.";
        assert_eq!(sms_length(fr).encoding, SmsEncoding::Gsm7);
        assert_eq!(sms_length("5€").units, 3);
        // A character outside the alphabet (ç in upper case is in it; ê is not) switches the whole message to UCS-2.
        assert_eq!(sms_length("Ç").encoding, SmsEncoding::Gsm7);
        assert_eq!(sms_length("fête").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn arabic_and_tigrinya_are_ucs2_70_then_67() {
        let ar = "ق".repeat(70);
        assert_eq!(sms_length(&ar), SmsLength { encoding: SmsEncoding::Ucs2, units: 70, segments: 1 });
        assert_eq!(sms_length(&"ق".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"ሰ".repeat(135)).segments, 3);
        // An emoji is two UTF-16 units.
        assert_eq!(sms_length("👍").units, 2);
    }
}
