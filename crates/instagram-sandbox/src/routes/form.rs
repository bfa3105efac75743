//! Reading the code exchange's form: `application/x-www-form-urlencoded` (what most clients
//! send) or `multipart/form-data` (what Meta's `curl -F` example sends).

/// The fields of a form body, by its `Content-Type`.
pub(crate) fn read_form(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Vec<(String, String)>, &'static str> {
    let content_type = content_type.unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim();
    if mime.eq_ignore_ascii_case("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|part| part.trim().strip_prefix("boundary="))
            .map(|boundary| boundary.trim_matches('"'))
            .next()
            .filter(|boundary| !boundary.is_empty())
            .ok_or("The multipart body has no boundary.")?;
        return read_multipart(body, boundary);
    }
    serde_urlencoded::from_bytes(body).map_err(|_| "The body is not valid URL-encoded form data.")
}

fn read_multipart(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| "The multipart body is not UTF-8.")?;
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (headers, value) = part
            .split_once("\r\n\r\n")
            .ok_or("A multipart part has no body.")?;
        let name = headers
            .lines()
            .find(|line| {
                line.to_ascii_lowercase()
                    .starts_with("content-disposition:")
            })
            .and_then(|line| line.split(';').find_map(|p| p.trim().strip_prefix("name=")))
            .map(|name| name.trim_matches('"').to_owned())
            .ok_or("A multipart part has no name.")?;
        fields.push((name, value.strip_suffix("\r\n").unwrap_or(value).to_owned()));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_encodings_are_read() {
        let form =
            read_form(Some("application/x-www-form-urlencoded"), b"a=1&b=x%20y").expect("valid");
        assert_eq!(form, [("a".into(), "1".into()), ("b".into(), "x y".into())]);
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n990\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nAQB-1_2\r\n--XyZ--\r\n";
        let form =
            read_form(Some("multipart/form-data; boundary=XyZ"), body.as_bytes()).expect("valid");
        assert_eq!(
            form,
            [
                ("client_id".into(), "990".into()),
                ("code".into(), "AQB-1_2".into())
            ]
        );
        assert!(read_form(Some("multipart/form-data"), b"").is_err());
    }
}
