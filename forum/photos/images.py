"""Checking and re-encoding one uploaded photo (issue #15), with Pillow alone.

``encode`` refuses what is not plainly one still image of an accepted kind before it
decodes a pixel: the container must be JPEG, PNG, WebP or HEIC by its magic bytes, hold
nothing after the image's end (a ZIP or an HTML page glued on makes a polyglot), declare
at most ``max_pixels`` pixels in its header, and have one frame. Only then is it decoded,
turned upright by its orientation tag, converted to sRGB and copied into a fresh image that
carries nothing of the original but its pixels (no EXIF, GPS, XMP, IPTC, ICC profile or
comment), and saved twice: the display size and the thumbnail.
"""

import io
import re
import struct
import warnings
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageCms, ImageFile, ImageOps

try:  # HEIC from phones; without the library such files are refused with a message.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIC_SUPPORTED = False

# Truncated files are refused, never padded out (Pillow's default, stated here on purpose).
ImageFile.LOAD_TRUNCATED_IMAGES = False

ACCEPTED = "JPEG, PNG, WebP or HEIC"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Markup a browser would run if it ever sniffed the file as HTML. Looked for where the
# metadata lives (the start of the file: EXIF, XMP and comments come before the pixels),
# not in the compressed pixels, where short patterns turn up by chance.
MARKUP = re.compile(rb"<(?:html|head|body|script|iframe|!doctype|\?php|svg[\s>/])", re.IGNORECASE)
MARKUP_SCAN_BYTES = 65536
ZIP_END = b"PK\x05\x06"  # a ZIP's end of central directory record
EXIF_IFD, DATE_TIME, DATE_TIME_ORIGINAL = 0x8769, 0x0132, 0x9003


class Refused(ValueError):
    """The file is not accepted; the message says why and is fit to show (status: HTTP)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Encoded:
    display: bytes
    thumb: bytes
    width: int
    height: int
    format: str  # "webp" or "jpeg"
    taken_on: date


def sniff(data: bytes) -> str | None:
    """The kind of image the bytes start like, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return "HEIF"
    return None


def _holds_zip(data: bytes) -> bool:
    """A ZIP reader finds an archive in these bytes: an end-of-central-directory record
    whose comment runs exactly to the end of the file."""
    start = data.find(ZIP_END)
    while start != -1:
        if len(data) - start >= 22:
            comment = struct.unpack("<H", data[start + 20 : start + 22])[0]
            if start + 22 + comment == len(data):
                return True
        start = data.find(ZIP_END, start + 1)
    return False


def _is_polyglot(kind: str, data: bytes) -> bool:
    return (
        bool(MARKUP.search(data, 0, MARKUP_SCAN_BYTES))
        or _holds_zip(data)
        or not _ends_cleanly(kind, data)
    )


def _ends_cleanly(kind: str, data: bytes) -> bool:
    """Nothing follows the image's own end (the polyglot check, with FOREIGN)."""
    if kind == "JPEG":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if kind == "PNG":
        return data.endswith(b"IEND\xaeB`\x82")
    if kind == "WEBP":
        declared = struct.unpack("<I", data[4:8])[0] + 8
        return declared in (len(data), len(data) - 1)
    offset = 0  # HEIF: top-level boxes that tile the file exactly
    while offset < len(data):
        if len(data) - offset < 8:
            return False
        size = struct.unpack(">I", data[offset : offset + 4])[0]
        if size == 1:
            if len(data) - offset < 16:
                return False
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        if size < 8:
            return False
        offset += size
    return offset == len(data)


def _taken_on(image: Image.Image, today: date) -> date:
    """The day the camera says the photo was taken (the EXIF itself is not kept)."""
    try:
        exif = image.getexif()
        stamp = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME)
        year, month, day = (int(part) for part in str(stamp)[:10].split(":"))
        taken = date(year, month, day)
    except (TypeError, ValueError, AttributeError, KeyError, SyntaxError, struct.error):
        return today
    return taken if date(2000, 1, 1) <= taken <= today else today


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels as plain sRGB RGB: an embedded colour profile is applied, then dropped;
    transparency is laid on white."""
    profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"))
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels are kept as they are
    return image


def _save(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, format="WEBP", quality=82, method=4)
    else:
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def encode(
    data: bytes,
    *,
    max_pixels: int,
    display_px: int,
    thumb_px: int,
    fmt: str = "webp",
    today: date,
) -> Encoded:
    """The display and thumbnail files made from one upload. Raises Refused."""
    kind = sniff(data)
    if kind is None:
        raise Refused(f"This file is not a photo we can take: send a {ACCEPTED} image.", 415)
    if kind == "HEIF" and not HEIC_SUPPORTED:
        raise Refused("HEIC photos can't be taken here yet: send a JPEG or PNG.", 415)
    if _is_polyglot(kind, data):
        raise Refused(
            "This file holds something besides a photo (data after the image, or another "
            "kind of file inside it), so it can't be taken. Save it again as a plain image."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if image.format != kind:
                raise Refused(f"This file is damaged or not a {ACCEPTED} image.")
            if width * height > max_pixels:
                raise Refused(_too_many(max_pixels), 413)
            if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
                raise Refused("Animated images (and files holding several) can't be taken.")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused(_too_many(max_pixels), 413) from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused("This photo is damaged or incomplete: send it again.") from exc
    taken = _taken_on(image, today)
    upright = _to_srgb(ImageOps.exif_transpose(image))
    clean = Image.new("RGB", upright.size)  # a fresh image: only the pixels come across
    clean.paste(upright)
    display = clean.copy()
    display.thumbnail((display_px, display_px), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS)
    return Encoded(
        _save(display, fmt), _save(thumb, fmt), display.width, display.height, fmt, taken
    )


def _too_many(max_pixels: int) -> str:
    return (
        f"This image is too large: at most {max_pixels / 1_000_000:g} megapixels. "
        "Resize it and send it again."
    )
