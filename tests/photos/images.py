"""Image files built in the tests (issue #15): camera JPEGs carrying EXIF, and bad files."""

import io
import struct
import zlib

import piexif
from PIL import Image

LEFT, RIGHT = (220, 30, 30), (30, 30, 220)


def two_tone(width: int = 80, height: int = 40) -> Image.Image:
    """Red on the left half, blue on the right: which way it was turned shows."""
    image = Image.new("RGB", (width, height), RIGHT)
    image.paste(Image.new("RGB", (width // 2, height), LEFT), (0, 0))
    return image


def camera_jpeg(*, orientation: int = 6, taken: str = "2026:03:14 09:26:53") -> bytes:
    """A phone photo: GPS position, camera make and model, when it was taken, a comment,
    and an orientation tag (6: turn 90° clockwise to show it)."""
    exif = {
        "0th": {
            piexif.ImageIFD.Make: b"PhoneMaker",
            piexif.ImageIFD.Model: b"Phone 12 Secret",
            piexif.ImageIFD.Orientation: orientation,
            piexif.ImageIFD.Software: b"CameraApp 1.0",
        },
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: taken.encode(),
            piexif.ExifIFD.BodySerialNumber: b"SERIAL-0042",
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((51, 1), (30, 1), (2616, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"W",
            piexif.GPSIFD.GPSLongitude: ((0, 1), (7, 1), (3960, 100)),
        },
    }
    out = io.BytesIO()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>secret</rdf:Description></x:xmpmeta>'
    )
    two_tone().save(
        out, format="JPEG", quality=95, exif=piexif.dump(exif), comment=b"my bedroom", xmp=xmp
    )
    return out.getvalue()


def png(width: int = 60, height: int = 40) -> bytes:
    out = io.BytesIO()
    two_tone(width, height).save(out, format="PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that compresses badly: about 3 bytes a pixel."""
    import random

    rng = random.Random(15)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, a few KB on disk."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def animated_webp() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), colour) for colour in (LEFT, RIGHT)]
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def animated_png() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), colour) for colour in (LEFT, RIGHT)]
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def heic() -> bytes:
    out = io.BytesIO()
    two_tone().save(out, format="HEIF")
    return out.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def jpeg_with_zip_inside() -> bytes:
    """A JPEG whose last comment segment holds a ZIP, so the file still ends with the
    image's end marker after the archive's end record... as an archive tool reads it."""
    archive = zip_bytes()
    jpeg = camera_jpeg()
    # Put the archive in a COM segment right before the end marker, with its end record's
    # comment length covering the two final bytes: both a JPEG and a ZIP.
    archive = archive[:-2] + struct.pack("<H", 2)
    segment = b"\xff\xfe" + struct.pack(">H", len(archive) + 2) + archive
    return jpeg[:-2] + segment + b"\xff\xd9"


BAD_FILES = {
    "not an image": (b"Just some text, not a photo at all.\n" * 20, 415),
    "truncated": (camera_jpeg()[: len(camera_jpeg()) * 3 // 4] + b"\xff\xd9", 422),
    "jpeg then html": (camera_jpeg() + b"<html><script>alert(1)</script></html>", 422),
    "jpeg then zip": (camera_jpeg() + zip_bytes(), 422),
    "zip inside the jpeg": (jpeg_with_zip_inside(), 422),
    "html inside the jpeg": (
        camera_jpeg().replace(b"my bedroom", b"<script>1</script>"[:10]),
        422,
    ),
    "animated webp": (animated_webp(), 422),
    "animated png": (animated_png(), 422),
    "huge dimensions": (huge_png(), 413),
    "gif": (b"GIF89a" + b"\x00" * 100, 415),
}
