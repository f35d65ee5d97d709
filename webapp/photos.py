"""The photo pipeline: check, decode within bounds, stand upright, make copies, read evidence."""

from __future__ import annotations

import ctypes
import io
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import imagehash
import pillow_heif
import simplejpeg
from PIL import Image, UnidentifiedImageError

from webapp.domain.text import N_

pillow_heif.register_heif_opener()

FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heif"}
DISPLAY_PX, THUMB_PX, QUALITY = 1600, 400, 82
# "About 1600 px": a display copy whose long side falls in this band is not resized again.
DISPLAY_MIN, DISPLAY_MAX = 1400, 1800
MAX_BYTES, MAX_PIXELS = 15 * 1024 * 1024, 50_000_000
# PNG, WebP and HEIC are decoded at full size (a JPEG at a reduced scale), and each decoded
# megapixel holds 4 to 8 MB while the copies are made: a 190 KB PNG of 49 MP took a worker to
# 550 MB. Those formats get this lower bound; a phone's 24 MP HEIC still fits under it.
MAX_DECODED_PIXELS = 25_000_000
# A decode of more pixels than this is heavy: it waits for one of the worker's decoder slots.
# A phone's downscaled JPEG decodes to about 2 MP and never waits.
HEAVY_PIXELS = 4_000_000
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110
DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9011
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoRefused(Exception):
    """The file is not a photo this app accepts; `template` is the participant's message."""

    def __init__(self, code: str, template: str, **params: Any):
        self.code, self.template, self.params = code, template, params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


class DecodersBusy(Exception):
    """Every decoder slot of this worker stayed taken for longer than the wait allowed."""


class DecodeGate:
    """The heavy decodes one worker process runs at once, so that sixteen large pictures sent
    together take a bounded amount of memory instead of gigabytes. A heavy decode that waits
    longer than `wait_seconds` for a slot raises DecodersBusy; light ones never wait."""

    def __init__(self, slots: int, wait_seconds: float):
        self._slots = threading.BoundedSemaphore(slots)
        self.wait_seconds = wait_seconds

    @contextmanager
    def slot(self, pixels: int) -> Iterator[None]:
        if pixels <= HEAVY_PIXELS:
            yield
            return
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise DecodersBusy()
        try:
            yield
        finally:
            self._slots.release()


@dataclass(frozen=True)
class PhotoEvidence:
    captured_at: datetime | None = None  # aware when the camera wrote its offset, else local
    gps: tuple[float, float] | None = None
    device: str | None = None


@dataclass(frozen=True)
class ProcessedPhoto:
    original: bytes
    original_format: str
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    evidence: PhotoEvidence
    phash: str


def too_large(limit: int) -> PhotoRefused:
    return PhotoRefused(
        "too_large",
        N_("The photo is larger than %(mb)s MB. Please send a smaller photo."),
        mb=round(limit / 1024 / 1024),
    )


def open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Opens by content, never by name, and refuses bombs before any pixel is decoded."""
    if not data:
        raise PhotoRefused("empty", N_("The file is empty. Please take or choose the photo again."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise too_many_pixels(max_pixels) from exc
    except UnidentifiedImageError as exc:
        if pillow_heif.is_supported(data):  # a HEIF header, cut before the picture's boxes
            raise damaged() from exc
        raise PhotoRefused(
            "not_an_image",
            N_("This file is not a photo. Please send a JPEG, PNG, WebP or HEIC photo."),
        ) from exc
    except Exception as exc:  # noqa: BLE001 - whatever a decoder raises, the file is damaged
        raise damaged() from exc
    if image.width * image.height > max_pixels:
        raise too_many_pixels(max_pixels)
    if image.format == "HEIF" and not boxes_complete(data):
        raise damaged()
    return image


def boxes_complete(data: bytes) -> bool:
    """Whether each top-level ISO-BMFF box ends within the data. libheif decodes a cut file
    without complaint and paints the tiles it lacks green."""
    position = 0
    while position < len(data):
        header = data[position : position + 16]
        if len(header) < 8:
            return False
        size, start = int.from_bytes(header[:4], "big"), 8
        if size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                return False
            size, start = int.from_bytes(header[8:16], "big"), 16
        elif size == 0:  # the box runs to the end of the file
            return True
        if size < start:
            return False
        position += size
    return position == len(data)


def too_many_pixels(max_pixels: int) -> PhotoRefused:
    return PhotoRefused(
        "too_many_pixels",
        N_("The picture has too many pixels (more than %(mp)s megapixels)."),
        mp=max_pixels // 1_000_000,
    )


def damaged() -> PhotoRefused:
    return PhotoRefused("damaged", N_("The photo is damaged or incomplete. Please send it again."))


def process_photo(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_decoded_pixels: int = MAX_DECODED_PIXELS,
    decoders: DecodeGate | None = None,
) -> ProcessedPhoto:
    """Checks and processes one photo; with `decoders`, a heavy decode waits for a slot."""
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    image = open_checked(data, max_pixels)
    pixels = decoded_pixels(image)
    if pixels > max_decoded_pixels:
        raise too_many_pixels(max_decoded_pixels)
    kind = FORMATS[image.format]
    with decoders.slot(pixels) if decoders else nullcontext():
        try:
            # Inside the slot: Pillow decodes a whole PNG to look for EXIF after the pixels.
            evidence = read_evidence(image)
            display = display_copy(data, image, read_orientation(image))
            thumb = shrink(display, THUMB_PX)
            return ProcessedPhoto(
                original=data,
                original_format=kind,
                display=jpeg(display),
                thumbnail=jpeg(thumb),
                width=display.width,
                height=display.height,
                evidence=evidence,
                phash=str(imagehash.phash(thumb.convert("L"))),
            )
        finally:
            # The full-size pixels go before the slot does, or the next decode adds to them.
            image.close()


def return_freed_pixels() -> None:
    """Makes glibc hand a freed picture back to the system at once. By default it raises its
    mmap threshold after the first large free, so later pictures come from per-thread heaps
    that keep the memory: each of a worker's threads would then keep the largest picture it
    ever decoded, and the decoder slots would bound nothing."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024)
    except (OSError, AttributeError):
        return  # not glibc: there is no such threshold to fix


def decoded_pixels(image: Image.Image) -> int:
    """The most pixels decoding will hold: a JPEG is decoded at a reduced scale (at worst
    Pillow's draft: the largest of 1/8, 1/4, 1/2 that keeps DISPLAY_PX), others at full size."""
    if image.format != "JPEG":
        return image.width * image.height
    scale = 1.0
    while scale > 1 / 8 and max(image.size) * scale / 2 >= DISPLAY_PX:
        scale /= 2
    return math.ceil(image.width * scale) * math.ceil(image.height * scale)


def display_copy(data: bytes, image: Image.Image, orientation: int) -> Image.Image:
    decoded = scaled_jpeg(data, image) if image.format == "JPEG" else None
    if decoded is None:
        decoded = decode_with_pillow(image)
    # Shrink first, then flatten and turn upright: each costs less on the small copy. Pillow
    # resizes with premultiplied alpha, so flattening after gives the same picture.
    display = shrink(decoded, DISPLAY_PX) if max(decoded.size) > DISPLAY_MAX else decoded
    display = flatten(display)
    if orientation in TRANSPOSE:
        display = display.transpose(TRANSPOSE[orientation])
    return display


def read_orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - a damaged EXIF block means no turn, not a refusal
        return 1


def scaled_jpeg(data: bytes, image: Image.Image) -> Image.Image | None:
    """The JPEG decoded at the smallest of libjpeg-turbo's n/8 scales that still gives a
    display copy of at least DISPLAY_MIN pixels, so no resize is needed after it.

    Pillow's draft() only offers 1/2, 1/4 and 1/8: from a 4000-px photo that is 2000 px, and
    resizing 2000 to 1600 costs a third of a full decode. At 3/8 the same photo comes out at
    1500 px directly. None when the file needs Pillow (CMYK, or anything libjpeg-turbo is
    strict about): the Pillow path then decides whether the file is damaged.
    """
    if image.mode not in ("RGB", "L"):
        return None
    minimum: dict[str, int] = {}
    if max(image.size) > DISPLAY_MAX:
        minimum["min_width" if image.width >= image.height else "min_height"] = DISPLAY_MIN
    try:
        pixels = simplejpeg.decode_jpeg(
            data, colorspace="RGB" if image.mode == "RGB" else "GRAY", **minimum
        )
    except Exception:  # noqa: BLE001 - Pillow's decoder then decides whether it is damaged
        return None
    return Image.fromarray(pixels[:, :, 0] if image.mode == "L" else pixels, image.mode)


def decode_with_pillow(image: Image.Image) -> Image.Image:
    if image.format == "JPEG":
        # Pillow's own scaling: the box keeps the file's axes (the long side is the same
        # whichever way the photo is turned); YCbCr is what the file holds.
        scale = min(1.0, DISPLAY_PX / max(image.size))
        mode = "YCbCr" if image.mode == "RGB" else image.mode
        image.draft(mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except Exception as exc:  # noqa: BLE001 - pillow-heif raises RuntimeError, for one
        raise damaged() from exc
    return resizable(image)


def shrink(image: Image.Image, box: int) -> Image.Image:
    """The image fitted in box x box pixels: whole factors by reduce() (an area average, the
    cheapest pass), what remains by Lanczos."""
    scale = max(image.size) / box
    if scale <= 1:
        return image
    size = (max(1, round(image.width / scale)), max(1, round(image.height / scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)


def resizable(image: Image.Image) -> Image.Image:
    """A mode Lanczos works in: resizing a palette picks nearest pixels, and Pillow cannot
    resize 16-bit grey at all."""
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if image.has_transparency_data else "RGB")
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # Converting clips each 16-bit value to 255, which leaves a nearly white picture.
        return image.point(lambda value: value / 256).convert("L")
    return image if image.mode in ("RGB", "RGBA", "L", "LA", "YCbCr") else image.convert("RGB")


def flatten(image: Image.Image) -> Image.Image:
    """Transparency laid on white: it does not survive JPEG."""
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        return background
    return image


def jpeg(image: Image.Image) -> bytes:
    """A copy without EXIF: the served photos carry no location or device data."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def read_evidence(image: Image.Image) -> PhotoEvidence:
    """Capture time, GPS and device from EXIF; a broken field is skipped, never fatal."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - damaged EXIF must never stop a photo
        return PhotoEvidence()
    return PhotoEvidence(
        guard(capture_time, exif), guard(gps_position, exif), guard(device_name, exif)
    )


def guard(reader, exif) -> Any:
    try:
        return reader(exif)
    except Exception:  # noqa: BLE001 - each field is read on its own; bad EXIF is common
        return None


def capture_time(exif) -> datetime | None:
    details = exif.get_ifd(EXIF_IFD)
    # Only the moment of capture: IFD0's DateTime is when the file was last edited or saved.
    raw = details.get(DATETIME_ORIGINAL)
    if not raw:
        return None
    taken = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    offset = str(details.get(OFFSET_ORIGINAL) or "").strip("\x00 ")
    if len(offset) == 6 and offset[0] in "+-":
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        taken = taken.replace(tzinfo=timezone(sign * delta))
    return taken


def gps_position(exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(GPS_IFD)
    if 2 not in gps or 4 not in gps:
        return None
    lat = degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
    lon = degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 6), round(lon, 6)


def degrees(parts) -> float:
    d, m, s = (float(p) for p in parts)
    return d + m / 60 + s / 3600


def device_name(exif) -> str | None:
    make = str(exif.get(MAKE) or "").strip("\x00 ")
    model = str(exif.get(MODEL) or "").strip("\x00 ")
    if model.lower().startswith(make.lower()):
        make = ""
    name = " ".join(part for part in (make, model) if part)
    return name[:120] or None
