"""The one home of a typed phone number (ADRs 0601, 0610, 0651): parsed with `phonenumbers`,
read as a number of metropolitan France when it has no international prefix (DROM-COM and
abroad are typed with theirs), refused unless it is a valid number an SMS can reach, and
given back in E.164 (``+33612345678``), the only form the SMS outbox takes."""

import phonenumbers

# Numbers an SMS can reach (a fixed line cannot; some plans do not say which it is).
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneRefused(ValueError):
    """``code``: "invalid" (not a number) or "not_mobile" (a number an SMS cannot reach)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def mobile_e164(text: str) -> str:
    """A typed mobile number in E.164; raises `PhoneRefused`."""
    try:
        number = phonenumbers.parse(text.strip(), "FR")
    except phonenumbers.NumberParseException:
        raise PhoneRefused("invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneRefused("invalid")
    if phonenumbers.number_type(number) not in _MOBILE:
        raise PhoneRefused("not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
