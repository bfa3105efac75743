//! Parsers for the api-server's own configuration values. Each returns the reason a value is
//! refused; the caller adds the variable's name. Reasons for secrets never quote the value.

use bootstrap::settings::parse::http_url;
use secrecy::SecretString;

/// Minimum length of `JWT_SECRET`: HS256 wants at least as many bytes as its 256-bit output.
pub(super) const MIN_JWT_SECRET_LEN: usize = 32;

/// The value of `JWT_AUDIENCE` / `JWT_ISSUER` that explicitly turns the check off.
pub const ANY_CLAIM: &str = "*";

/// A JWT claim value to require (`JWT_AUDIENCE`, `JWT_ISSUER`): any text, or [`ANY_CLAIM`]
/// for "not checked" (`None`). A blank variable is unset before it gets here.
pub(super) fn claim_value(raw: &str) -> Result<Option<String>, String> {
    Ok((raw != ANY_CLAIM).then(|| raw.to_owned()))
}

/// A web origin: `scheme://host[:port]`, with nothing after it but an optional `/`. Returned
/// serialised exactly as browsers send it in `Origin` headers.
pub(super) fn origin(raw: &str) -> Result<String, String> {
    let url = http_url(raw)?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{raw}` is not an origin (expected scheme://host[:port] without a path)"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("an origin cannot carry credentials".into());
    }
    Ok(url.origin().ascii_serialization())
}

/// An HS256 secret of at least [`MIN_JWT_SECRET_LEN`] bytes.
pub(super) fn jwt_secret(raw: &str) -> Result<SecretString, String> {
    if raw.len() < MIN_JWT_SECRET_LEN {
        return Err(format!(
            "is {} bytes long; use at least {MIN_JWT_SECRET_LEN} random bytes \
             (for example `openssl rand -base64 48`)",
            raw.len()
        ));
    }
    Ok(SecretString::from(raw))
}
