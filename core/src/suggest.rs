//! "Did you mean ...?" suggestions for misspelled names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// Closeness is the Damerau-Levenshtein distance, allowed up to a third of the word's length
/// (at least 1, at most 4); a candidate that differs only in case always qualifies.
///
/// ```
/// use iac_dharma::did_you_mean;
/// assert_eq!(did_you_mean("us-east-l", ["us-east-1", "us-west-1"]).as_deref(), Some("us-east-1"));
/// assert_eq!(did_you_mean("banana", ["us-east-1"]), None);
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = word.to_lowercase();
    let max = (word.chars().count() / 3).clamp(1, 4);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let cand_lower = candidate.to_lowercase();
        let distance = if cand_lower == lower {
            0
        } else if lower.len() >= 3
            && (cand_lower.starts_with(&lower) || lower.starts_with(&cand_lower))
        {
            // `ami` for `ami_id`: a prefix is a likely intent even when many characters are missing.
            max
        } else {
            // Cheap length filter before the quadratic distance.
            let (a, b) = (candidate.len(), word.len());
            if a.abs_diff(b) > max {
                continue;
            }
            strsim::damerau_levenshtein(&lower, &cand_lower)
        };
        if distance <= max
            && best.is_none_or(|(d, c)| distance < d || (distance == d && candidate < c))
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_close_names() {
        assert_eq!(
            did_you_mean("aws_s3_buckt", ["aws_s3_bucket", "aws_vpc"]).as_deref(),
            Some("aws_s3_bucket")
        );
        assert_eq!(
            did_you_mean("mian", ["main", "web"]).as_deref(),
            Some("main")
        );
        assert_eq!(did_you_mean("WEB", ["web"]).as_deref(), Some("web"));
        assert_eq!(did_you_mean("x", ["yyyyy"]), None);
    }

    #[test]
    fn ties_are_deterministic() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]).as_deref(), Some("aa"));
    }
}
