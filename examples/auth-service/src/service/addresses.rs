//! Checks of e-mail addresses before the service stores them or sends mail to them.

/// Longest accepted address, as the API's schemas allow.
const MAX_LENGTH: usize = 256;
/// Maximum length of the local part (RFC 5321, section 4.5.3.1.1).
const MAX_LOCAL_LENGTH: usize = 64;

/// Accepts `local@domain` where the local part is an RFC 5322 dot-atom and the domain has at
/// least two labels of ASCII letters, digits and inner hyphens. Quoted local parts, address
/// literals and non-ASCII (not yet punycode-encoded) domains are rejected, because not every
/// mail relay accepts them.
pub fn is_valid_email(address: &str) -> bool {
    if address.len() > MAX_LENGTH {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    is_dot_atom(local) && local.len() <= MAX_LOCAL_LENGTH && is_domain(domain)
}

fn is_dot_atom(text: &str) -> bool {
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    !text.is_empty() && text.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atom_char))
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Returns whether the address belongs to one of the `forbidden` mail domains or their
/// subdomains, ignoring ASCII case.
pub fn is_forbidden_provider(address: &str, forbidden: &[String]) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    forbidden.iter().any(|blocked| {
        let blocked = blocked.trim().trim_start_matches('.').to_ascii_lowercase();
        !blocked.is_empty() && (domain == blocked || domain.ends_with(&format!(".{blocked}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_addresses() {
        for address in ["user@example.com", "first.last+tag@mail.example.co.uk", "o'brien@example.org", "a@b.cd"] {
            assert!(is_valid_email(address), "{address}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long = format!("a@{}.com", "b".repeat(260));
        for address in [
            "",
            "user",
            "user@",
            "@example.com",
            "user@example",
            "user@@example.com",
            "us er@example.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@-example.com",
            "user@exa_mple.com",
            "user@ex\u{e4}mple.com",
            "\"quoted\"@example.com",
            "user@example.com\r\nBcc: x@example.com",
            long_local.as_str(),
            long.as_str(),
        ] {
            assert!(!is_valid_email(address), "{address:?}");
        }
    }

    #[test]
    fn forbidden_provider_matches_domain_and_subdomains() {
        let forbidden = vec!["mailinator.com".to_owned(), ".Blocked.Example".to_owned()];
        assert!(is_forbidden_provider("x@mailinator.com", &forbidden));
        assert!(is_forbidden_provider("x@MAILINATOR.com", &forbidden));
        assert!(is_forbidden_provider("x@eu.mailinator.com", &forbidden));
        assert!(is_forbidden_provider("x@blocked.example", &forbidden));
        assert!(!is_forbidden_provider("x@notmailinator.com", &forbidden));
        assert!(!is_forbidden_provider("x@example.com", &forbidden));
        assert!(!is_forbidden_provider("x@example.com", &[String::new()]));
    }
}
