"""Picture files the photo tests make themselves, for what no real photo shows."""

import io
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def saved(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def made_jpeg(size, mode="RGB", **options) -> bytes:
    image = Image.linear_gradient("L").resize(size)
    if mode != "L":
        image = Image.merge(
            "RGB", (image, image.rotate(90), image.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
        )
        image = image.convert(mode)
    return saved(image, "JPEG", quality=90, **options)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_claiming(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))


def png_rgba_rows(width: int, height: int) -> bytes:
    """An RGBA PNG of one row repeated, written row by row so the test holds no picture."""
    row = b"\0" + bytes(v for x in range(width) for v in (x % 256, 90, 200, x * 255 // width))
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def png_rgb_rows(width: int, height: int) -> bytes:
    """An RGB PNG of one gradient row repeated, written row by row: a large picture in a
    small file, made without holding the picture."""
    row = b"\0" + bytes(v for x in range(width) for v in (x % 256, 90, x * 255 // width))
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )
