"""Strict parsing of what a client sends (ADR 0520): one function per kind of input (a JSON
body, a numeric id, a date, a text), each refusing bad input with an ``InputError`` that
names what was wrong in a translated message, and the middleware that refuses, before any
view or form reads them, a query string, path or form body that is not valid UTF-8 or holds a
NUL character (Django would decode it with ``errors="replace"`` and store U+FFFD, or hand the
NUL to the database, which refuses it with a server error).

Views call these functions and answer ``InputError`` with its status and message
(``refusal_page`` for pages; the JSON endpoints in their own shape with ``exc.code`` and
``exc.message``). Nothing here catches any other exception."""

import json
import re
from collections.abc import Callable
from datetime import date as Date
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Each refusal: HTTP status and message (French msgid; every one says nothing was recorded,
#: which is true of every input refused before a service runs).
MESSAGES: dict[str, tuple[int, Promise]] = {
    "not_json": (
        415,
        _(
            "La demande doit être envoyée au format JSON. Rechargez la page et recommencez : "
            "rien n'a été enregistré."
        ),
    ),
    "body_too_large": (
        413,
        _("La demande envoyée est trop volumineuse : rien n'a été enregistré."),
    ),
    "json_too_deep": (
        400,
        _("La demande envoyée contient des données trop imbriquées : rien n'a été enregistré."),
    ),
    "bad_json": (
        400,
        _(
            "La demande envoyée n'est pas un JSON valide. Rechargez la page et recommencez : "
            "rien n'a été enregistré."
        ),
    ),
    "bad_encoding": (
        400,
        _(
            "La demande contient du texte mal encodé (UTF-8 invalide, caractère nul ou "
            "caractère isolé) : rien n'a été enregistré."
        ),
    ),
    "not_text": (
        400,
        _("Un champ envoyé n'est pas un texte : rien n'a été enregistré."),
    ),
    "bad_form": (
        400,
        _(
            "Le formulaire envoyé par votre navigateur est illisible. Rechargez la page et "
            "recommencez : rien n'a été enregistré."
        ),
    ),
    "too_many_fields": (
        400,
        _("La demande envoyée contient trop de champs : rien n'a été enregistré."),
    ),
    "text_too_long": (400, _("Un texte envoyé est trop long : rien n'a été enregistré.")),
    "bad_id": (
        400,
        _(
            "Un identifiant envoyé n'est pas un nombre (chiffres de 0 à 9 seulement) : rien "
            "n'a été enregistré."
        ),
    ),
    "bad_date": (
        400,
        _("Une date envoyée est invalide (format AAAA-MM-JJ attendu) : rien n'a été enregistré."),
    ),
}


class InputError(ValueError):
    """A refused input: ``code`` (a key of ``MESSAGES``), its HTTP ``status`` and ``message``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status, self._message = MESSAGES[code]

    @property
    def message(self) -> str:
        return str(self._message)


# -- text ---------------------------------------------------------------------------------


def text(value: object, *, max_length: int) -> str:
    """A string with no NUL and no lone surrogate (a ``\\ud800`` in JSON cannot be encoded
    for the database), at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise InputError("not_text")
    if len(value) > max_length:
        raise InputError("text_too_long")
    _text_check(value)
    return value


def _text_check(value: str) -> None:
    if "\x00" in value:
        raise InputError("bad_encoding")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("bad_encoding") from None


def utf8(raw: bytes) -> str:
    """Bytes as strict UTF-8 (no replacement character, no encoded surrogate), no NUL."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("bad_encoding") from None
    if "\x00" in decoded:
        raise InputError("bad_encoding")
    return decoded


# -- ids and dates ------------------------------------------------------------------------


def int_id(value: str, *, max_digits: int = 18) -> int:
    """A database id or page number: 1 to ``max_digits`` ASCII digits (``str.isdigit``
    accepts "²" and other digits ``int`` refuses; 18 digits fit a 64-bit column and stay far
    below the interpreter's limit on long integer strings)."""
    if not (0 < len(value) <= max_digits and value.isascii() and value.isdigit()):
        raise InputError("bad_id")
    return int(value)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def date(value: str) -> Date:
    """An ISO date, ``YYYY-MM-DD`` in ASCII digits, that exists in the calendar."""
    if not _DATE.fullmatch(value):
        raise InputError("bad_date")
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise InputError("bad_date") from None


# -- JSON bodies --------------------------------------------------------------------------

#: A JSON string (escapes included), in the unrolled form that the regex engine runs
#: without backtracking.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(body: str) -> int:
    """How deeply ``body``'s arrays and objects nest, counted without recursion (the
    standard parser recurses once per level and overflows the stack on a deep enough
    input). Brackets inside strings do not count."""
    brackets = _BRACKETS.sub("", _JSON_STRING.sub("", body))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _no_constant(name: str) -> None:
    raise InputError("bad_json")  # NaN, Infinity, -Infinity: not JSON


def _no_duplicate(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):  # which of two values would count is ambiguous
        raise InputError("bad_json")
    return found


def _strings_check(value: Any) -> None:
    """Every string of a parsed document (keys included) passes ``text``'s checks; a loop
    over a stack, not a recursion (the depth is already bounded, the habit costs nothing)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _text_check(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_text(body: bytes, *, max_bytes: int, max_depth: int) -> Any:
    """A JSON document: at most ``max_bytes``, strict UTF-8, nesting at most ``max_depth``,
    no NaN or Infinity, no duplicate key, no NUL or lone surrogate in any string."""
    if len(body) > max_bytes:
        raise InputError("body_too_large")
    decoded = utf8(body)
    # Cheap first: fewer brackets than the limit cannot nest deeper than it.
    if decoded.count("[") + decoded.count("{") > max_depth and json_depth(decoded) > max_depth:
        raise InputError("json_too_deep")
    try:
        value = json.loads(decoded, parse_constant=_no_constant, object_pairs_hook=_no_duplicate)
    except json.JSONDecodeError:
        raise InputError("bad_json") from None
    _strings_check(value)
    return value


def _content_length(request: HttpRequest) -> int:
    declared = request.META.get("CONTENT_LENGTH") or ""
    return int(declared) if declared.isascii() and declared.isdigit() and len(declared) < 19 else 0


def json_body(request: HttpRequest, *, max_bytes: int, max_depth: int) -> Any:
    """The request's body as JSON (``json_text``). Its content type is checked before
    anything reads the body: a multipart body is parsed from the stream by whoever reads
    ``request.POST`` first (the CSRF check does), after which the body cannot be read."""
    if request.content_type != "application/json":
        raise InputError("not_json")
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise InputError("not_json")
    if _content_length(request) > max_bytes:
        raise InputError("body_too_large")
    return json_text(request.body, max_bytes=max_bytes, max_depth=max_depth)


# -- answers ------------------------------------------------------------------------------


def refusal_page(request: HttpRequest, error: InputError) -> HttpResponse:
    """The error page of a refused input, with its status and its message."""
    context = {"message": error.message, "status": error.status}
    return render(request, "400.html", context, status=error.status)


def refusal_json(error: InputError) -> JsonResponse:
    """A JSON endpoint's answer to a refused input: ``{ok: false, code, message}`` (the
    shape of the cast's and of the vote-code check's refusals) and its status."""
    return JsonResponse(
        {"ok": False, "code": error.code, "message": error.message},
        status=error.status,
    )


# -- the middleware -----------------------------------------------------------------------

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def _urlencoded_check(raw: bytes) -> None:
    """Every name and value of a query string or form body is strict UTF-8 without NUL once
    its percent-escapes are decoded (what Django would decode with replacement), and there
    are no more of them than Django accepts (``DATA_UPLOAD_MAX_NUMBER_FIELDS``)."""
    if not raw:
        return
    pairs = raw.split(b"&")
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is not None and len(pairs) > limit:
        raise InputError("too_many_fields")
    for pair in pairs:
        for part in pair.split(b"=", 1):
            utf8(unquote_to_bytes(part.replace(b"+", b" ")))


def _multipart_check(request: HttpRequest) -> None:
    """A multipart body parses, and none of its text fields holds a NUL or U+FFFD: Django's
    multipart parser decodes the fields with replacement and keeps no raw bytes to check,
    and no form of the platform has a use for the replacement character itself."""
    try:
        fields = request.POST
    except (MultiPartParserError, TooManyFilesSent):
        raise InputError("bad_form") from None
    except TooManyFieldsSent:
        raise InputError("too_many_fields") from None
    except RequestDataTooBig:
        raise InputError("body_too_large") from None
    for values in fields.lists():
        for value in values[1]:
            if "\ufffd" in value:
                raise InputError("bad_encoding")
            _text_check(value)


def path_check(request: HttpRequest) -> None:
    """The path: strict UTF-8, no NUL (a NUL in a path parameter would reach the database,
    which refuses it with a server error)."""
    # PATH_INFO arrives as WSGI's latin-1 string of the raw bytes.
    utf8(request.META.get("PATH_INFO", "").encode("latin-1", "replace"))


def request_check(request: HttpRequest) -> None:
    """The query string and a form body: strict UTF-8, no NUL, no more fields than Django
    accepts; a urlencoded body no larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (checked on
    its declared length, before anything reads it)."""
    _urlencoded_check(request.META.get("QUERY_STRING", "").encode("latin-1", "replace"))
    if request.method != "POST":
        return
    if request.content_type == _FORM:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _content_length(request) > limit:
            raise InputError("body_too_large")
        _urlencoded_check(request.body)
    elif request.content_type == _MULTIPART:
        _multipart_check(request)


_View = Callable[..., HttpResponse]


def json_endpoint(view: _View) -> _View:
    """Marks a view whose refusals are JSON (``refusal_json``), for the middleware; put it
    outermost, where the middleware sees it."""
    view.json_refusals = True  # type: ignore[attr-defined]
    return view


class StrictInputMiddleware:
    """Refuses what ``path_check`` and ``request_check`` refuse, with the refusal's page, or
    its JSON for a ``json_endpoint`` view. The request is checked in ``process_view``, once
    every middleware's request phase has run (the page needs the locale and the session)
    and before the CSRF check's own ``process_view`` reads a form body (placed before it);
    the path is checked first of all, before the URL is resolved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            path_check(request)
        except InputError as exc:
            return refusal_page(request, exc)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: _View, args: object, kwargs: object
    ) -> HttpResponse | None:
        try:
            request_check(request)
        except InputError as exc:
            if getattr(view, "json_refusals", False):
                return refusal_json(exc)
            return refusal_page(request, exc)
        return None
