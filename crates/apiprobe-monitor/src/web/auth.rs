//! Bearer tokens on the monitor routes. Only the `Authorization` header is read: there is no cookie
//! session, so a page on another site cannot make a browser act with the user's rights (no CSRF).
//! Tokens are compared in constant time ([`crate::suite_api::ApiAccess::grant`]) and never logged.

use super::problem::ApiError;
use crate::suite_api::{Access, ApiAccess, Grant};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;

/// Whether a request with `headers` may do what `need` names.
pub(crate) fn authorize(
    rules: &ApiAccess,
    headers: &HeaderMap,
    need: Access,
) -> Result<(), ApiError> {
    if need == Access::Read && rules.public_read {
        return Ok(());
    }
    let token = bearer(headers)?;
    match rules.grant(token) {
        Grant::Invalid => Err(ApiError::InvalidToken),
        Grant::Valid(have) if have >= need => Ok(()),
        Grant::Valid(_) => Err(ApiError::InsufficientScope),
    }
}

/// The token of `Authorization: Bearer TOKEN` (RFC 6750, Section 2.1); another scheme is no bearer
/// token at all.
fn bearer(headers: &HeaderMap) -> Result<&[u8], ApiError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(ApiError::MissingToken);
    };
    if values.next().is_some() {
        return Err(ApiError::InvalidToken);
    }
    let raw = value.as_bytes();
    let Some(space) = raw.iter().position(|b| *b == b' ') else {
        return Err(ApiError::MissingToken);
    };
    if !raw[..space].eq_ignore_ascii_case(b"bearer") {
        return Err(ApiError::MissingToken);
    }
    let token = raw[space..].trim_ascii();
    if token.is_empty() {
        return Err(ApiError::InvalidToken);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(auth: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for a in auth {
            h.append(AUTHORIZATION, HeaderValue::from_bytes(a).expect("value"));
        }
        h
    }

    #[test]
    fn the_rules_of_the_issue() {
        let rules = ApiAccess::with_tokens(
            false,
            &[
                ("ro-token-ro-token", Access::Read),
                ("rw-token-rw-token", Access::ReadWrite),
            ],
        );
        let read = |h: &[&[u8]]| authorize(&rules, &headers(h), Access::Read);
        let write = |h: &[&[u8]]| authorize(&rules, &headers(h), Access::ReadWrite);
        assert!(matches!(read(&[]), Err(ApiError::MissingToken)));
        assert!(matches!(
            read(&[b"Basic dXNlcjpwYXNz"]),
            Err(ApiError::MissingToken)
        ));
        assert!(matches!(read(&[b"Bearer"]), Err(ApiError::MissingToken)));
        assert!(matches!(read(&[b"Bearer   "]), Err(ApiError::InvalidToken)));
        assert!(matches!(
            read(&[b"Bearer nope"]),
            Err(ApiError::InvalidToken)
        ));
        assert!(matches!(
            read(&[b"Bearer \xff\xfe"]),
            Err(ApiError::InvalidToken)
        ));
        assert!(read(&[b"Bearer ro-token-ro-token"]).is_ok());
        assert!(read(&[b"bearer  rw-token-rw-token"]).is_ok());
        assert!(matches!(
            read(&[b"Bearer ro-token-ro-token", b"Bearer ro-token-ro-token"]),
            Err(ApiError::InvalidToken)
        ));
        assert!(matches!(
            write(&[b"Bearer ro-token-ro-token"]),
            Err(ApiError::InsufficientScope)
        ));
        assert!(write(&[b"Bearer rw-token-rw-token"]).is_ok());
        assert!(matches!(write(&[]), Err(ApiError::MissingToken)));

        let public = ApiAccess::with_tokens(true, &[("rw-token-rw-token", Access::ReadWrite)]);
        assert!(authorize(&public, &headers(&[]), Access::Read).is_ok());
        assert!(matches!(
            authorize(&public, &headers(&[]), Access::ReadWrite),
            Err(ApiError::MissingToken)
        ));
    }
}
