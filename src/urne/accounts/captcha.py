"""CAPTCHA (ADR 0202): a 5-digit code drawn as a distorted PNG and spoken in French (espeak-ng).

The session keeps only an HMAC of the answer, a challenge id and its time; the code itself
travels, Fernet-encrypted under a key derived from SECRET_KEY, inside the image and audio URLs,
so the media views can render it without any server-side copy. A challenge is single-use: any
check, right or wrong, consumes it. `URNE_CAPTCHA_ENABLED=False` (test settings only) makes
every check pass.
"""

import base64
import hashlib
import io
import secrets
import subprocess
import time
import wave
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SESSION_KEY = "urne_captcha"
# The answer, in the image's response, only under the benchmark's settings (ADR 0581).
BENCH_ANSWER_HEADER = "X-Urne-Bench-Captcha"
LENGTH = 5
LIFETIME_SECONDS = 10 * 60
DIGITS_FR = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]


@dataclass(frozen=True)
class Challenge:
    image_url: str
    audio_url: str


def _fernet() -> Fernet:
    key = hashlib.sha256(("urne.captcha:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _digest(code: str, challenge_id: str) -> str:
    return salted_hmac("urne.captcha", f"{challenge_id}:{code}", algorithm="sha256").hexdigest()


def captcha_enabled() -> bool:
    return bool(settings.URNE_CAPTCHA_ENABLED)


def captcha_new(request: HttpRequest, *, purpose: str = "default") -> Challenge:
    """Draw a new challenge for `purpose` (one per form kind) and return its media URLs."""
    code = "".join(secrets.choice("0123456789") for _ in range(LENGTH))
    challenge_id = secrets.token_urlsafe(8)
    store = dict(request.session.get(SESSION_KEY, {}))
    store[purpose] = {"id": challenge_id, "hash": _digest(code, challenge_id), "at": time.time()}
    request.session[SESSION_KEY] = store
    token = _fernet().encrypt(code.encode()).decode()
    return Challenge(
        image_url=reverse("accounts:captcha_image", args=[token]),
        audio_url=reverse("accounts:captcha_audio", args=[token]),
    )


def captcha_check(request: HttpRequest, answer: str, *, purpose: str = "default") -> bool:
    """True when `answer` solves the session's current challenge for `purpose`. Consumes the
    challenge either way. The booth calls this for vote-code entry and replacement requests."""
    if not captcha_enabled():
        return True
    store = dict(request.session.get(SESSION_KEY, {}))
    entry = store.pop(purpose, None)
    request.session[SESSION_KEY] = store
    if not entry or time.time() - entry["at"] > LIFETIME_SECONDS:
        return False
    answer = "".join(ch for ch in (answer or "") if not ch.isspace())
    return constant_time_compare(_digest(answer, entry["id"]), entry["hash"])


def code_from_token(token: str) -> str | None:
    """The code inside a media URL token, or None when forged or older than the lifetime."""
    try:
        code = _fernet().decrypt(token.encode(), ttl=LIFETIME_SECONDS).decode()
    except (InvalidToken, ValueError):
        return None
    return code if len(code) == LENGTH and code.isdigit() else None


def captcha_png(code: str) -> bytes:
    """The code drawn with per-glyph jitter, rotation, noise lines and dots."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = secrets.SystemRandom()
    width, height = 200, 70
    image = Image.new("RGB", (width, height), (250, 250, 250))
    font = _font(40)
    for i, digit in enumerate(code):
        glyph = Image.new("RGBA", (46, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((8, 4), digit, font=font, fill=(20, 30, 90, 255))
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (10 + i * 36 + rng.randint(-3, 3), rng.randint(0, 10)), glyph)
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
            fill=(rng.randint(60, 160),) * 3,
            width=2,
        )
    for _ in range(300):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(90, 90, 90))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@lru_cache(maxsize=1)
def _font_path() -> str | None:
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ):
        try:
            with open(path, "rb"):
                return path
        except OSError:
            continue
    return None


def _font(size: int):
    from PIL import ImageFont

    path = _font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


class AudioUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=16)
def _speak(text: str) -> tuple[tuple[int, int, int], bytes]:
    """WAV parameters and frames of `text` spoken by espeak-ng's French voice (cached: the
    CAPTCHA is spoken digit by digit, so eleven phrases cover every code)."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, text from a fixed vocabulary
            [settings.URNE_ESPEAK, "-v", "fr", "-s", "130", "--stdout", text],
            capture_output=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise AudioUnavailable(str(error)) from error
    with wave.open(io.BytesIO(result.stdout)) as wav:
        params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        frames = wav.readframes(wav.getnframes())
    return params, frames


def captcha_wav(code: str) -> bytes:
    """The code spoken in French: an introduction, then each digit with a pause, twice."""
    intro_params, intro = _speak("Veuillez saisir les chiffres suivants.")
    channels, width, rate = intro_params
    pause = b"\x00" * (width * channels * int(rate * 0.45))
    body = b"".join(_speak(DIGITS_FR[int(d)])[1] + pause for d in code)
    again = _speak("Je répète.")[1]
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(intro + pause + body + again + pause + body)
    return out.getvalue()
