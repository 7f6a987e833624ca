"""The catalogue of every error code, built from the :class:`DomainError` hierarchy itself, so
docs/errors.md and the ``/errors`` page can never drift from the code."""

from memberops.kernel.errors import DomainError, error_anchor

#: Errors the HTTP layer itself produces, outside any room.
HTTP_ERRORS = [
    (
        "request.invalid",
        422,
        "Invalid request",
        "The body, path or query did not match the schema; `errors` lists each location.",
    ),
    ("request.bad", 400, "Bad request", "The request could not be read (a malformed body)."),
    ("request.not_found", 404, "Not found", "No such route."),
    (
        "request.method_not_allowed",
        405,
        "Method not allowed",
        "The route exists for other methods.",
    ),
    (
        "request.unsupported_media_type",
        415,
        "Unsupported media type",
        "The body is not in a format this endpoint reads.",
    ),
    ("internal", 500, "Internal error", "A bug on our side; it was logged. Please report it."),
]


def _subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def error_catalogue() -> list[tuple[str, int, str, str]]:
    """(code, status, title, explanation) of every error, sorted by code, one per code."""
    entries = {code: (code, status, title, text) for code, status, title, text in HTTP_ERRORS}
    classes: list[type[DomainError]] = [DomainError, *_subclasses(DomainError)]
    for cls in classes:
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        entries.setdefault(cls.code, (cls.code, cls.status, cls.title, " ".join(doc.split())))
    return sorted(entries.values())


def errors_markdown() -> str:
    """docs/errors.md: one section per error code, under the anchor problem ``type`` uses."""
    lines = [
        "# Errors",
        "",
        "Every error the API returns is an RFC 9457 `application/problem+json` document with",
        "`type` (a link to the section below), `title`, `status`, `detail`, `instance`, `code`",
        "and any data fields the error carries (such as `member_id`). Input errors carry",
        "`errors`: a list of `{loc, msg}` naming each offending location (`request.invalid`",
        "adds pydantic's `type`). The CLI prints the same detail and exits with status 2.",
        "",
        "This file is generated from the code by `memberops docs errors`; a test keeps it current.",
        "",
    ]
    for code, status, title, text in error_catalogue():
        lines += [f'<a id="{error_anchor(code)}"></a>', f"## `{code}` — {status} {title}", ""]
        if text:
            lines += [text, ""]
    return "\n".join(lines)
